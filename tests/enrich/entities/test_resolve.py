import random
import string

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from transforms import lake
from transforms.enrich.entities.aliases import load_overrides
from transforms.enrich.entities.names import name_key
from transforms.enrich.entities.resolve import resolve_entities
from transforms.enrich.entities.schemas import (
    DIM_ENTITY_SCHEMA,
    ENTITY_MAP_SCHEMA,
    mentions_to_table,
)
from transforms.enrich.ner import resolve_to_lake


def mention(entity_type, text, local_name=None, key=None, article_id="a1", evidence=None):
    local_name = local_name or text
    if evidence is None:
        evidence = "first_name" if entity_type == "person" else "model"
    return {
        "article_id": article_id,
        "entity_type": entity_type,
        "mention_text": text,
        "start_char": 0,
        "end_char": len(text),
        "local_name": local_name,
        "name_key": key or name_key(entity_type, local_name),
        "is_in_title": False,
        "ner_label": "X",
        "mention_source": "model",
        "type_evidence": evidence,
    }


def entities_by_name(dim):
    return {row["entity_name"]: row for row in dim.to_pylist()}


def ids_of(entity_map, rows):
    lookup = {(r["entity_type"], r["name_key"]): r["entity_id"] for r in entity_map.to_pylist()}
    return {lookup[(row["entity_type"], row["name_key"])] for row in rows}


def test_seed_entities(seed_resolution):
    entity_map, dim = seed_resolution
    assert entity_map.schema.equals(ENTITY_MAP_SCHEMA) and dim.schema.equals(DIM_ENTITY_SCHEMA)
    found = entities_by_name(dim)
    expected = {
        "person": ["Mark A. Milley", "Najah al-Shammari", "Othman al-Ghanimi", "Martin Dempsey",
                   "Nouri Al Maliki", "Ali Al Moussawi"],
        "organization": ["Islamic State", "Al Qaida", "Iraqi Defense Ministry",
                         "Joint Chiefs of Staff"],
        "location": ["Baghdad", "Erbil", "Mosul", "Anbar", "Iraq", "Syria", "Lebanon"],
    }  # fmt: skip
    for entity_type, names in expected.items():
        for name in names:
            assert found[name]["entity_type"] == entity_type, name
    assert "Milley" in found["Mark A. Milley"]["aliases"]
    assert "Dempsey" in found["Martin Dempsey"]["aliases"]
    assert "ISIS" in found["Islamic State"]["aliases"]
    assert "US Joint Chiefs of Staff" in found["Joint Chiefs of Staff"]["aliases"]
    assert "Iraqi defense ministry" in found["Iraqi Defense Ministry"]["aliases"]
    assert found["Iraqi Defense Ministry"]["country_code"] == "IQ"
    assert "US" in found["United States"]["aliases"]


def test_seed_places_carry_geo(seed_resolution, seed_mentions):
    entity_map, dim = seed_resolution
    found = entities_by_name(dim)
    baghdad = found["Baghdad"]
    assert (baghdad["country_code"], baghdad["geonames_id"]) == ("IQ", 98182)
    assert (baghdad["latitude"], baghdad["longitude"]) == pytest.approx((33.34, 44.40), abs=0.01)
    erbil = found["Erbil"]
    assert (erbil["latitude"], erbil["longitude"]) == pytest.approx((36.19, 44.01), abs=0.01)
    assert found["Mosul"]["geonames_id"] == 99072
    assert (found["Anbar"]["iso_code"], found["Anbar"]["country_code"]) == ("IQ-AN", "IQ")
    assert (found["Iraq"]["iso_code"], found["Iraq"]["geonames_id"]) == ("IQ", 99237)
    assert found["Syria"]["iso_code"] == "SY" and found["Lebanon"]["iso_code"] == "LB"
    baghdad_rows = [row for row in seed_mentions if row["local_name"] == "Baghdad"]
    assert {row["article_id"] for row in baghdad_rows} == {"seed-000", "seed-003"}
    assert ids_of(entity_map, baghdad_rows) == {baghdad["entity_id"]}


def test_one_row_per_name_key(seed_resolution, seed_mentions):
    entity_map, dim = seed_resolution
    pairs = [(r["entity_type"], r["name_key"]) for r in entity_map.to_pylist()]
    assert (
        len(pairs)
        == len(set(pairs))
        == len({(r["entity_type"], r["name_key"]) for r in seed_mentions})
    )
    assert set(entity_map.column("entity_id").to_pylist()) == set(
        dim.column("entity_id").to_pylist()
    )


