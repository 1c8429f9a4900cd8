"""Text-dump dev data: WCXB pages flattened to visible text by several flatteners, lines labelled.

Used by benchmarks/textdump_quality.py (scores) and benchmarks/train_textmode.py (the shipped
model). Nothing is written to the repo: dumps are made in memory from ../shared/corpus.

Flatteners (each a different idea of "the page's visible text, one block per line"):
- html_text: html-text with guess_layout (block elements on their own lines, blank lines between
  paragraphs), the <title> included like a "save as text";
- blocks: lxml, one line per block-level element's own text (text_content by block), no blank
  lines, the <head> left out;
- inscriptis: a text browser's rendering (indentation, list bullets, table cells side by side).

A line is labelled body when at least half its words are in WCXB's `main_content`, matched in
order (difflib alignment of the dump's and gold's word sequences; stray matches of one or two
words count only where they make up a whole line).
"""

from __future__ import annotations

import difflib
import gzip
import sys
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import html_text
import inscriptis
from lxml import etree
from lxml import html as lxml_html

BENCHMARKS = Path(__file__).resolve().parent
REPO = BENCHMARKS.parent
sys.path.insert(0, str(BENCHMARKS))
sys.path.insert(0, str(REPO))

from metadata_quality import DEFAULT_WCXB, load_gold  # noqa: E402

from transforms.extract.textlines import WORD_RE, split_lines  # noqa: E402

DEFAULT_PAGES = REPO.parent / "shared" / "corpus" / "pages"
DEFAULT_SEEDS = REPO / "sample" / "seeds"
BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3",
    "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "option", "p", "pre", "section",
    "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "button", "label",
    "select", "textarea", "legend", "menu",
}  # fmt: skip
SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "head", "iframe", "object", "math"}
FOLDS = 5


def flatten_html_text(html: str) -> str:
    """Return html-text's layout-guessing flattening of a page."""
    return html_text.extract_text(html, guess_layout=True)


def flatten_inscriptis(html: str) -> str:
    """Return inscriptis' text-browser rendering of a page."""
    return inscriptis.get_text(html)


def flatten_blocks(html: str) -> str:
    """Return one line per block element's own text: lxml's text_content, block by block."""
    try:
        tree = lxml_html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return ""
    lines: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = " ".join("".join(current).split())
        if text:
            lines.append(text)
        current.clear()

    def walk(element: Any) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in SKIP_TAGS or not isinstance(element.tag, str):
            if element.tail:
                current.append(element.tail)
            return
        block = tag in BLOCK_TAGS
        if block:
            flush()
        if element.text:
            current.append(element.text)
        for child in element:
            walk(child)
        if block:
            flush()
        if element.tail:
            current.append(element.tail)

    body = tree.find("body")
    walk(body if body is not None else tree)
    flush()
    return "\n".join(lines)


FLATTENERS: dict[str, Callable[[str], str]] = {
    "html_text": flatten_html_text,
    "blocks": flatten_blocks,
    "inscriptis": flatten_inscriptis,
}


def words(text: str | None) -> list[str]:
    """Return the lower-case \\w+ tokens of a text (WCXB's tokens)."""
    return WORD_RE.findall((text or "").lower())


def label_lines(lines: list[str], gold: str | None) -> list[int]:
    """Return 1 for each line whose words are mostly gold body words, in gold's order."""
    line_words = [words(line) for line in lines]
    owner = [index for index, tokens in enumerate(line_words) for _ in tokens]
    document = [token for tokens in line_words for token in tokens]
    gold_words = words(gold)
    matched = [0] * len(lines)
    if document and gold_words:
        matcher = difflib.SequenceMatcher(None, document, gold_words, autojunk=False)
        for start, _gold_start, size in matcher.get_matching_blocks():
            if not size:
                continue
            first, last = owner[start], owner[start + size - 1]
            whole_line = first == last and size == len(line_words[first])
            if size < 3 and not whole_line:
                continue
            for position in range(start, start + size):
                matched[owner[position]] += 1
    return [
        int(bool(tokens) and matched[index] * 2 >= len(tokens))
        for index, tokens in enumerate(line_words)
    ]


def domain_of(url: str | None) -> str:
    """Return a page's host without 'www.', the unit of the cross-validation folds."""
    host = (urlsplit(url or "").hostname or "").lower()
    return host.removeprefix("www.")


def fold_of(domain: str, folds: int = FOLDS) -> int:
    """Return the fold of a domain: stable across runs and machines (crc32, not hash())."""
    return zlib.crc32(domain.encode("utf-8")) % folds


def read_html(wcxb: Path, file_id: str) -> str:
    """Return one WCXB page's HTML."""
    raw = gzip.decompress((wcxb / "dev" / "html" / f"{file_id}.html.gz").read_bytes())
    return raw.decode("utf-8", errors="replace")


def load_dumps(
    wcxb: Path = DEFAULT_WCXB,
    limit: int | None = None,
    flatteners: tuple[str, ...] = tuple(FLATTENERS),
) -> Iterator[dict[str, Any]]:
    """Yield one record per (page, flattener): gold fields, the dump, its lines and labels."""
    for page in load_gold(wcxb, limit):
        html = read_html(wcxb, page["file_id"])
        domain = domain_of(page["url"])
        for name in flatteners:
            dump = FLATTENERS[name](html)
            lines = [line.text for line in split_lines(dump)]
            yield {
                **page,
                "domain": domain,
                "fold": fold_of(domain),
                "flattener": name,
                "dump": dump,
                "labels": label_lines(lines, page["body"]),
            }


def load_page_dumps(pages: Path = DEFAULT_PAGES) -> Iterator[tuple[str, str, str, str]]:
    """Yield (name, flattener, html, dump) for the real-page corpus (no gold)."""
    for path in sorted(pages.glob("*.html.gz")):
        html = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
        for name, flatten in FLATTENERS.items():
            yield path.name.removesuffix(".html.gz"), name, html, flatten(html)
