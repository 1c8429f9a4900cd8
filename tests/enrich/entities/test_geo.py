import pytest

from transforms.enrich.entities import geo


@pytest.mark.parametrize(
    ("name", "kind", "country", "geonames_id", "iso_code"),
    [
        ("Baghdad", "city", "IQ", 98182, None),
        ("Erbil", "city", "IQ", 95446, None),
        ("ERBIL", "city", "IQ", 95446, None),
        ("Mosul", "city", "IQ", 99072, None),
        ("Anbar", "subdivision", "IQ", None, "IQ-AN"),
        ("Kurdistan Region", "subdivision", "IQ", None, "IQ-KR"),
        ("Iraq", "country", "IQ", 99237, "IQ"),
        ("U.S.", "country", "US", 6252001, "US"),
        ("America", "country", "US", 6252001, "US"),
        ("Britain", "country", "GB", 2635167, "GB"),
        # GeoNames lists "nyc" among Manhattan's names; the city is New York City.
        ("NYC", "city", "US", 5128581, None),
    ],
)
def test_places_resolve_offline(name, kind, country, geonames_id, iso_code):
    place = geo.choose_place(name)
    assert (place.kind, place.country_code, place.geonames_id, place.iso_code) == (
        kind,
        country,
        geonames_id,
        iso_code,
    )


def test_city_coordinates():
    baghdad, erbil = geo.choose_place("Baghdad"), geo.choose_place("Erbil")
    assert (baghdad.latitude, baghdad.longitude) == pytest.approx((33.34, 44.40), abs=0.01)
    assert (erbil.latitude, erbil.longitude) == pytest.approx((36.19, 44.01), abs=0.01)


def test_ambiguous_places_follow_article_context():
    assert geo.choose_place("Paris").country_code == "FR"
    assert geo.choose_place("Paris", {"US"}, {("US", "TX")}).country_code == "US"
    assert geo.choose_place("Tripoli").country_code == "LY"
    assert geo.choose_place("Tripoli", {"LB"}).country_code == "LB"
    assert geo.choose_place("Georgia").iso_code == "GE"
    assert geo.choose_place("Georgia", {"US"}, {("US", "GA")}).iso_code == "US-GA"
    texas = geo.choose_place("Texas")
    assert geo.choose_place("Paris", within=texas).geonames_id == 4717560


def test_population_beats_weak_country_hint():
    # An article naming the US does not move "Lebanon" to Lebanon, Tennessee.
    assert geo.choose_place("Lebanon", {"US"}).kind == "country"


def test_demonyms_hint_countries():
    assert geo.demonym_country("Iraqi") == "IQ"
    assert geo.demonym_country("Pro-Iranian") == "IR"
    assert geo.demonym_country("Martian") is None