def test_resolution_ignores_row_order(seed_mentions, seed_resolution):
    shuffled = list(seed_mentions)
    random.Random(3).shuffle(shuffled)
    entity_map, dim = resolve_entities(mentions_to_table(shuffled), None)
    assert entity_map.equals(seed_resolution[0])
    assert dim.equals(seed_resolution[1])


@pytest.mark.parametrize(
    ("entity_type", "spellings"),
    [
        ("organization", ["Iraqi Defense Ministry", "Iraqi Ministry of Defence",
                          "Iraqi defense ministry", "Ministry of Defense of Iraq"]),
        ("organization", ["ISIS", "ISIL", "Daesh", "Islamic State"]),
        ("organization", ["Al Qaida", "al-Qaeda", "Al-Qaida"]),
        ("organization", ["U.S. Joint Chiefs of Staff", "US Joint Chiefs of Staff",
                          "Joint Chiefs of Staff"]),
        ("person", ["Mark A. Milley", "Mark Milley", "Milley", "Gen. Mark Milley"]),
        ("person", ["Nouri al-Maliki", "Nouri Al Maliki", "Nouri Maliki"]),
        ("person", ["Mohammed Shia al-Sudani", "Mohammed Shia Al Sudani",
                    "Mohamed Shia al-Sudani"]),
    ],
)  # fmt: skip
def test_spellings_resolve_to_one_entity(entity_type, spellings):
    rows = [mention(entity_type, text, article_id=f"a{n}") for n, text in enumerate(spellings)]
    entity_map, dim = resolve_entities(mentions_to_table(rows), None)
    assert dim.num_rows == 1
    assert len(ids_of(entity_map, rows)) == 1


def test_us_spellings_are_one_place(nlp):
    from transforms.enrich.entities.mentions import find_mentions_batch

    docs = [(f"a{n}", None, f"Officials in {name} said so on Monday.") for n, name in
            enumerate(["the US", "the U.S.", "the United States", "America"])]  # fmt: skip
    rows = find_mentions_batch(nlp, docs)
    assert len(rows) == 4
    _, dim = resolve_entities(mentions_to_table(rows), None)
    assert dim.to_pylist()[0]["entity_name"] == "United States" and dim.num_rows == 1


def test_different_people_stay_apart():
    rows = [
        mention("person", name)
        for name in ["John Smith", "Jane Smith", "Mark Milley", "Mark Miller"]
    ]
    rows.append(mention("person", "Smith"))
    _, dim = resolve_entities(mentions_to_table(rows), None)
    assert dim.num_rows == 5


def test_overrides_merge_alias_and_block(tmp_path, seed_mentions, seed_resolution):
    overrides = tmp_path / "entities.toml"
    overrides.write_text(
        """
[[merge]]
entity_type = "organization"
names = ["Al Qaida", "Islamic State"]
name = "Jihadist groups"

[[alias]]
entity_type = "person"
name = "Martin Dempsey"
aliases = ["Marty Dempsey"]

[[block]]
entity_type = "person"
names = ["Mark A. Milley", "Milley"]
""",
        encoding="utf-8",
    )
    rows = [*seed_mentions, mention("person", "Marty Dempsey", article_id="extra"),
            mention("person", "Milley", article_id="extra")]  # fmt: skip
    entity_map, dim = resolve_entities(mentions_to_table(rows), overrides)
    found = entities_by_name(dim)
    assert "Al Qaida" not in found and "Islamic State" not in found
    merged = found["Jihadist groups"]
    assert {"Al Qaida", "ISIS", "Islamic State"} <= set(merged["aliases"])
    qaida = [row for row in rows if row["local_name"] == "Al Qaida"]
    isis = [row for row in rows if row["local_name"] == "Islamic State"]
    assert ids_of(entity_map, qaida) == ids_of(entity_map, isis) == {merged["entity_id"]}
    assert "Marty Dempsey" in found["Martin Dempsey"]["aliases"]
    assert found["Mark A. Milley"]["entity_id"] != found["Milley"]["entity_id"]
    # Everything else keeps its id: the override re-keys only what it names.
    before = entities_by_name(seed_resolution[1])
    assert found["Baghdad"]["entity_id"] == before["Baghdad"]["entity_id"]


