"""The NER language gate: which model reads an article, decided on the whole document.

py3langid classifies windows spread over the whole body (not its first page only); their votes,
weighted by length and probability, give the document's language and a confidence. A document
is skipped only when it is confidently prose in a language without a model. Text a model can
read is never skipped: a results table or a shipping list of English names has no prose to
classify (langid may call it Javanese or Dutch), so the fallback model reads it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache
from typing import Any

WINDOW_CHARS = 500
MAX_WINDOWS = 8
MIN_WORDS = 5
# Below this confidence the document's language is not certain enough to skip it.
SKIP_CONFIDENCE = 0.9
# Share of a text's words among a language's 100 most frequent words: prose is well above
# (English articles: 0.30-0.54, German 0.23-0.53, French 0.14-0.50 on the dev corpora), word
# lists and tables of names well below; another language's prose stays under 0.09 in English.
PROSE_SHARE = 0.12
READABLE_SHARE = 0.10
_WORD = re.compile(r"[^\W\d_]+")
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class LanguageDecision:
    """The document's language, how sure the gate is, and the model language that reads it."""

    language: str | None
    confidence: float
    model_language: str | None

    @property
    def skipped(self) -> bool:
        """Return True when no model reads the document."""
        return self.model_language is None


@cache
def _identifier() -> Any:
    """Return py3langid's identifier with calibrated probabilities (loaded once)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@cache
def _frequent_words(language: str) -> frozenset[str]:
    """Return a language's 100 most frequent words (empty when wordfreq lacks the language)."""
    from wordfreq import available_languages, top_n_list

    if language not in available_languages():
        return frozenset()
    return frozenset(top_n_list(language, 100))


def _windows(text: str) -> list[str]:
    """Return up to MAX_WINDOWS pieces of about WINDOW_CHARS, spread over the whole text."""
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for line in text.splitlines():
        if not line.strip():
            continue
        current.append(line)
        size += len(line)
        if size >= WINDOW_CHARS:
            pieces.append("\n".join(current))
            current, size = [], 0
    if current:
        pieces.append("\n".join(current))
    if len(pieces) > MAX_WINDOWS:
        step = len(pieces) / MAX_WINDOWS
        pieces = [pieces[int(index * step)] for index in range(MAX_WINDOWS)]
    return pieces


def detect_document_language(text: str) -> tuple[str | None, float]:
    """Return the language of the whole document and the share of the evidence behind it."""
    if len(_WORD.findall(text[:2000])) < MIN_WORDS and len(_WORD.findall(text)) < MIN_WORDS:
        return None, 0.0
    votes: Counter[str] = Counter()
    identifier = _identifier()
    for window in _windows(text):
        language, probability = identifier.classify(window)
        votes[language] += len(window) * probability
    if not votes:
        return None, 0.0
    language, weight = votes.most_common(1)[0]
    return language, round(weight / sum(votes.values()), 3)


def prose_share(text: str, language: str) -> float:
    """Return the share of the text's words among the language's most frequent words."""
    frequent = _frequent_words(language)
    words = [word.lower() for word in _WORD.findall(text[:20_000])]
    if not words or not frequent:
        return 0.0
    return sum(word in frequent for word in words) / len(words)


def choose_language(
    text: str, model_languages: Collection[str], fallback: str | None = "en"
) -> LanguageDecision:
    """Return which model language reads a document (None: skipped, no model can read it)."""
    language, confidence = detect_document_language(text)
    if language in model_languages:
        return LanguageDecision(language, confidence, language)
    fallback = fallback if fallback in model_languages else None
    if language is None:
        return LanguageDecision(None, confidence, fallback)  # too short to tell: read it
    readable = {lang: prose_share(text, lang) for lang in sorted(model_languages)}
    best = max(readable, key=lambda lang: readable[lang], default=None)
    if best is not None and readable[best] >= READABLE_SHARE:
        return LanguageDecision(language, confidence, best)  # mixed, or misdetected prose
    # Prose in the detected language shows in its frequent words; for a language wordfreq does
    # not know, nothing shows it is prose rather than a list of names.
    own_prose = prose_share(text, language) >= PROSE_SHARE
    if confidence >= SKIP_CONFIDENCE and own_prose:
        return LanguageDecision(language, confidence, None)
    # No prose in any language (a table of names), or an uncertain guess: Latin-script text
    # is read by the fallback model rather than skipped.
    return LanguageDecision(language, confidence, fallback if is_latin(text) else None)


def is_latin(text: str) -> bool:
    """Return True when most letters of the text are Latin ones."""
    letters = _LETTER.findall(text[:20_000])
    return bool(letters) and sum(char <= "\u024f" for char in letters) * 2 >= len(letters)
