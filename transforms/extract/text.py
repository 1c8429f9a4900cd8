"""Text-mode extraction: a learned per-line body model for plain-text dumps, plus their metadata.

A dump is a page's visible text, one block per line. Two gradient-boosted models (LightGBM,
shipped as text in transforms/extract/data/textmode.json; retrain: benchmarks/train_textmode.py)
decide which lines are article body: the first from each line's own shape and its neighbours'
(textlines.py), the second from the first's probabilities around the line. Known furniture
(copyright, trailing comment policies, widget patterns) and lines the source repeats across its
other dumps (textrepeat.py) are never body. A third model picks the headline line; bylines, dates,
datelines and publisher evidence come from the lines around the headline and the body's start.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources

import lightgbm
import numpy as np

from transforms.extract import textfields
from transforms.extract.textclean import (
    find_comment_policy,
    find_dateline,
    is_boilerplate_line,
)
from transforms.extract.textlines import (
    URL_RE,
    Line,
    context_features,
    document_language,
    feature_names,
    line_features,
    line_key,
    split_lines,
)

logger = logging.getLogger(__name__)

MODEL_FILE = "textmode.json"
MODEL_FORMAT = 1
# Metadata is looked for this many lines around the body's first line.
HEAD_LINES_BEFORE = 12
HEAD_LINES_AFTER = 4


@dataclass(frozen=True)
class TextModel:
    """The shipped line models and their decision thresholds."""

    version: str
    lines: lightgbm.Booster
    context: lightgbm.Booster
    title: lightgbm.Booster
    body_threshold: float
    title_threshold: float


@dataclass
class TextArticle:
    """What text mode found in a dump."""

    body_text: str
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    dateline: str | None = None
    language: str | None = None
    publisher_hints: dict[str, str] = field(default_factory=dict)
    body_lines: list[bool] = field(default_factory=list)


def _model_bytes() -> bytes:
    """Return the shipped model file's bytes."""
    return resources.files("transforms.extract.data").joinpath(MODEL_FILE).read_bytes()


@functools.cache
def model_version() -> str:
    """Return the shipped model's version: a digest of its file (retraining changes it)."""
    return hashlib.sha256(_model_bytes()).hexdigest()[:10]


@functools.cache
def load_model() -> TextModel:
    """Return the shipped text-mode models (loaded once per process)."""
    data = json.loads(_model_bytes())
    if data.get("format") != MODEL_FORMAT or data.get("features") != feature_names():
        raise ValueError(f"{MODEL_FILE} does not match this code's features: retrain it")
    boosters = {name: lightgbm.Booster(model_str=text) for name, text in data["boosters"].items()}
    return TextModel(
        version=model_version(),
        lines=boosters["lines"],
        context=boosters["context"],
        title=boosters["title"],
        body_threshold=float(data["body_threshold"]),
        title_threshold=float(data["title_threshold"]),
    )


def _predict(booster: lightgbm.Booster, matrix: np.ndarray) -> np.ndarray:
    """Return a booster's probabilities on one thread (worker processes are the parallelism)."""
    if not len(matrix):
        return np.zeros(0)
    return booster.predict(matrix, num_threads=1)


def body_probabilities(features: np.ndarray, model: TextModel) -> tuple[np.ndarray, np.ndarray]:
    """Return each line's probability of being body: first stage, then with context."""
    first = _predict(model.lines, features)
    return first, _predict(model.context, context_features(first, features))


