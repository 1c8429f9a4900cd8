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
