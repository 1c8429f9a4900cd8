"""Wire-agency credits: "BAGHDAD (AP) —", "LONDON, May 3 (Reuters) -", a closing "— AFP"."""

from __future__ import annotations

import re

# Names as credited -> the agency's usual short name.
KNOWN_AGENCIES = {
    "ap": "AP",
    "associated press": "AP",
    "the associated press": "AP",
    "reuters": "Reuters",
    "thomson reuters": "Reuters",
    "afp": "AFP",
    "agence france-presse": "AFP",
    "agence france presse": "AFP",
    "dpa": "dpa",
    "efe": "EFE",
    "ansa": "ANSA",
    "upi": "UPI",
    "pa": "PA",
    "pa media": "PA",
    "xinhua": "Xinhua",
    "kyodo": "Kyodo",
    "kyodo news": "Kyodo",
    "yonhap": "Yonhap",
    "cp": "CP",
    "canadian press": "CP",
    "the canadian press": "CP",
    "aap": "AAP",
    "pti": "PTI",
    "ians": "IANS",
    "bernama": "Bernama",
    "anadolu": "Anadolu",
    "tass": "TASS",
    "bloomberg": "Bloomberg",
}
_DASH = r"[—–-]{1,2}"
# An opening dateline: place (optionally ", more place or date"), the credit in brackets, a dash.
OPENING_RE = re.compile(
    rf"^[A-Z][\w'’.-]*(?:[ ,]+[\w'’.-]+){{0,6}}?\s*\((?P<agency>[A-Za-z][A-Za-z .&-]{{1,30}})\)"
    rf"\s*(?:{_DASH}|:)\s"
)
# A closing credit: a last line "— Reuters", or a last paragraph ending "... — AFP".
CLOSING_RE = re.compile(rf"(?:^|\s){_DASH}\s*(?P<agency>[A-Za-z][A-Za-z .&-]{{1,30}}?)\.?\s*$")
REUTERS_CREDIT_RE = re.compile(r"^\((?:Reporting|Writing) by [^)]*\)$")
# A syndication note: "This story was provided by The Associated Press and ...".
PROVIDED_BY_RE = re.compile(
    r"\b(?:provided|supplied|distributed|produced) by (?P<agency>(?:the |The )?[A-Z][A-Za-z.-]*"
    r"(?: [A-Z][A-Za-z.-]*){0,2})"
)
AGENCY_CODE_RE = re.compile(r"^[A-Z]{2,6}$")


def _agency_name(credit: str, *, allow_codes: bool) -> str | None:
    """Return the agency's short name for a credit, or None when it is not an agency."""
    credit = credit.strip()
    if known := KNOWN_AGENCIES.get(credit.casefold()):
        return known
    return credit if allow_codes and AGENCY_CODE_RE.match(credit) else None


def find_wire_agency(body_text: str) -> str | None:
    """Return the wire agency credited in an article's dateline or closing line, if any."""
    lines = [line.strip() for line in body_text.splitlines() if line.strip()]
    # The dateline opens the story, though a widget line or two may survive above it.
    for line in lines[:3]:
        if match := OPENING_RE.match(line):
            # In an upper-case dateline, a bracketed code is a credit even for an unknown agency.
            dateline_style = line.split(maxsplit=1)[0].rstrip(",").isupper()
            if agency := _agency_name(match["agency"], allow_codes=dateline_style):
                return agency
    for line in reversed(lines[-3:]):
        if REUTERS_CREDIT_RE.match(line):
            return "Reuters"
        match = PROVIDED_BY_RE.search(line)
        if match and (agency := _agency_name(match["agency"], allow_codes=False)):
            return agency
        if match := CLOSING_RE.search(line):
            # A closing line that is only the credit may be a code; inside prose, known names only.
            short_line = len(line) <= len(match["agency"]) + 4
            if agency := _agency_name(match["agency"], allow_codes=short_line):
                return agency
    return None
