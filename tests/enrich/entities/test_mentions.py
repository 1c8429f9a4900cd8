import pyarrow as pa

from transforms.enrich.entities.mentions import find_mentions, find_mentions_batch, split_text
from transforms.enrich.entities.schemas import MENTION_SCHEMA, mentions_to_table


def by_article(rows, article_id):
    return [row for row in rows if row["article_id"] == article_id]


def locals_of(rows, entity_type):
    return {row["local_name"] for row in rows if row["entity_type"] == entity_type}


def test_rows_fit_the_schema_and_offsets_point_into_the_body(seed_mentions, seed_articles):
    table = mentions_to_table(seed_mentions)
    assert table.schema.equals(MENTION_SCHEMA)
    bodies = {article_id: body for article_id, _, body in seed_articles}
    for row in seed_mentions:
        assert bodies[row["article_id"]][row["start_char"] : row["end_char"]] == row["mention_text"]


def test_people_are_found_and_linked_to_full_names(seed_mentions):
    assert locals_of(seed_mentions, "person") == {
        "Martin Dempsey",
        "Ali Al Moussawi",
        "Nouri Al Maliki",
        "Mark A. Milley",
        "Najah al-Shammari",
        "Othman al-Ghanimi",
    }
    linked = {(row["mention_text"], row["local_name"]) for row in seed_mentions}
    assert ("Milley", "Mark A. Milley") in linked
    assert ("al-Ghanimi", "Othman al-Ghanimi") in linked
    assert ("Ghanimi", "Othman al-Ghanimi") in linked
    assert ("Dempsey", "Martin Dempsey") in linked
    assert ("Al Moussawi", "Ali Al Moussawi") in linked
    # Titles are not part of the mention: "Gen Martin Dempsey" -> "Martin Dempsey".
    assert ("Gen Martin Dempsey", "Martin Dempsey") not in linked


def test_every_repeat_of_a_name_is_a_mention(seed_mentions):
    seed_003 = by_article(seed_mentions, "seed-003")
    assert sum(row["local_name"] == "Mark A. Milley" for row in seed_003) == 5
    seed_000 = by_article(seed_mentions, "seed-000")
    # "Dempsey’s comments": the model misses it, propagation does not.
    assert sum(row["local_name"] == "Martin Dempsey" for row in seed_000) == 3


def test_organisations_aliases_and_spurious_title_orgs(seed_mentions):
    orgs = {
        (row["mention_text"], row["local_name"])
        for row in seed_mentions
        if row["entity_type"] == "organization"
    }
    assert ("ISIS", "Islamic State") in orgs
    assert ("Islamic State", "Islamic State") in orgs
    assert ("Al Qaida", "Al Qaida") in orgs
    assert ("Iraqi defense ministry", "Iraqi defense ministry") in orgs
    assert {
        "Iraqi Defense Ministry",
        "Joint Chiefs of Staff",
        "US Joint Chiefs of Staff",
    } <= locals_of(seed_mentions, "organization")
    assert "Defense" not in {text for text, _ in orgs}


def test_places_include_the_all_caps_dateline(seed_mentions):
    seed_003 = by_article(seed_mentions, "seed-003")
    first = seed_003[0]
    assert (
        first["mention_text"],
        first["local_name"],
        first["entity_type"],
        first["start_char"],
    ) == (
        "ERBIL",
        "Erbil",
        "location",
        0,
    )
    assert first["mention_source"] == "dateline"
    assert {"Baghdad", "Erbil", "Mosul", "Anbar", "Iraq", "Kurdistan Region"} <= locals_of(
        seed_003, "location"
    )
    assert {"Baghdad", "Iraq", "Syria", "Lebanon", "US"} <= locals_of(
        by_article(seed_mentions, "seed-000"), "location"
    )


def test_place_keys_carry_the_chosen_place(seed_mentions):
    keys = {
        row["mention_text"]: row["name_key"]
        for row in seed_mentions
        if row["entity_type"] == "location"
    }
    assert keys["Baghdad"] == "baghdad|geonames:98182"
    assert keys["Anbar"] == "anbar|iso:IQ-AN"


def test_is_in_title(seed_mentions):
    seed_003 = by_article(seed_mentions, "seed-003")
    flags = {row["local_name"]: row["is_in_title"] for row in seed_003}
    assert flags["Baghdad"] and flags["Iraq"] and flags["US"]
    # "United States" is the same place as "US" in the title.
    assert flags["United States"]
    assert not flags["Mark A. Milley"] and not flags["Mosul"]
    assert not any(row["is_in_title"] for row in by_article(seed_mentions, "seed-000"))


def test_text_without_entities_and_empty_text(nlp):
    assert find_mentions(nlp, "a", None, "") == []
    assert find_mentions(nlp, "a", "A title", "  \n\n ") == []
    assert find_mentions(nlp, "a", None, "it rained all day and nothing else happened.") == []


