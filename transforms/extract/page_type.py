"""Page type: article, listing or other, from the page's structure, metadata and URL.

A multinomial logistic regression over the features below. Its weights ship in
data/page_type_model.json (versioned), trained on the WCXB dev set by
`python benchmarks/train_page_type.py` and evaluated there with folds by domain; scoring is
plain Python, so nothing is downloaded or imported beyond the standard library at run time.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from urllib.parse import urlsplit

from lxml import html as lxml_html

from transforms.extract.pagetext import TextNode, body_text_nodes, document_tops

PAGE_TYPES = ("article", "listing", "other")
MODEL_FILE = "page_type_model.json"

URL_GROUPS = {
    "url_article": r"/(?:news|blog|blogs|article|articles|story|stories|post|posts|insights"
    r"|features|opinion|analysis|press-releases?)(?:/|$)",
    "url_listing": r"/(?:tag|tags|category|categories|topics?|section|sections|archives?|page"
    r"|search|author|authors|collections?|latest|all)(?:/|$)",
    "url_product": r"/(?:products?|p|shop|store|item|items|dp|buy|catalog)(?:/|$)",
    "url_forum": r"/(?:forums?|threads?|t|topic|questions|discussions?|community|r"
    r"|comments)(?:/|$)",
    "url_docs": r"/(?:docs?|documentation|api|reference|manual|guides?|wiki|help|support|kb"
    r"|learn|tutorials?)(?:/|$)",
    "url_service": r"/(?:services?|pricing|plans|contact|about|solutions|features|locations?"
    r"|book|booking|quote)(?:/|$)",
}
_URL_GROUP_RES = {name: re.compile(pattern, re.IGNORECASE) for name, pattern in URL_GROUPS.items()}
URL_DATE_RE = re.compile(r"/(?:19|20)\d{2}/(?:0?[1-9]|1[0-2])/")
JSONLD_GROUPS = {
    "ld_article": ("article", "posting", "report"),
    "ld_product": ("product", "offer", "aggregateoffer", "productgroup", "car", "vehicle"),
    "ld_list": ("itemlist", "collectionpage", "searchresultspage", "offercatalog"),
    "ld_faq": ("faqpage",),
    "ld_forum": ("discussionforumposting", "qapage", "question", "socialmediaposting", "comment"),
    "ld_docs": ("techarticle", "apireference", "softwaresourcecode", "softwareapplication"),
    "ld_org": ("organization", "localbusiness", "service", "professionalservice", "store"),
    "ld_howto": ("howto", "recipe", "course", "event"),
    "ld_person": ("person", "profilepage"),
}
PRICE_RE = re.compile(r"(?:[$€£¥]\s?\d[\d,.]*|\d[\d,.]*\s?(?:€|USD|EUR|GBP))")
CART_RE = re.compile(
    r"\b(?:add to (?:cart|bag|basket)|buy now|in stock|out of stock|checkout|sku)\b", re.I
)
FORUM_RE = re.compile(
    r"\b(?:replies|reply|posted by|joined|members?|upvotes?|votes?|thread|reputation)\b", re.I
)
SERVICE_RE = re.compile(
    r"\b(?:get a (?:free )?quote|book (?:now|a|an)|schedule|contact us|call us|free consultation"
    r"|request a (?:demo|quote)|get started|sign up|pricing)\b",
    re.I,
)
DOCS_RE = re.compile(
    r"\b(?:on this page|table of contents|parameters|returns|example|syntax|version|install"
    r"|edit this page|next|previous)\b",
    re.I,
)
BYLINE_RE = re.compile(r"^\s*(?:by|written by|posted by|author:?)\s+[A-Z]", re.I)
PHONE_RE = re.compile(r"(?:\+\d{1,3}[\s.-]?)?\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b")
WE_RE = re.compile(r"\b(?:we|our|us|we're|we've)\b", re.I)
YOU_RE = re.compile(r"\b(?:you|your|you're)\b", re.I)
WORD_RE = re.compile(r"\w+")
# The elements the features count (a, h1: also link words and the headline's).
COUNTED_TAGS = (
    *("a", "article", "h1", "h2", "h3", "img", "input", "select", "textarea"),
    *("button", "pre", "code", "time", "form"),
)
# The meta tags the features read.
META_KEYS = frozenset(
    {
        "og:type",
        "article:published_time",
        "author",
        "article:author",
        "article:section",
        "article:tag",
    }
)


@dataclass(frozen=True)
class PageType:
    """A page's type and the model's probability for it."""

    page_type: str
    probability: float
    article_probability: float


def _log(value: float) -> float:
    """Return log(1 + value): counts spread over orders of magnitude."""
    return math.log1p(max(value, 0.0))


def _jsonld_types(documents: list[object]) -> set[str]:
    """Return every lower-cased JSON-LD @type in the page's parsed JSON-LD documents."""
    found: set[str] = set()

    def visit(node: object) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
        elif isinstance(node, dict):
            types = node.get("@type")
            for name in types if isinstance(types, list) else [types]:
                if isinstance(name, str):
                    found.add(name.lower())
            for value in node.values():
                if isinstance(value, dict | list):
                    visit(value)

    for document in documents:
        try:
            visit(document)
        except RecursionError:
            continue
    return found


