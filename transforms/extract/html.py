"""HTML extraction: trafilatura's body and metadata, weighed against the page's own evidence."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import trafilatura
from trafilatura.utils import load_html

from transforms.extract import textclean
from transforms.extract.authors import choose_authors
from transforms.extract.datecues import read_date_candidates
from transforms.extract.dates import make_candidate, url_candidates
from transforms.extract.decoding import DecodeError
from transforms.extract.evidence import read_html_evidence
from transforms.extract.jsonld import JsonLd
from transforms.extract.markup import clean_text_value
from transforms.extract.normalize import canonicalize_url, fold_text, normalize_language
from transforms.extract.page_type import page_features
from transforms.extract.pagetext import body_text_nodes
from transforms.extract.sitename import read_site_names
from transforms.extract.title import choose_title, title_affixes
from transforms.extract.trafilatura_meta import TrafilaturaMetadata

logger = logging.getLogger(__name__)


def _first(candidates: dict[str, Any], order: tuple[str, ...]) -> tuple[Any, str | None]:
    """Return the first present candidate value and where it came from."""
    for source in order:
        value = candidates.get(source)
        if value:
            return value, source
    return None, None


def _date_params(fetched_at: datetime | None) -> dict[str, Any]:
    """Return htmldate's settings: the original date, no free-text guessing, none after capture."""
    params: dict[str, Any] = {"extensive_search": False, "original_date": True}
    if fetched_at is not None:
        params["max_date"] = (fetched_at + timedelta(days=1)).strftime("%Y-%m-%d")
    return params


def _clean_body(text: str, hints: dict[str, str]) -> str:
    """Drop furniture lines that survive HTML extraction (prompts, widgets, copyright)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    kept, _dropped = textclean.drop_boilerplate(lines, hints)
    return "\n".join(kept)


def _drop_leading_headline(body_text: str, titles: set[str | None]) -> str:
    """Drop a first line that repeats the headline (pages put the <h1> inside the article)."""
    first, _, rest = body_text.partition("\n")
    folded = {fold_text(title) for title in titles if title}
    return rest if fold_text(first) in folded and rest else body_text


def extract_html(text: str, url: str | None, fetched_at: datetime | None = None) -> dict[str, Any]:
    """Return article fields from an HTML page, or an empty dict when it holds no article."""
    tree = load_html(text)
    if tree is None:
        raise DecodeError("unparseable_html", "the markup could not be parsed as HTML")
    # Every element's Python proxy kept alive while the field modules walk the tree: lxml.html
    # builds a proxy through a Python class lookup, once here instead of once per walk.
    elements = list(tree.iter())
    evidence = read_html_evidence(tree)
    jsonld = JsonLd(evidence.jsonld_documents)
    sites = read_site_names(evidence, jsonld, url)
    # Read before trafilatura, which works on its own copy: the tree stays as parsed.
    text_nodes = body_text_nodes(tree)
    date_candidates = read_date_candidates(tree, text_nodes)
    document = trafilatura.bare_extraction(
        tree, url=url, with_metadata=False, include_comments=False, include_tables=True
    )
    if document is None or not document.text:
        return {}
    try:
        metadata = TrafilaturaMetadata(tree, url, _date_params(fetched_at))
    except (TypeError, ValueError):
        # bare_extraction(with_metadata=True) discards the page on these errors.
        return {}
    hints: dict[str, str] = {}
    body_text = _clean_body(document.text, hints)
    title = choose_title(tree, evidence, jsonld, sites, fallback=metadata.title)
    authors = choose_authors(
        tree, evidence, jsonld, sites, fallback=lambda: metadata.author, headline=title.title
    )
    canonical, canonical_source = _first(
        {**evidence.canonical, "capture": url}, ("link", "meta", "jsonld", "capture")
    )
    sitename, sitename_source = _first(
        {
            key: clean_text_value(value)
            for key, value in {**evidence.site_names, "html": metadata.sitename}.items()
        },
        ("meta", "jsonld", "html"),
    )
    description, description_source = _first(
        {
            key: clean_text_value(value, strip_tags=True)
            for key, value in {**evidence.descriptions, "html": metadata.description}.items()
        },
        ("meta", "jsonld", "html"),
    )
    language, language_source = _first(
        {key: normalize_language(value) for key, value in evidence.languages.items()},
        ("jsonld", "meta", "html"),
    )
    date_candidates += url_candidates(canonical, url)
    if html_date := make_candidate("html", "published", metadata.date):
        date_candidates.append(html_date)
    body_text = _drop_leading_headline(body_text, {title.title, metadata.title})
    features = page_features(
        tree,
        canonical or url,
        body_text,
        title.title,
        has_author=bool(authors.people or authors.organizations),
        has_byline_date=any(c.source == "page" and c.near_headline for c in date_candidates),
        has_stated_date=any(c.source in ("jsonld", "meta") for c in date_candidates),
        text_nodes=text_nodes,
        jsonld_documents=evidence.jsonld_documents,
    )
    del elements
    return {
        "body_text": body_text,
        "title": title.title,
        "title_source": title.title_source,
        "title_raw": title.title_raw,
        "authors": authors.people,
        "authors_source": authors.source,
        "author_organizations": authors.organizations,
        "canonical_url": canonicalize_url(canonical),
        "canonical_url_source": canonical_source if canonicalize_url(canonical) else None,
        "sitename": sitename,
        "sitename_source": sitename_source,
        "description": description,
        "description_source": description_source,
        "language": language,
        "language_source": language_source,
        "_date_candidates": date_candidates,
        "_page_features": features,
        "categories": list(metadata.categories or []),
        "tags": list(metadata.tags or []),
        "extraction_method": "trafilatura",
        "_wire_agency": authors.wire_agency,
        "_site_names": {
            **title_affixes(title.title_raw),
            **sites.by_source,
            **({"html": metadata.sitename} if metadata.sitename else {}),
        },
        "_hints": {
            **({"copyright": evidence.copyright_holder} if evidence.copyright_holder else {}),
            **hints,
            **({"canonical": canonical} if canonical else {}),
        },
    }
