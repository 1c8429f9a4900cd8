"""Word lists that decide what a name can be: first names, common words, product and tech terms."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from transforms.enrich.entities.names import fold_text, load_word_list

# A lowercase word at least this frequent (wordfreq's Zipf scale: 3 = once per million words) is
# a common word: "Download", "Pros", "Size" capitalised at a line start are not names.
COMMON_WORD_ZIPF = 3.0
# Languages whose word frequencies are consulted; others fall back to English.
WORDFREQ_LANGUAGES = frozenset({"en", "fr", "de", "es", "it", "nl", "pt"})
# Faker locales whose first names are romanised transliterations worth matching.
_FAKER_PACKAGE = "faker.providers.person"
_FIRST_NAME_ATTRIBUTES = (
    "first_names",
    "first_names_male",
    "first_names_female",
    "first_names_nonbinary",
    "first_romanized_names",
    "first_romanized_names_male",
    "first_romanized_names_female",
)


@cache
def first_names() -> frozenset[str]:
    """Return folded first names from Faker's person providers in every locale (Latin script)."""
    provider = importlib.import_module(_FAKER_PACKAGE)
    names: set[str] = set()
    for module_info in pkgutil.iter_modules(provider.__path__):
        module = importlib.import_module(f"{_FAKER_PACKAGE}.{module_info.name}")
        person = getattr(module, "Provider", None)
        for attribute in _FIRST_NAME_ATTRIBUTES:
            value = vars(person).get(attribute) if person is not None else None
            if isinstance(value, dict | tuple | list | set | frozenset):
                names.update(value)
    folded = {fold_text(name) for name in names}
    # One-letter and multi-word entries ("Mary Ann") do not help tell a first name.
    return frozenset(name for name in folded if len(name) > 1 and name.isalpha())


def is_first_name(word: str) -> bool:
    """Return True when a word is a known first name ('Joaquin', 'Renée')."""
    return fold_text(word) in first_names()


@cache
def terms() -> frozenset[str]:
    """Return the folded product, software and technology terms and common-term acronyms."""
    return frozenset(fold_text(term) for term in load_word_list("terms.txt"))


def is_term(text: str) -> bool:
    """Return True for a product, software or technology term ('Python', 'JSON', 'WiFi', 'SEO')."""
    folded = fold_text(text)
    return folded in terms() or folded.replace(" ", "") in terms()


def word_zipf(word: str, language: str = "en") -> float:
    """Return the Zipf frequency of a word's lowercase form in a language (0 when unknown)."""
    from wordfreq import zipf_frequency

    lang = language if language in WORDFREQ_LANGUAGES else "en"
    return zipf_frequency(word.lower(), lang)


def is_common_word(word: str, language: str = "en") -> bool:
    """Return True for a frequent lowercase word of the language ('download', 'pros')."""
    return word_zipf(word, language) >= COMMON_WORD_ZIPF


def warm_lexicons(languages: tuple[str, ...] = ("en",)) -> None:
    """Load every lexicon once (the NER fork server does it, so workers share the pages)."""
    first_names()
    terms()
    for language in languages:
        word_zipf("the", language)