def test_german_and_french_text_run(nlp):
    german = (
        "Bundeskanzler Olaf Scholz traf am Montag in Berlin den französischen Präsidenten "
        "Emmanuel Macron."
    )
    french = (
        "Le président Emmanuel Macron a reçu jeudi à l'Élysée le chancelier allemand Olaf Scholz."
    )
    rows = find_mentions_batch(nlp, [("de", "Scholz trifft Macron", german), ("fr", None, french)])
    table = pa.Table.from_pylist(rows, schema=MENTION_SCHEMA)
    texts = {"de": german, "fr": french}
    for row in table.to_pylist():
        assert texts[row["article_id"]][row["start_char"] : row["end_char"]] == row["mention_text"]


def test_split_text_keeps_offsets_and_paragraphs():
    text = "\n\n".join(f"Paragraph {n} " + "word " * 50 for n in range(100))
    pieces = split_text(text, 2000)
    assert "".join(piece for _, piece in pieces) == text
    assert all(text[offset : offset + len(piece)] == piece for offset, piece in pieces)
    assert all(len(piece) <= 2000 for _, piece in pieces)
    assert all(piece.endswith("\n\n") for _, piece in pieces[:-1])
    assert split_text("", 10) == [(0, "")]


def test_very_long_article_is_chunked_with_correct_offsets(nlp, seed_articles):
    _, _, body = seed_articles[0]
    long_body = "\n\n".join([body] * 110)
    assert len(long_body) > 200_000
    rows = find_mentions(nlp, "long", None, long_body)
    assert all(
        long_body[row["start_char"] : row["end_char"]] == row["mention_text"] for row in rows
    )
    per_copy = len(find_mentions(nlp, "one", None, body))
    assert len(rows) == 110 * per_copy
    assert max(row["start_char"] for row in rows) > 200_000


def keys_of(rows, text):
    return {row["name_key"] for row in rows if row["mention_text"] == text}


def test_places_are_chosen_in_article_context(nlp):
    texas = "Schools in Paris, Texas, stayed shut after the storm, officials in Dallas said."
    france = "Ministers met in Paris on Monday, and France said the talks went well."
    lebanon = "Queues grew in Tripoli as Lebanon ran short of fuel, officials in Beirut said."
    rows = find_mentions_batch(
        nlp, [("tx", None, texas), ("fr", None, france), ("lb", None, lebanon)]
    )
    assert keys_of(by_article(rows, "tx"), "Paris") == {"paris|geonames:4717560"}
    assert keys_of(by_article(rows, "fr"), "Paris") == {"paris|geonames:2988507"}
    assert keys_of(by_article(rows, "lb"), "Tripoli") == {"tripoli|geonames:266826"}


def test_acronym_long_form_is_one_organisation(nlp):
    body = (
        "The United Nations Support Mission in Libya (UNSMIL) called for calm. "
        "UNSMIL said talks would resume in Tunis."
    )
    rows = find_mentions(nlp, "a", None, body)
    orgs = [
        (row["mention_text"], row["local_name"])
        for row in rows
        if row["entity_type"] == "organization"
    ]
    long_name = "United Nations Support Mission in Libya"
    assert orgs == [(long_name, long_name), ("UNSMIL", long_name), ("UNSMIL", long_name)]
    assert "Libya" not in {row["mention_text"] for row in rows}


def test_model_label_slips_are_fixed_in_context(nlp):
    body = (
        "Flights were diverted to Misrata on Saturday. Kenya's Faith Chebet beat "
        "Tigist Alemu in the final stretch. Alemu said she would race again in Berlin."
    )
    rows = find_mentions(nlp, "a", None, body)
    types = {row["mention_text"]: row["entity_type"] for row in rows}
    assert types["Misrata"] == "location"
    assert types["Tigist Alemu"] == "person"
    assert {row["local_name"] for row in rows if row["mention_text"] == "Alemu"} == {"Tigist Alemu"}


def test_in_title_shortcut_agrees_with_the_pattern():
    import re

    from transforms.enrich.entities.linking import _in_title

    def by_pattern(title, forms):
        return any(
            re.search(
                r"(?<![\w\-])" + re.escape(form) + r"(?![\w\-])",
                title,
                re.IGNORECASE if len(form) >= 4 else 0,
            )
            for form in forms
        )

    titles = ["İSTANBUL talks’ end", "Kurdistan’s KRG and the UN", "ſtate of Iraq", "un-Iraq"]
    forms = ["Istanbul", "istanbul", "KRG", "krg", "State", "Iraq", "UN", "Kurdistan", "KURDISTAN"]
    for title in titles:
        for form in forms:
            assert _in_title(title, {form}) == by_pattern(title, [form]), (title, form)
