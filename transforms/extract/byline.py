"""The visible byline: author markup, author-page links and 'By ...' lines near the headline."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from lxml import etree
from lxml import html as lxml_html

from transforms.extract.datecues import find_dates_in_text
from transforms.extract.markup import visible_text
from transforms.extract.pagetext import is_whole_document

MAX_BYLINE_CHARS = 160
MAX_NAME_CHARS = 80
# class/id words of byline markup; bio boxes and avatars name the author too, but further away.
BYLINE_CLASS_RE = re.compile(
    r"(?:^|[\s_-])(?:by-?line|author(?:s|-?name|-?link|-?info|-?meta|-?details)?|writer"
    r"|posted-?by|post-?author|entry-?author|article-?author|meta-?author|contributors?"
    r"|creator|credits?)(?:$|[\s_-])",
    re.IGNORECASE,
)
NOT_BYLINE_CLASS_RE = re.compile(
    r"avatar|image|img|photo|picture|thumb|icon|bio|description|about|social|share|follow"
    r"|comment|reply|related|recommend|more-|popular|trending|widget|sidebar|newsletter|tooltip",
    re.IGNORECASE,
)
# Class tokens of the reviewer's or the expert's credit beside the writer's ("author-meta
# expert", "reviewer"): their own people, not the article's co-authors.
REVIEWER_CLASS_TOKENS = {
    "expert", "experts", "reviewer", "reviewers", "reviewed-by", "fact-checker", "factchecker",
    "fact-checked-by", "medical-reviewer",
}  # fmt: skip
# Links to an author's page: /author/jane-doe, /authors/jane, /people/jane-doe/, /by/jane.
AUTHOR_PATH_RE = re.compile(
    r"/(?:author|authors|autor|autoren|auteur|writers?|contributors?|people|staff|profiles?"
    r"|columnists?|byline|producers?|experts?|reporters?|journalists?|team|by|u|user|members?)"
    r"/[^/?#]+/?(?:[?#].*)?$",
    re.IGNORECASE,
)
LABEL_RE = re.compile(
    r"^(?:by|written by|posted by|published by|authored by|author|authors|words by|story by"
    r"|von|par|por|door|autor|auteur)\s*:?$",
    re.IGNORECASE,
)
BY_LINE_RE = re.compile(
    r"^(?:by|written by|posted by|published by|authored by|author:|authors:|words by|story by"
    r"|von|par|por)\s*:?\s+\S",
    re.IGNORECASE,
)
# Words before a "by" that credit someone else than the writer ("Medically reviewed by Jane").
OTHER_CREDIT_RE = re.compile(
    r"\b(?:reviewed|checked|edited|illustrated|photographed|photos?|images?|produced|narrated"
    r"|translated|sponsored|powered|presented|hosted|curated|designed|developed|made|built)\s*$",
    re.IGNORECASE,
)
# Elements of running prose: a "by" inside a long one is a sentence's ("... libraries by Jane").
PROSE_TAGS = {"p", "li", "td", "blockquote", "dd"}
# Text nodes whose first word is a credit label ("By", "Written by", "Von"...): words split at
# XML whitespace, ASCII case folded (XPath's normalize-space and translate, as the scan was).
LABEL_START_RE = re.compile(
    r"[ \t\r\n]*(?:by|by:|written|posted|authored|words|story|author|author:|authors|authors:"
    r"|von|par|por|door|autor|auteur)(?=[ \t\r\n]|\Z)",
    re.IGNORECASE | re.ASCII,
)
# Lower-case words of byline class and id values, checked before the regular expression.
BYLINE_MARKERS = ("author", "byline", "by-line", "writer", "posted", "contributor", "creator")
BYLINE_MARKER_RE = re.compile("|".join(BYLINE_MARKERS))
# Path words of author pages, matched case-insensitively by AUTHOR_PATH_RE afterwards.
AUTHOR_PATH_WORDS = (
    "/author", "/Author", "/autor", "/writer", "/contributor", "/people/", "/staff/", "/profile",
    "/columnist", "/byline/", "/producer", "/expert", "/reporter", "/journalist", "/team/",
    "/by/", "/u/", "/user", "/member",
)  # fmt: skip
AUTHOR_PATH_WORDS_RE = re.compile("|".join(re.escape(word) for word in AUTHOR_PATH_WORDS))
# The same scans in XPath, for a document with more than one top-level element (the walks in
# find_bylines cover the tree only).
_LOWER = "translate({}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
_FIRST_WORD = _LOWER.format("substring-before(concat(normalize-space(.), ' '), ' ')")
LABEL_TEXT_XPATH = etree.XPath(
    "//body//text()[contains(' by by: written posted authored words story author author:"
    f" authors authors: von par por door autor auteur ', concat(' ', {_FIRST_WORD}, ' '))]"
)
STRUCTURED_AUTHOR_XPATH = etree.XPath(
    "//*[@itemprop='author' or @itemprop='creator' or contains(@rel, 'author')]"
)
AUTHOR_LINK_XPATH = etree.XPath(
    "//body//a[" + " or ".join(f"contains(@href, '{word}')" for word in AUTHOR_PATH_WORDS) + "]"
)
# Regions whose names are other articles' (comments, related lists, sidebars), by class token.
EXCLUDED_CLASS_RE = re.compile(
    r"(?:^|[-_])(?:comments?|related|recommend(?:ed|ations)?|sidebar|popular|trending"
    r"|more-stories|read-next)(?:$|[-_])",
    re.IGNORECASE,
)
EXCLUDED_TAGS = {"nav", "footer"}
SIMPLE_TOKEN_RE = re.compile(r"^[\w-]+$")
# Candidate kinds, strongest first.
KIND_RANK = {
    "itemprop": 0, "rel": 1, "class": 2, "label": 2, "by_line": 3, "link": 4, "box": 5,
    "dateline": 6,
}  # fmt: skip
LABELLED_KINDS = {"itemprop", "rel", "label", "by_line"}
HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
NEAR_HEADLINE = 400  # elements after the headline that still belong to its header


@dataclass(frozen=True)
class Byline:
    """A candidate byline, whether the page labels it, and whether it sits by the headline."""

    text: str
    labelled: bool
    near_headline: bool


class _TextNode(NamedTuple):
    """A text node of the body: its text, the element holding it, and whether it is a tail."""

    text: str
    owner: lxml_html.HtmlElement
    is_tail: bool


@dataclass(frozen=True)
class _Candidate:
    text: str
    kind: str
    position: int
    parent: lxml_html.HtmlElement | None


def _excluded(element: lxml_html.HtmlElement, article: frozenset = frozenset()) -> bool:
    """Return True for an element in a menu, footer, comment thread or related-articles list.

    article holds the headline's ancestors: a region around the headline is the article's own,
    whatever its markup calls it (themes wrap whole pages in <nav> or "sidebar_content").
    """
    for node in (element, *element.iterancestors()):
        if node in article:
            return False
        if node.tag in EXCLUDED_TAGS:
            return True
        tokens = f"{node.get('class', '')} {node.get('id', '')}".split()
        # Utility-class tokens ("lg:[--sidebar-width:18rem]") say nothing about the region.
        if any(SIMPLE_TOKEN_RE.match(t) and EXCLUDED_CLASS_RE.search(t) for t in tokens):
            return True
    return False


def _own_text(element: lxml_html.HtmlElement) -> str:
    """Return an element's visible text, a line per block, or '' when too long for a byline."""
    text = visible_text(element, lines=True)
    if len(text) > MAX_BYLINE_CHARS:
        return ""
    return _listed_names(element, text) or text


