"""Timestamps on the wire: parsing every format clients send, formatting AWS's.

Formats are botocore's names: ``iso8601`` ("2009-10-12T17:50:30.000Z"), ``rfc822``
("Wed, 12 Oct 2009 17:50:30 GMT") and ``unixTimestamp`` (epoch seconds, a number).
Parsing accepts any of them whatever the model says, as AWS does; the results are
timezone-aware datetimes in UTC.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from botocore.utils import parse_timestamp as _botocore_parse

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def parse_timestamp(value: Any) -> datetime:
    """A UTC datetime from an epoch number or a string in any format; ValueError if none fits."""
    if isinstance(value, bool):
        raise ValueError("a boolean is not a timestamp")
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    if not isinstance(value, str) or not value:
        raise ValueError(f"not a timestamp: {value!r}")
    first = value[0]
    if first.isdigit() or first == "-":
        if "-" in value[1:] or "T" in value:
            return _parse_iso(value)
        return datetime.fromtimestamp(float(value), UTC)
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return _fallback(value)
    return _as_utc(parsed)


def _parse_iso(value: str) -> datetime:
    try:
        return _as_utc(datetime.fromisoformat(value))
    except ValueError:
        return _fallback(value)


def _fallback(value: str) -> datetime:
    try:
        parsed = _botocore_parse(value)
    except Exception as exc:  # botocore raises a bare ValueError subclass or others
        raise ValueError(f"not a timestamp: {value!r}") from exc
    return _as_utc(parsed)


def _as_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def to_datetime(value: Any) -> datetime:
    """A provider's timestamp value (datetime, naive meaning UTC, or epoch) as UTC."""
    if isinstance(value, datetime):
        return _as_utc(value)
    return parse_timestamp(value)


def format_iso8601(value: Any) -> str:
    """'2009-10-12T17:50:30.000Z', with milliseconds as AWS sends them."""
    dt = to_datetime(value)
    return (
        f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}T{dt.hour:02d}:{dt.minute:02d}:"
        f"{dt.second:02d}.{dt.microsecond // 1000:03d}Z"
    )


def format_rfc822(value: Any) -> str:
    """'Wed, 12 Oct 2009 17:50:30 GMT' (HTTP dates carry whole seconds only)."""
    dt = to_datetime(value)
    return (
        f"{_DAYS[dt.weekday()]}, {dt.day:02d} {_MONTHS[dt.month]} {dt.year:04d} "
        f"{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d} GMT"
    )


def format_epoch(value: Any) -> int | float:
    """Epoch seconds: an int when whole, else a float with millisecond precision."""
    dt = to_datetime(value)
    seconds = dt.timestamp()
    if dt.microsecond == 0:
        return int(seconds)
    return round(seconds, 3)


def formatter(timestamp_format: str) -> Callable[[Any], str | int | float]:
    """The formatting function for a botocore timestamp format name."""
    name = timestamp_format.lower()
    if name == "rfc822":
        return format_rfc822
    if name == "unixtimestamp":
        return format_epoch
    return format_iso8601
