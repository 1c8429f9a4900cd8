"""Find entity mentions in article bodies: spaCy over paragraph chunks, then in-article linking."""

from __future__ import annotations

import logging
from collections import defaultdict
from functools import cache
from typing import TYPE_CHECKING

from transforms.enrich.entities import geo
from transforms.enrich.entities.linking import count_labels, link_article
from transforms.enrich.entities.model import single_thread_blas
from transforms.enrich.entities.names import fold_text
from transforms.enrich.entities.spans import TYPE_OF_LABEL, Mention

if TYPE_CHECKING:
    from spacy.language import Language

logger = logging.getLogger(__name__)

DEFAULT_CHUNK_CHARS = 20_000
# Chunks per nlp.pipe batch. tok2vec's activations grow with the tokens in a batch: over the
# benchmark pages a worker peaked at 930 MiB RSS with 32, 560 with 8 and 460 with 4 (310 after
# loading the model), for the same CPU time and the same mentions.
DEFAULT_PIPE_BATCH = 4
_SEPARATORS = ("\n\n", "\n", ". ", " ")


def split_text(text: str, max_chars: int = DEFAULT_CHUNK_CHARS) -> list[tuple[int, str]]:
    """Split text into (offset, chunk) pieces of at most max_chars, preferring paragraph breaks."""
    pieces: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > max_chars:
        limit = start + max_chars
        cut = limit
        for separator in _SEPARATORS:
            found = text.rfind(separator, start + max_chars // 2, limit)
            if found != -1:
                cut = found + len(separator)
                break
        pieces.append((start, text[start:cut]))
        start = cut
    if start < len(text) or not pieces:
        pieces.append((start, text[start:]))
    return pieces


@cache
def _qualifiers() -> frozenset[str]:
    """Return folded country names and demonyms (words that may precede an organisation)."""
    gazetteer = geo.load_gazetteer()
    names = {fold_text(name) for names in gazetteer.country_names.values() for name in names}
    words = {word for name in names | set(gazetteer.demonyms) for word in name.split()}
    return frozenset(words - {"of", "the", "and", "republic", "state", "states", "united"})


def find_mentions_batch(
    nlp: Language,
    docs: list[tuple[str, str | None, str]],
    max_chars: int = DEFAULT_CHUNK_CHARS,
    batch_size: int = DEFAULT_PIPE_BATCH,
    countries: list[str | None] | None = None,
) -> list[dict]:
    """Return MENTION_SCHEMA rows for (article_id, title, body_text) triples, using nlp.pipe.

    countries: each article's publisher country (a weak hint for places), when known.
    """
    max_chars = min(max_chars, nlp.max_length)
    chunks = [
        (index, offset, piece)
        for index, (_, _, body) in enumerate(docs)
        for offset, piece in split_text(body or "", max_chars)
        if piece.strip()
    ]
    found: dict[int, list[Mention]] = defaultdict(list)
    demonyms: dict[int, list[str]] = defaultdict(list)
    blocked: dict[int, list[tuple[int, int]]] = defaultdict(list)
    texts = (piece for _, _, piece in chunks)
    with single_thread_blas():
        docs_out = nlp.pipe(texts, batch_size=batch_size)
        for (index, offset, _), doc in zip(chunks, docs_out, strict=True):
            for ent in doc.ents:
                start, end = offset + ent.start_char, offset + ent.end_char
                if ent.label_ in TYPE_OF_LABEL:
                    found[index].append(Mention(start, end, ent.label_, ent.kb_id_ or "model"))
                else:
                    blocked[index].append((start, end))
                    if ent.label_ == "NORP":
                        demonyms[index].append(ent.text)
    qualifiers = _qualifiers()
    rows: list[dict] = []
    for index, (article_id, title, body) in enumerate(docs):
        rows.extend(
            link_article(
                article_id, title, body or "", found[index], demonyms[index], blocked[index],
                qualifiers, nlp.lang, countries[index] if countries else None,
            )
        )  # fmt: skip
    logger.info(
        "entity mentions: %d articles, %d chunks, %s",
        len(docs), len(chunks), dict(sorted(count_labels(rows).items())),
    )  # fmt: skip
    return rows


def find_mentions(nlp: Language, article_id: str, title: str | None, body_text: str) -> list[dict]:
    """Return the MENTION_SCHEMA rows of one article (offsets into body_text)."""
    return find_mentions_batch(nlp, [(article_id, title, body_text)])
