"""Generate the labelled dedup benchmark set from the original texts in data/dedup_events.txt.

Each event's wire story is syndicated to several fictional publishers with different dateline
credits, headlines, boilerplate, trims, inserted local paragraphs, merged paragraphs and
spellings; some get an exact re-post, an update at a new URL, or a corrected version at the
same URL; each event also gets an independent write-up (same story, different text). Events
come in same-topic pairs (two earthquakes two days apart, two rate decisions on one day, ...).

    python benchmarks/make_dedup_set.py            # writes benchmarks/data/dedup_set.jsonl

The output is deterministic (seeded); `render_page` turns a record into the HTML page the
quality benchmark feeds through extraction.
"""

from __future__ import annotations

import argparse
import html
import json
import math
import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

DATA = Path(__file__).parent / "data"
EVENTS_FILE = DATA / "dedup_events.txt"
OUTPUT = DATA / "dedup_set.jsonl"
SEED = 20250304

PUBLISHERS = {
    "coastline-courier": "Coastline Courier",
    "midland-gazette": "The Midland Gazette",
    "northgate-herald": "Northgate Herald",
    "riverside-post": "Riverside Post",
    "summit-daily": "Summit Daily",
    "valley-chronicle": "The Valley Chronicle",
    "eastbay-record": "Eastbay Record",
    "pinecrest-tribune": "Pinecrest Tribune",
}
AGENCY_NAMES = {
    "NWS": "the News Wire Service",
    "AP": "The Associated Press",
    "Reuters": "Reuters",
    "AFP": "Agence France-Presse",
}
TOP_BOILERPLATE = [
    "Advertisement",
    "Listen to this article",
    "Share this article",
    "Story continues below advertisement",
]
BOTTOM_BOILERPLATE = [
    "Sign up for our morning newsletter to get the day's top stories in your inbox.",
    "Copyright 2025 {agency}. All rights reserved. This material may not be published, "
    "broadcast, rewritten or redistributed.",
    "This story was provided by {agency_name} and has not been edited by {site} staff.",
    "Follow us on Facebook and X for the latest updates.",
    "Read more: {other_headline}",
]
US_SPELLINGS = [
    ("per cent", "percent"),
    ("kilometres", "kilometers"),
    ("centred", "centered"),
    ("neighbouring", "neighboring"),
    ("neighbours", "neighbors"),
    ("programme", "program"),
]


@dataclass
class Event:
    """One original news event: wire text, alternative headlines, an independent write-up."""

    event_id: str
    topic: str
    agency: str
    dateline: str
    published_at: datetime
    headlines: list[str]
    wire: list[str]
    independent: list[str]
    update_lead: list[str] = field(default_factory=list)
    update_figure: tuple[str, str] | None = None


def read_events(path: Path = EVENTS_FILE) -> tuple[list[Event], dict[str, list[str]]]:
    """Parse the events file into events and each publisher's local paragraphs."""
    events: list[Event] = []
    locals_: dict[str, list[str]] = {}
    meta: dict[str, str] = {}
    blocks: dict[str, list[str]] = {}
    block: list[str] | None = None

    def flush() -> None:
        if "id" in meta:
            figure = meta.get("update_figure")
            events.append(
                Event(
                    event_id=meta["id"],
                    topic=meta["topic"],
                    agency=meta["agency"],
                    dateline=meta["dateline"],
                    published_at=datetime.fromisoformat(meta["published_at"]),
                    headlines=[h.strip() for h in meta["headlines"].split("|")],
                    wire=blocks.get("wire", []),
                    independent=blocks.get("independent", []),
                    update_lead=blocks.get("update-lead", []),
                    update_figure=tuple(figure.split(" -> ")) if figure else None,
                )
            )

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("== event "):
            flush()
            meta, blocks, block = {"id": line.removeprefix("== event ").strip()}, {}, None
        elif line == "== locals":
            flush()
            meta, blocks, block = {}, {}, None
        elif line.startswith("-- local "):
            block = locals_.setdefault(line.removeprefix("-- local ").strip(), [])
        elif line.startswith("-- "):
            block = blocks.setdefault(line.removeprefix("-- ").strip(), [])
        elif block is None and ":" in line:
            key, _, value = line.partition(":")
            meta[key.strip()] = value.strip()
        elif block is not None:
            block.append(line)
    flush()
    return events, locals_


