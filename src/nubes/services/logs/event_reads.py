"""Reading log events: a stream's events in a time range (GetLogEvents) and a group's
events interleaved by time (FilterLogEvents), each an index range read.

An event's place is its ``Position``, (timestamp, id): the id breaks ties between events
of the same millisecond in the order they were stored. Reads start strictly after or
before a position, which is what the page tokens carry.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nubes.services.logs.models import StoredEvent
from nubes.storage.sqlite import Database

Position = tuple[int, int]
MAX_RESPONSE_BYTES = 1_048_576
EVENT_COLUMNS = "e.id, s.name, e.ts, e.ingested_ms, e.message"


@dataclass(frozen=True, slots=True)
class TimeRange:
    """Events with ``start <= timestamp < end``, none older than ``oldest`` (retention)."""

    start: int
    end: int
    oldest: int = 0

    @property
    def low(self) -> int:
        return max(self.start, self.oldest)


def _to_event(row: sqlite3.Row) -> StoredEvent:
    return StoredEvent(row[0], row[1], row[2], row[3], row[4])


def _within_bytes(events: list[StoredEvent], max_bytes: int) -> list[StoredEvent]:
    total = 0
    for index, event in enumerate(events):
        total += len(event.message.encode("utf-8")) + 26
        if total > max_bytes and index:
            return events[:index]
    return events


def read_forward(db: Database, stream_id: int, window: TimeRange, after: Position,
                 limit: int) -> list[StoredEvent]:
    """Up to ``limit`` events of a stream after ``after``, oldest first."""
    rows = db.query(
        f"SELECT {EVENT_COLUMNS} FROM logs_events e JOIN logs_streams s ON s.id = e.stream_id"
        " WHERE e.stream_id = ? AND e.ts >= ? AND e.ts < ? AND (e.ts, e.id) > (?, ?)"
        " ORDER BY e.ts, e.id LIMIT ?",
        (stream_id, max(window.low, after[0]), window.end, after[0], after[1], limit))
    return _within_bytes([_to_event(row) for row in rows], MAX_RESPONSE_BYTES)


def read_backward(db: Database, stream_id: int, window: TimeRange, before: Position,
                  limit: int) -> list[StoredEvent]:
    """The last ``limit`` events of a stream before ``before``, oldest first."""
    rows = db.query(
        f"SELECT {EVENT_COLUMNS} FROM logs_events e JOIN logs_streams s ON s.id = e.stream_id"
        " WHERE e.stream_id = ? AND e.ts >= ? AND e.ts < ? AND (e.ts, e.id) < (?, ?)"
        " ORDER BY e.ts DESC, e.id DESC LIMIT ?",
        (stream_id, window.low, min(window.end, before[0] + 1), before[0], before[1], limit))
    newest_first = _within_bytes([_to_event(row) for row in rows], MAX_RESPONSE_BYTES)
    return newest_first[::-1]


@dataclass(frozen=True, slots=True)
class StreamSelection:
    """Which streams of a group FilterLogEvents reads: by id, by name prefix, or all."""

    ids: Sequence[int] | None = None
    prefix: str | None = None


def scan_group(db: Database, group_id: int, streams: StreamSelection, window: TimeRange,
               after: Position, limit: int) -> list[StoredEvent]:
    """Up to ``limit`` events of a group's streams after ``after``, ordered by time."""
    sql = [f"SELECT {EVENT_COLUMNS} FROM logs_events e JOIN logs_streams s"
           " ON s.id = e.stream_id WHERE e.group_id = ? AND e.ts >= ? AND e.ts < ?"
           " AND (e.ts, e.id) > (?, ?)"]
    args: list[Any] = [group_id, max(window.low, after[0]), window.end, after[0], after[1]]
    if streams.ids is not None:
        sql.append(f"AND e.stream_id IN ({', '.join('?' * len(streams.ids))})")
        args += list(streams.ids)
    if streams.prefix:
        sql.append("AND s.name >= ? AND s.name < ?")
        args += [streams.prefix, streams.prefix + "\U0010ffff"]
    sql.append("ORDER BY e.ts, e.id LIMIT ?")
    args.append(limit)
    return [_to_event(row) for row in db.query(" ".join(sql), args)]
