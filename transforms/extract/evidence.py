"""Metadata evidence read straight from HTML: JSON-LD, meta tags, canonical link, lang."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from transforms.extract.pagetext import document_tops
from transforms.extract.textclean import find_copyright_holder

logger = logging.getLogger(__name__)

ARTICLE_TYPES = {
    "article",
    "newsarticle",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "backgroundnewsarticle",
    "blogposting",
    "liveblogposting",
    "webpage",
    "report",
}


@dataclass
class HtmlEvidence:
    """Candidate metadata values, keyed by where they were found ('jsonld', 'meta', 'link')."""

    titles: dict[str, str] = field(default_factory=dict)
    authors: dict[str, list[str]] = field(default_factory=dict)
    published: dict[str, str] = field(default_factory=dict)
    modified: dict[str, str] = field(default_factory=dict)
    canonical: dict[str, str] = field(default_factory=dict)
    site_names: dict[str, str] = field(default_factory=dict)
    publisher_urls: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    languages: dict[str, str] = field(default_factory=dict)
    copyright_holder: str | None = None
    # Everything read, for the field modules that weigh more than one candidate (title, authors).
    jsonld_documents: list[Any] = field(default_factory=list)
    meta_tags: dict[str, list[str]] = field(default_factory=dict)


def _names(value: Any) -> list[str]:
    """Return the person or organisation names in a JSON-LD author/publisher value."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, list):
        return [name for item in value for name in _names(item)]
    if isinstance(value, dict):
        name = value.get("name")
        return _names(name) if name else []
    return []


def _iter_jsonld_objects(data: Any) -> list[dict[str, Any]]:
    """Flatten JSON-LD (lists, @graph) into its objects."""
    if isinstance(data, list):
        return [obj for item in data for obj in _iter_jsonld_objects(item)]
    if isinstance(data, dict):
        if "@graph" in data:
            return _iter_jsonld_objects(data["@graph"])
        return [data]
    return []


def _type_names(obj: dict[str, Any]) -> set[str]:
    """Return the lower-cased @type names of a JSON-LD object."""
    types = obj.get("@type", [])
    if isinstance(types, str):
        types = [types]
    return {str(type_name).lower() for type_name in types}


def _read_jsonld(tree: lxml_html.HtmlElement, evidence: HtmlEvidence) -> None:
    """Fill evidence from the first article-like JSON-LD object."""
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text_content() or "")
        except (ValueError, TypeError):
            continue
        evidence.jsonld_documents.append(data)
        for obj in _iter_jsonld_objects(data):
            if not _type_names(obj) & ARTICLE_TYPES:
                continue
            if headline := obj.get("headline") or obj.get("name"):
                evidence.titles.setdefault("jsonld", str(headline).strip())
            if authors := _names(obj.get("author")):
                evidence.authors.setdefault("jsonld", authors)
            if published := obj.get("datePublished") or obj.get("dateCreated"):
                evidence.published.setdefault("jsonld", str(published))
            if modified := obj.get("dateModified"):
                evidence.modified.setdefault("jsonld", str(modified))
            if url := obj.get("url") or obj.get("mainEntityOfPage"):
                if isinstance(url, dict):
                    url = url.get("@id") or url.get("url")
                if isinstance(url, str) and url.startswith("http"):
                    evidence.canonical.setdefault("jsonld", url)
            publisher = obj.get("publisher")
            if publisher_names := _names(publisher):
                evidence.site_names.setdefault("jsonld", publisher_names[0])
            if isinstance(publisher, dict) and isinstance(publisher.get("url"), str):
                evidence.publisher_urls.setdefault("jsonld", publisher["url"])
            if description := obj.get("description"):
                evidence.descriptions.setdefault("jsonld", str(description).strip())
            if language := obj.get("inLanguage"):
                evidence.languages.setdefault("jsonld", str(language))


META_FIELDS = {
    "og:title": "titles",
    "twitter:title": "titles",
    "article:published_time": "published",
    "og:article:published_time": "published",
    "date": "published",
    "pubdate": "published",
    "publishdate": "published",
    "dc.date.issued": "published",
    "article:modified_time": "modified",
    "og:updated_time": "modified",
    "dc.date.modified": "modified",
    "og:url": "canonical",
    "og:site_name": "site_names",
    "application-name": "site_names",
    "og:description": "descriptions",
    "description": "descriptions",
    "og:locale": "languages",
    "content-language": "languages",
}


def _read_meta(tree: lxml_html.HtmlElement, evidence: HtmlEvidence) -> None:
    """Fill evidence from <meta> tags."""
    for meta in tree.iter("meta"):
        key = (
            (meta.get("property") or meta.get("name") or meta.get("http-equiv") or "")
            .strip()
            .lower()
        )
        content = (meta.get("content") or "").strip()
        if not key or not content:
            continue
        evidence.meta_tags.setdefault(key, []).append(content)
        if key in ("author", "article:author", "dc.creator", "parsely-author", "sailthru.author"):
            if not content.startswith("http"):
                evidence.authors.setdefault("meta", []).append(content)
            continue
        target = META_FIELDS.get(key)
        if target:
            getattr(evidence, target).setdefault("meta", content)


REGION_WORDS = ("copyright", "footer")
REGION_TEXT_XPATH = etree.XPath("descendant::text()", smart_strings=False)


def _footer_regions(tree: lxml_html.HtmlElement) -> list[lxml_html.HtmlElement]:
    """Return the outermost <footer>s and elements whose class or id says copyright or footer."""
    regions: list[lxml_html.HtmlElement] = []
    for top in document_tops(tree):
        for element in top.iter():
            if not isinstance(element.tag, str):
                continue
            marker = f"{element.get('class', '')} {element.get('id', '')}"
            is_region = element.tag == "footer" or any(word in marker for word in REGION_WORDS)
            # Texts inside a region already found (the last one, in document order) are its.
            if is_region and not (regions and regions[-1] in element.iterancestors()):
                regions.append(element)
    return regions


def _find_copyright(tree: lxml_html.HtmlElement) -> str | None:
    """Return the rights holder named in the page footer's copyright line.

    The footer's text nodes in document order: those of `//footer//text()` and of the elements
    whose class or id contains "copyright" or "footer", read region by region.
    """
    for region in _footer_regions(tree):
        for text in REGION_TEXT_XPATH(region):
            for line in text.splitlines():
                if holder := find_copyright_holder(line):
                    return holder
    return None


def read_html_evidence(tree: lxml_html.HtmlElement) -> HtmlEvidence:
    """Return the metadata candidates found in a parsed page."""
    evidence = HtmlEvidence()
    _read_jsonld(tree, evidence)
    _read_meta(tree, evidence)
    for link in tree.xpath('//link[@rel="canonical"][@href]'):
        href = link.get("href", "").strip()
        if href.startswith("http"):
            evidence.canonical["link"] = href
            break
    evidence.copyright_holder = _find_copyright(tree)
    if lang := tree.get("lang") or tree.get("xml:lang"):
        evidence.languages.setdefault("html", lang)
    return evidence
