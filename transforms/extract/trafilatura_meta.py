"""trafilatura's own metadata fields, read as its extract_metadata reads them, the author lazily."""

from __future__ import annotations

import logging
from functools import cached_property
from html import unescape
from typing import Any

from htmldate import find_date
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

logger = logging.getLogger(__name__)

# trafilatura's Document.clean_and_trim: a longer value is cut to this many characters.
MAX_FIELD_CHARS = 10000


def _trim(value: str | None) -> str | None:
    """Return a field as trafilatura's Document.clean_and_trim leaves it."""
    if value is None:
        return None
    if len(value) > MAX_FIELD_CHARS:
        value = value[: MAX_FIELD_CHARS - 1] + "…"
    return line_processing(unescape(value))


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
        self._tree = tree
        metadata = examine_meta(tree)
        if metadata.author and " " not in metadata.author:
            metadata.author = None
        try:
            metadata = extract_meta_json(tree, metadata)
        except Exception as error:  # noqa: BLE001 (trafilatura's own guard: its JSON-LD reader)
            logger.warning("error in trafilatura's JSON metadata extraction: %s", error)
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
        self.categories: list[str] = metadata.categories or extract_catstags("category", tree)
        self.tags: list[str] = metadata.tags or extract_catstags("tag", tree)
        self._stated_author = metadata.author

    @cached_property
    def author(self) -> str | None:
        """Return the author the page's meta tags or JSON-LD state, else one its markup shows."""
        return _trim(self._stated_author or extract_author(self._tree))
