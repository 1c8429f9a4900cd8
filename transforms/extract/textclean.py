"""Rule cleaning: boilerplate lines (also on HTML bodies), copyright holders, bylines, datelines.

Text dumps go through the learned text mode (text.py); clean_text_document, the rule cleaner it
replaced, stays as the baseline benchmarks/textdump_quality.py measures it against.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)

# Whole-line boilerplate seen in real dumps and pages; each is matched against a stripped line.
BOILERPLATE_LINE_PATTERNS = [
    r"a\+\s*a-",
    r"(sign|signup|sign-up) up for (the|our) .{0,100}",
    r"subscribe( now)?( to (our|the) .{0,40})?",
    r"get the latest news( and updates)?( straight)? to your inbox\.?",
    r"(download|get) (our|the) .{0,20}app.*",
    r".{0,30}download our app",
    r"network links",
    r"post a comment",
    r"(share|share this|share on) ?(article|story|facebook|twitter|x|whatsapp|email)?:?",
    r"(advertisement|sponsored content|ad)",
    r"(read more|related( articles| stories)?|most read|more on this story):?",
    r"(read more|see also|also read|related): .{1,160}",
    r"listen to (this|the) (article|story)( \W? ?\d+ min(ute)?s?)?",
    r"story continues below( (the )?advertisement)?",
    r"(print|email|comments?)( \(\d+\))?",
    r"follow us on .{0,40}",
    r"(all rights reserved\.?)",
]
COPYRIGHT_RE = re.compile(
    r"^\s*(?:©|\(c\)|copyright\b)\s*(?:©\s*)?(?:\d{4}\s*[-–]?\s*(?:\d{4})?\s*)?"
    r"(?P<holder>[^.\d].*?)?\s*(?:\d{4})?\s*\.?\s*(?:all rights reserved\.?)?\s*$",
    re.IGNORECASE,
)
COMMENT_POLICY_START_RE = re.compile(
    r"(?P<name>[A-Z][\w&.'’ -]{1,40}?) moderates (?:all )?(?:reader )?comments"
    r"|\bcomment(?:ing)? policy\b"
    r"|\bcomments? (?:submitted|posted) (?:on|to) (?:our|this) (?:website|site)\b",
    re.IGNORECASE,
)
# Every alternative of COMMENT_POLICY_START_RE holds one of these words, in letters whose only
# case-insensitive matches are their ASCII cases: a line without them cannot match.
COMMENT_POLICY_WORDS = ("comment", "moderate")


def find_comment_policy(text: str) -> re.Match[str] | None:
    """Return COMMENT_POLICY_START_RE's match in a line, skipping lines that cannot hold one."""
    lowered = text.lower()
    if not any(word in lowered for word in COMMENT_POLICY_WORDS):
        return None
    return COMMENT_POLICY_START_RE.search(text)


HOLDER_END_RE = re.compile(
    r"\s+[—–|·•]\s*|\s+-\s+|,\s|\.\s|\s*\b(?:all rights reserved|tous droits r[ée]serv[ée]s"
    r"|alle rechte vorbehalten|todos los derechos reservados)\b",
    re.IGNORECASE,
)
BYLINE_PREFIX_RE = re.compile(r"^\s*(?:by|von|par|por)\s+(?P<names>.+)$", re.IGNORECASE)
NAME_RE = re.compile(
    r"^(?:[A-Z][\w'’.-]*|al-|Al-|el-|bin|van|von|de|da|la)"
    r"(?:\s+(?:[A-Z][\w'’.-]*|al-[A-Z][\w'’-]*|bin|van|von|der|de|da|la|le)){1,4}$"
)
DATELINE_RES = [
    # ALL-CAPS place, optional ", Region", then a dash or colon or the sentence itself.
    re.compile(
        r"^(?P<dateline>[A-Z][A-Z'’.-]+(?:\s[A-Z][A-Z'’.-]+)*"
        r"(?:,\s[A-Z][\w'’.-]+(?:\s[A-Z][\w'’.-]+)*?)?)"
        r"(?:\s*\([A-Za-z]+\))?"
        r"(?:\s*[—–-]+\s+|:\s+|\s+(?=(?:The|A|An|In|On|At|For|After|Before|When|While|As|"
        r"According|Officials|Police|President|Prime|Two|Three|Several|Some|More|Iraq|US)\b))"
    ),
    # Title-case place followed by a colon or a dash: "Baghdad: Iraq is ...".
    re.compile(
        r"^(?P<dateline>[A-Z][a-z'’-]+(?:\s[A-Z][a-z'’-]+){0,2})(?:\s*\([A-Za-z]+\))?(?::|\s[—–])\s"
    ),
]
_BOILERPLATE_RES = [re.compile(rf"^{p}$", re.IGNORECASE) for p in BOILERPLATE_LINE_PATTERNS]


@dataclass
class CleanText:
    """Result of cleaning a plain-text document."""

    body_text: str
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    dateline: str | None = None
    publisher_hints: dict[str, str] = field(default_factory=dict)
    dropped: dict[str, int] = field(default_factory=dict)


