"""Twenty text dumps of one fictional site through a real flow run: no furniture, no false copy."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from flows.ingest import ingest_articles
from transforms.settings import Settings
from transforms.warehouse.publish import connect_warehouse

SITE = "The Fenland Courier"
MENU = [
    "Skip to main content",
    SITE,
    "Home",
    "News",
    "Sport",
    "Business",
    "Opinion",
    "Weather",
    "Farming",
    "Transport",
    "Schools",
    "Health",
    "Courts",
    "What's on",
    "Obituaries",
    "Jobs",
    "Property",
    "Motors",
    "Puzzles",
    "Sign in",
    "Subscribe",
    "We use cookies to give you the best experience on our website. By continuing to browse "
    "you agree to our use of cookies. Manage your preferences at any time.",
    "Accept all",
]
SHARE = ["Share this article", "Facebook", "Twitter", "Email", "Related stories"]
MOST_READ = [
    "Most read",
    "Tractor convoy brings Wisbech town centre to a standstill for an hour",
    "Ely cathedral bells ring out again after two years of silence",
    "March rail station to get a second footbridge and longer platforms",
    "Chatteris bakery wins regional award for its plum bread",
    "Whittlesey straw bear festival draws record crowd despite the rain",
    "Latest news",
    "Soham lode towpath to reopen after bank repairs are finished",
    "Littleport youth club saved by last-minute grant from the district",
    "Ramsey abbey gatehouse opens its doors for a heritage weekend",
    "Manea fen drainage board warns of higher rates from next April",
    "Sutton farmers report best asparagus season for a decade",
    "Upwell and Outwell share a new community bus on weekdays",
    "Doddington hospital garden restored by volunteers over the winter",
]
# Inside the article: the same promotion in every dump, shaped like a paragraph.
PROMO = (
    "Readers in the Fens can now get the Courier delivered to their door every Saturday "
    "morning, with a free puzzle supplement and the week's letters page included in the price."
)
FOOTER = [
    "Sign up for the Fenland Courier morning briefing and get the day's top stories in your "
    "inbox every weekday.",
    "Email address",
    "Sign up",
    "The Fenland Courier has reported on the towns and villages of the Fens since 1887, and is "
    "owned by its readers through the Fenland Courier Trust, a registered charity.",
    "Our journalism is free to read because hundreds of readers support it every month, and "
    "even a small contribution helps us keep reporters in every market town.",
    "About us | Contact | Advertise | Careers",
    "Privacy policy",
    "Terms and conditions",
    f"© 2024 {SITE}. All rights reserved.",
]
FURNITURE = [*MENU, *SHARE, *MOST_READ, *FOOTER, PROMO]
PLACES = [
    "Wisbech",
    "March",
    "Chatteris",
    "Whittlesey",
    "Ely",
    "Littleport",
    "Ramsey",
    "Soham",
    "Sutton",
    "Haddenham",
    "Thorney",
    "Manea",
    "Outwell",
    "Upwell",
    "Doddington",
    "Benwick",
    "Mepal",
    "Witchford",
    "Coveney",
    "Pymoor",
]
SUBJECTS = [
    "sluice",
    "bridge",
    "library",
    "ferry",
    "orchard",
    "granary",
    "windmill",
    "bakery",
    "railway",
    "clinic",
    "school",
    "harbour",
    "market",
    "chapel",
    "museum",
    "brewery",
    "tannery",
    "mill",
    "quay",
    "observatory",
]
PEOPLE = (
    """Ada Thornbury|Bram Okonjo|Cressida Vale|Dmitri Hallam|Esme Quarrie|Farid Lisle|
    Greta Moorcroft|Hugo Penhallow|Ines Carrow|Jonah Westlake|Kezia Dunmore|Lorcan Ashby|
    Mira Coldwell|Nico Fairbairn|Orla Trevane|Piers Ambrey|Rosa Kettering|Silas Brackwell|
    Tamsin Orrell|Uriel Hatchard""".replace("\n", "")
    .replace("    ", "")
    .split("|")
)
TEMPLATES = [
    "Residents of {place} gathered on {day} to hear plans for the {subject}, which {person} "
    "said would cost about £{money} and take {months} months to finish.",
    "{person}, who has run the {place} {subject} trust since {year}, told the Courier that "
    "{count} volunteers had already signed a petition backing the scheme.",
    "The district council approved £{money} towards the {subject} in {month}, although {count} "
    "objections from {place} households are still being considered by officers.",
    "Engineers surveying the {subject} found {count} cracked timbers and a drainage culvert last "
    "repaired in {year}, according to a report seen by this newspaper.",
    "Speaking outside the {subject} on {day}, {person} said the village of {place} had waited "
    "{months} years for a decision and deserved a clear timetable.",
    "A consultation on the {place} {subject} opens in {month} and runs for {months} weeks, with "
    "drop-in sessions planned at the parish hall every {day} afternoon.",
    "Figures from the county archive show the {subject} at {place} handled {count} visitors a "
    "week in {year}, compared with barely a few dozen today.",
    "Critics, including {person}, argue that the £{money} would be better spent on flood "
    "defences along the river near {place} before next winter.",
]
MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]


def sentence(rng: random.Random, template: str, place: str, subject: str, person: str) -> str:
    """Return one filled template sentence."""
    return template.format(
        place=place,
        subject=subject,
        person=person,
        day=rng.choice(DAYS),
        month=rng.choice(MONTH_NAMES),
        money=f"{rng.randint(2, 900)},{rng.randint(100, 999)}",
        months=rng.randint(3, 40),
        year=rng.randint(1950, 2019),
        count=rng.randint(12, 4000),
    )


def write_site(folder: Path, count: int = 20) -> list[dict[str, object]]:
    """Write `count` dumps of one fictional site; return each article's title and paragraphs."""
    folder.mkdir(parents=True)
    rng = random.Random(13)
    stories = []
    for number in range(count):
        place, subject, person = PLACES[number], SUBJECTS[number], PEOPLE[number]
        title = f"{place} {subject} plan divides village as costs rise"
        paragraphs = []
        for _ in range(5):
            picked = rng.sample(TEMPLATES, 2)
            paragraphs.append(" ".join(sentence(rng, t, place, subject, person) for t in picked))
        stories.append({"title": title, "author": person, "paragraphs": paragraphs})
    for number, story in enumerate(stories):
        related = [stories[(number + k) % count]["title"] for k in (1, 2, 3)]
        day = 1 + number
        lines = [
            *MENU,
            story["title"],
            f"By {story['author']}",
            f"{day} March 2024",
            *story["paragraphs"][:2],
            PROMO,
            *story["paragraphs"][2:],
            *SHARE,
            *related,
            *MOST_READ,
            *FOOTER,
        ]
        path = folder / f"story-{number:02d}.txt"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return stories


