"""Line features for text mode: what each line of a dump, and its neighbours, look like."""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import re
from dataclasses import dataclass

import justext
import numpy as np
import pycountry

from transforms.extract.normalize import detect_language
from transforms.extract.textclean import (
    find_comment_policy,
    find_copyright_holder,
    is_boilerplate_line,
)

logger = logging.getLogger(__name__)

WORD_RE = re.compile(r"\w+", re.UNICODE)
SPACE_RE = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
BULLET_RE = re.compile(r"^(?:[*•·◦▪►▸‣–-]|\d{1,2}[.)])\s+")
URL_RE = re.compile(r"https?://|www\.|\S+@\S+\.\w+|(?:^|\s)[@#]\w", re.IGNORECASE)
SEPARATOR_RE = re.compile(r"\s[|»›>/·•]\s|\s[|»›]$")
SENTENCE_END_RE = re.compile(r"[.!?…。](?:[\"'”’»)\]]*)(?=\s|$)")
TERMINAL_RE = re.compile(r"[.!?…。:](?:[\"'”’»)\]]*)$")
DATE_RE = re.compile(
    r"\b(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}\b|\b\d{1,2}[-/.]\d{1,2}[-/.](?:19|20)?\d{2}\b"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|januar|februar|märz|mai|juni|juli"
    r"|okt|dez|janvier|février|mars|avril|juin|juillet|août|enero|febrero|marzo|abril|mayo"
    r"|junio|julio|agosto)\w*\.?\s+\d{1,2}\b|\b\d{1,2}\.?\s+(?:jan|feb|mar|apr|may|jun|jul|aug"
    r"|sep|oct|nov|dec|januar|februar|märz|mai|juni|juli|okt|dez|janvier|février|mars|avril"
    r"|juin|juillet|août|enero|febrero|marzo|abril|mayo|junio|julio|agosto)\w*",
    re.IGNORECASE,
)
TIME_AGO_RE = re.compile(
    r"\b\d+\s*(?:min(?:ute)?s?|hours?|hrs?|days?|weeks?)\s+(?:ago|read)\b|\bread(?:ing)? time\b"
    r"|\b\d{1,2}:\d{2}\s*(?:am|pm|a\.m\.|p\.m\.)?\b",
    re.IGNORECASE,
)
# Words of page furniture in the languages of the dev sets; a count, not a verdict.
FURNITURE_RE = re.compile(
    r"\b(?:cookies?|newsletters?|subscribe|subscription|sign[ -]?(?:in|up)|log[ -]?(?:in|out)"
    r"|login|register|share|tweet|facebook|twitter|instagram|linkedin|whatsapp|pinterest"
    r"|youtube|comments?|advertis\w*|sponsored|privacy|terms|imprint|impressum|datenschutz"
    r"|menu|search|home|skip|navigation|related|trending|popular|read more|more|follow"
    r"|download|app|copyright|rights reserved|contact|about us|careers|faq|cart|account"
    r"|anmelden|abonnieren|teilen|kommentare?|werbung|mehr|suche|startseite|connexion"
    r"|partager|publicité|accueil|rechercher|compartir|suscr\w+|inicio|buscar)\b",
    re.IGNORECASE,
)
# Every alternative of DATE_RE holds a digit, and of TIME_AGO_RE a digit or "read": lines
# without them skip those patterns (the slowest of a line's features).
DIGIT_RE = re.compile(r"\d")
BYLINE_RE = re.compile(r"^(?:by|von|par|por|di|door|av|af)\s+\S", re.IGNORECASE)
TEXTY_MIN_WORDS = 10
NEIGHBOUR_OFFSETS = (-3, -2, -1, 1, 2, 3)
WINDOWS = (2, 5, 12)


@dataclass(frozen=True)
class Line:
    """One non-empty line of a dump, whitespace folded, with the blank lines around it."""

    text: str
    blank_before: bool
    blank_after: bool


def fold_line(line: str) -> str:
    """Return a line with runs of spaces folded and the ends stripped."""
    return SPACE_RE.sub(" ", line).strip()


def split_lines(text: str) -> list[Line]:
    """Return the non-empty lines of a dump, noting blank lines (paragraph gaps) around each."""
    folded = [fold_line(raw) for raw in text.splitlines()]
    lines: list[Line] = []
    blank = False
    for line in folded:
        if not line:
            blank = True
            if lines and not lines[-1].blank_after:
                lines[-1] = Line(lines[-1].text, lines[-1].blank_before, True)
            continue
        lines.append(Line(line, blank, False))
        blank = False
    return lines


