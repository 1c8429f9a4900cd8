from __future__ import annotations

import pytest

from transforms.enrich.wires import find_wire_agency


@pytest.mark.parametrize(
    ("body", "agency"),
    [
        ("WASHINGTON (AP) — The Senate voted on Tuesday.", "AP"),
        ("BAGHDAD, Iraq (AP) — Iraq's government said.", "AP"),
        ("LONDON, May 3 (Reuters) - Britain said on Friday.", "Reuters"),
        ("Paris (AFP) - France announced on Monday.", "AFP"),
        ("BAGHDAD (NWS) — An agency we do not know, credited by code.", "NWS"),
        ("Listen to this article\nDUNMORE (AP) — A widget line above the dateline.", "AP"),
        ("The minister spoke.\nShe left.\n— Reuters", "Reuters"),
        ("The minister spoke at length about the plan — AFP", "AFP"),
        ("The text.\n(Reporting by Ann Lee; Editing by Tom Roe)", "Reuters"),
        ("The text.\nThis story was provided by The Associated Press and was not edited.", "AP"),
        # not credits
        ("NAIROBI, Kenya — The toll road reopened.", None),
        ("The Broadcasting Corporation (ABC) — said the minister.", None),
        ("He said (in Arabic) — no more delays.", None),
        ("The text.\nSaid the coach — Smith", None),
        ("", None),
    ],
)
def test_find_wire_agency(body: str, agency: str | None) -> None:
    assert find_wire_agency(body) == agency
