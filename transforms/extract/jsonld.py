"""JSON-LD as a page states it: objects, @id references, types, and the agents they name."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# Nested objects that describe the page itself (not lists of other pages, such as itemListElement).
NESTED_KEYS = ("@graph", "mainEntity", "mainEntityOfPage")
# schema.org's CreativeWork types a news or blog item is published as, besides *Article/*Posting.
ARTICLE_LIKE_TYPES = {"report", "review", "blog", "howto", "recipe", "creativework"}
ORGANIZATION_TYPE_WORDS = ("organization", "corporation", "newsmedia", "agency", "business")


@dataclass(frozen=True)
class Agent:
    """A named author or publisher and whether JSON-LD calls it a Person or an Organization."""

    name: str
    kind: str | None  # "person", "organization", or None when untyped


def iter_objects(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Yield the JSON-LD objects of a document: top level, @graph members and main entities."""
    if depth > 6:
        return
    if isinstance(data, list):
        for item in data:
            yield from iter_objects(item, depth + 1)
    elif isinstance(data, dict):
        if "@type" in data or "@id" in data:
            yield data
        for key in NESTED_KEYS:
            if isinstance(data.get(key), list | dict):
                yield from iter_objects(data[key], depth + 1)


def type_names(obj: dict[str, Any]) -> set[str]:
    """Return the lower-cased @type names of an object, without a schema.org prefix."""
    types = obj.get("@type", [])
    if isinstance(types, str):
        types = [types]
    if not isinstance(types, list):
        return set()
    return {str(name).rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower() for name in types}


def is_article(obj: dict[str, Any]) -> bool:
    """Return True for any Article or SocialMediaPosting subtype (NewsArticle, BlogPosting...)."""
    return any(
        name.endswith(("article", "posting")) or name in ARTICLE_LIKE_TYPES
        for name in type_names(obj)
    )


def is_web_page(obj: dict[str, Any]) -> bool:
    """Return True for WebPage and its subtypes (ItemPage, ProfilePage, CollectionPage...)."""
    return any(name.endswith("page") for name in type_names(obj))


class JsonLd:
    """A page's JSON-LD objects, with @id references resolvable."""

    def __init__(self, documents: list[Any]) -> None:
        self.objects = [obj for document in documents for obj in iter_objects(document)]
        self._by_id: dict[str, dict[str, Any]] = {}
        for obj in self.objects:
            if isinstance(obj.get("@id"), str) and len(obj) > 1:
                self._by_id.setdefault(obj["@id"], obj)

    def resolve(self, value: Any) -> Any:
        """Return the object a bare {"@id": ...} reference points to, else the value itself."""
        if isinstance(value, dict) and set(value) <= {"@id", "@type"} and "@id" in value:
            return self._by_id.get(str(value["@id"]), value)
        return value

    def articles(self) -> list[dict[str, Any]]:
        """Return the article-like objects, then the web-page objects, in page order."""
        articles = [obj for obj in self.objects if is_article(obj)]
        pages = [obj for obj in self.objects if is_web_page(obj) and not is_article(obj)]
        return articles + pages

    def agents(self, value: Any) -> list[Agent]:
        """Return the named people or organisations in an author/publisher/creator value."""
        value = self.resolve(value)
        if isinstance(value, list):
            return [agent for item in value for agent in self.agents(item)]
        if isinstance(value, str):
            return [Agent(value, None)] if value.strip() else []
        if not isinstance(value, dict):
            return []
        name = value.get("name")
        if isinstance(name, list):
            name = next((item for item in name if isinstance(item, str)), None)
        if not isinstance(name, str):
            given, family = value.get("givenName"), value.get("familyName")
            name = " ".join(part for part in (given, family) if isinstance(part, str)) or None
        if not name or not name.strip():
            return []
        types = type_names(value)
        kind = None
        if "person" in types:
            kind = "person"
        elif any(word in type_name for type_name in types for word in ORGANIZATION_TYPE_WORDS):
            kind = "organization"
        return [Agent(name, kind)]

    def first_value(self, *keys: str) -> tuple[Any, dict[str, Any]] | tuple[None, None]:
        """Return the first of keys present on an article-like object, and that object."""
        for obj in self.articles():
            for key in keys:
                if obj.get(key):
                    return obj[key], obj
        return None, None