def _parse_jsonld(tree: lxml_html.HtmlElement) -> list[object]:
    """Return the page's JSON-LD documents that parse."""
    documents = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            documents.append(json.loads(script.text_content() or ""))
        except (ValueError, TypeError, RecursionError):
            continue
    return documents


@dataclass
class _Markup:
    """What the page-type features count in the markup, read in one pass over the elements."""

    counts: Counter[str]
    link_words: int
    first_h1: lxml_html.HtmlElement | None
    # The first content of a <meta> whose property or name is the key, lower-cased.
    meta: dict[str, str]


def _read_markup(tree: lxml_html.HtmlElement) -> _Markup:
    """Return the element counts, the links' words, the first <h1> and the meta tags read.

    Counts and meta tags as XPath's '//' finds them, in the whole document.
    """
    counts: Counter[str] = Counter()
    first_h1 = None
    meta: dict[str, str] = {}
    for element in (
        element for top in document_tops(tree) for element in top.iter(*COUNTED_TAGS, "meta")
    ):
        tag = element.tag
        if tag == "meta":
            content = element.get("content")
            if content is not None:
                for attribute in ("property", "name"):
                    key = element.get(attribute)
                    if key in META_KEYS:
                        meta.setdefault(key, content.strip().lower())
            continue
        counts[tag] += 1
        if tag == "a":
            counts["a[@href]"] += element.get("href") is not None
        elif tag == "h1" and first_h1 is None:
            first_h1 = element
    # The headline's words when the tree holds an <h1>; the links' words in the tree, counted
    # alike on their texts joined by spaces.
    if tree.find(".//h1") is None:
        first_h1 = None
    link_texts = [link.text_content() or "" for link in tree.iter("a")]
    return _Markup(counts, len(WORD_RE.findall(" ".join(link_texts))), first_h1, meta)


def _repeated_blocks(tree: lxml_html.HtmlElement) -> int:
    """Return the largest number of sibling blocks sharing a class that each hold a link."""
    best = 0
    for parent in tree.xpath("//body//*[count(*) >= 3]"):
        counts: dict[str, int] = {}
        for child in parent:
            if child.tag not in ("li", "article", "div", "section"):
                continue
            # A link inside: iter("a") is lxml's own walk, find(".//a") a Python path search.
            if next(child.iter("a"), None) is not None:
                key = f"{child.tag}.{child.get('class') or ''}"
                counts[key] = counts.get(key, 0) + 1
        if counts:
            best = max(best, max(counts.values()))
    return best


def _url_features(url: str | None) -> dict[str, float]:
    """Return the URL-shape features."""
    parts = urlsplit(url or "")
    path = parts.path or "/"
    segments = [segment for segment in path.split("/") if segment]
    last = re.sub(r"\.(?:html?|php|aspx?)$", "", segments[-1]) if segments else ""
    features = {
        "url_depth": float(len(segments)),
        "url_slug_words": _log(len([w for w in re.split(r"[-_]+", last) if w.isalpha()])),
        "url_is_root": float(not segments),
        "url_has_date": float(bool(URL_DATE_RE.search(path))),
        "url_has_query": float(bool(parts.query)),
        "url_long_number": float(bool(re.search(r"\d{5,}", path))),
    }
    for name, pattern in _URL_GROUP_RES.items():
        features[name] = float(bool(pattern.search(path)))
    return features


def _text_features(body_text: str, title: str | None) -> dict[str, float]:
    """Return the features of the extracted text: its voice, its shape, the headline's length."""
    lines = [line for line in body_text.splitlines() if line.strip()]
    words = max(1, len(WORD_RE.findall(body_text)))
    return {
        "title_words": _log(len(WORD_RE.findall(title or ""))),
        "we_share": 100 * len(WE_RE.findall(body_text)) / words,
        "you_share": 100 * len(YOU_RE.findall(body_text)) / words,
        "short_lines": sum(len(line.split()) < 8 for line in lines) / len(lines) if lines else 0,
        "question_lines": sum(line.rstrip().endswith("?") for line in lines) / len(lines)
        if lines
        else 0,
        "phones": _log(len(PHONE_RE.findall(body_text))),
    }


