from __future__ import annotations

import pytest

from transforms.extract.textfields import (
    comment_policy_name,
    find_byline,
    find_date,
    find_name_line,
    is_update_line,
    text_copyright_holder,
)


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("By Jane Doe and Ravi Patel", ["Jane Doe", "Ravi Patel"]),
        ("By Jane Doe | Senior reporter", ["Jane Doe"]),
        ("By Jane Doe, Political Correspondent", ["Jane Doe"]),
        ("Written by Tomás Reyes", ["Tomás Reyes"]),
        ("By Jane Doe on March 4, 2024", ["Jane Doe"]),
        ("Von Anna Schmidt", ["Anna Schmidt"]),
        ("Author: Maria Okafor", ["Maria Okafor"]),
        ("By the time the ferry docked the storm had passed over the harbour.", []),
        ("Bom Dia", []),
        ("Home", []),
    ],
)
def test_find_byline(line: str, names: list[str]) -> None:
    assert find_byline(line) == names


@pytest.mark.parametrize(
    ("line", "names"),
    [("Lawk Ghafuri", ["Lawk Ghafuri"]), ("SPORT", []), ("Read the full story here", [])],
)
def test_find_name_line(line: str, names: list[str]) -> None:
    assert find_name_line(line) == names


@pytest.mark.parametrize(
    ("line", "day"),
    [
        ("Published 14 March 2024", "2024-03-14"),
        ("March 14, 2024 10:30 AM", "2024-03-14"),
        ("Sep 26, 2022", "2022-09-26"),
        ("2024-03-14T08:00", "2024-03-14"),
        ("14. März 2024", "2024-03-14"),
        ("le 4 juin 2024", "2024-06-04"),
        # Day and month order is ambiguous: no date rather than a wrong one.
        ("03/04/2024", None),
        ("The plan was first drawn up in March 2019 and shelved.", None),
    ],
)
def test_find_date(line: str, day: str | None) -> None:
    found = find_date(line)
    assert (found.date().isoformat() if found else None) == day


def test_update_lines_are_not_publication_dates() -> None:
    assert is_update_line("Updated March 15, 2024")
    assert not is_update_line("Published March 14, 2024, updated March 15, 2024")


@pytest.mark.parametrize(
    ("line", "holder"),
    [
        ("© 2024 The Fenland Courier. All rights reserved.", "The Fenland Courier"),
        ("© Al Nisr Publishing LLC 2025. All rights reserved.", "Al Nisr Publishing LLC"),
        ("Copyright Policy", None),
        ("© 2019", None),
        ("Copyright © 2019-2024", None),
    ],
)
def test_text_copyright_holder(line: str, holder: str | None) -> None:
    assert text_copyright_holder(line) == holder


def test_comment_policy_name() -> None:
    assert comment_policy_name("Rudaw moderates all comments submitted on our website.") == "Rudaw"
    assert comment_policy_name("Read our comment policy") is None
