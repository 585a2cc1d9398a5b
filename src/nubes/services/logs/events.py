"""Log event operations: PutLogEvents, GetLogEvents (stream pages both ways) and
FilterLogEvents (a group's events interleaved by time, through a filter pattern).

GetLogEvents' tokens are positions ``f/<timestamp>/<id>`` (read after) and
``b/<timestamp>/<id>`` (read before); a read that finds nothing answers the token it was
given, which is how AWS tells a client it has reached the end.
"""

from __future__ import annotations

from typing import Any

from nubes.services.base import RequestContext
from nubes.services.logs import exceptions as exc
from nubes.services.logs import paging
from nubes.services.logs.core import LogsCore, bounded, required
from nubes.services.logs.event_reads import (
    MAX_RESPONSE_BYTES,
    Position,
    StreamSelection,
    TimeRange,
    read_backward,
    read_forward,
    scan_group,
)
from nubes.services.logs.filter_pattern import FilterPatternError, Pattern, parse
from nubes.services.logs.models import LogGroup, StoredEvent, check_batch, check_stream_name

END_OF_TIME = 2**62
SCAN_BATCH = 1_000
SCAN_LIMIT = 100_000  # events examined per FilterLogEvents call before answering a token


def stream_token(direction: str, position: Position) -> str:
    return f"{direction}/{position[0]}/{position[1]}"


def parse_stream_token(token: str) -> tuple[str, Position]:
    parts = token.split("/")
    if len(parts) != 3 or parts[0] not in ("f", "b") or not all(
            part.isdigit() for part in parts[1:]):
        raise exc.invalid_token()
    return parts[0], (int(parts[1]), int(parts[2]))


def _window(params: dict[str, Any], group: LogGroup, now: int, end_inclusive: bool
            ) -> TimeRange:
    end = params.get("endTime")
    stop = END_OF_TIME if end is None else int(end) + (1 if end_inclusive else 0)
    return TimeRange(int(params.get("startTime") or 0), stop, group.oldest_kept_ms(now))


def _compile(text: str) -> Pattern:
    try:
        return parse(text)
    except FilterPatternError as error:
        raise exc.InvalidParameterException(f"Invalid filter pattern: {error}") from None


class EventOps(LogsCore):
    def put_log_events(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        group = self.group(ctx, required(params, "logGroupName"))
        name = required(params, "logStreamName")
        check_stream_name(name)
        stream = self.store.get_stream(group, name)
        now = self.store.clock()
        # sequenceToken is accepted and ignored, as AWS has done since January 2023.
        batch = check_batch(required(params, "logEvents"), now, group.oldest_kept_ms(now))
        self.store.append(stream, batch.accepted)
        out: dict[str, Any] = {"nextSequenceToken": f"{now:056d}"}
        if batch.rejected:
            out["rejectedLogEventsInfo"] = batch.rejected
        return out

    def get_log_events(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        group = self.group_by_identifier(ctx, params)
        name = required(params, "logStreamName")
        check_stream_name(name)
        stream = self.store.get_stream(group, name)
        limit = bounded(params, "limit", 1, 10_000, 10_000)
        window = _window(params, group, self.store.clock(), end_inclusive=False)
        token = params.get("nextToken")
        if token:
            direction, position = parse_stream_token(token)
        elif params.get("startFromHead"):
            direction, position = "f", (window.start, 0)
        else:
            direction, position = "b", (window.end, 0)
        read = read_forward if direction == "f" else read_backward
        events = read(self.store.db, stream.id, window, position, limit)
        first = (events[0].timestamp_ms, events[0].id) if events else position
        last = (events[-1].timestamp_ms, events[-1].id) if events else position
        return {
            "events": [{"timestamp": event.timestamp_ms, "message": event.message,
                        "ingestionTime": event.ingested_ms} for event in events],
            "nextForwardToken": stream_token("f", last),
            "nextBackwardToken": stream_token("b", first),
        }

    def filter_log_events(self, ctx: RequestContext, params: dict[str, Any]
                          ) -> dict[str, Any]:
        group = self.group_by_identifier(ctx, params)
        names, prefix = params.get("logStreamNames"), params.get("logStreamNamePrefix")
        if names and prefix:
            raise exc.InvalidParameterException(
                "logStreamNames and logStreamNamePrefix are mutually exclusive.")
        selection = StreamSelection(
            ids=self.store.stream_ids(group, names) if names else None, prefix=prefix)
        pattern = _compile(params.get("filterPattern") or "")
        limit = bounded(params, "limit", 1, 10_000, 10_000)
        window = _window(params, group, self.store.clock(), end_inclusive=True)
        token = params.get("nextToken")
        after = paging.decode(token, [int, int]) if token else (0, 0)
        events, next_position = self._filter(group, selection, window, pattern,
                                             (int(after[0]), int(after[1])), limit)
        out: dict[str, Any] = {
            "events": [_filtered(event) for event in events],
            "searchedLogStreams": [],  # no longer filled by AWS either (since 2020)
        }
        if next_position is not None:
            out["nextToken"] = paging.encode(list(next_position))
        return out

    def _filter(self, group: LogGroup, selection: StreamSelection, window: TimeRange,
                pattern: Pattern, after: Position, limit: int
                ) -> tuple[list[StoredEvent], Position | None]:
        """Matching events after ``after``, and where the next page starts (None: done)."""
        if selection.ids is not None and not selection.ids:
            return [], None
        found: list[StoredEvent] = []
        size = scanned = 0
        while True:
            batch = scan_group(self.store.db, group.id, selection, window, after, SCAN_BATCH)
            for event in batch:
                after = (event.timestamp_ms, event.id)
                if not pattern.matches(event.message):
                    continue
                found.append(event)
                size += len(event.message.encode("utf-8")) + 26
                if len(found) == limit or size >= MAX_RESPONSE_BYTES:
                    return found, after
            scanned += len(batch)
            if len(batch) < SCAN_BATCH:
                return found, None
            if scanned >= SCAN_LIMIT:
                return found, after


def _filtered(event: StoredEvent) -> dict[str, Any]:
    return {
        "logStreamName": event.stream_name,
        "timestamp": event.timestamp_ms,
        "message": event.message,
        "ingestionTime": event.ingested_ms,
        "eventId": f"{event.timestamp_ms:020d}{event.id:036d}",
    }
