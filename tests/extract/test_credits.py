from __future__ import annotations

import pytest

from transforms.extract.credits import is_role, parse_credit
from transforms.extract.sitename import SiteNames


@pytest.mark.parametrize(
    ("credit", "people", "organizations"),
    [
        ("View all posts by Daniel Lemire", ["Daniel Lemire"], []),
        ("Zander Dejah See more", ["Zander Dejah"], []),
        ("CM Craig McCarthy Last updated", ["Craig McCarthy"], []),
        ("Marketing and Event Coordinator", [], []),
        ("Priya Raman\nMarketing and Event Coordinator", ["Priya Raman"], []),
        ("Deutsche Welle (www.dw.com)", [], ["Deutsche Welle"]),
        ("JILL LAWLESS Associated Press", ["Jill Lawless"], ["Associated Press"]),
        (
            "By MEG KINNARD and ERRIN HAINES, Associated Press",
            ["Meg Kinnard", "Errin Haines"],
            ["Associated Press"],
        ),
        ("Keith Barry Senior Autos Reporter", ["Keith Barry"], []),
        ("Luke Kim December 3, 2025", ["Luke Kim"], []),
        ("Haley Hoekstra • March", ["Haley Hoekstra"], []),
        ("Shelby Loos, DVM. Reviewed by Molly Price, DVM", ["Shelby Loos"], []),
        ("Mayank Gupta, CEO of CaseBasix", ["Mayank Gupta"], []),
        ("Maria &amp; Katerina", ["Maria", "Katerina"], []),
        ("Dr. Marna van der Merwe", ["Marna van der Merwe"], []),
        ("Theresa May", ["Theresa May"], []),
        ("EcoCult Staff", [], ["EcoCult Staff"]),
        ("Written By", [], []),
        ("@harbourwalks", [], []),
        ("page.head.extra.author", [], []),
        (
            "Authors: Ana Ruiz, Tom Berg, Extension horticulture educators",
            ["Ana Ruiz", "Tom Berg"],
            [],
        ),
        ("Zackery Cuevas Writer, Hardware", ["Zackery Cuevas"], []),
        (
            "Mike Marshall, Shipping Expert • Friday, December 19, 2025 • Advertiser Disclosure",
            ["Mike Marshall"],
            [],
        ),
        # A label glued to the name by markup (<span>By</span>Cora); "Byron" is a name.
        ("ByCora Lindqvist", ["Cora Lindqvist"], []),
        ("Byron Hale", ["Byron Hale"], []),
        # A job title after a comma goes whole, its "and" too; "was written by" is a lead-in.
        (
            "This post was written by Cora Lindqvist, Head of Marketing and Community Outreach",
            ["Cora Lindqvist"],
            [],
        ),
        ("Ana Ruiz, Senior Editor, and Tom Berg, Staff Writer", ["Ana Ruiz", "Tom Berg"], []),
        # The word leading to a date or a time goes with it; "On" in a name stays.
        ("Posted by Ana Ruiz on March 3, 2024", ["Ana Ruiz"], []),
        ("By Ana Ruiz on 03/03/2024", ["Ana Ruiz"], []),
        ("Posted by Tom Berg at 11:15 AM", ["Tom Berg"], []),
        ("Harbour Lights On", ["Harbour Lights On"], []),
        # A job title opening with an acronym or a brand goes too; not in a credit in capitals.
        ("Cora Lindqvist AI Writer, Tidewater", ["Cora Lindqvist"], []),
        ("Ines Calder Former McKinsey Consultant", ["Ines Calder"], []),
        ("Tomas Reyes EdTech Content writer", ["Tomas Reyes"], []),
        ("ANA MARIA RUIZ WRITER", ["Ana Maria Ruiz"], []),
        # "Md" opening a name is Mohammad, not a medical degree.
        ("Md Rafiq Hossain and Lena Ortiz, MD", ["Md Rafiq Hossain", "Lena Ortiz"], []),
        # A surname that is also a degree's letters stays; post-nominals after a name go.
        ("Rui Ma, Heba Lindqvist", ["Rui Ma", "Heba Lindqvist"], []),
        ("Anh Do", ["Anh Do"], []),
        ("Lena Ortiz MD", ["Lena Ortiz"], []),
        # A newsroom credited as a group is an organisation, whole; a job title is nobody.
        ("By The Tidewater editors", [], ["The Tidewater editors"]),
        ("By Our Editors", [], ["Our Editors"]),
        ("Senior Editors", [], []),
        ("Lena Ortiz and the Quay Team", ["Lena Ortiz"], ["the Quay Team"]),
        # Facets of "Browse by ..." menus and a bare "blog" are nobody.
        ("By Manufacturer", [], []),
        ("By Category", [], []),
        ("blog", [], []),
        # A copyright notice names the rights holder, not the writer.
        ("Tidewater State University ©", [], []),
        ("Copyright Harbour Press", [], []),
    ],
)
def test_credit_lines_are_read_as_people_and_organisations(
    credit: str, people: list[str], organizations: list[str]
) -> None:
    found = parse_credit(credit)
    assert (found.people, found.organizations) == (people, organizations)


def test_structured_kinds_and_the_site_itself() -> None:
    sites = SiteNames({"og:site_name": "Harbour Walks"}, ("harbourwalks",), "harbourwalks.example")
    assert parse_credit("Harbour Walks Desk", sites).organizations == ["Harbour Walks Desk"]
    assert parse_credit("harbourwalks", sites).organizations == ["harbourwalks"]
    # A personal site's name is its owner's: a person, not an organisation.
    owner = SiteNames({"og:site_name": "Rina Holm"}, ("rinaholm",), "rinaholm.example")
    assert parse_credit("Rina Holm", owner).people == ["Rina Holm"]
    assert parse_credit("Tidewater Press", kind="organization").organizations == ["Tidewater Press"]


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("Senior Digital Marketing Manager", True),
        ("Co-Founder", True),
        ("Editor-in-Chief", True),
        ("CEO of CaseBasix", True),
        ("Shipping Expert", True),
        ("Sylvia Bishop", False),
        ("Jane Doe", False),
    ],
)
def test_job_titles(text: str, role: bool) -> None:
    assert is_role(text) is role
