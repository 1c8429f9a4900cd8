"""Credit lines read as people and organisations: 'By JANE DOE and Ravi Patel, Associated Press'."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources

from nameparser import HumanName

from transforms.enrich.wires import KNOWN_AGENCIES
from transforms.extract.markup import clean_text_value
from transforms.extract.publisher import is_known_publisher
from transforms.extract.sitename import SiteNames, compact


def _load_words() -> dict[str, set[str]]:
    """Return the shipped credit vocabulary: word lists by name."""
    table = resources.files("transforms.extract.data").joinpath("credit_words.toml")
    data = tomllib.loads(table.read_text(encoding="utf-8"))
    return {key: set(value.split()) for key, value in data.items()}


_WORDS = _load_words()
# The vocabularies, described in data/credit_words.toml.
MONTHS = _WORDS["months"]
WEEKDAYS = _WORDS["weekdays"]
CREDENTIALS = _WORDS["credentials"]
FURNITURE_WORDS = _WORDS["furniture_words"]
ROLE_WORDS = _WORDS["role_words"]
ROLE_MODIFIERS = _WORDS["role_modifiers"]
ORGANIZATION_WORDS = _WORDS["organization_words"]
NOT_NAMES = _WORDS["not_names"]
PARTICLES = _WORDS["particles"]
# Labels that open a credit, and page furniture that wraps a name ("View all posts by X").
LEAD_RE = re.compile(
    r"^(?:(?:view|see|read)\s+(?:all|more)\s+(?:posts|articles|stories|content)\s+(?:by|from)"
    r"|read\s+more\s+(?:about|from)|(?:more|articles|posts|stories)\s+(?:by|from)"
    r"|(?:written|posted|published|reported|compiled|authored|created|story|words|text|article"
    r"|recipe|interview|report|analysis|commentary|column|opinion|blog|post)\s+by"
    r"|by|from|authors?|writers?|byline|written|von|par|por|door|di|av|af|autor(?:in|es)?|auteur"
    r"|escrito por|publicado por|verfasst von|geschrieben von)\b\s*[:\-–—]?\s*",
    re.IGNORECASE,
)
# "ByTrevor Jones": a label glued to the name by markup (<span>By</span>Trevor); case matters
# here, so "Byron" stays.
GLUED_BY_RE = re.compile(r"^(?:By|BY)(?=[A-Z][a-z])")
WRITTEN_BY_RE = re.compile(r"^(?:\S+\s+){1,3}?written\s+by\s+(?=\S)", re.IGNORECASE)
INNER_BY_RE = re.compile(r"^(?:\S+\s+){1,3}?(?:written\s+)?by\s+(?=\S)", re.IGNORECASE)
# Where a credit stops being one: a reviewer, a date, a widget.
TAIL_RE = re.compile(
    r"\s*(?:\b(?:medically\s+|fact[- ]?)?"
    r"(?:reviewed|checked|edited|updated|illustrated|photographed)\s+by\b"
    r"|\b(?:last\s+)?(?:updated|modified|published|posted)(?:\s+on)?\b|\bsee\s+more\b"
    r"|\bview\s+(?:more|all|profile)\b|\bread\s+more\b|\bfollow\b|\bshare\b"
    r"|\bmin(?:ute)?s?\s+read\b"
    r"|\b\d+\s*(?:min|minutes?|comments?)\b|\b\d{1,2}:\d{2}\b|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}|\b(?:19|20)\d\d\b"
    r"|\b\d+\s+(?:hours?|days?|weeks?|months?|years?)\s+ago\b|\bsponsored\b|\bverified\b"
    r"|\bfull\s+bio\b|\brelated\s+topics\b|\bcomments?\b|\bdisclosure\b"
    r"|\s(?:is|was|has|writes|covers|joined|leads)\s.*|\b(?:photo|image)?\s*credits?\b"
    r"|\bon\s+behalf\s+of\b"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b).*$",
    re.IGNORECASE,
)
# (A numeric date is cut at its slashes by the segment split: "on 03" is what is left.)
# Lower case only: "Audiophile On" is a name.
DANGLING_RE = re.compile(r"\s+(?:on|at|in|am|le|el|il)(?:\s+\d{1,2})?$")
# Month names that are also first names or surnames: only cut when a day follows.
NAME_MONTHS = {"may", "june", "july", "april", "august"}
SEGMENT_RE = re.compile(r"\s*[|•·◦▪●⋅∙‧・/]\s*|\s+[-–—]\s+|\s*\n\s*")
SPLIT_RE = re.compile(
    r"\s*(?:,|;|&|\+|\band\b|\bund\b|\bet\b|\by\b|\bwith\b|\bmit\b|\bavec\b|\bcon\b)\s*",
    re.IGNORECASE,
)
PARENTHETICAL_RE = re.compile(r"\s*\([^)]*\)")
# "Deutsche Welle (www.dw.com)": a parenthesised web address or domain after a name.
ADDRESS_PARENTHETICAL_RE = re.compile(
    r"\s*\((?:https?://|www\.)?[\w-]+(?:\.[\w-]+)+(?:/[^)]*)?\)", re.IGNORECASE
)
HANDLE_RE = re.compile(r"^@\w+$|\S+@\S+\.\w+|https?://\S+|\bwww\.\S+|\{\{.*?\}\}")
# A copyright notice names the rights holder, not who wrote the article.
COPYRIGHT_RE = re.compile(r"©|\(c\)\s|\bcopyright\b", re.IGNORECASE)
SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}
HONORIFICS = {"dr", "mr", "mrs", "ms", "mx", "prof", "rev", "fr", "hon"}
CONNECTORS = {"and", "of", "&", "at", "for", "the", "in", "on", "to", "a", "an", "de", "-"}
# Plural words that credit a newsroom as a group ("The Currency editors", "Our Editors").
GROUP_WORDS = {"editors", "staff", "team"}
MAX_GROUP_WORDS = 5


@dataclass
class Credit:
    """The people and organisations a credit names."""

    people: list[str] = field(default_factory=list)
    organizations: list[str] = field(default_factory=list)

    def add(self, other: Credit) -> None:
        """Add another credit's names that are not already here."""
        seen = {compact(name) for name in self.people + self.organizations}
        for name in other.people:
            if compact(name) not in seen:
                self.people.append(name)
                seen.add(compact(name))
        for name in other.organizations:
            if compact(name) not in seen:
                self.organizations.append(name)
                seen.add(compact(name))

    def __bool__(self) -> bool:
        return bool(self.people or self.organizations)


