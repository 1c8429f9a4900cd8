"""Name normalisation: folding for keys, title stripping, person name parts."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"

_CHAR_MAP = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "þ": "th",
        "ı": "i",
        "’": "'",
        "‘": "'",
        "ʼ": "'",
        "ʻ": "'",
        "ʿ": "'",
        "ʾ": "'",
        "`": "'",
        "\u00a0": " ",
        "‐": "-",
        "‑": "-",
        "–": "-",
        "—": "-",
    }
)
# British and American spellings fold together: "Ministry of Defence" = "Defense Ministry".
_SPELLING = {
    "defence": "defense",
    "organisation": "organization",
    "organisations": "organizations",
    "centre": "center",
    "programme": "program",
    "labour": "labor",
    "honour": "honor",
    "harbour": "harbor",
}
# Arabic article: dropped when standalone ("Al Maliki") or hyphenated ("al-Ghanimi", "ad-Din").
_PARTICLES = frozenset({"al", "el"})
_HYPHEN_PARTICLE = re.compile(r"(?<![\w'])(?:a[dlnrstz]|ash|el|ul|ud)-(?=\w)", re.IGNORECASE)
_POSSESSIVE = re.compile(r"(?:['’]s|(?<=s)['’])$")
_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "esq", "junior", "senior"})
_QUALIFIER_GLUE = frozenset({"of", "for", "the", "and"})
_SPACES = re.compile(r"\s+")
_DROPPED = re.compile(r"['.]")
_NON_WORD = re.compile(r"[\W_]+")


@cache
def load_word_list(filename: str) -> frozenset[str]:
    """Return the lowercase words of a shipped word list (one per line, '#' comments)."""
    lines = (DATA_DIR / filename).read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().lower() for line in lines if line.strip() and not line.startswith("#")
    )


def clean_display(text: str) -> str:
    """Return a display name: single spaces, no leading 'the', no possessive."""
    text = _SPACES.sub(" ", text.replace("\u00a0", " ")).strip(" ,;:-–—\"“”'‘’")
    if text[:4].lower() == "the " and len(text) > 4:
        text = text[4:]
    return _POSSESSIVE.sub("", text).strip()


def fold_text(text: str) -> str:
    """Fold text for matching: ASCII, lowercase, no punctuation ('U.S.' -> 'us')."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text.translate(_CHAR_MAP))
        text = "".join(char for char in text if not unicodedata.combining(char))
    text = _NON_WORD.sub(" ", _DROPPED.sub("", text.lower().replace("&", " and ")))
    return " ".join(_SPELLING.get(token, token) for token in text.split())


def name_key(entity_type: str, name: str) -> str:
    """Return the folded key of a name: no 'the', possessive, Arabic article, titles or suffixes."""
    text = clean_display(name)
    if entity_type == "person":
        text = text[title_prefix_length(text) :]
    text = _HYPHEN_PARTICLE.sub("", text.translate(_CHAR_MAP))
    tokens = fold_text(text).split()
    if len(tokens) > 1:
        tokens = [token for token in tokens if token not in _PARTICLES] or tokens
    if entity_type == "person" and len(tokens) > 1:
        tokens = [token for token in tokens if token not in _NAME_SUFFIXES] or tokens
    return " ".join(tokens)


def title_prefix_length(name: str, qualifiers: frozenset[str] = frozenset()) -> int:
    """Return the length of the titles a person name starts with ('Gen ', 'Defense Minister ')."""
    titles = load_word_list("titles.txt")
    words = list(re.finditer(r"\S+", name))
    cut = 0
    for index, match in enumerate(words[:-1]):
        word = fold_text(match.group())
        if word in titles:
            cut = index + 1
        elif not (word in qualifiers or word in _QUALIFIER_GLUE or word.isdigit()):
            break
    if cut == 0 or fold_text(words[cut].group()) in _QUALIFIER_GLUE:
        return 0
    return words[cut].start()


def person_parts(key: str) -> tuple[str, tuple[str, ...], str]:
    """Split a folded person key into (first, middles, last); one-word keys have no first."""
    tokens = key.split()
    if len(tokens) == 1:
        return "", (), tokens[0]
    return tokens[0], tuple(tokens[1:-1]), tokens[-1]


def surname_forms(display: str) -> list[str]:
    """Return the short forms of a full name ('Othman al-Ghanimi' -> 'al-Ghanimi', 'Ghanimi')."""
    words = display.split()
    if len(words) < 2:
        return []
    forms = [words[-1]]
    if len(words) >= 3 and fold_text(words[-2]) in _PARTICLES:
        forms.insert(0, f"{words[-2]} {words[-1]}")
    if words[-1].rstrip(".").lower() in _NAME_SUFFIXES and len(words) >= 3:
        forms = [words[-2]]
    stripped = _HYPHEN_PARTICLE.sub("", forms[-1])
    if stripped != forms[-1]:
        forms.append(stripped)
    return [form for form in forms if len(form) > 1 and any(char.isupper() for char in form)]


def is_initial(token: str) -> bool:
    """Return True for a one-letter folded name token."""
    return len(token) == 1


def consonant_skeleton(text: str, length: int = 4) -> str:
    """Return the first consonants of a folded text, doubles collapsed ('qaida' -> 'qd')."""
    skeleton = re.sub(r"[aeiouy\s\d]", "", text)
    skeleton = re.sub(r"(.)\1+", r"\1", skeleton)
    return (skeleton or text.replace(" ", ""))[:length]