def line_key(line: str) -> int:
    """Return a stable 63-bit key of a line's words (the same in every process and run)."""
    words = " ".join(WORD_RE.findall(line.lower()))
    digest = hashlib.blake2b(words.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


@functools.cache
def stopwords(language: str | None) -> frozenset[str]:
    """Return jusText's stop-word list for an ISO 639-1 language (English when unknown)."""
    names = set(justext.get_stoplists())
    record = pycountry.languages.get(alpha_2=language) if language else None
    for candidate in (getattr(record, "name", None), "English"):
        if not candidate:
            continue
        for name in (candidate, candidate.split(" ")[0], candidate.replace(" ", "_")):
            if name in names:
                return frozenset(justext.get_stoplist(name))
    return frozenset()


def document_language(lines: list[Line]) -> str | None:
    """Return the language of a dump, read from its longest lines (menus say little)."""
    sample, size = [], 0
    for line in sorted((line.text for line in lines), key=len, reverse=True):
        sample.append(line)
        size += len(line)
        if size >= 3000:
            break
    return detect_language("\n".join(sample))


BASE_FEATURES = (
    "log_chars",
    "words",
    "mean_word_length",
    "stopword_share",
    "stopwords",
    "punctuation_share",
    "ends_terminal",
    "ends_sentence",
    "sentences",
    "capitalised_share",
    "uppercase_share",
    "starts_upper",
    "starts_lower",
    "digit_share",
    "has_url",
    "has_separator",
    "has_bullet",
    "has_date",
    "has_time_or_ago",
    "furniture_words",
    "is_byline",
    "rule_boilerplate",
    "is_copyright",
    "is_comment_policy",
    "repeats_in_document",
    "blank_before",
    "blank_after",
    "is_texty",
)
NEIGHBOUR_FEATURES = ("log_chars", "stopword_share", "ends_sentence", "furniture_words", "is_texty")
DOCUMENT_FEATURES = (
    "position",
    "position_chars",
    "relative_words",
    "log_document_lines",
    "document_texty_share",
    "lines_since_texty",
    "lines_until_texty",
    "inside_texty_span",
    "after_comment_policy",
    "chars_share_before",
)


def feature_names() -> list[str]:
    """Return the names of the feature columns, in matrix order."""
    names = list(BASE_FEATURES) + list(DOCUMENT_FEATURES)
    names += [f"{name}@{offset:+d}" for offset in NEIGHBOUR_OFFSETS for name in NEIGHBOUR_FEATURES]
    names += [f"{name}~{window}" for window in WINDOWS for name in NEIGHBOUR_FEATURES]
    return names


def _base_row(text: str, stops: frozenset[str]) -> list[float]:
    """Return the features of one line on its own."""
    words = WORD_RE.findall(text)
    count_words = len(words)
    chars = len(text)
    lowered = [word.lower() for word in words]
    count_stops = sum(1 for word in lowered if word in stops)
    letters = [char for char in text if char.isalpha()]
    sentences = len(SENTENCE_END_RE.findall(text))
    stripped = BULLET_RE.sub("", text)
    first = stripped[:1]
    has_digit = DIGIT_RE.search(text) is not None
    return [
        math.log1p(chars),
        count_words,
        (sum(len(word) for word in words) / count_words) if count_words else 0.0,
        count_stops / count_words if count_words else 0.0,
        count_stops,
        sum(1 for char in text if char in ".,;:!?") / chars if chars else 0.0,
        float(bool(TERMINAL_RE.search(text))),
        float(bool(SENTENCE_END_RE.search(text[-3:] + " "))),
        sentences,
        sum(1 for word in words if word[:1].isupper()) / count_words if count_words else 0.0,
        sum(1 for char in letters if char.isupper()) / len(letters) if letters else 0.0,
        float(first.isupper()),
        float(first.islower()),
        sum(1 for char in text if char.isdigit()) / chars if chars else 0.0,
        float(bool(URL_RE.search(text))),
        float(bool(SEPARATOR_RE.search(text))),
        float(bool(BULLET_RE.match(text))),
        float(has_digit and DATE_RE.search(text) is not None),
        float((has_digit or "read" in text.lower()) and TIME_AGO_RE.search(text) is not None),
        len(FURNITURE_RE.findall(text)) if chars < 400 else 0,
        float(bool(BYLINE_RE.match(text)) and count_words <= 12),
        float(is_boilerplate_line(text)),
        float(find_copyright_holder(text) is not None or text.startswith("©")),
        float(find_comment_policy(text) is not None),
        0.0,
        0.0,
        0.0,
        float(count_words >= TEXTY_MIN_WORDS and sentences > 0 and count_stops > 0),
    ]


def _distance_arrays(texty: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return, per line, how many lines back and ahead the nearest texty line is (capped)."""
    count = len(texty)
    since = np.full(count, 50.0)
    until = np.full(count, 50.0)
    last = None
    for index in range(count):
        if texty[index]:
            last = index
        if last is not None:
            since[index] = min(50, index - last)
    following = None
    for index in range(count - 1, -1, -1):
        if texty[index]:
            following = index
        if following is not None:
            until[index] = min(50, following - index)
    return since, until


def _window_means(column: np.ndarray, window: int) -> np.ndarray:
    """Return the mean of a column over each line's window of +-window lines."""
    padded = np.concatenate(([0.0], np.cumsum(column)))
    count = len(column)
    starts = np.clip(np.arange(count) - window, 0, count)
    ends = np.clip(np.arange(count) + window + 1, 0, count)
    return (padded[ends] - padded[starts]) / (ends - starts)


def line_features(lines: list[Line], language: str | None) -> np.ndarray:
    """Return the feature matrix of a dump's lines (one row per line, feature_names() order)."""
    count = len(lines)
    names = feature_names()
    if not count:
        return np.zeros((0, len(names)), dtype=np.float32)
    stops = stopwords(language)
    base = np.array([_base_row(line.text, stops) for line in lines], dtype=np.float64)
    column = {name: index for index, name in enumerate(BASE_FEATURES)}
    keys = [line_key(line.text) for line in lines]
    repeats: dict[int, int] = {}
    for key in keys:
        repeats[key] = repeats.get(key, 0) + 1
    base[:, column["repeats_in_document"]] = [repeats[key] - 1 for key in keys]
    base[:, column["blank_before"]] = [line.blank_before for line in lines]
    base[:, column["blank_after"]] = [line.blank_after for line in lines]
    texty = base[:, column["is_texty"]]
    chars = np.array([len(line.text) for line in lines], dtype=np.float64)
    words = base[:, column["words"]]
    since, until = _distance_arrays(texty)
    texty_indexes = np.flatnonzero(texty)
    inside = np.zeros(count)
    if len(texty_indexes):
        inside[texty_indexes[0] : texty_indexes[-1] + 1] = 1.0
    policy = base[:, column["is_comment_policy"]]
    after_policy = (np.cumsum(policy) - policy) > 0
    cumulative = np.cumsum(chars) - chars
    total_chars = chars.sum() or 1.0
    document = np.column_stack(
        [
            np.arange(count) / max(count - 1, 1),
            cumulative / total_chars,
            words / (words.max() or 1.0),
            np.full(count, math.log1p(count)),
            np.full(count, texty.mean()),
            since,
            until,
            inside,
            after_policy.astype(np.float64),
            chars / total_chars,
        ]
    )
    neighbour_columns = [column[name] for name in NEIGHBOUR_FEATURES]
    neighbour_base = base[:, neighbour_columns]
    shifted = []
    for offset in NEIGHBOUR_OFFSETS:
        block = np.full_like(neighbour_base, np.nan)
        if offset < 0:
            block[-offset:] = neighbour_base[:offset]
        else:
            block[:-offset] = neighbour_base[offset:]
        shifted.append(block)
    windows = [
        np.column_stack(
            [_window_means(neighbour_base[:, j], w) for j in range(len(neighbour_columns))]
        )
        for w in WINDOWS
    ]
    return np.hstack([base, document, *shifted, *windows]).astype(np.float32)


CONTEXT_OFFSETS = (-3, -2, -1, 1, 2, 3)
CONTEXT_WINDOWS = (2, 5, 12, 30)


def context_features(probabilities: np.ndarray, features: np.ndarray) -> np.ndarray:
    """Return the second stage's matrix: each line's and its neighbours' body probabilities."""
    count = len(probabilities)
    columns = [probabilities]
    for offset in CONTEXT_OFFSETS:
        shifted = np.full(count, np.nan)
        if offset < 0:
            shifted[-offset:] = probabilities[:offset]
        else:
            shifted[:-offset] = probabilities[offset:]
        columns.append(shifted)
    columns += [_window_means(probabilities, window) for window in CONTEXT_WINDOWS]
    total = probabilities.sum()
    columns.append(np.cumsum(probabilities) / total if total > 0 else np.zeros(count))
    columns.append(np.full(count, probabilities.max() if count else 0.0))
    columns.append(np.full(count, probabilities.mean() if count else 0.0))
    return np.column_stack([*columns, features]).astype(np.float32)
