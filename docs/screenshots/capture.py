"""Take the README's screenshots: a `newsloom run` in a tmux terminal, and the HTML report.

Usage: python docs/screenshots/capture.py [--warehouse DIR] (needs tmux and Debian's chromium).
The terminal is captured with tmux (its colours kept), drawn by rich as SVG and photographed by
headless Chromium; the report is opened offline and photographed whole.
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.text import Text

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
SESSION = "newsloom-screenshot"
COLUMNS, ROWS = 112, 34


def tmux(*args: str) -> str:
    """Run a tmux command; return its output."""
    return subprocess.run(["tmux", *args], check=True, capture_output=True, text=True).stdout


def terminal_svg(ansi: str, title: str) -> str:
    """Return a terminal capture (ANSI colours) drawn as an SVG terminal window."""
    with open("/dev/null", "w") as nowhere:
        console = Console(record=True, width=COLUMNS, force_terminal=True, file=nowhere)
        console.print(Text.from_ansi(ansi.rstrip("\n")), soft_wrap=True)
        return console.export_svg(title=title)


def photograph(page_path: Path, png: Path, width: int = 1100) -> None:
    """Save a PNG of a local HTML or SVG file, whole, as headless Chromium draws it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": width, "height": 800})
        # Offline, as a reader opening the file would be: only local files load.
        page.route(
            "**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort()
        )
        page.goto(page_path.as_uri())
        page.wait_for_timeout(3000)
        if page_path.suffix == ".svg":
            page.locator("svg").first.screenshot(path=str(png))
        else:
            page.screenshot(path=str(png), full_page=True)
        browser.close()


def capture_run(warehouse: Path, out: Path) -> None:
    """Run `newsloom run` in a tmux pane; photograph it mid-run and at the end."""
    shutil.rmtree(warehouse, ignore_errors=True)
    newsloom = Path(sys.executable).with_name("newsloom")
    command = f"cd {shlex.quote(str(REPO))} && {newsloom} run --warehouse {warehouse}; sleep 600"
    subprocess.run(["tmux", "kill-session", "-t", SESSION], capture_output=True)
    tmux("new-session", "-d", "-s", SESSION, "-x", str(COLUMNS), "-y", str(ROWS), command)
    try:
        shots = {"run-progress": None, "run-summary": None}
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            time.sleep(0.5)
            screen = tmux("capture-pane", "-e", "-p", "-t", SESSION)
            if shots["run-progress"] is None and "entities (NER)" in screen:
                shots["run-progress"] = screen
            if "next:" in screen:
                shots["run-summary"] = screen
                break
        for name, screen in shots.items():
            if screen is None:
                raise RuntimeError(f"no {name} screen captured")
            svg = out / f"{name}.svg"
            svg.write_text(terminal_svg(screen, f"$ newsloom run ({name.split('-')[1]})"))
            photograph(svg, out / f"{name}.png")
            svg.unlink()
    finally:
        subprocess.run(["tmux", "kill-session", "-t", SESSION], capture_output=True)


def main() -> None:
    """Take every screenshot into docs/screenshots/."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--warehouse", type=Path, default=Path(tempfile.gettempdir()) / "shot")
    args = parser.parse_args()
    capture_run(args.warehouse, HERE)
    report = args.warehouse.parent / "report.html"
    subprocess.run(
        [Path(sys.executable).with_name("newsloom"), "report", "--warehouse", args.warehouse,
         "--out", report],
        check=True,
    )  # fmt: skip
    photograph(report, HERE / "report.png")


if __name__ == "__main__":
    main()
