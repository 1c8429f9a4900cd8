"""Metadata values as text: HTML character references decoded, mojibake repaired, tags dropped."""

from __future__ import annotations

import functools
import html
import re

import ftfy
from lxml import etree

# Characters that render as nothing but break equality: zero-width spaces and joiners, BOM, soft
# hyphen, and the bidirectional marks some CMSs wrap around titles.
INVISIBLE_RE = re.compile("[\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")
TAG_RE = re.compile(r"</?[a-zA-Z][^<>]{0,200}>")
# Pages double-escape ("&amp;#8217;"): decoding stops when a pass changes nothing.
MAX_UNESCAPE_PASSES = 3


@functools.cache
def _fixer_config() -> ftfy.TextFixerConfig:
    """Return ftfy's settings: repair encoding errors, keep typographic quotes as written."""
    return ftfy.TextFixerConfig(uncurl_quotes=False, unescape_html=False, explain=False)


def decode_entities(value: str) -> str:
    """Return text with HTML character references decoded, also when escaped twice."""
    for _ in range(MAX_UNESCAPE_PASSES):
        if "&" not in value:
            break
        decoded = html.unescape(value)
        if decoded == value:
            break
        value = decoded
    return value


def clean_text_value(value: object, *, strip_tags: bool = False) -> str | None:
    """Return a metadata value as clean one-line text, or None when nothing is left.

    strip_tags drops markup inside the value (JSON-LD descriptions carry <p>); titles keep it,
    since "<br>" in a headline about HTML is text.
    """
    if value is None:
        return None
    text = decode_entities(str(value))
    if strip_tags and "<" in text:
        text = TAG_RE.sub(" ", text)
    text = ftfy.fix_text(text, _fixer_config())
    text = " ".join(INVISIBLE_RE.sub("", text).split())
    return text or None


# Elements whose boundaries separate words; inline ones (<span>, <em>, <a>) do not.
BLOCK_TAG_RE = re.compile(
    r"^(?:br|p|div|li|ul|ol|dl|dt|dd|h[1-6]|td|th|tr|table|section|article|header|footer"
    r"|figure|figcaption|blockquote|time|address)$"
)
HIDDEN_TAGS = frozenset(("script", "style", "noscript", "template", "svg"))


def visible_text(element: etree._Element, *, lines: bool = False) -> str:
    """Return an element's visible text: inline markup joined, block boundaries spaced.

    lines=True puts each block on its own line (a byline's name and job title stay apart).
    """
    parts: list[str] = []
    boundary = "\n" if lines else " "

    def walk(node: etree._Element) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in HIDDEN_TAGS:
            return
        block = bool(BLOCK_TAG_RE.match(tag))
        if block:
            parts.append(boundary)
        if node.text and tag:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append(boundary)

    walk(element)
    text = "".join(parts)
    if not lines:
        return " ".join(text.split())
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())