def is_boilerplate_line(line: str) -> bool:
    """Return True for a short line that is page furniture, not article text."""
    stripped = line.strip().strip("|•·").strip()
    if not stripped or len(stripped) > 120:
        return False
    return any(pattern.match(stripped) for pattern in _BOILERPLATE_RES) or bool(
        COPYRIGHT_RE.match(stripped)
        and ("©" in stripped or stripped.lower().startswith("copyright"))
    )


def find_copyright_holder(line: str) -> str | None:
    """Return the rights holder named in a copyright line, if the line is one."""
    stripped = line.strip()
    if len(stripped) > 160 or not (
        "©" in stripped or stripped.lower().startswith(("copyright", "(c)"))
    ):
        return None
    match = COPYRIGHT_RE.match(stripped)
    if not match or not match.group("holder"):
        return None
    # The holder ends at the first separator: "© 2024 Gazette — SAS …, 12 quai … — Tous droits …".
    holder = HOLDER_END_RE.split(match.group("holder"), maxsplit=1)[0]
    holder = holder.strip(" ,.-–—")
    return holder or None


def looks_like_name(line: str) -> bool:
    """Return True for a short line that reads as a person's name."""
    stripped = line.strip()
    return 3 <= len(stripped) <= 60 and bool(NAME_RE.match(stripped)) and not stripped.isupper()


def split_byline(line: str) -> list[str]:
    """Return the author names in a byline such as 'By Jane Doe and Ravi Patel'."""
    match = BYLINE_PREFIX_RE.match(line.strip())
    names = match.group("names") if match else line
    parts = re.split(r",\s*|\s+(?:and|und|et|y|&)\s+", names.strip())
    return [part.strip() for part in parts if looks_like_name(part.strip())]


def find_dateline(paragraph: str) -> str | None:
    """Return the dateline that opens a paragraph ('ERBIL, Kurdistan Region', 'Baghdad')."""
    for pattern in DATELINE_RES:
        if match := pattern.match(paragraph):
            return match.group("dateline").strip()
    return None


def _paragraphs(text: str) -> list[str]:
    """Split text into non-empty lines with whitespace folded (dumps use one line a paragraph)."""
    lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.splitlines())
    return [line for line in lines if line]


def _cut_comment_policy(paragraphs: list[str], hints: dict[str, str]) -> tuple[list[str], int]:
    """Drop a trailing comment-policy block, keeping the publisher it names as evidence."""
    total = sum(len(p) for p in paragraphs) or 1
    seen = 0
    for index, paragraph in enumerate(paragraphs):
        match = find_comment_policy(paragraph)
        # Policies close a page: only cut when what follows is a minor share of the text.
        if match and seen / total >= 0.5:
            if match.group("name"):
                hints.setdefault("comment_policy", match.group("name").strip())
            return paragraphs[:index], len(paragraphs) - index
        seen += len(paragraph)
    return paragraphs, 0


def drop_boilerplate(paragraphs: list[str], hints: dict[str, str]) -> tuple[list[str], int]:
    """Drop boilerplate and repeated lines, noting copyright holders as publisher evidence."""
    kept: list[str] = []
    dropped = 0
    for paragraph in paragraphs:
        if holder := find_copyright_holder(paragraph):
            hints.setdefault("copyright", holder)
            dropped += 1
            continue
        if is_boilerplate_line(paragraph) or (kept and paragraph == kept[-1]):
            dropped += 1
            continue
        kept.append(paragraph)
    return kept, dropped


def clean_text_document(text: str) -> CleanText:
    """Clean a plain-text dump by rules: text mode before the learned model (now a baseline)."""
    hints: dict[str, str] = {}
    paragraphs = _paragraphs(text)
    paragraphs, count_policy = _cut_comment_policy(paragraphs, hints)
    title: str | None = None
    authors: list[str] = []
    # The head of a dump: a title line, then byline lines (often twice), then widgets.
    head_end = 0
    if paragraphs:
        first = paragraphs[0]
        if len(first) <= 200 and not first.endswith((".", "!", ":")) and not find_dateline(first):
            title = first
            head_end = 1
    for index in range(head_end, min(head_end + 6, len(paragraphs))):
        line = paragraphs[index]
        if is_boilerplate_line(line):
            continue
        names = split_byline(line) if BYLINE_PREFIX_RE.match(line) or looks_like_name(line) else []
        if not names:
            break
        authors.extend(name for name in names if name not in authors)
        head_end = index + 1
    body_lines = [line for i, line in enumerate(paragraphs) if i >= head_end]
    # Drop byline echoes left below the head (dumps repeat the byline).
    body_lines = [line for line in body_lines if line not in authors]
    body_lines, count_boilerplate = drop_boilerplate(body_lines, hints)
    dateline = find_dateline(body_lines[0]) if body_lines else None
    return CleanText(
        body_text="\n".join(body_lines),
        title=title,
        authors=authors,
        dateline=dateline,
        publisher_hints=hints,
        dropped={"comment_policy": count_policy, "boilerplate": count_boilerplate},
    )
