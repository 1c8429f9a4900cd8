from __future__ import annotations

import pytest

from transforms.extract.publisher import PathMapping
from transforms.extract.textlines import line_key
from transforms.extract.textrepeat import TextDump, shared_line_keys, source_group

MENU = ["Home", "World", "Business", "Subscribe to our newsletter", "© 2024 The Fen Gazette"]


def article(number: int, extra: str = "") -> str:
    """Return a fictional dump: the site's menu and footer around one article's paragraphs."""
    paragraphs = [
        f"Paragraph {k} of story {number} tells how the lock keeper number {number} repaired "
        f"gate {k} on the canal before the spring floods reached the town."
        for k in range(4)
    ]
    return "\n".join([*MENU[:3], f"Story {number} headline", *paragraphs, extra, *MENU[3:]])


def keys_of(*lines: str) -> frozenset[int]:
    return frozenset(line_key(line) for line in lines)


@pytest.mark.parametrize(
    ("locator", "kind", "group"),
    [
        ("/data/fen/a.txt", "text", "folder:/data/fen"),
        ("C:\\dumps\\fen\\a.txt", "text", "folder:C:/dumps/fen"),
        ("https://www.fen-gazette.example/a.txt", "url", "host:fen-gazette.example"),
        ("/data/mapped/a.txt", "text", "source:fen"),
    ],
)
def test_source_group(locator: str, kind: str, group: str) -> None:
    mappings = (PathMapping("mapped/*.txt", "fen"),)
    assert source_group(locator, kind, mappings) == group


def test_menu_and_footer_shared_by_three_articles_are_furniture() -> None:
    dumps = [TextDump(f"c{n}", "folder:/fen", article(n)) for n in range(3)]
    shared = shared_line_keys(dumps)
    assert shared["c0"] == keys_of(*MENU)
    assert not shared["c0"] & keys_of("Story 0 headline")


def test_two_dumps_are_not_enough() -> None:
    dumps = [TextDump(f"c{n}", "folder:/fen", article(n)) for n in range(2)]
    assert shared_line_keys(dumps) == {}


def test_versions_of_one_article_keep_their_paragraphs() -> None:
    # Three versions of story 1 (a correction added each time) and two other stories.
    dumps = [
        TextDump("v1", "folder:/fen", article(1)),
        TextDump("v2", "folder:/fen", article(1, "Correction: the gate is number two.")),
        TextDump("v3", "folder:/fen", article(1, "Update: the town council paid for it.")),
        TextDump("s2", "folder:/fen", article(2)),
        TextDump("s3", "folder:/fen", article(3)),
    ]
    shared = shared_line_keys(dumps)
    paragraph = article(1).splitlines()[4]
    assert line_key(paragraph) not in shared["v1"]
    assert shared["v3"] == keys_of(*MENU)


def test_groups_do_not_mix_and_order_does_not_matter() -> None:
    dumps = [TextDump(f"c{n}", f"folder:/site{n % 2}", article(n)) for n in range(5)]
    shared = shared_line_keys(dumps)
    # Only the group with three dumps (0, 2, 4) can have shared lines.
    assert shared["c0"] == keys_of(*MENU)
    assert "c1" not in shared
    assert shared_line_keys(list(reversed(dumps))) == shared


def test_long_template_lines_do_not_make_articles_one() -> None:
    # Five long template lines in every dump: as many as each article's own paragraphs.
    template = [
        f"Notice {k}: the Fen Gazette is funded by readers, and every contribution keeps our "
        f"reporters in the market towns for another week of local news {k}."
        for k in range(5)
    ]
    dumps = [
        TextDump(f"c{n}", "folder:/fen", article(n) + "\n" + "\n".join(template)) for n in range(6)
    ]
    shared = shared_line_keys(dumps)
    assert shared["c0"] == keys_of(*MENU, *template)
