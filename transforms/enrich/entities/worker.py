"""What runs inside a NER worker process: the model, loaded once, and mentions for a chunk."""

from __future__ import annotations

import functools
from collections.abc import Collection
from typing import TYPE_CHECKING, Any, NamedTuple

from transforms.enrich.entities.mentions import find_mentions_batch
from transforms.enrich.entities.model import load_ner
from transforms.extract.normalize import detect_language

if TYPE_CHECKING:
    from spacy.language import Language

# Kept apart from transforms.enrich.ner (which imports the lake: DuckDB, pyarrow, fsspec) so that a
# worker process imports only spaCy and the entity code.


class ArticleMentions(NamedTuple):
    """One article's mentions, or the language it was skipped for (then no mentions)."""

    capture_id: str
    article_id: str
    mentions: list[dict[str, Any]]
    skipped_language: str | None = None


@functools.cache
def worker_nlp(model_name: str) -> Language:
    """Return this process's NER pipeline, loaded once."""
    return load_ner(model_name)


def start_worker(model_name: str) -> None:
    """Load the model and run it once: a first document's time limit is not spent on warm-up."""
    worker_nlp(model_name)
    warm_up = "Maria Lopez met officials of the Harbour Council in Madrid on Monday."
    mentions_chunk([{"capture_id": "", "article_id": "", "title": None, "body_text": warm_up}],
                   model_name)  # fmt: skip


def ner_language(article: dict[str, Any]) -> str | None:
    """Return the article's language as NER sees it: detected from the body, else as stored."""
    # The body decides: the stored value comes first from page metadata, which is sometimes the
    # site's language rather than the article's (an English post on a German site).
    return detect_language(article["body_text"] or "") or article.get("language")


def skip_language(article: dict[str, Any], languages: Collection[str]) -> str | None:
    """Return the article's language when NER does not run on it; None when it does."""
    if not languages:
        return None
    language = ner_language(article)
    return language if language is not None and language not in languages else None


def mentions_chunk(
    articles: list[dict[str, Any]], model_name: str, languages: Collection[str] = ()
) -> list[ArticleMentions]:
    """Return the mentions of a chunk of articles; those in other languages are skipped."""
    skipped = {a["capture_id"]: skip_language(a, languages) for a in articles}
    # Keyed by capture: two versions of one article in a batch each keep their own mentions.
    docs = [
        (a["capture_id"], a["title"], a["body_text"])
        for a in articles
        if skipped[a["capture_id"]] is None
    ]
    by_capture: dict[str, list[dict[str, Any]]] = {}
    if docs:
        for row in find_mentions_batch(worker_nlp(model_name), docs):
            by_capture.setdefault(row["article_id"], []).append(row)
    return [
        ArticleMentions(
            a["capture_id"],
            a["article_id"],
            [{**row, "article_id": a["article_id"]} for row in by_capture.get(a["capture_id"], [])],
            skipped[a["capture_id"]],
        )
        for a in articles
    ]