@pytest.fixture(scope="module")
def site_run(prefect_api: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    """Run the twenty dumps in batches of 7 (shared lines must not depend on batches)."""
    root = tmp_path_factory.mktemp("textsite")
    stories = write_site(root / "fenland")
    settings = Settings(warehouse_dir=root / "warehouse", workers=2, batch_size=7)
    ingest_articles(inputs=[str(root / "fenland")], settings=settings)
    return settings.database_path, stories


def query(database: Path, sql: str) -> list[tuple]:
    with connect_warehouse(database.parent) as connection:
        return connection.execute(sql).fetchall()


def test_twenty_dumps_come_out_without_the_site_furniture(site_run: tuple[Path, list]) -> None:
    database, stories = site_run
    rows = query(
        database,
        """
        select title, authors, body_text, published_date::varchar, source_id
        from fct_articles join article_texts using (article_id) order by locator
        """,
    )
    assert len(rows) == len(stories)
    for (title, authors, body, day, source_id), story in zip(rows, stories, strict=True):
        assert body.split("\n") == story["paragraphs"]
        assert title == story["title"]
        assert list(authors) == [story["author"]]
        assert day.startswith("2024-03-")
        assert source_id == "the-fenland-courier"
        for line in FURNITURE:
            assert line not in body


def test_no_two_different_articles_are_near_duplicates(site_run: tuple[Path, list]) -> None:
    database, _stories = site_run
    assert query(database, "select count(*) from fct_articles where is_duplicate") == [(0,)]
    assert query(database, "select count(*) from dim_duplicate_clusters") == [(0,)]
    assert query(database, "select count(*) from dim_stories where count_articles > 1") == [(0,)]