def agency_name(text: str) -> str | None:
    """Return the wire agency's short name when the text names a known agency."""
    return KNOWN_AGENCIES.get(" ".join(text.casefold().replace("-", " ").split())) or (
        KNOWN_AGENCIES.get(text.casefold().strip())
    )


def _words(text: str) -> list[str]:
    """Return the lower-cased words of a text, punctuation trimmed, hyphenated ones split."""
    words = [word.strip(".,:;()'\"’").casefold() for word in text.split()]
    return [part for word in words for part in (word.split("-") if "-" in word else [word]) if part]


def is_role(text: str) -> bool:
    """Return True for a job title: 'Senior Autos Reporter', 'CEO of CaseBasix', 'Co-Founder'."""
    words = _words(re.split(r"\s+(?:at|of|for|with)\s+", text, maxsplit=1)[0])
    if not words:
        return False
    vocabulary = ROLE_WORDS | ROLE_MODIFIERS | CONNECTORS
    if any(word in ROLE_WORDS for word in words) and all(word in vocabulary for word in words):
        return True
    # "Shipping Expert": two words ending in a job, whatever the first.
    return len(words) <= 2 and words[-1] in ROLE_WORDS


def is_group_credit(text: str) -> bool:
    """Return True for a newsroom credited as a group: 'The Currency editors', 'Our Editors'.

    The words before the group word must name someone: 'Senior Editors' is a job title.
    """
    words = _words(text)
    if not 2 <= len(words) <= MAX_GROUP_WORDS or words[-1] not in GROUP_WORDS:
        return False
    vocabulary = ROLE_WORDS | ROLE_MODIFIERS | CONNECTORS
    return not all(word in vocabulary for word in words[:-1])


def _cut_role_tail(tokens: list[str]) -> list[str]:
    """Return name tokens without a glued job title ('Keith Barry Senior Autos Reporter')."""
    lowered = [token.strip(".,:;").casefold() for token in tokens]
    vocabulary = ROLE_WORDS | ROLE_MODIFIERS
    # The title may open with a field written as a brand or an acronym ("AI Writer",
    # "EdTech Content Writer", "Former McKinsey Consultant").
    marked = _marked_tokens(tokens)
    for start in range(2, len(tokens)):
        tail = lowered[start:]
        if tail[0] in vocabulary and any(word in ROLE_WORDS for word in tail):
            return tokens[:start]
        titled = all(w in vocabulary or m for w, m in zip(tail, marked[start:], strict=True))
        if marked[start] and len(tail) > 1 and tail[-1] in ROLE_WORDS and titled:
            return tokens[:start]
    return tokens


def _marked_tokens(tokens: list[str]) -> list[bool]:
    """Return which tokens are acronyms or brands; none in a credit written in capitals."""
    if all(token.isupper() for token in tokens):
        return [False] * len(tokens)
    return [_is_marked(token) for token in tokens]