def _listed_names(element: lxml_html.HtmlElement, text: str) -> str | None:
    """Return a byline whose names sit one per list item or author-page link, comma-separated.

    Credit values are read as one line ("Emily Walker Casey McDevitt" from two <li>s): the
    markup's own boundaries between names become the commas the page leaves out.
    """
    units = list(element.iter("li"))
    if len(units) < 2:
        units = [a for a in element.iter("a") if AUTHOR_PATH_RE.search(a.get("href", ""))]
    names = [name for unit in units if (name := visible_text(unit))]
    if len(names) < 2:
        return None
    flat = " ".join(text.split())
    parts, position, glued = [], 0, False
    for name in names:
        found = flat.find(name, position)
        if found < 0:
            return None
        gap = flat[position:found]
        # Only names nothing stands between are glued ("Written by" / "Edited by" stay).
        if position and not gap.strip():
            gap, glued = ", ", True
        parts.extend((gap, name))
        position = found + len(name)
    return "".join(parts) + flat[position:] if glued else None


def _first_short_leaf(element: lxml_html.HtmlElement) -> str | None:
    """Return the first short text of an element's leaf descendants (an author box's name)."""
    for leaf in element.iter():
        if len(leaf) == 0 and isinstance(leaf.tag, str) and leaf.tag not in ("script", "style"):
            text = " ".join((leaf.text or "").split())
            if 3 <= len(text) <= MAX_NAME_CHARS and not LABEL_RE.match(text):
                return text
    return None


