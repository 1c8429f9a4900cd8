"""Bytes-to-text decoding on real pages: what changes against a baseline, and damaged variants.

Usage: python benchmarks/decoding_check.py [--pages DIR] [--wcxb DIR] [--baseline-ref REF]
                                           [--limit N] [--details FILE]

Runs transforms.extract.decoding.decode_body as it is now and as it was at REF (default main),
in the same process, over every real page (the shared corpus pages and the WCXB dev pages):
1. as fetched: how many pages' decoded text or reject reason changes between the two;
2. variants made from each page's own text, each with a known right answer:
   - stray: up to 6 of its curly quotes and dashes written as windows-1252 bytes in the UTF-8 page
     (pasted text): right = the page's text;
   - damaged: 0.5%, 1%, 2% and 7% of its bytes overwritten with random high bytes, with and
     without a UTF-8 declaration: right = a reject (or, up to the stray threshold, the text with
     those bytes read as windows-1252); wrong = a page published under another charset (garbled);
   - legacy: the page without its charset declarations, encoded in the legacy charset of its
     script (windows-1252, windows-1251, Shift_JIS, GB18030, ...): right = the page's text;
   - utf16: the same, as UTF-16 LE and BE without a BOM: right = the page's text;
   - utf16-label: the UTF-8 page with its charset label changed to utf-16: right = its text.
Prints one JSON object: counts per variant and outcome, for the baseline and the current code.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import importlib.util
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from transforms.extract import decoding  # noqa: E402

SHARED = REPO.parent.parent / "shared" / "corpus"
DEFAULT_PAGES = SHARED / "pages"
DEFAULT_WCXB = SHARED / "wcxb-dev"
DECLARATION_RE = re.compile(
    r"""charset\s*=\s*["']?[\w.:-]+|encoding\s*=\s*["'][\w.:-]+["']""", re.I
)
LEGACY_BY_SCRIPT = {
    "LATIN": "cp1252",
    "CYRILLIC": "cp1251",
    "GREEK": "cp1253",
    "CJK": "shift_jis",
    "HANGUL": "euc_kr",
    "ARABIC": "cp1256",
    "HEBREW": "cp1255",
    "THAI": "cp874",
}
STRAY = {"“": b"\x93", "”": b"\x94", "‘": b"\x91", "’": b"\x92", "–": b"\x96", "—": b"\x97"}
DAMAGE_RATES = (0.005, 0.01, 0.02, 0.07)

Decode = Callable[[bytes, str | None], Any]


def baseline_decoder(ref: str) -> Decode:
    """Return decode_body as it is at a git ref (the module loaded from its source there)."""
    source = subprocess.run(
        ["git", "-C", str(REPO), "show", f"{ref}:transforms/extract/decoding.py"],
        check=True,
        capture_output=True,
    ).stdout
    folder = Path(tempfile.mkdtemp(prefix="decoding-baseline-"))
    path = folder / "decoding_baseline.py"
    path.write_bytes(source)
    spec = importlib.util.spec_from_file_location("decoding_baseline", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module.decode_body


def outcome(decode: Decode, body: bytes) -> tuple[str, str, str]:
    """Return (text or '', charset or reject reason, how) for one body."""
    try:
        decoded = decode(body, None)
    except ValueError as error:  # DecodeError of either version
        return "", getattr(error, "reason", type(error).__name__), "rejected"
    return decoded.text, decoded.charset, decoded.charset_source


def real_pages(pages: Path, wcxb: Path, limit: int | None) -> Iterator[tuple[str, bytes]]:
    """Yield (name, bytes) of every real page."""
    paths = sorted(pages.glob("*.html.gz")) + sorted((wcxb / "dev" / "html").glob("*.html.gz"))
    for path in paths[:limit]:
        yield path.name, gzip.decompress(path.read_bytes())


def dominant_script(text: str) -> str:
    """Return the script family of most of the text's non-ASCII letters (LATIN if none)."""
    scripts = Counter(
        decoding._script(char) for char in text if char.isalpha() and not char.isascii()
    )
    return scripts.most_common(1)[0][0] if scripts else "LATIN"


