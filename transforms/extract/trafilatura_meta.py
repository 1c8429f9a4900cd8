"""trafilatura's own metadata fields, read as its extract_metadata reads them, the author lazily."""

from __future__ import annotations

import logging
import re
from copy import copy
from functools import cached_property
from html import unescape
from typing import Any

from htmldate import find_date
from lxml import etree
from lxml import html as lxml_html
from trafilatura.metadata import (
    META_URL,
    examine_meta,
    extract_author,
    extract_catstags,
    extract_meta_json,
    extract_sitename,
    extract_title,
    extract_url,
)
from trafilatura.utils import line_processing

from transforms.extract.pagetext import is_whole_document

logger = logging.getLogger(__name__)

LINK_XPATH = etree.XPath("//a/@href", smart_strings=False)
# extract_catstags' fallback for categories.
SECTION_META_XPATH = etree.XPath(
    './/head//meta[@property="article:section" or contains(@name, "subject")][@content]/@content',
    smart_strings=False,
)
# trafilatura's Document.clean_and_trim: a longer value is cut to this many characters.
MAX_FIELD_CHARS = 10000


def _trim(value: str | None) -> str | None:
    """Return a field as trafilatura's Document.clean_and_trim leaves it."""
    if value is None:
        return None
    if len(value) > MAX_FIELD_CHARS:
        value = value[: MAX_FIELD_CHARS - 1] + "…"
    return line_processing(unescape(value))


def _catstags(metatype: str, tree: lxml_html.HtmlElement, hrefs: list[str]) -> list[str]:
    """Return trafilatura's categories or tags, its XPath scans run only when a link could match.

    Every scan of extract_catstags keeps only links whose path names the type ("/category/",
    "/tags/"): without such a link, only its fallback for categories, the section meta tags, reads.
    """
    pattern = re.compile("/" + metatype.rstrip("y") + "(?:y|ies|s)?/")
    if any(pattern.search(href) for href in hrefs):
        return extract_catstags(metatype, tree)
    if metatype != "category":
        return []
    results = [str(content) for content in SECTION_META_XPATH(tree)]
    return [value for value in dict.fromkeys(line_processing(x) for x in results if x) if value]


class TrafilaturaMetadata:
    """The title, author, site name, description, date, categories and tags trafilatura reads.

    The values of trafilatura.metadata.extract_metadata (a test holds them equal), without its
    licence search, which nothing here uses, and with its author search (a copy of the whole
    tree, pruned) run only when the author is asked for: the page's metadata and byline name the
    writer first on most pages, and the author is only their fallback.
    """

    def __init__(
        self, tree: lxml_html.HtmlElement, url: str | None, date_params: dict[str, Any]
    ) -> None:
        if not is_whole_document(tree):
            # trafilatura reads a copy of the root element: a second top-level <html> is not in it.
            tree = copy(tree)
        self._tree = tree
        metadata = examine_meta(tree)
        if metadata.author and " " not in metadata.author:
            metadata.author = None
        try:
            metadata = extract_meta_json(tree, metadata)
        except Exception as error:  # noqa: BLE001 (trafilatura's own guard: its JSON-LD reader)
            logger.debug("trafilatura could not read the JSON-LD metadata: %s", error)
        if not metadata.title:
            metadata.title = extract_title(tree)
        if not metadata.url:
            metadata.url = extract_url(tree, url)
        self.date: str | None = _trim(find_date(tree, **{**date_params, "url": metadata.url}))
        sitename = metadata.sitename or extract_sitename(tree)
        if sitename:
            sitename = sitename.lstrip("@")
            if sitename and "." not in sitename and not sitename[0].isupper():
                sitename = sitename.title()
        elif metadata.url and (match := META_URL.match(metadata.url)):
            sitename = match[1]
        self.sitename: str | None = _trim(sitename)
        self.title: str | None = _trim(metadata.title)
        self.description: str | None = _trim(metadata.description)
        hrefs = LINK_XPATH(tree)
        self.categories: list[str] = metadata.categories or _catstags("category", tree, hrefs)
        self.tags: list[str] = metadata.tags or _catstags("tag", tree, hrefs)
        self._stated_author = metadata.author

    @cached_property
    def author(self) -> str | None:
        """Return the author the page's meta tags or JSON-LD state, else one its markup shows."""
        return _trim(self._stated_author or extract_author(self._tree))