def _microdata(element: lxml_html.HtmlElement) -> str:
    """Return the name inside an itemprop=author element."""
    names = element.xpath(".//*[@itemprop='name']")
    if names:
        return visible_text(names[0]) or names[0].get("content", "")
    return element.get("content") or _own_text(element)


def _label_text_nodes(
    tree: lxml_html.HtmlElement, positions: dict[lxml_html.HtmlElement, int]
) -> list[_TextNode]:
    """Return the body's text nodes whose first word is a credit label, in document order."""
    if not is_whole_document(tree):
        return [
            _TextNode(str(node), owner, node.is_tail)
            for node in LABEL_TEXT_XPATH(tree)
            if (owner := node.getparent()) is not None
        ]
    found: dict[tuple[int, int, int], _TextNode] = {}
    for body in tree.iter("body"):
        for element in body.iter():
            text = element.text if isinstance(element.tag, str) else None
            if text and LABEL_START_RE.match(text):
                found[(positions[element], 0, 0)] = _TextNode(text, element, False)
            if element is not body and (tail := element.tail) and LABEL_START_RE.match(tail):
                # A tail follows the element's last descendant and the tails of those inside it.
                last = element
                while len(last):
                    last = last[-1]
                depth = sum(1 for _ in element.iterancestors())
                found[(positions[last], 1, -depth)] = _TextNode(tail, element, True)
    return [found[key] for key in sorted(found)]


def _candidates(
    positions: dict,
    marked: list[lxml_html.HtmlElement],
    structured: list[lxml_html.HtmlElement],
    links: list[lxml_html.HtmlElement],
    labels: list[_TextNode],
    article: frozenset = frozenset(),
) -> list[_Candidate]:
    """Return every byline-like element of the page (marked: those with byline-ish classes)."""
    found: list[_Candidate] = []

    def add(element: lxml_html.HtmlElement, text: str, kind: str) -> None:
        if text and not _excluded(element, article):
            found.append(_Candidate(text, kind, positions.get(element, 0), element.getparent()))

    def add_by_text(node: _TextNode) -> None:
        """Add the byline a text node opens: 'By Jane' with the name in the node or after it."""
        owner = node.owner
        if node.is_tail:
            # "Medically reviewed by Jane Doe" credits a reviewer; "... libraries by Jane Doe"
            # in a paragraph is a sentence, not a byline.
            if OTHER_CREDIT_RE.search(visible_text(owner)):
                return
            block = owner.getparent()
            prose = block is not None and block.tag in PROSE_TAGS
            if prose and len(block.text_content()) > MAX_BYLINE_CHARS:
                return
            # "<time>…</time> by Agatha Caleo": the name follows in the tail and the siblings.
            parts = [node.text]
            sibling = owner.getnext()
            while sibling is not None and sum(map(len, parts)) < MAX_BYLINE_CHARS:
                parts.append(visible_text(sibling))
                parts.append(sibling.tail or "")
                sibling = sibling.getnext()
            text = " ".join(" ".join(parts).split())[:MAX_BYLINE_CHARS]
            anchor = owner
        else:
            text, anchor = _own_text(owner), owner
        if text and BY_LINE_RE.match(text) and len(text.split()) <= 20:
            add(anchor, text, "by_line")

    for element in structured:
        if element.get("itemprop") in ("author", "creator"):
            add(element, _microdata(element), "itemprop")
        else:
            add(element, _own_text(element), "rel")
    for element in marked:
        marker = f"{element.get('class', '')} {element.get('id', '')}"
        if REVIEWER_CLASS_TOKENS.intersection(marker.lower().split()):
            continue
        if BYLINE_CLASS_RE.search(marker) and not NOT_BYLINE_CLASS_RE.search(marker):
            if text := _own_text(element):
                add(element, text, "class")
            elif leaf := _first_short_leaf(element):
                # An author box: the name, then a bio too long to be a byline.
                add(element, leaf, "box")
    for element in links:
        if AUTHOR_PATH_RE.search(element.get("href", "")):
            text = visible_text(element)
            if 2 < len(text) <= MAX_NAME_CHARS:
                add(element, text, "link")
    for node in labels:
        owner = node.owner
        label = " ".join(node.text.split())
        # "<p>Written by</p><p>Edzel Tabing</p>": the label alone, the name in the next element.
        if not node.is_tail and len(owner) == 0 and LABEL_RE.match(label):
            following = owner.getnext()
            if following is not None and (text := _own_text(following)):
                add(following, f"By {text}", "label")
        elif BY_LINE_RE.match(label + " x"):
            add_by_text(node)
    return found


