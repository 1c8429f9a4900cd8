"""Imported once by the worker processes' fork server: what every NER worker reads, shared."""

from __future__ import annotations

import gc
import logging

import spacy  # noqa: F401  (imported here, not in each worker)

from transforms.enrich.entities import geo, language, lexicons
from transforms.enrich.entities import worker as _worker  # noqa: F401

logger = logging.getLogger(__name__)

try:
    # The place index is the largest thing a NER worker holds (about 125 MiB): built here, every
    # worker forked afterwards shares its pages instead of building its own copy.
    geo.load_gazetteer()
except Exception:  # a worker then builds it itself, and reports the error
    logger.exception("could not preload the gazetteer")
try:
    # Word frequencies (about 35 MiB a language), first names and the language identifier:
    # loaded here, shared by every worker like the place index.
    lexicons.warm_lexicons(("en", "fr"))
    language.choose_language("warm up the language gate with a sentence", ("en",))
except Exception:
    logger.exception("could not preload the lexicons")
# Keep the collector off the shared objects: its bookkeeping writes would copy their pages.
gc.freeze()