def _is_marked(token: str) -> bool:
    """Return True for an acronym or a word with an inner capital ('AI', 'EdTech', 'McKinsey')."""
    letters = token.strip(".,:;")
    if len(letters) < 2 or not letters.isalpha():
        return False
    return letters.isupper() or (
        any(c.islower() for c in letters) and any(c.isupper() for c in letters[1:])
    )


def _cut_trailing_role(text: str) -> str:
    """Return a credit without the job title after its names (which would split on its 'and')."""
    tokens = text.split()
    if not tokens or tokens[-1].strip(".,").casefold() not in ROLE_WORDS:
        return text
    vocabulary = ROLE_WORDS | ROLE_MODIFIERS | CONNECTORS
    start = len(tokens) - 1
    marked = _marked_tokens(tokens)
    while start > 2 and (
        all(word in vocabulary for word in _words(tokens[start - 1])) or marked[start - 1]
    ):
        start -= 1
    return " ".join(tokens[:start]).rstrip(" ,;") if start >= 2 else text


def _drop_role_clauses(text: str) -> str:
    """Return a credit without its comma-separated job titles ('Jane Doe, Head of Sales')."""
    # Dropped before the split on "and": "Head of Sales and Marketing" is no two names.
    clauses = text.split(",")
    if len(clauses) < 2:
        return text
    kept = [clauses[0]] + [clause for clause in clauses[1:] if not _is_role_clause(clause)]
    return ",".join(kept)


def _is_role_clause(clause: str) -> bool:
    """Return True for a job title, also one whose field has an 'and' ('Head of Sales and ...')."""
    if is_role(clause.strip()):
        return True
    head = re.split(r"\s+(?:at|of|for|with)\s+", clause.strip(), maxsplit=1)
    words = _words(head[0])
    vocabulary = ROLE_WORDS | ROLE_MODIFIERS | {"sr", "snr"}
    return len(head) == 2 and bool(words) and all(word in vocabulary for word in words)


def _cut_trailing_month(tokens: list[str]) -> list[str]:
    """Return tokens without a trailing month ('Luke Kim December'): a date glued to the name."""
    for index in range(1, len(tokens)):
        word = tokens[index].strip(".,").casefold()
        if word in MONTHS or word in WEEKDAYS:
            rest = tokens[index + 1 :]
            day_follows = bool(rest) and rest[0][:1].isdigit()
            if day_follows or (index >= 2 and word not in NAME_MONTHS):
                return tokens[:index]
    return tokens


def _cut_furniture(tokens: list[str]) -> list[str]:
    """Return tokens before page furniture glued to a name ('Scott Kasun Related Topics')."""
    for index, token in enumerate(tokens):
        if token.strip(".,:;!").casefold() in FURNITURE_WORDS:
            return tokens[:index] if index >= 2 else []
    return tokens


def _drop_avatar_initials(tokens: list[str]) -> list[str]:
    """Return tokens without an avatar's initials before the name ('CM Craig McCarthy')."""
    if len(tokens) >= 3 and tokens[0].isupper() and tokens[0].isalpha() and len(tokens[0]) <= 3:
        initials = "".join(token[0] for token in tokens[1:]).upper()
        if initials.startswith(tokens[0]) or tokens[0] == initials[: len(tokens[0])]:
            return tokens[1:]
    return tokens


def _is_credential(token: str) -> bool:
    """Return True for a post-nominal or suffix token ('MD', 'Ph.D.', 'Jr.')."""
    return token.strip(".,").casefold().replace("-", "").replace(".", "") in CREDENTIALS | SUFFIXES


def _is_name_token(token: str) -> bool:
    """Return True for a token that can be part of a person's name."""
    bare = token.strip(".,'’")
    if not bare or any(char.isdigit() for char in bare):
        return False
    if bare.casefold() in PARTICLES:
        return True
    first = next((char for char in bare if char.isalpha()), "")
    # Scripts without case (CJK, Arabic...) pass; cased ones need a capital.
    return bool(first) and (first.isupper() or not first.islower())


def person_name(text: str) -> str | None:
    """Return a person's name from a credit part, or None when it does not read as one."""
    text = PARENTHETICAL_RE.sub("", text) if is_role(text[text.find("(") :]) else text
    tokens = [token for token in text.split() if token.strip(".,")]
    while tokens and tokens[0].strip(".").casefold() in HONORIFICS:
        tokens = tokens[1:]
    # Post-nominals after a name ("Jane Doe MD"); letters that are the name's own surname stay
    # ("Rui Ma", "Anh Do").
    while len(tokens) > 2 and tokens[-1].strip(".,").casefold().replace("-", "") in CREDENTIALS:
        tokens = tokens[:-1]
    tokens = _cut_furniture(_cut_trailing_month(_cut_role_tail(_drop_avatar_initials(tokens))))
    if not 1 <= len(tokens) <= 5 or not all(_is_name_token(token) for token in tokens):
        return None
    name = " ".join(tokens).strip(" ,.:;-–—")
    single_words = NOT_NAMES | MONTHS | WEEKDAYS | ROLE_MODIFIERS | ROLE_WORDS
    if len(tokens) == 1 and name.casefold() in single_words:
        return None
    if name.casefold() in NOT_NAMES or len(name) < 2:
        return None
    if name.isupper() and len(name) > 3:
        human = HumanName(name)
        human.capitalize(force=True)
        name = str(human) or name
    return name


