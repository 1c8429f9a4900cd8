"""The command line: help everywhere, query formats, status, sources validation, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flows.cli import build_parser, main

COMMANDS = ("run", "build", "query", "serve", "sources", "status")


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
