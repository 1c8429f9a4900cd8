from __future__ import annotations

import pytest

from transforms.extract.platforms import read_host
from transforms.extract.publisher import load_known_domains
from transforms.extract.source_name import choose_source_name, names_host


@pytest.mark.parametrize(
    ("url", "registered", "platform", "site"),
    [
        (
            "https://harbourwalks.wordpress.com/2024/x/",
            "wordpress.com",
            "wordpress",
            "harbourwalks.wordpress.com",
        ),
        (
            "https://www.tidepools.blogspot.com/p.html",
            "blogspot.com",
            "blogger",
            "tidepools.blogspot.com",
        ),
        (
            "https://rinaholm.substack.com/p/tides",
            "substack.com",
            "substack",
            "rinaholm.substack.com",
        ),
        ("https://rinaholm.github.io/notes/", "github.io", "github_pages", "rinaholm.github.io"),
        ("https://medium.com/@rinaholm/tides-1f", "medium.com", "medium", "medium.com/@rinaholm"),
        (
            "https://medium.com/coast-weekly/tides-1f",
            "medium.com",
            "medium",
            "medium.com/coast-weekly",
        ),
        ("https://wordpress.com/support/", "wordpress.com", None, None),
        ("https://news.valleyledger.example/a", None, None, None),
        ("https://www.bbc.co.uk/news/1", "bbc.co.uk", None, None),
    ],
)
def test_platform_hosts_are_keyed_by_their_site(
    url: str, registered: str | None, platform: str | None, site: str | None
) -> None:
    host = read_host(url)
    assert host is not None
    assert (host.registered_domain, host.platform, host.platform_site) == (
        registered,
        platform,
        site,
    )


@pytest.mark.parametrize(
    ("name", "url", "names"),
    [
        ("heise online", "https://www.heise.de/a", True),
        ("Deutsche Welle", "https://www.dw.com/a", True),
        ("The New York Times", "https://www.nytimes.com/a", True),
        ("Cleveland Clinic", "https://health.clevelandclinic.org/a", True),
        ("Pike Nurseries", "https://www.pikenursery.com/a", True),
        ("U.S.", "https://www.reuters.com/a", False),
        ("Technology Review", "https://www.heise.de/a", False),
        ("Health", "https://www.nationalgeographic.com/a", False),
        ("Docs", "https://redis.io/docs/a", False),
    ],
)
def test_a_name_names_its_host_and_a_section_does_not(name: str, url: str, names: bool) -> None:
    host = read_host(url)
    assert host is not None
    assert names_host(name, host) is names


@pytest.mark.parametrize(
    ("url", "candidates", "name"),
    [
        ("https://www.reuters.com/world/", {"og:site_name": "U.S."}, "Reuters"),
        ("https://www.heise.de/a", {"og:site_name": "Technology Review"}, "heise online"),
        (
            "https://valleyledger.example/a",
            {"og:site_name": "Health", "title_suffix": "The Valley Ledger"},
            "The Valley Ledger",
        ),
        (
            "https://valleyledger.example/a",
            {"og:site_name": "Valley Ledger | News that matters"},
            "Valley Ledger",
        ),
        ("https://valleyledger.example/a", {"title_suffix": "Opinion"}, None),
        ("https://valleyledger.example/a", {"html": "legal.valleyledger.example"}, None),
        ("https://valleyledger.example/a", {"twitter:site": "VLedger"}, None),
        (
            "https://harbourwalks.example/a",
            {"og:site_name": "Rina Holm", "copyright": "Rina Holm"},
            "Rina Holm",
        ),
        (
            "https://rinaholm.substack.com/p/a",
            {"jsonld_publisher": "Tide Tables", "copyright": "Rina Holm"},
            "Tide Tables",
        ),
        ("https://medium.com/@rinaholm/a", {"og:site_name": "Medium"}, None),
    ],
)
def test_source_name_choice(url: str, candidates: dict[str, str], name: str | None) -> None:
    host = read_host(url)
    assert host is not None
    assert choose_source_name(host, candidates, load_known_domains()) == name