def credit_dateline(event: Event, rng: random.Random) -> tuple[str, str | None, str | None]:
    """Return (opening, closing line, expected agency) in one of the agency's credit styles."""
    place = event.dateline if rng.random() < 0.5 else event.dateline.split(",")[0]
    dash = rng.choice(["—", "–", "-"])
    style = rng.random()
    if event.agency == "Reuters":
        day = event.published_at.strftime("%B %-d")
        if style < 0.6:
            return f"{place}, {day} (Reuters) {dash} ", None, "Reuters"
        return f"{place} {dash} ", f"{dash} Reuters", "Reuters"
    if style < 0.85:
        return f"{place} ({event.agency}) {dash} ", None, event.agency
    # Some outlets drop the credit from the dateline altogether.
    return f"{place} {dash} ", None, None


def syndicate(
    event: Event, publisher: str, local: list[str], rng: random.Random
) -> tuple[list[str], str | None]:
    """Return a syndicated copy's paragraphs (trimmed, inserted, merged, respelled) and agency."""
    paragraphs = list(event.wire)
    keep = rng.randint(math.ceil(0.55 * len(paragraphs)), len(paragraphs))
    paragraphs = paragraphs[:keep]
    for text in rng.sample(local, rng.randint(0, min(2, len(local)))):
        paragraphs.insert(rng.randint(2, len(paragraphs)), text)
    if rng.random() < 0.3 and len(paragraphs) > 3:
        at = rng.randint(1, len(paragraphs) - 2)
        paragraphs[at : at + 2] = [f"{paragraphs[at]} {paragraphs[at + 1]}"]
    if rng.random() < 0.5:
        paragraphs = [respell(text) for text in paragraphs]
    opening, closing, agency = credit_dateline(event, rng)
    paragraphs[0] = opening + paragraphs[0]
    if closing:
        paragraphs.append(closing)
    return paragraphs, agency


def respell(text: str) -> str:
    """Return text with US spellings."""
    for british, american in US_SPELLINGS:
        text = text.replace(british, american)
    return text


def boilerplate(
    event: Event, site: str, rng: random.Random, others: list[str]
) -> tuple[list[str], list[str]]:
    """Return in-article boilerplate lines for the top and the bottom of a copy."""
    top = rng.sample(TOP_BOILERPLATE, rng.randint(0, 2))
    bottom = [
        line.format(
            agency=event.agency,
            agency_name=AGENCY_NAMES[event.agency],
            site=site,
            other_headline=rng.choice(others),
        )
        for line in rng.sample(BOTTOM_BOILERPLATE, rng.randint(0, 3))
    ]
    return top, bottom