def test_overrides_typos_fail_loudly(tmp_path):
    overrides = tmp_path / "entities.toml"
    overrides.write_text('[[merge]]\nentity_type = "organization"\nnmaes = ["A", "B"]\n')
    with pytest.raises(ValueError, match="nmaes"):
        resolve_entities(mentions_to_table([mention("person", "A B")]), overrides)


def test_empty_input():
    entity_map, dim = resolve_entities(mentions_to_table([]), None)
    assert entity_map.num_rows == 0 and dim.num_rows == 0


def test_many_random_names_stay_distinct():
    rng = random.Random(11)

    def word(size):
        return "".join(rng.choice(string.ascii_lowercase) for _ in range(size)).capitalize()

    firsts = [word(rng.randint(3, 8)) for _ in range(3000)]
    lasts = [word(rng.randint(4, 10)) for _ in range(20000)]
    names: dict[tuple[str, str], str] = {}
    while len(names) < 30_000:
        roll = rng.random()
        if roll < 0.5:
            entity_type, name = "person", f"{rng.choice(firsts)} {rng.choice(lasts)}"
        elif roll < 0.85:
            entity_type = "organization"
            name = " ".join(word(rng.randint(3, 9)) for _ in range(rng.randint(1, 4)))
        else:
            entity_type, name = "location", word(rng.randint(4, 9))
        names.setdefault((entity_type, name_key(entity_type, name)), name)
    columns = {
        "article_id": ["a"] * len(names),
        "entity_type": [entity_type for entity_type, _ in names],
        "mention_text": list(names.values()),
        "start_char": [0] * len(names),
        "end_char": [1] * len(names),
        "local_name": list(names.values()),
        "name_key": [key for _, key in names],
        "is_in_title": [False] * len(names),
        "ner_label": ["X"] * len(names),
        "mention_source": ["model"] * len(names),
        "type_evidence": ["model"] * len(names),
    }
    from transforms.enrich.entities.schemas import MENTION_SCHEMA

    table = pa.Table.from_pydict(columns, schema=MENTION_SCHEMA)
    entity_map, dim = resolve_entities(table, None)
    assert entity_map.num_rows == 30_000
    assert dim.num_rows > 27_000


def test_surname_particles_keep_relatives_apart():
    rows = [
        mention("person", name)
        for name in ["Mohammed bin Salman", "Salman", "Ursula von der Leyen"]
    ]
    rows.append(mention("person", "von der Leyen"))
    _, dim = resolve_entities(mentions_to_table(rows), None)
    found = entities_by_name(dim)
    assert "Salman" in found and "Mohammed bin Salman" in found
    assert "von der Leyen" in found["Ursula von der Leyen"]["aliases"]


def test_acronyms_learnt_in_one_article_apply_to_others():
    long_name = "International Atomic Energy Agency"
    rows = [
        mention("organization", long_name, article_id="a1"),
        mention("organization", "IAEA", local_name=long_name, article_id="a1"),
        mention("organization", "IAEA", article_id="a2"),
    ]
    entity_map, dim = resolve_entities(mentions_to_table(rows), None)
    assert dim.num_rows == 1 and len(ids_of(entity_map, rows)) == 1
    assert dim.to_pylist()[0]["entity_name"] == long_name


def test_a_name_other_articles_call_an_organisation_is_one_everywhere():
    # The model called Twitter a person in one article (no person evidence there) and an
    # organisation in three: one organisation, and the person mention maps to it.
    rows = [mention("person", "Twitter", article_id="a1", evidence="none")]
    rows += [mention("organization", "Twitter", article_id=f"a{n}") for n in range(2, 5)]
    entity_map, dim = resolve_entities(mentions_to_table(rows), None)
    assert [(row["entity_name"], row["entity_type"]) for row in dim.to_pylist()] == [
        ("Twitter", "organization")
    ]
    assert len(ids_of(entity_map, rows)) == 1


