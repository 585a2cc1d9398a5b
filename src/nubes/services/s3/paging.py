"""How S3 pages through keys: prefix, delimiter roll-up into common prefixes, MaxKeys and
markers, over any source that can seek to a key and read onwards in key order.

The source is a ``Scan``: ``scan(from_key, below)`` yields entries with
``from_key <= key < below`` (no upper bound when ``below`` is None) in key order. When a key
rolls up into a common prefix, paging seeks past every key under that prefix with one new
scan, so a prefix holding a million keys costs one index seek, not a million reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Generic, TypeVar
from urllib.parse import quote_plus

from nubes.services.s3.models import key_successor

T = TypeVar("T")
Scan = Callable[[str, str | None], Iterator[T]]
DEFAULT_MAX_KEYS = 1000


@dataclass(slots=True)
class Page(Generic[T]):
    """One page of a listing, in key order."""

    entries: list[T] = field(default_factory=list)
    prefixes: list[str] = field(default_factory=list)
    truncated: bool = False
    last_key: str | None = None  # key or common prefix returned last (NextMarker)
    last_entry: T | None = None  # set when the page ended on an entry, not a prefix
    ended_on_prefix: bool = False

    @property
    def count(self) -> int:
        return len(self.entries) + len(self.prefixes)

    def resume_key(self) -> str | None:
        """Where the next page starts (inclusive), for opaque continuation tokens."""
        if self.last_key is None:
            return None
        if self.ended_on_prefix:
            return key_successor(self.last_key)
        return self.last_key + "\x00"


def common_prefix(key: str, prefix: str, delimiter: str | None) -> str | None:
    """The common prefix ``key`` rolls up into, or None if it is listed itself."""
    if not delimiter:
        return None
    at = key.find(delimiter, len(prefix))
    return None if at < 0 else key[: at + len(delimiter)]


def start_after(marker: str, prefix: str, delimiter: str | None) -> str:
    """The first key to consider for a listing that resumes after ``marker``.

    A marker that is itself a common prefix skips every key under it, so a page that ended
    on a common prefix is not followed by the same prefix again.
    """
    if marker and common_prefix(marker, prefix, delimiter) == marker:
        return key_successor(marker) or marker + "\x00"
    return marker + "\x00" if marker else ""


def paginate(
    scan: Scan[T],
    key_of: Callable[[T], str],
    *,
    prefix: str = "",
    delimiter: str | None = None,
    start: str = "",
    max_keys: int = DEFAULT_MAX_KEYS,
) -> Page[T]:
    """Collect up to ``max_keys`` entries and common prefixes, from ``start`` (inclusive)."""
    page: Page[T] = Page()
    if max_keys <= 0:
        return page
    below = key_successor(prefix) or None if prefix else None
    cursor: str | None = max(start, prefix)
    while cursor is not None:
        cursor = _fill(page, scan(cursor, below), key_of, prefix, delimiter, max_keys)
    return page


def _fill(
    page: Page[T],
    entries: Iterator[T],
    key_of: Callable[[T], str],
    prefix: str,
    delimiter: str | None,
    max_keys: int,
) -> str | None:
    """Add entries to ``page``; return where to seek next, or None when done."""
    for entry in entries:
        key = key_of(entry)
        if page.count >= max_keys:
            page.truncated = True
            return None
        rolled = common_prefix(key, prefix, delimiter)
        if rolled is None:
            page.entries.append(entry)
            page.last_key, page.last_entry, page.ended_on_prefix = key, entry, False
            continue
        page.prefixes.append(rolled)
        page.last_key, page.last_entry, page.ended_on_prefix = rolled, None, True
        return key_successor(rolled) or None
    return None


def url_encode(value: str | None, encoding_type: str | None) -> str | None:
    """A key (or prefix, marker) as S3 returns it under ``EncodingType=url``."""
    if value is None or encoding_type != "url":
        return value
    return quote_plus(value, safe="/")