def variants(text: str, rng: random.Random) -> Iterator[tuple[str, bytes, str]]:
    """Yield (variant, bytes, right text or '' for 'a reject is right') from one page's text.

    Every variant starts from the text without its charset declarations (so no label lies).
    """
    bare = DECLARATION_RE.sub("data-x", text)
    body = bare.encode("utf-8")
    stray = body
    replaced = 0
    for char, byte in STRAY.items():
        count = min(6 - replaced, stray.count(char.encode()))
        stray = stray.replace(char.encode(), byte, count)
        replaced += count
    if replaced:
        yield "stray", stray, bare
    for rate in DAMAGE_RATES:
        damaged = bytearray(body)
        start = min(len(body) // 10, 2048)
        for _ in range(int(len(body) * rate)):
            damaged[rng.randrange(start, len(body))] = rng.randrange(0x80, 0x100)
        yield f"damaged-{rate:.1%}", bytes(damaged), ""
        yield f"damaged-{rate:.1%}-declared", b'<meta charset="utf-8">' + damaged, ""
    codec = LEGACY_BY_SCRIPT.get(dominant_script(bare))
    # A page with characters its script's legacy charset lacks could not exist in it: skipped.
    with contextlib.suppress(UnicodeEncodeError):
        if codec:
            yield f"legacy-{codec}", bare.encode(codec), bare
    yield "utf16-le", bare.encode("utf-16-le"), bare
    yield "utf16-be", bare.encode("utf-16-be"), bare
    labelled = '<meta charset="utf-16">' + bare
    yield "utf16-label", labelled.encode("utf-8"), labelled


def verdict(got: tuple[str, str, str], right: str) -> str:
    """Return right / wrong-reject / garbled / readable-with-stray for one variant outcome."""
    text, _charset, how = got
    if how == "rejected":
        return "right" if not right else "rejected"
    if right:
        return "right" if text == right else "garbled"
    # A damaged page: published as UTF-8 with the stray bytes read as windows-1252 is readable
    # (only the damaged characters differ); under another charset it is garbled.
    return "stray-read" if how.endswith("_mixed") else "garbled"


def main() -> None:
    """Print the comparison as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=Path, default=DEFAULT_PAGES)
    parser.add_argument("--wcxb", type=Path, default=DEFAULT_WCXB)
    parser.add_argument("--baseline-ref", default="main")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--details", type=Path, help="one JSON line per changed real page")
    args = parser.parse_args()
    decoders = {f"baseline@{args.baseline_ref}": baseline_decoder(args.baseline_ref)}
    decoders["current"] = decoding.decode_body
    changed: Counter[str] = Counter()
    results: dict[str, Counter[str]] = {name: Counter() for name in decoders}
    rng = random.Random(15)
    started = time.monotonic()
    details = args.details.open("w") if args.details else None
    count = 0
    for name, body in real_pages(args.pages, args.wcxb, args.limit):
        count += 1
        got = {label: outcome(decode, body) for label, decode in decoders.items()}
        before, after = got.values()
        if before != after:
            changed["text_or_reason"] += 1
            if details:
                details.write(json.dumps({"page": name, "before": before[1:], "after": after[1:]}))
                details.write("\n")
        if after[2] == "rejected":
            changed[f"rejected_now:{after[1]}"] += 1
            continue
        for variant, data, right in variants(after[0], rng):
            for label, decode in decoders.items():
                results[label][f"{variant}:{verdict(outcome(decode, data), right)}"] += 1
    if details:
        details.close()
    print(
        json.dumps(
            {
                "pages": count,
                "real_pages": dict(changed),
                "variants": {label: dict(sorted(c.items())) for label, c in results.items()},
                "seconds": round(time.monotonic() - started, 1),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