def title_features(features: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """Return the headline model's matrix: the line, the body around it, where the body starts."""
    count = len(probabilities)
    body = probabilities >= 0.5
    first_body = int(np.argmax(body)) if body.any() else count
    index = np.arange(count)
    following = np.full(count, np.nan)
    following[:-1] = probabilities[1:]
    ahead = np.array([probabilities[i + 1 : i + 6].max(initial=0.0) for i in range(count)])
    behind = np.array([probabilities[max(0, i - 5) : i].max(initial=0.0) for i in range(count)])
    return np.column_stack(
        [features, probabilities, following, ahead, behind, index - first_body]
    ).astype(np.float32)


def _policy_start(lines: list[Line], body: np.ndarray) -> int | None:
    """Return where a closing comment policy starts (past half the body's text), if any."""
    sizes = np.array(
        [len(line.text) if keep else 0 for line, keep in zip(lines, body, strict=True)]
    )
    total = sizes.sum() or 1
    seen = np.cumsum(sizes) - sizes
    for index, line in enumerate(lines):
        if seen[index] / total >= 0.5 and find_comment_policy(line.text):
            return index
    return None


def _apply_rules(
    lines: list[Line], body: np.ndarray, shared_keys: frozenset[int], hints: dict[str, str]
) -> None:
    """Drop known furniture from the body in place, noting publisher evidence it carries."""
    for index, line in enumerate(lines):
        if holder := textfields.text_copyright_holder(line.text):
            hints.setdefault("copyright", holder)
            body[index] = False
        elif line.text.startswith("©"):
            body[index] = False
        if shared_keys and line_key(line.text) in shared_keys:
            body[index] = False
    if (start := _policy_start(lines, body)) is not None:
        if name := textfields.comment_policy_name(lines[start].text):
            hints.setdefault("comment_policy", name)
        body[start:] = False
    for line in lines:
        if "comment_policy" not in hints and (name := textfields.comment_policy_name(line.text)):
            hints["comment_policy"] = name


def _is_heading_like(text: str) -> bool:
    """Return True for a line shaped like a headline: short, no full stop, not a byline or date."""
    words = text.split()
    return (
        2 <= len(words) <= 30
        and len(text) <= 250
        and not text.endswith((".", ",", ";", ":"))
        and (text[:1].isupper() or text[:1].isdigit() or text[:1] in "\"'“‘«")
        and not is_boilerplate_line(text)
        and not textfields.find_byline(text)
        and not textfields.find_name_line(text)
        and textfields.find_date(text) is None
        and not URL_RE.search(text)
    )


def _find_title(
    lines: list[Line],
    features: np.ndarray,
    probabilities: np.ndarray,
    body: np.ndarray,
    model: TextModel,
) -> int | None:
    """Return the headline line: the model's pick if confident, else the heading above the body."""
    scores = _predict(model.title, title_features(features, probabilities))
    if not len(scores):
        return None
    best = int(np.argmax(scores))
    if scores[best] >= model.title_threshold and len(lines[best].text) <= 300:
        return best
    first_body = int(np.argmax(body)) if body.any() else None
    if first_body is None:
        return None
    # Dumps put the headline just above the byline, date and widgets that precede the body.
    for index in range(first_body - 1, max(-1, first_body - HEAD_LINES_BEFORE), -1):
        text = lines[index].text
        if _is_heading_like(text):
            return index
        if len(text.split()) > 30:
            return None
    return None


def _head_range(count: int, title: int | None, first_body: int) -> range:
    """Return the lines where a byline or date can be: after the headline, around the body start."""
    start = title + 1 if title is not None else max(0, first_body - HEAD_LINES_BEFORE)
    return range(start, min(count, max(first_body, start) + HEAD_LINES_AFTER))


def _find_authors(lines: list[Line], head: range, title: int | None) -> tuple[list[str], set[int]]:
    """Return the byline's names and the lines that carry them."""
    for index in head:
        if names := textfields.find_byline(lines[index].text):
            return names, {i for i in head if lines[i].text in (lines[index].text, *names)}
    # A bare name right under the headline is a byline (text dumps drop the "By").
    if title is not None:
        for index in range(title + 1, min(len(lines), title + 3)):
            if names := textfields.find_name_line(lines[index].text):
                following = lines[index + 1].text if index + 1 < len(lines) else ""
                # Several name-like lines in a row are a menu, not a byline.
                if following == names[0] or not textfields.find_name_line(following):
                    return names, {i for i in head if lines[i].text == names[0]}
    return [], set()


def _find_published(lines: list[Line], head: range) -> tuple[datetime | None, int | None]:
    """Return the publication time stated in the head and the line stating it."""
    found: list[tuple[int, int, datetime]] = []
    for index in head:
        text = lines[index].text
        if textfields.is_update_line(text):
            continue
        if parsed := textfields.find_date(text):
            cue = 0 if textfields.DATE_CUE_RE.search(text) else 1
            found.append((cue, index, parsed))
    if not found:
        return None, None
    _cue, index, parsed = min(found)
    return parsed, index


def extract_text_document(
    text: str, shared_keys: frozenset[int] = frozenset(), model: TextModel | None = None
) -> TextArticle:
    """Return the body and metadata of a plain-text dump."""
    model = model or load_model()
    lines = split_lines(text)
    if not lines:
        return TextArticle(body_text="")
    language = document_language(lines)
    features = line_features(lines, language)
    _first, probabilities = body_probabilities(features, model)
    body = probabilities >= model.body_threshold
    hints: dict[str, str] = {}
    _apply_rules(lines, body, shared_keys, hints)
    title = _find_title(lines, features, probabilities, body, model)
    if title is not None:
        body[title] = False
    first_body = int(np.argmax(body)) if body.any() else len(lines)
    head = _head_range(len(lines), title, first_body)
    authors, byline_lines = _find_authors(lines, head, title)
    published_at, date_line = _find_published(lines, head)
    for index in byline_lines:
        body[index] = False
    if date_line is not None and len(lines[date_line].text.split()) <= 12:
        body[date_line] = False
    kept = [line.text for line, keep in zip(lines, body, strict=True) if keep]
    return TextArticle(
        body_text="\n".join(kept),
        title=lines[title].text if title is not None else None,
        authors=authors,
        published_at=published_at,
        dateline=find_dateline(kept[0]) if kept else None,
        language=language,
        publisher_hints=hints,
        body_lines=[bool(keep) for keep in body],
    )
