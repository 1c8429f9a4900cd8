"""Generate a benchmark corpus of any size from the real pages: each copy unique, none stored here.

Usage: python benchmarks/corpus.py OUT_DIR --count N [--pages DIR] [--seed S]

Every copy of a page gets its own canonical URL and a different sentence appended to each
paragraph, so copies are distinct articles (distinct ids and content hashes) of realistic size
and markup. Files are gzipped HTML in folders of 1,000; a manifest makes re-generation a no-op.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
from pathlib import Path

DEFAULT_PAGES = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "pages"
FILES_PER_FOLDER = 1000
CANONICAL_RES = (
    re.compile(rb"""<link[^>]+rel=["']?canonical["']?[^>]*href=["']([^"']+)["']""", re.I),
    re.compile(rb"""<link[^>]+href=["']([^"']+)["'][^>]*rel=["']?canonical["']?""", re.I),
    re.compile(rb"""<meta[^>]+property=["']og:url["'][^>]*content=["']([^"']+)["']""", re.I),
)
PARAGRAPH_END_RE = re.compile(rb"</p>", re.I)
VOCABULARY = """
    council budget minister river harbour election court market weather school hospital railway
    festival museum union report police bridge village storm energy farmers parliament mayor
    contract investors trial vote airport coast summit treaty strike teachers nurses drivers
    residents officials analysts prices wages taxes rents exports announced warned said confirmed
    rejected approved delayed opened closed expanded reported estimated expected planned
    questioned criticised welcomed signed yesterday today tomorrow monday tuesday weekend morning
"""
WORDS = VOCABULARY.split()


def load_templates(pages_dir: Path) -> list[tuple[str, bytes, list[bytes]]]:
    """Return (name, html, canonical URLs) for each real page."""
    templates = []
    for path in sorted(pages_dir.glob("*.html.gz")):
        html = gzip.decompress(path.read_bytes())
        urls = {match.group(1) for regex in CANONICAL_RES for match in regex.finditer(html)}
        templates.append((path.name.removesuffix(".html.gz"), html, sorted(urls, key=len)[::-1]))
    return templates


def vary_page(html: bytes, urls: list[bytes], copy: int, rng: random.Random) -> bytes:
    """Return one unique copy: its own canonical URL and a new sentence in every paragraph."""
    for url in urls:
        html = html.replace(url, url.rstrip(b"/") + f"/c{copy}".encode())

    def sentence(_match: re.Match[bytes]) -> bytes:
        words = rng.choices(WORDS, k=rng.randint(6, 12))
        return f" {' '.join(words).capitalize()} ({copy}-{rng.randrange(10**6)}).</p>".encode()

    return PARAGRAPH_END_RE.sub(sentence, html)


def generate_corpus(
    out_dir: Path, count: int, pages_dir: Path = DEFAULT_PAGES, seed: int = 0
) -> Path:
    """Write `count` unique pages under out_dir (kept if already generated); return out_dir."""
    manifest = out_dir / "manifest.json"
    wanted = {"count": count, "seed": seed, "pages": str(pages_dir.resolve())}
    if manifest.exists() and json.loads(manifest.read_text()) == wanted:
        return out_dir
    templates = load_templates(pages_dir)
    if not templates:
        raise FileNotFoundError(f"no *.html.gz pages in {pages_dir}")
    rng = random.Random(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        name, html, urls = templates[number % len(templates)]
        copy = number // len(templates)
        folder = out_dir / f"{number // FILES_PER_FOLDER:04d}"
        folder.mkdir(exist_ok=True)
        page = vary_page(html, urls, copy, rng)
        (folder / f"{name}-{copy}.html.gz").write_bytes(gzip.compress(page, compresslevel=1))
    manifest.write_text(json.dumps(wanted))
    return out_dir


def corpus_files(out_dir: Path) -> list[Path]:
    """Return the generated page files in order."""
    return sorted(out_dir.glob("*/*.html.gz"))


def main() -> None:
    """Generate a corpus from the command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--pages", type=Path, default=DEFAULT_PAGES)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    generate_corpus(args.out_dir, args.count, args.pages, args.seed)
    print(f"{args.count} pages in {args.out_dir}")


if __name__ == "__main__":
    main()
