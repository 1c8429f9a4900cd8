"""The command line: help everywhere, query formats, status, sources validation, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from flows.cli import build_parser, main
from tests.conftest import REPO

COMMANDS = ("run", "build", "query", "serve", "sources", "status", "report", "compact")


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        build_parser().parse_args([command, "--help"])
    assert raised.value.code == 0
    assert "usage: newsloom" in capsys.readouterr().out


def test_query_formats(seeds_warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sql = "select source_id from fct_articles order by 1"
    assert main(["query", "--warehouse", str(seeds_warehouse), "--format", "json", sql]) == 0
    assert json.loads(capsys.readouterr().out) == [
        {"source_id": "gulfnews.com"},
        {"source_id": "rudaw.net"},
    ]
    assert main(["query", "--warehouse", str(seeds_warehouse), "--format", "csv", sql]) == 0
    assert capsys.readouterr().out.splitlines() == ["source_id", "gulfnews.com", "rudaw.net"]
    assert (
        main(["query", "--warehouse", str(seeds_warehouse), "select count(*) from fct_articles"])
        == 0
    )
    assert "1 row(s)" in capsys.readouterr().out


def test_query_is_read_only_and_errors_exit_nonzero(
    seeds_warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["query", "--warehouse", str(seeds_warehouse), "delete from fct_articles"]) == 1
    assert "read-only" in capsys.readouterr().err.lower()
    assert main(["query", "--warehouse", str(seeds_warehouse / "missing"), "select 1"]) == 1
    assert "newsloom run" in capsys.readouterr().err


def test_status_shows_runs_counts_and_rejects(
    seeds_warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["status", "--warehouse", str(seeds_warehouse)]) == 0
    out = capsys.readouterr().out
    assert "completed" in out
    assert "fct_articles" in out
    assert "rejects by reason" in out


def test_sources_validates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "sources.toml"
    good.write_text(
        '[[publishers]]\ndomain = "harbour-times.example"\nname = "The Harbour Times"\n'
        'feeds = ["https://harbour-times.example/rss.xml"]\n'
    )
    assert main(["sources", str(good)]) == 0
    assert "1 publisher(s), valid" in capsys.readouterr().out
    bad = tmp_path / "bad.toml"
    bad.write_text('[[publishers]]\ndomain = "a.example"\nfeed = ["not a url"]\n')
    assert main(["sources", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "feed" in err
    assert "unknown key" in err


def _attacks(warehouse: Path, outside: Path) -> list[str]:
    """SQL that would write or read files outside the warehouse's own marts, or fetch code."""
    lake_part = warehouse / "lake" / "captures" / "forged.parquet"
    secret = outside / "secret.txt"
    return [
        f"copy (select 1 as x) to '{outside / 'copied.csv'}'",
        f"copy (select * from fct_articles) to '{lake_part}' (format parquet)",
        f"copy (select 1 as x) to '{(warehouse / 'marts').resolve() / 'forged.parquet'}'",
        f"export database '{outside / 'exported'}'",
        f"attach '{outside / 'other.duckdb'}' as other (read_write)",
        f"select * from read_text('{secret}')",
        f"select * from read_csv('{secret}')",
        f"select * from glob('{outside}/*')",
        "install httpfs from 'http://127.0.0.1:9/'",
        "set enable_external_access = true",
        f"select 1; copy (select 1 as x) to '{outside / 'second.csv'}'",
        f"explain analyze copy (select 1 as x) to '{outside / 'explained.csv'}'",
    ]


def test_query_touches_no_file_outside_the_warehouse(
    seeds_warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "secret.txt").write_text("do not read me\n")
    before = sorted(p for p in seeds_warehouse.rglob("*") if not p.name.startswith("."))
    for sql in _attacks(seeds_warehouse, tmp_path):
        assert main(["query", "--warehouse", str(seeds_warehouse), sql]) == 1, sql
        captured = capsys.readouterr()
        assert "do not read me" not in captured.out
        assert "error" in captured.err.lower(), sql
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret.txt"]
    after = sorted(p for p in seeds_warehouse.rglob("*") if not p.name.startswith("."))
    assert after == before
    # The warehouse's own Parquet files stay readable: article_texts is a view over one.
    sql = "select count(*) as n from article_texts"
    assert main(["query", "--warehouse", str(seeds_warehouse), "--format", "csv", sql]) == 0
    assert capsys.readouterr().out.splitlines() == ["n", "2"]


