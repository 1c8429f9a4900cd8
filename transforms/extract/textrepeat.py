"""Lines repeated across text dumps of one source: the site's menus, footers and prompts.

A line seen in several different dumps of one source is page furniture, not article text.
"Different" matters: versions of one article, or copies of one story, share their body lines and
must not lose them. So dumps that share at least half of their own long lines (those not in nearly
every dump of the source) are one *context* (one article), and a line is shared furniture when it
is in at least MIN_CONTEXTS contexts of a source.

The table is computed over every text capture of a source in the lake once capture is done, so the
result does not depend on how captures are batched: the same captures give the same bodies.
"""

from __future__ import annotations

import logging
import posixpath
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from transforms import lake
from transforms.extract.decoding import DecodeError, decode_body
from transforms.extract.publisher import PathMapping
from transforms.extract.textlines import WORD_RE, line_key, split_lines

logger = logging.getLogger(__name__)

MIN_CONTEXTS = 3
# Lines this long, or longer, identify a dump's article (a menu item never does).
ANCHOR_MIN_WORDS = 12
# More copies of one long line than this: a notice repeated by the site, not one article.
MAX_COPIES = 50
# A long line in this share of a source's dumps is the site's template.
TEMPLATE_SHARE = 0.8


@dataclass(frozen=True)
class TextDump:
    """One text capture as the repetition table needs it."""

    capture_id: str
    group: str
    text: str


def source_group(locator: str, source_kind: str, mappings: tuple[PathMapping, ...] = ()) -> str:
    """Return the group a dump is compared within: its mapped source, URL host or folder."""
    for mapping in mappings:
        if mapping.matches(locator):
            return f"source:{mapping.source_id}"
    if source_kind not in ("file", "text") and "://" in locator:
        host = (urlsplit(locator).hostname or "").lower().removeprefix("www.")
        return f"host:{host}"
    return f"folder:{posixpath.dirname(locator.replace(chr(92), '/'))}"


def _dump_keys(text: str) -> tuple[set[int], set[int]]:
    """Return a dump's line keys and the keys of its long lines (what identifies its article)."""
    keys: set[int] = set()
    long_keys: set[int] = set()
    for line in split_lines(text):
        key = line_key(line.text)
        keys.add(key)
        if len(WORD_RE.findall(line.text)) >= ANCHOR_MIN_WORDS:
            long_keys.add(key)
    return keys, long_keys


def _find(parents: dict[str, str], item: str) -> str:
    """Return the representative of an item's set (union-find with path halving)."""
    while parents[item] != item:
        parents[item] = parents[parents[item]]
        item = parents[item]
    return item


def _contexts(long_keys: dict[str, set[int]]) -> dict[str, str]:
    """Return each dump's context: dumps sharing most of their own long lines are one article."""
    holders: dict[int, list[str]] = defaultdict(list)
    for capture_id in sorted(long_keys):
        for key in long_keys[capture_id]:
            holders[key].append(capture_id)
    # A long line in (nearly) every dump is the site's, not an article's: it cannot show that two
    # dumps are one article. Few dumps: every line counts, and their lines are kept if in doubt.
    template = max(MIN_CONTEXTS + 1, TEMPLATE_SHARE * len(long_keys))
    own = {
        capture_id: {key for key in keys if len(holders[key]) < template}
        for capture_id, keys in long_keys.items()
    }
    shared_counts: dict[tuple[str, str], int] = defaultdict(int)
    for members in holders.values():
        if 2 <= len(members) < min(template, MAX_COPIES):
            for index, first in enumerate(members):
                for second in members[index + 1 :]:
                    shared_counts[first, second] += 1
    parents = {capture_id: capture_id for capture_id in long_keys}
    for (first, second), count in sorted(shared_counts.items()):
        if count * 2 >= min(len(own[first]), len(own[second])):
            parents[_find(parents, first)] = _find(parents, second)
    return {capture_id: _find(parents, capture_id) for capture_id in long_keys}


def _group_shared_keys(dumps: list[TextDump], min_contexts: int) -> dict[str, frozenset[int]]:
    """Return, for each dump of one group, which of its lines are shared furniture."""
    keys: dict[str, set[int]] = {}
    long_keys: dict[str, set[int]] = {}
    for dump in dumps:
        keys[dump.capture_id], long_keys[dump.capture_id] = _dump_keys(dump.text)
    context_of = _contexts(long_keys)
    contexts: dict[int, set[str]] = defaultdict(set)
    for capture_id, line_keys in keys.items():
        for key in line_keys:
            contexts[key].add(context_of[capture_id])
    shared = {key for key, found_in in contexts.items() if len(found_in) >= min_contexts}
    return {capture_id: frozenset(line_keys & shared) for capture_id, line_keys in keys.items()}


def shared_line_keys(
    dumps: Iterable[TextDump], min_contexts: int = MIN_CONTEXTS
) -> dict[str, frozenset[int]]:
    """Return {capture_id: keys of its lines that recur across its source's other dumps}."""
    groups: dict[str, dict[str, TextDump]] = defaultdict(dict)
    for dump in dumps:
        groups[dump.group].setdefault(dump.capture_id, dump)
    shared: dict[str, frozenset[int]] = {}
    for group in sorted(groups):
        members = list(groups[group].values())
        if len(members) >= min_contexts:
            shared.update(_group_shared_keys(members, min_contexts))
    logger.info(
        "text repetition: %d groups, %d dumps with shared lines",
        len(groups),
        sum(1 for keys in shared.values() if keys),
    )
    return shared


def shared_lines_in_lake(
    lake_dir: lake.LakeLocation,
    pending_ids: list[str],
    mappings: tuple[PathMapping, ...] = (),
) -> dict[str, frozenset[int]]:
    """Return the shared-line keys of the pending text captures, against every dump of their group.

    Every text capture of a pending capture's group is read (not only this run's), so a dump's
    body depends on which captures the lake holds, never on how they are batched.
    """
    # Imported here: article.py imports the extractors this module must not depend on.
    from transforms.extract.article import is_text_document

    pending = set(pending_ids)
    rows = [
        (capture_id, source_group(locator, kind, mappings))
        for capture_id, locator, kind, content_type in lake.read_capture_kinds(lake_dir)
        if is_text_document(locator, content_type)
    ]
    groups = {group for capture_id, group in rows if capture_id in pending}
    members = {capture_id: group for capture_id, group in rows if group in groups}
    if not members:
        return {}
    dumps = []
    for capture in lake.read_captures(lake_dir, sorted(members)):
        try:
            text = decode_body(capture["body"], capture.get("declared_charset")).text
        except DecodeError:
            continue
        dumps.append(TextDump(capture["capture_id"], members[capture["capture_id"]], text))
    shared = shared_line_keys(dumps)
    return {capture_id: keys for capture_id, keys in shared.items() if capture_id in pending}