def organization_name(text: str, sites: SiteNames | None) -> str | None:
    """Return an organisation's name from a credit part, or None when it does not read as one."""
    name = text.strip(" ,.:;-–—")
    if not name or len(name.split()) > 8 or HANDLE_RE.search(name):
        return None
    if agency_name(name) or is_known_publisher(name):
        return name
    words = _words(name)
    if any(word in ORGANIZATION_WORDS for word in words) and name.casefold() not in NOT_NAMES:
        return name
    # The site's own name, unless it reads as a person's (a personal site: "Rick Steves").
    if sites and sites.matches(name, exact=True):
        tokens = name.split()
        if len(tokens) < 2 or not all(_is_name_token(token) for token in tokens):
            return name
    return None


def _split_agency_suffix(part: str) -> tuple[str, str | None]:
    """Split a name glued to its agency: 'JILL LAWLESS Associated Press' -> name, agency."""
    words = part.split()
    for size in range(min(4, len(words) - 1), 0, -1):
        tail = " ".join(words[-size:])
        if (agency_name(tail) or is_known_publisher(tail)) and len(words) - size >= 2:
            return " ".join(words[:-size]), tail
    return part, None


def _strip_lead(text: str) -> str:
    """Return text without its credit labels ('By', 'Written by', 'View all posts by')."""
    text = GLUED_BY_RE.sub("", text)
    while match := LEAD_RE.match(text + " "):
        text = text[match.end() :].strip()
    return text


def parse_credit(value: str, sites: SiteNames | None = None, *, kind: str | None = None) -> Credit:
    """Return the people and organisations a credit line or metadata value names.

    kind is what structured data says the value is ("person", "organization"), if anything.
    """
    credit = Credit()
    text = clean_text_value(value)
    if not text:
        return credit
    text = ADDRESS_PARENTHETICAL_RE.sub("", text)
    for segment in SEGMENT_RE.split(text):
        segment = _strip_lead(segment.strip(" ,.:;"))
        # "This post was written by Jane Doe": the lead-in goes before the tail rules read its
        # "was" as the start of a bio.
        if match := WRITTEN_BY_RE.match(segment):
            segment = segment[match.end() :]
        segment = TAIL_RE.sub("", segment).strip(" ,.:;-–—")
        # "Posted by Jane Doe on March 3": the word that led to the date goes with it.
        segment = DANGLING_RE.sub("", segment)
        # "ServiceTitan November": a month glued to the credit by a date widget.
        words = segment.split()
        if len(words) > 1 and words[-1].strip(".").casefold() in MONTHS - NAME_MONTHS:
            segment = " ".join(words[:-1])
        group = not SPLIT_RE.search(segment) and is_group_credit(segment)
        if segment and (kind == "organization" or group):
            credit.add(Credit(organizations=[segment]))
            continue
        if not segment or HANDLE_RE.search(segment) or COPYRIGHT_RE.search(segment):
            continue
        if is_role(segment):
            continue
        if kind == "organization":
            credit.add(Credit(organizations=[segment]))
            continue
        segment = _cut_trailing_role(_drop_role_clauses(segment))
        # "Guides By Ramon Berenguer", "Dec 23 Written By Linny and Peter": a short lead-in.
        if match := INNER_BY_RE.match(segment):
            segment = segment[match.end() :]
        parts = [part for part in SPLIT_RE.split(segment) if part and part.strip()]
        found = Credit()
        for part in parts:
            part = _strip_lead(part.strip(" ,.:;"))
            if not part or is_role(part) or HANDLE_RE.search(part):
                continue
            # Post-nominals split off by commas ("Jane Doe, MD, FACP"); "Md Najmul Hossain"
            # is a name ("Md" for Mohammad).
            if all(_is_credential(token) for token in part.split()):
                continue
            part, agency = _split_agency_suffix(part)
            if agency:
                found.add(Credit(organizations=[agency]))
            organization = organization_name(part, None if kind == "person" else sites)
            if organization:
                found.add(Credit(organizations=[organization]))
            elif name := person_name(part):
                found.add(Credit(people=[name]))
        # A one-word "name" beside full names is a beat or a place ("Zackery Cuevas, Hardware").
        if len(found.people) > 1:
            found.people = [name for name in found.people if len(name.split()) > 1] or found.people
        credit.add(found)
    return credit
