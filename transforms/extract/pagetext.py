"""The text nodes a reader sees in a page's body, read once and shared by the field modules."""

from __future__ import annotations

from typing import NamedTuple

from lxml import etree
from lxml import html as lxml_html

# Their text is code, styling or markup, never shown: the walk skips their whole subtree.
HIDDEN_TAGS = frozenset({"script", "style", "noscript", "template", "svg"})
# Shown, but not where a page states its byline or dates (a stray <head> or <title> in the body,
# a drop-down's options).
METADATA_TAGS = frozenset({"head", "title", "option"})


def document_tops(tree: lxml_html.HtmlElement) -> list[lxml_html.HtmlElement]:
    """Return the top-level elements of tree's document, in order (XPath's '//' searches all).

    The HTML parser keeps a second <html> after the first as the root's sibling.
    """
    root = tree.getroottree().getroot()
    before = [top for top in root.itersiblings(preceding=True) if isinstance(top.tag, str)]
    after = [top for top in root.itersiblings() if isinstance(top.tag, str)]
    return [*reversed(before), root, *after]


def is_whole_document(tree: lxml_html.HtmlElement) -> bool:
    """Return True when tree is its document's only top-level element (a walk of it is XPath's)."""
    return document_tops(tree) == [tree]


class TextNode(NamedTuple):
    """One text node: its text, the element holding it, and where it sits."""

    text: str
    parent: lxml_html.HtmlElement
    is_text: bool  # the element's own text (False: the tail after it)
    in_metadata: bool  # inside a <head>, <title> or <option>


def body_text_nodes(tree: lxml_html.HtmlElement) -> list[TextNode]:
    """Return the body's text nodes outside hidden elements, in document order.

    The same nodes, in the same order, as the XPath `//body//text()[not(ancestor::script or
    ancestor::style or ...)]`, in one walk instead of one ancestor search per node and tag.
    """
    nodes: list[TextNode] = []
    for body in tree.iter("body"):
        depth = 0  # how many METADATA_TAGS elements enclose the walk's position
        walker = etree.iterwalk(body, events=("start", "end", "comment", "pi"))
        for event, element in walker:
            tag = element.tag
            if event in ("comment", "pi"):
                # No text node of their own (one event each, no end), only their tails.
                if element.tail:
                    nodes.append(TextNode(element.tail, element, False, depth > 0))
                continue
            if event == "start":
                if tag in HIDDEN_TAGS:
                    walker.skip_subtree()
                    continue
                if tag in METADATA_TAGS:
                    depth += 1
                if element.text:
                    nodes.append(TextNode(element.text, element, True, depth > 0))
                continue
            if tag in METADATA_TAGS:
                depth -= 1
            if element is not body and element.tail:
                nodes.append(TextNode(element.tail, element, False, depth > 0))
    return nodes
