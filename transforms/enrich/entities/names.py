"""Name normalisation: folding for keys, title stripping, person name parts."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

from nameparser.config import CONSTANTS

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
_NAME_SUFFIXES = frozenset(
    s for s in CONSTANTS.suffix_not_acronyms if s.isascii() and s.isalpha() and len(s) > 1
)
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
    """Return the length of the titles a person name starts with ('Gen ', 'Energy Minister ')."""
    titles = load_word_list("titles.txt")
    words = list(re.finditer(r"\S+", name))
    cut = pending = 0
    for index, match in enumerate(words[:-1]):
        folded = fold_text(match.group())
        if folded and all(word in titles for word in folded.split()):
            cut, pending = index + 1, 0
        elif folded in qualifiers or folded in _QUALIFIER_GLUE or folded.isdigit():
            continue
        else:
            # Portfolio words before a title ("Energy Minister", "Opposition leader").
            pending += 1
            if pending > 2:
                break
    rest = [fold_text(match.group()) for match in words[cut:]]
    if cut == 0 or rest[0] in _QUALIFIER_GLUE or all(w in _NAME_SUFFIXES for w in rest):
        return 0
    return words[cut].start()


@cache
def _surname_particles() -> frozenset[str]:
    """Return nameparser's surname particles ('von', 'bin', 'de la'), without the Arabic article."""
    return frozenset(p for p in CONSTANTS.prefixes if p.isascii() and p.isalpha()) - _PARTICLES


def person_parts(key: str) -> tuple[str, tuple[str, ...], str]:
    """Split a folded person key into (first, middles, last); one-word keys have no first.

    The last name starts at a surname particle: 'ursula von der leyen' -> last 'von der leyen',
    so 'Salman' alone is not taken for 'Mohammed bin Salman'.
    """
    tokens = key.split()
    particles = _surname_particles()
    if len(tokens) == 1 or tokens[0] in particles:
        return "", (), key
    split = len(tokens) - 1
    while split > 1 and tokens[split - 1] in particles:
        split -= 1
    return tokens[0], tuple(tokens[1:split]), " ".join(tokens[split:])


def surname_forms(display: str) -> list[str]:
    """Return the short forms of a full name ('Othman al-Ghanimi' -> 'al-Ghanimi', 'Ghanimi')."""
    words = display.split()
    if len(words) >= 3 and words[-1].rstrip(".").lower() in _NAME_SUFFIXES:
        words = words[:-1]
    if len(words) < 2:
        return []
    start = len(words) - 1
    while start > 1 and fold_text(words[start - 1]) in _surname_particles():
        start -= 1
    forms = [" ".join(words[start:])]
    if start == len(words) - 1 and len(words) >= 3 and fold_text(words[-2]) in _PARTICLES:
        forms.insert(0, f"{words[-2]} {words[-1]}")
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