def page_features(
    tree: lxml_html.HtmlElement,
    url: str | None,
    body_text: str,
    title: str | None,
    has_author: bool,
    has_byline_date: bool,
    has_stated_date: bool,
    text_nodes: list[TextNode] | None = None,
    jsonld_documents: list[object] | None = None,
) -> dict[str, float]:
    """Return the page's features for the page-type model.

    text_nodes and jsonld_documents, when given, are the page's body text nodes and its parsed
    JSON-LD as the caller read them (else they are read here).
    """
    if text_nodes is None:
        text_nodes = body_text_nodes(tree)
    texts = [" ".join(node.text.split()) for node in text_nodes]
    visible = " ".join(t for t in texts if t)
    page_words = len(WORD_RE.findall(visible))
    body_lines = [line for line in body_text.splitlines() if line.strip()]
    body_words = len(WORD_RE.findall(body_text))
    markup = _read_markup(tree)
    counts, meta = markup.counts, markup.meta
    og_type = meta.get("og:type", "")
    types = _jsonld_types(_parse_jsonld(tree) if jsonld_documents is None else jsonld_documents)
    features = {
        **_url_features(url),
        "og_article": float(og_type == "article"),
        "og_website": float(og_type == "website"),
        "og_product": float(og_type.startswith("product")),
        "og_other": float(bool(og_type) and og_type not in ("article", "website", "product")),
        "meta_published": float(bool(meta.get("article:published_time"))),
        "meta_author": float(bool(meta.get("author") or meta.get("article:author"))),
        "meta_section": float(bool(meta.get("article:section") or meta.get("article:tag"))),
        "byline_date": float(has_byline_date),
        "stated_date": float(has_stated_date),
        "has_author": float(has_author),
        "count_h1_words": _log(
            len(
                WORD_RE.findall(
                    markup.first_h1.text_content() if markup.first_h1 is not None else ""
                )
            )
        ),
        "byline": float(any(BYLINE_RE.match(t) for t in texts[:400] if 3 < len(t) < 80)),
        "body_words": _log(body_words),
        "page_words": _log(page_words),
        "body_share": body_words / page_words if page_words else 0.0,
        "link_density": markup.link_words / page_words if page_words else 0.0,
        "body_lines": _log(len(body_lines)),
        "body_line_words": _log(body_words / len(body_lines)) if body_lines else 0.0,
        "count_articles": _log(counts["article"]),
        "count_h1": _log(counts["h1"]),
        "count_h2": _log(counts["h2"]),
        "count_h3": _log(counts["h3"]),
        "count_links": _log(counts["a[@href]"]),
        "count_images": _log(counts["img"]),
        "count_inputs": _log(counts["input"] + counts["select"] + counts["textarea"]),
        "count_buttons": _log(counts["button"]),
        "count_code": _log(counts["pre"] + counts["code"]),
        "count_time": _log(counts["time"]),
        "count_forms": _log(counts["form"]),
        "repeated_blocks": _log(_repeated_blocks(tree)),
        "prices": _log(len(PRICE_RE.findall(visible))),
        "cart_words": _log(len(CART_RE.findall(visible))),
        "forum_words": _log(len(FORUM_RE.findall(visible))),
        "service_words": _log(len(SERVICE_RE.findall(visible))),
        "docs_words": _log(len(DOCS_RE.findall(visible))),
        **_text_features(body_text, title),
    }
    for name, suffixes in JSONLD_GROUPS.items():
        features[name] = float(any(t.endswith(suffixes) for t in types))
    features["ld_breadcrumb"] = float("breadcrumblist" in types)
    features["ld_none"] = float(not types)
    return features


@functools.cache
def load_model() -> dict:
    """Return the shipped page-type model (feature names, scaling, weights, version)."""
    text = resources.files("transforms.extract").joinpath("data", MODEL_FILE).read_text()
    return json.loads(text)


def classify_page(features: dict[str, float], model: dict | None = None) -> PageType:
    """Return the page type the model gives these features."""
    model = model or load_model()
    values = [
        (features.get(name, 0.0) - mean) / scale
        for name, mean, scale in zip(
            model["features"], model["means"], model["scales"], strict=True
        )
    ]
    scores = [
        intercept + sum(weight * value for weight, value in zip(weights, values, strict=True))
        for weights, intercept in zip(model["weights"], model["intercepts"], strict=True)
    ]
    top = max(scores)
    exps = [math.exp(score - top) for score in scores]
    probabilities = dict(zip(model["classes"], (e / sum(exps) for e in exps), strict=True))
    article = probabilities.get("article", 0.0)
    # Articles are kept unless the model is fairly sure: losing one is worse than letting in a
    # listing (the threshold is chosen by the training script for article recall).
    if article >= model["article_threshold"]:
        return PageType("article", article, article)
    label = max((c for c in probabilities if c != "article"), key=probabilities.__getitem__)
    return PageType(label, probabilities[label], article)