def _dateline(heading: lxml_html.HtmlElement) -> tuple[lxml_html.HtmlElement, str] | None:
    """Return the line right under the headline when it dates the article: its writer's too.

    "<h1>…</h1><p>Aaron Ricadela | Senior Writer | July 2, 2025</p>": the name stands
    unlabelled beside the date; a standfirst under the headline carries no date.
    """
    following = heading.getnext()
    while following is not None and not isinstance(following.tag, str):
        following = following.getnext()
    if following is None or following.tag in HEADING_TAGS:
        return None
    text = _own_text(following)
    if not text or not find_dates_in_text(text):
        return None
    return following, text


def _headline(tree: lxml_html.HtmlElement, headline: str | None) -> lxml_html.HtmlElement | None:
    """Return the <h1> that shows the chosen headline, or None."""
    if headline:
        for heading in tree.iter("h1"):
            if visible_text(heading) == headline:
                return heading
    return None


def find_bylines(tree: lxml_html.HtmlElement, headline: str | None = None) -> list[Byline]:
    """Return candidate bylines, most likely first: near the headline, strongest markup.

    Each says whether the page labels it as a credit ("By ...", itemprop=author): an unlabelled
    one-word "name" in author-ish markup is as often a category or a brand.
    """
    # One pass over the page: every element's position, those with byline-ish classes, author
    # microdata and rel links, and links to author pages.
    positions: dict[lxml_html.HtmlElement, int] = {}
    marked, structured, links = [], [], []
    for index, element in enumerate(tree.iter()):
        positions[element] = index
        tag = element.tag
        if not isinstance(tag, str):
            continue
        classes, ident = element.get("class"), element.get("id")
        if (classes or ident) and BYLINE_MARKER_RE.search(f"{classes or ''} {ident or ''}".lower()):
            marked.append(element)
        if element.get("itemprop") in ("author", "creator") or "author" in element.get("rel", ""):
            structured.append(element)
        if (
            tag == "a"
            and AUTHOR_PATH_WORDS_RE.search(element.get("href", ""))
            and any(ancestor.tag == "body" for ancestor in element.iterancestors())
        ):
            links.append(element)
    if not is_whole_document(tree):
        structured, links = STRUCTURED_AUTHOR_XPATH(tree), AUTHOR_LINK_XPATH(tree)
    heading = _headline(tree, headline)
    # Only the <h1> showing the chosen headline marks the article's region (a first <h1> may be
    # the logo in a menu).
    article = frozenset(heading.iterancestors()) if heading is not None else frozenset()
    labels = _label_text_nodes(tree, positions)
    candidates = _candidates(positions, marked, structured, links, labels, article)
    if heading is not None and (dateline := _dateline(heading)) is not None:
        candidates.append(
            _Candidate(dateline[1], "dateline", positions.get(dateline[0], 0), heading.getparent())
        )
    if not candidates:
        return []
    if heading is None:
        heading = next(tree.iter("h1"), None)
    anchor = positions.get(heading, 0) if heading is not None else 0

    def zone(candidate: _Candidate) -> int:
        distance = candidate.position - anchor
        # After the headline and close to it first; then just before it (a header above the
        # <h1>); then anywhere else in page order.
        if 0 <= distance <= NEAR_HEADLINE:
            return 0
        return 1 if -NEAR_HEADLINE // 4 <= distance < 0 else 2

    def rank(candidate: _Candidate) -> tuple[int, int, int]:
        return zone(candidate), KIND_RANK[candidate.kind], abs(candidate.position - anchor)

    def labelled(candidate: _Candidate) -> bool:
        return candidate.kind in LABELLED_KINDS or bool(BY_LINE_RE.match(candidate.text))

    ordered = sorted(candidates, key=rank)
    best = ordered[0]
    # Co-authors: the best candidate's siblings of the same kind ("<a>Jane</a> and <a>Ravi</a>").
    first = best.text
    for candidate in ordered[1:]:
        if candidate.kind == best.kind and candidate.parent is best.parent and candidate.text:
            first = f"{first}, {candidate.text}"
    bylines = [Byline(first, labelled(best), zone(best) < 2)]
    bylines.extend(
        Byline(candidate.text, labelled(candidate), zone(candidate) < 2)
        for candidate in ordered[1:]
        if candidate.text not in first
    )
    return bylines