def test_a_warehouse_path_with_a_quote_runs_and_publishes(seeds_warehouse: Path) -> None:
    assert "'" in str(seeds_warehouse)
    assert main(["query", "--warehouse", str(seeds_warehouse), "select 1 from fct_articles"]) == 0
    assert (seeds_warehouse / "marts" / "article_texts.parquet").is_file()


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["--version"])
    assert raised.value.code == 0
    assert capsys.readouterr().out.startswith("newsloom 0.")


# Each command lists the options it uses, and no other.
OPTIONS = {
    "run": {"--warehouse", "--lake", "--entity-overrides", "--workers", "--sources", "--verbose"},
    "build": {"--warehouse", "--lake", "--entity-overrides", "--verbose"},
    "query": {"--warehouse", "--format"},
    "report": {"--warehouse", "--out"},
    "status": {"--warehouse", "--lake", "--limit"},
    "compact": {"--warehouse", "--lake"},
    "serve": {"--warehouse", "--lake", "--entity-overrides", "--workers", "--sources", "--cron"},
    "sources": set(),
}
EVERY_OPTION = set().union(*OPTIONS.values())


@pytest.mark.parametrize("command", sorted(OPTIONS))
def test_help_lists_only_options_the_command_uses(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args([command, "--help"])
    out = capsys.readouterr().out
    shown = {option for option in EVERY_OPTION if option in out}
    assert shown == OPTIONS[command]


@pytest.mark.parametrize("sql", ["", "   ", "-- only a comment"])
def test_query_without_sql_is_a_usage_error(
    sql: str, seeds_warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["query", "--warehouse", str(seeds_warehouse), sql]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "select count(*) from fct_articles" in err


@pytest.mark.parametrize("output", ["table", "csv"])
def test_query_into_a_reader_that_stops_early(output: str, seeds_warehouse: Path) -> None:
    command = [sys.executable, "-m", "flows.cli", "query", "--warehouse", str(seeds_warehouse)]
    command += ["--format", output, "select * from dim_dates"]
    process = subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    process.stdout.readline()  # like `| head -1`: read a line, then go away
    process.stdout.close()
    err = process.stderr.read() if process.stderr else ""
    assert process.wait(timeout=60) == 0, err
    assert "Error" not in err


def test_build_without_a_lake_says_run_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["build", "--warehouse", str(tmp_path / "warehouse")]) == 2
    assert "run `newsloom run` first" in capsys.readouterr().err
    assert not (tmp_path / "warehouse" / "newsloom.duckdb").exists()


def test_run_on_missing_input_is_an_error_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "does" / "not" / "exist"
    assert main(["run", "--warehouse", str(tmp_path / "warehouse"), str(missing)]) == 2
    err = capsys.readouterr().err
    assert str(missing) in err
    assert "no such file or directory" in err
    assert not (tmp_path / "warehouse" / "newsloom.duckdb").exists()


def test_run_on_a_folder_without_supported_files_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "scans"
    folder.mkdir()
    for name in ("a.pdf", "b.pdf", "c.png"):
        (folder / name).write_bytes(b"not news")
    assert main(["run", "--warehouse", str(tmp_path / "warehouse"), str(folder)]) == 2
    err = capsys.readouterr().err
    assert str(folder) in err
    assert "no supported files (2 .pdf, 1 .png)" in err


def test_status_shows_stage_times_and_freshness(
    seeds_warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["status", "--warehouse", str(seeds_warehouse)]) == 0
    words = capsys.readouterr().out.split()
    assert {"stage", "times", "capture", "extract", "ner", "models", "publish"} <= set(words)
    text = " ".join(words)
    assert "warehouse published" in text
    assert "newest article published" in text


def test_the_warehouse_comes_from_the_environment_unless_given(
    seeds_warehouse: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The README documents NEWSLOOM_WAREHOUSE_DIR; --warehouse's default used to override it.
    from flows.cli import _settings

    monkeypatch.setenv("NEWSLOOM_WAREHOUSE_DIR", str(seeds_warehouse))
    assert _settings(build_parser().parse_args(["run"])).warehouse_dir == seeds_warehouse
    given = build_parser().parse_args(["run", "--warehouse", "elsewhere"])
    assert _settings(given).warehouse_dir == Path("elsewhere")
    assert main(["query", "--format", "csv", "select count(*) as n from fct_articles"]) == 0
    assert capsys.readouterr().out.splitlines() == ["n", "2"]