def test_unconfirmed_people_are_left_out_unless_another_article_confirms_them():
    rows = [
        mention("person", "Mercurial", article_id="a1", evidence="none"),
        mention("person", "Wix Squarespace", article_id="a1", evidence="name"),
        # A bare surname is not taken for a full name of another article...
        mention("person", "Alemu", article_id="a2", evidence="none"),
        mention("person", "Tigist Alemu", article_id="a3", evidence="context"),
        # ... but the same name with evidence elsewhere confirms it.
        mention("person", "Okafor", article_id="a4", evidence="none"),
        mention("person", "Okafor", article_id="a5", evidence="title"),
    ]
    entity_map, dim = resolve_entities(mentions_to_table(rows), None)
    assert {row["entity_name"] for row in dim.to_pylist()} == {"Tigist Alemu", "Okafor"}
    mapped = {row["name_key"] for row in entity_map.to_pylist()}
    assert mapped == {"tigist alemu", "okafor"}


def test_a_strong_person_is_not_outvoted():
    # Jordan the person (a first name, a title) keeps its type against Jordan the country.
    rows = [mention("person", "Jordan", article_id="a1", evidence="title")]
    rows += [mention("location", "Jordan", article_id=f"a{n}") for n in range(2, 9)]
    _, dim = resolve_entities(mentions_to_table(rows), None)
    assert sorted(row["entity_type"] for row in dim.to_pylist()) == ["location", "person"]


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('[[alias]]\nentity_type = "person"\naliases = ["X"]\n', "[[alias]] #1: name: Field"),
        ('[[alias]]\nentity_type = "person"\nname = "A"\naliases = 5\n', "aliases"),
        ('[[alias]]\nentity_type = "person"\nname = "A"\naliases = "Bee"\n', "aliases"),
        ('[[alias]]\nentity_type = "person"\nname = 3\n', "name"),
        ('[[alias]]\nentity_type = "person"\nname = "  "\n', "name"),
        ('[[alias]]\nentity_type = "animal"\nname = "A"\n', "entity_type"),
        ('[[merge]]\nentity_type = "person"\nnames = "Al Qaida"\n', "[[merge]] #1: names"),
        ('[[merge]]\nentity_type = "person"\nnames = ["A", 2]\n', "names.1"),
        ('[[merge]]\nentity_type = "person"\nnames = ["A"]\n', "at least 2"),
        ('[[block]]\nnames = ["A", "B"]\n', "[[block]] #1: entity_type: Field required"),
        ("alias = 5\n", "alias"),
        ('[[alias]]\nentity_type = "person"\nname = "A"\n[[alisa]]\nname = "B"\n', "alisa"),
    ],
)
def test_ill_typed_overrides_raise_value_errors_naming_the_entry(tmp_path, text, named):
    overrides = tmp_path / "entities.toml"
    overrides.write_text(text)
    with pytest.raises(ValueError) as raised:
        load_overrides(overrides)
    assert named in str(raised.value)
    assert str(overrides) in str(raised.value)


def test_a_bad_overrides_file_is_quarantined_until_fixed(tmp_path, seed_mentions):
    lake_dir = tmp_path / "lake"
    lake.ensure_lake(lake_dir)
    overrides = tmp_path / "entities.toml"
    overrides.write_text('[[alias]]\nentity_type = "person"\nname = "A"\naliases = 5\n')
    resolve_to_lake(lake_dir, "v", "n", overrides, "r1")
    rejects = pq.read_table(lake.derived_path(lake_dir, "config_rejects")).to_pylist()
    assert [(r["stage"], r["locator"], r["reason"]) for r in rejects] == [
        ("model", str(overrides), "invalid_config")
    ]
    assert "aliases" in rejects[0]["detail"]
    overrides.write_text('[[alias]]\nentity_type = "person"\nname = "A"\naliases = ["Bee"]\n')
    resolve_to_lake(lake_dir, "v", "n", overrides, "r2")
    assert pq.read_table(lake.derived_path(lake_dir, "config_rejects")).num_rows == 0


def test_a_place_mostly_abbreviated_is_named_in_full():
    # Addresses write "Phoenix, AZ 85004" more often than the articles write "Arizona".
    rows = [
        mention("location", "AZ", key="az|geonames:5551752", article_id=f"a{n}") for n in range(3)
    ]
    rows.append(mention("location", "Arizona", key="arizona|geonames:5551752"))
    _, dim = resolve_entities(mentions_to_table(rows), None)
    assert [(row["entity_name"], row["aliases"]) for row in dim.to_pylist()] == [
        ("Arizona", ["AZ"])
    ]
