import pytest

from transforms.enrich.entities.names import (
    clean_display,
    fold_text,
    name_key,
    surname_forms,
    title_prefix_length,
)


@pytest.mark.parametrize(
    ("entity_type", "name", "key"),
    [
        ("location", "U.S.", "us"),
        ("location", "US", "us"),
        ("organization", "Al Qaida", "qaida"),
        ("organization", "al-Qaida", "qaida"),
        ("organization", "the Islamic State", "islamic state"),
        ("organization", "Iraqi Ministry of Defence", "iraqi ministry of defense"),
        ("person", "Nouri Al Maliki", "nouri maliki"),
        ("person", "Nouri al-Maliki", "nouri maliki"),
        ("person", "Othman al-Ghanimi", "othman ghanimi"),
        ("person", "al-Ghanimi", "ghanimi"),
        ("person", "Martin Luther King Jr.", "martin luther king"),
        ("person", "José Ramos-Horta", "jose ramos horta"),
        ("location", "Iraq’s", "iraq"),
        ("location", "Al Anbār", "anbar"),
    ],
)
def test_name_key_folds_spelling_variants(entity_type, name, key):
    assert name_key(entity_type, name) == key


def test_fold_text_drops_accents_and_punctuation():
    assert fold_text("Médecins Sans Frontières") == "medecins sans frontieres"
    assert fold_text("Human\xa0 Rights") == "human rights"


@pytest.mark.parametrize(
    ("name", "stripped"),
    [
        ("Gen Martin Dempsey", "Martin Dempsey"),
        ("Gen. Mark A. Milley", "Mark A. Milley"),
        ("Defense Minister Najah al-Shammari", "Najah al-Shammari"),
        ("Iraqi Defense Minister Najah al-Shammari", "Najah al-Shammari"),
        ("Prime Minister Nouri Al Maliki", "Nouri Al Maliki"),
        ("Chief of Staff Othman al-Ghanimi", "Othman al-Ghanimi"),
        ("Mark A. Milley", "Mark A. Milley"),
        ("President", "President"),
    ],
)
def test_titles_are_stripped(name, stripped):
    assert name[title_prefix_length(name, frozenset({"iraqi"})) :] == stripped


def test_clean_display_drops_the_and_possessive():
    assert clean_display("the Iraqi Defense Ministry") == "Iraqi Defense Ministry"
    assert clean_display("Dempsey’s") == "Dempsey"


def test_surname_forms_cover_particles():
    assert surname_forms("Othman al-Ghanimi") == ["al-Ghanimi", "Ghanimi"]
    assert surname_forms("Nouri Al Maliki") == ["Al Maliki", "Maliki"]
    assert surname_forms("Mark A. Milley") == ["Milley"]
