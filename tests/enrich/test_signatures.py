from __future__ import annotations

import multiprocessing

import pytest

from tests.conftest import SAMPLE, SEEDS
from transforms.enrich.signatures import (
    NUM_PERM,
    TOPIC_NUM_PERM,
    compute_signatures,
    estimate_jaccard,
    topic_terms,
    word_shingles,
)
from transforms.extract.article import ExtractOptions, extract_capture
from transforms.schemas import Capture

TEXT = "The quick brown fox jumps over the lazy dog near the River Lune in 2024."
WIRE_PAGES = (
    SAMPLE / "pages" / "harbourtimes" / "world-iraq-security-cooperation.html",
    SAMPLE / "pages" / "valleyledger" / "baghdad-us-military-ties.html",
)


def body_of(path) -> str:
    capture = Capture(locator=str(path), source_kind="file", body=path.read_bytes()).to_row("t")
    return extract_capture(capture, ExtractOptions())["body_text"]


def test_signature_is_pinned() -> None:
    # Stored signatures are compared across runs and machines: the values must never drift
    # (a datasketch upgrade or a changed seed would silently split every cluster).
    signatures = compute_signatures(TEXT)
    assert signatures.minhash[:4] == [407816503, 308070412, 741861544, 268657774]
    assert signatures.topic_minhash[:4] == [603907089, 2012010, 1074908131, 389013188]
    assert (signatures.count_shingles, signatures.count_topic_terms) == (11, 3)
    assert len(signatures.minhash) == NUM_PERM
    assert len(signatures.topic_minhash) == TOPIC_NUM_PERM
    assert all(0 <= value < 2**32 for value in signatures.minhash)


def test_signature_is_the_same_in_another_process() -> None:
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        assert pool.apply(compute_signatures, (TEXT,)) == compute_signatures(TEXT)


def test_signature_ignores_case_and_spacing() -> None:
    assert (
        compute_signatures(TEXT).minhash
        == compute_signatures(
            "  the QUICK brown\nfox jumps over the   lazy dog near the river lune in 2024. "
        ).minhash
    )


@pytest.mark.parametrize(
    ("text", "shingles"),
    [
        ("One two three four five six", {"one two three four five", "two three four five six"}),
        ("Too short here", {"too short here"}),
        ("", set()),
    ],
)
def test_word_shingles(text: str, shingles: set[str]) -> None:
    assert word_shingles(text) == shingles


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        # sentence starts, stopwords and weekdays are not names; possessives are folded
        ("Police said on Monday that Anna Berg's car hit 12 posts.", {"anna", "berg", "12"}),
        ("The fund lent €420,000 to Lisbon.\nLisbon agreed.", {"420000", "lisbon"}),
        ("nothing capitalised here but 7 and 2024", {"2024"}),
    ],
)
def test_topic_terms(text: str, terms: set[str]) -> None:
    assert topic_terms(text) == terms


def test_estimated_jaccard_tracks_the_true_one() -> None:
    base = " ".join(f"word{number}" for number in range(400))
    trimmed = " ".join(f"word{number}" for number in range(200))
    first, second = word_shingles(base), word_shingles(trimmed)
    true = len(first & second) / len(first | second)
    estimate = estimate_jaccard(
        compute_signatures(base).minhash, compute_signatures(trimmed).minhash
    )
    assert abs(estimate - true) < 0.12


def test_wire_copies_are_near_duplicates_and_seeds_are_not() -> None:
    harbour, valley = (compute_signatures(body_of(path)) for path in WIRE_PAGES)
    assert estimate_jaccard(harbour.minhash, valley.minhash) > 0.7
    first, second = (compute_signatures(path.read_text()) for path in sorted(SEEDS.glob("*.txt")))
    assert estimate_jaccard(first.minhash, second.minhash) < 0.05


def test_estimate_rejects_signatures_of_different_lengths() -> None:
    with pytest.raises(ValueError, match="different lengths"):
        estimate_jaccard([1, 2], [1, 2, 3])
