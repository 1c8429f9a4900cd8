"""Every knob of web and archive capture, with defaults that are polite on the open web."""

from __future__ import annotations

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    IPvAnyNetwork,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
)

MIB = 1024 * 1024


class FetchSettings(BaseModel):
    """Settings of HTTP fetching, feed and sitemap discovery, incremental state and WARC reading."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    user_agent: str = "newsloom/0.1 (+https://github.com/newsloom/newsloom)"
    respect_robots: bool = True
    max_crawl_delay: NonNegativeFloat = Field(30.0, description="cap on robots.txt Crawl-delay")

    connect_timeout: PositiveFloat = 10.0
    read_timeout: PositiveFloat = 30.0
    total_timeout: PositiveFloat = Field(60.0, description="whole attempt incl. body download")
    max_body_bytes: PositiveInt = 10 * MIB
    max_redirects: NonNegativeInt = 5

    max_retries: NonNegativeInt = 3
    backoff_base: NonNegativeFloat = 1.0
    backoff_max: NonNegativeFloat = 60.0
    retry_after_max: NonNegativeFloat = Field(120.0, description="cap on honoured Retry-After")

    host_deadline: PositiveFloat | None = Field(
        900.0,
        description="seconds a run spends on one host from its first request; its documents "
        "still waiting then are rejected host_deadline and tried again next run (None: no limit)",
    )
    run_deadline: PositiveFloat | None = Field(
        3600.0,
        description="seconds of fetching in one run; what is left then is rejected run_deadline "
        "and tried again next run (None: no limit)",
    )

    host_delay: NonNegativeFloat = Field(1.0, description="min seconds between request starts")
    host_concurrency: PositiveInt = 2
    global_concurrency: PositiveInt = 32

    page_content_types: tuple[str, ...] = ("text/html", "application/xhtml+xml")
    allow_private_hosts: bool = False
    allowed_networks: tuple[IPvAnyNetwork, ...] = Field(
        (), description="networks allowed even when private, e.g. 10.1.0.0/16"
    )

    conditional_requests: bool = True
    skip_unchanged: bool = Field(True, description="a 200 with last run's body is nothing new")
    revisit_known: bool = Field(
        False, description="refetch feed/sitemap items fetched before even if not updated"
    )
    poll_backoff_base: NonNegativeFloat = Field(600.0, description="first wait after a failure")
    poll_backoff_max: NonNegativeFloat = 86400.0

    max_items_per_feed: PositiveInt = 1000
    max_sitemap_depth: NonNegativeInt = 3
    max_sitemaps: PositiveInt = 1000
    max_urls_per_sitemap: PositiveInt = 50_000
    max_decompressed_bytes: PositiveInt = 50 * MIB
    max_warc_record_bytes: PositiveInt = 20 * MIB

    @property
    def robots_agent(self) -> str:
        """Return the product token robots.txt groups are matched against."""
        return self.user_agent.split("/", 1)[0].split()[0] if self.user_agent.strip() else "*"
