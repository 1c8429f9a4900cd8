"""Near-duplicate and topic signatures: MinHash over word shingles and over salient terms."""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from transforms.extract.normalize import WORD_RE, fold_text

if TYPE_CHECKING:
    from datasketch import MinHash

logger = logging.getLogger(__name__)

# Changing any of these changes every stored signature: bump extract.RULES_VERSION with them.
NUM_PERM = 128
SHINGLE_WORDS = 5
MINHASH_SEED = 1
TOPIC_NUM_PERM = 64
TOPIC_SEED = 2
# affine32 keeps each hash value below 2**32, so it fits the lake's int64 lists.
MINHASH_SCHEME = "affine32"

NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")
POSSESSIVE_RE = re.compile(r"['’]s$")
# A capital after one of these (or at a line start) marks a sentence start, not a name.
SENTENCE_ENDS = frozenset(".!?:;\"“”‘'(—–-")
# Capitalised words that say nothing about which event an article covers.
TOPIC_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "but",
        "by",
        "for",
        "from",
        "he",
        "her",
        "his",
        "i",
        "if",
        "in",
        "it",
        "its",
        "mr",
        "mrs",
        "ms",
        "dr",
        "of",
        "on",
        "or",
        "our",
        "she",
        "so",
        "that",
        "the",
        "their",
        "there",
        "these",
        "they",
        "this",
        "those",
        "to",
        "we",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "with",
        "you",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "today",
        "yesterday",
        "tomorrow",
        "said",
        "says",
        "according",
        "also",
        "however",
        "meanwhile",
    ]
)


@dataclass(frozen=True)
class Signatures:
    """An article's near-duplicate signature, its topic signature and their set sizes."""

    minhash: list[int]
    count_shingles: int
    topic_minhash: list[int]
    count_topic_terms: int


@functools.cache
def _template(num_perm: int, seed: int) -> MinHash:
    """Return an empty MinHash whose permutations are built once per process."""
    # Imported where signatures are made (extraction workers), not in the flow process.
    from datasketch import MinHash

    return MinHash(num_perm=num_perm, seed=seed, scheme=MINHASH_SCHEME)


def minhash_values(items: set[str], num_perm: int, seed: int) -> list[int]:
    """Return the MinHash values of a set of strings (all 2**32 - 1 for an empty set)."""
    template = _template(num_perm, seed)
    sketch = type(template)(
        seed=seed,
        hashvalues=template.hashvalues,
        permutations=template.permutations,
        scheme=MINHASH_SCHEME,
    )
    # Sorted input: the values do not depend on it, but the work is reproducible to the byte.
    sketch.update_batch([item.encode("utf-8") for item in sorted(items)])
    return [int(value) for value in sketch.hashvalues]


def word_shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """Return the set of `size`-word shingles of the folded text (one shingle if shorter)."""
    words = WORD_RE.findall(fold_text(text))
    if len(words) < size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[start : start + size]) for start in range(len(words) - size + 1)}


def topic_terms(text: str) -> set[str]:
    """Return the salient terms of a text: mid-sentence capitalised words and numbers, folded."""
    terms: set[str] = set()
    for line in text.splitlines():
        for match in WORD_RE.finditer(line):
            word = match.group()
            if not word[0].isupper():
                continue
            # The last character before the word, spaces skipped (a walk back, not a copy of
            # the line's head per word: long lines made that quadratic).
            start = match.start() - 1
            while start >= 0 and line[start].isspace():
                start -= 1
            if start < 0 or line[start] in SENTENCE_ENDS:
                continue
            folded = POSSESSIVE_RE.sub("", unicodedata.normalize("NFKC", word).casefold())
            if folded not in TOPIC_STOPWORDS and not folded.isdigit():
                terms.add(folded)
        terms.update(
            number.replace(",", "") for number in NUMBER_RE.findall(line) if len(number) > 1
        )
    return terms


def compute_signatures(body_text: str) -> Signatures:
    """Return the signatures of an article body; same text, same values on any machine."""
    shingles = word_shingles(body_text)
    terms = topic_terms(body_text)
    return Signatures(
        minhash=minhash_values(shingles, NUM_PERM, MINHASH_SEED),
        count_shingles=len(shingles),
        topic_minhash=minhash_values(terms, TOPIC_NUM_PERM, TOPIC_SEED),
        count_topic_terms=len(terms),
    )


def estimate_jaccard(first: list[int], second: list[int]) -> float:
    """Return the Jaccard similarity estimated from two MinHash value lists."""
    if len(first) != len(second) or not first:
        raise ValueError("signatures of different lengths cannot be compared")
    return sum(a == b for a, b in zip(first, second, strict=True)) / len(first)