def slug(text: str) -> str:
    """Return a URL slug."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


def record(
    event: Event,
    kind: str,
    publisher: str,
    paragraphs: list[str],
    title: str,
    published_at: datetime,
    **extra: object,
) -> dict[str, object]:
    """Return one labelled page record."""
    url = extra.pop("url", None) or (
        f"https://www.{publisher}.example/{published_at:%Y/%m/%d}/{slug(title)}"
    )
    return {
        "doc_id": f"{event.event_id}/{kind}/{publisher}/{len(paragraphs)}/{published_at:%H%M}",
        "event_id": event.event_id,
        "topic": event.topic,
        "kind": kind,
        "publisher": publisher,
        "site_name": PUBLISHERS[publisher],
        "url": url,
        "title": title,
        "published_at": published_at.isoformat(),
        "modified_at": None,
        "top": [],
        "bottom": [],
        "paragraphs": paragraphs,
        "expected_agency": None,
        **extra,
    }


def build_event(
    event: Event, locals_: dict[str, list[str]], rng: random.Random, others: list[str]
) -> list[dict[str, object]]:
    """Return the labelled pages of one event."""
    names = sorted(PUBLISHERS)
    rng.shuffle(names)
    first, copiers, independent = names[0], names[1 : rng.randint(5, 7)], names[-1]
    opening, closing, agency = f"{event.dateline} ({event.agency}) — ", None, event.agency
    if event.agency == "Reuters":
        opening = f"{event.dateline}, {event.published_at:%B %-d} (Reuters) - "
    wire = [opening + event.wire[0], *event.wire[1:], *([closing] if closing else [])]
    pages = [
        record(event, "first", first, wire, event.headlines[0], event.published_at),
    ]
    pages[0]["expected_agency"] = agency
    for publisher in copiers:
        paragraphs, expected = syndicate(event, publisher, locals_[publisher], rng)
        top, bottom = boilerplate(event, PUBLISHERS[publisher], rng, others)
        # Notes name the agency in full; only well-known names are recognised that way
        # (the fictional NWS is recognised by its dateline code alone).
        if event.agency != "NWS" and any("provided by" in line for line in bottom):
            expected = event.agency
        page = record(
            event,
            "copy",
            publisher,
            paragraphs,
            rng.choice(event.headlines),
            event.published_at + timedelta(minutes=rng.randint(12, 600)),
            top=top,
            bottom=bottom,
            expected_agency=expected,
        )
        pages.append(page)
    # An exact re-post of the wire text on another site (same body, different URL).
    pages.append(
        record(
            event,
            "exact",
            copiers[0],
            wire,
            event.headlines[-1],
            event.published_at + timedelta(hours=rng.randint(11, 20)),
            url=f"https://syndication.{copiers[0]}.example/wire/{slug(event.event_id)}",
            expected_agency=agency,
        )
    )
    if event.update_figure and event.update_lead:
        old, new = event.update_figure
        figure = re.compile(rf"(?<![\d,.]){re.escape(old)}(?!\d|[,.]\d)")
        body = [figure.sub(new, text, count=1) for text in event.wire]
        updated = [opening + event.update_lead[0], *body]
        pages.append(
            record(
                event,
                "update",
                first,
                updated,
                f"UPDATE: {event.headlines[0].replace(old, new)}",
                event.published_at + timedelta(hours=rng.randint(3, 6)),
                expected_agency=agency,
            )
        )
    if len(event.update_lead) or event.topic in ("strike", "football"):
        # The same URL captured again after a correction: a new version of one article.
        base = pages[1]
        corrected = dict(base)
        corrected["kind"] = "version"
        corrected["doc_id"] = f"{base['doc_id']}/v2"
        corrected["paragraphs"] = [
            *base["paragraphs"],
            "Correction: An earlier version of this article gave an incorrect title for one "
            "of the officials quoted.",
        ]
        published = datetime.fromisoformat(str(base["published_at"]))
        corrected["modified_at"] = (published + timedelta(hours=26)).isoformat()
        pages.append(corrected)
    pages.append(
        record(
            event,
            "independent",
            independent,
            event.independent,
            f"{event.headlines[1]}: what we know",
            event.published_at + timedelta(hours=rng.randint(1, 20)),
        )
    )
    return pages


def build_set(seed: int = SEED) -> list[dict[str, object]]:
    """Return every labelled page of the benchmark set."""
    events, locals_ = read_events()
    rng = random.Random(seed)
    pages: list[dict[str, object]] = []
    for event in events:
        others = [e.headlines[0] for e in events if e.event_id != event.event_id]
        pages.extend(build_event(event, locals_, random.Random(rng.random()), others))
    return pages


def render_page(page: dict[str, object]) -> str:
    """Return the HTML page of one record (publisher chrome around the article)."""
    site = str(page["site_name"])
    jsonld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": page["title"],
        "datePublished": page["published_at"],
        "author": {"@type": "Person", "name": f"{site} staff"},
        "publisher": {"@type": "Organization", "name": site},
        **({"dateModified": page["modified_at"]} if page["modified_at"] else {}),
    }
    body = "\n".join(
        f"<p>{html.escape(str(text))}</p>"
        for text in [*page["top"], *page["paragraphs"], *page["bottom"]]
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{html.escape(str(page["title"]))} | {html.escape(site)}</title>
<link rel="canonical" href="{html.escape(str(page["url"]))}">
<meta property="og:site_name" content="{html.escape(site)}">
<script type="application/ld+json">{json.dumps(jsonld)}</script>
</head><body>
<header><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a>
<a href="/business">Business</a> <a href="/opinion">Opinion</a></nav></header>
<main><article>
<h1>{html.escape(str(page["title"]))}</h1>
<p class="byline">By {html.escape(site)} staff</p>
{body}
</article>
<aside class="related"><h2>Most read</h2><ul>
<li><a href="/a">Council approves new cycle lanes</a></li>
<li><a href="/b">Weekend weather: sunshine and showers</a></li></ul></aside></main>
<footer><p>© 2025 {html.escape(site)}. All rights reserved.</p></footer>
</body></html>
"""


def main() -> None:
    """Write the labelled set as JSON lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    pages = build_set()
    with open(args.output, "w", encoding="utf-8") as handle:
        for page in pages:
            handle.write(json.dumps(page, ensure_ascii=False, sort_keys=True) + "\n")
    kinds: dict[str, int] = {}
    for page in pages:
        kinds[str(page["kind"])] = kinds.get(str(page["kind"]), 0) + 1
    print(f"{len(pages)} pages -> {args.output}: {kinds}")


if __name__ == "__main__":
    main()
