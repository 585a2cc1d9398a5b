"""CloudWatch Logs' resources and rules, without HTTP or storage.

Names, ARNs, retention values, tags, and PutLogEvents' batch rules (order, size, the
14-day / 2-hour / retention windows that reject events into ``rejectedLogEventsInfo``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from nubes.services.logs import exceptions as exc

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
MAX_BATCH_EVENTS = 10_000
MAX_BATCH_BYTES = 1_048_576
EVENT_OVERHEAD_BYTES = 26
MAX_EVENT_BYTES = 1_048_576 - EVENT_OVERHEAD_BYTES
MAX_BATCH_SPAN_MS = 24 * HOUR_MS
TOO_OLD_MS = 14 * DAY_MS
TOO_NEW_MS = 2 * HOUR_MS
MAX_TAGS = 50
RETENTION_DAYS = frozenset({
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
    2922, 3288, 3653,
})
LOG_GROUP_CLASSES = ("STANDARD", "INFREQUENT_ACCESS", "DELIVERY")

_GROUP_NAME = re.compile(r"[.\-_/#A-Za-z0-9]{1,512}")
_GROUP_ARN = re.compile(r"arn:[^:]+:logs:([^:]*):(\d{12}):log-group:([^:]+)(?::\*)?")
_TAG_TEXT = re.compile(r"[\w\s.:/=+\-@]*", re.UNICODE)


@dataclass(frozen=True, slots=True)
class LogGroup:
    id: int
    account_id: str
    region: str
    name: str
    created_ms: int
    retention_days: int | None = None
    log_class: str = "STANDARD"
    kms_key_id: str | None = None
    stored_bytes: int = 0
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return group_arn(self.account_id, self.region, self.name)

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "logGroupName": self.name,
            "creationTime": self.created_ms,
            "metricFilterCount": 0,
            "arn": f"{self.arn}:*",
            "logGroupArn": self.arn,
            "storedBytes": self.stored_bytes,
            "logGroupClass": self.log_class,
            "deletionProtectionEnabled": False,
        }
        if self.retention_days is not None:
            out["retentionInDays"] = self.retention_days
        if self.kms_key_id:
            out["kmsKeyId"] = self.kms_key_id
        return out

    def oldest_kept_ms(self, now_ms: int) -> int:
        """Events older than this are past the retention period (0: kept forever)."""
        return now_ms - self.retention_days * DAY_MS if self.retention_days else 0


@dataclass(frozen=True, slots=True)
class LogStream:
    id: int
    group_id: int
    name: str
    created_ms: int
    first_event_ms: int | None = None
    last_event_ms: int | None = None
    last_ingestion_ms: int | None = None

    def describe(self, group: LogGroup) -> dict[str, Any]:
        out: dict[str, Any] = {
            "logStreamName": self.name,
            "creationTime": self.created_ms,
            "arn": f"{group.arn}:log-stream:{self.name}",
            "storedBytes": 0,  # AWS has reported 0 for streams since 2019
        }
        for key, value in (("firstEventTimestamp", self.first_event_ms),
                           ("lastEventTimestamp", self.last_event_ms),
                           ("lastIngestionTime", self.last_ingestion_ms)):
            if value is not None:
                out[key] = value
        return out


@dataclass(frozen=True, slots=True)
class StoredEvent:
    id: int
    stream_name: str
    timestamp_ms: int
    ingested_ms: int
    message: str


def group_arn(account_id: str, region: str, name: str) -> str:
    return f"arn:aws:logs:{region}:{account_id}:log-group:{name}"


def check_group_name(name: str) -> None:
    if not _GROUP_NAME.fullmatch(name):
        raise exc.InvalidParameterException(
            f"1 validation error detected: Value '{name}' at 'logGroupName' failed to "
            "satisfy constraint: Member must satisfy regular expression pattern: "
            r"[\.\-_/#A-Za-z0-9]+")
    if name.startswith("aws/"):
        raise exc.InvalidParameterException("Log group names can't start with 'aws/'.")


def check_stream_name(name: str) -> None:
    if not 1 <= len(name) <= 512 or ":" in name or "*" in name:
        raise exc.InvalidParameterException(
            f"1 validation error detected: Value '{name}' at 'logStreamName' failed to "
            "satisfy constraint: Member must satisfy regular expression pattern: [^:*]*")


def check_retention(days: int) -> None:
    if days not in RETENTION_DAYS:
        raise exc.InvalidParameterException(
            f"1 validation error detected: Value '{days}' at 'retentionInDays' failed to "
            "satisfy constraint: Member must satisfy enum value set: "
            f"[{', '.join(str(value) for value in sorted(RETENTION_DAYS))}]")


def check_log_class(value: str) -> None:
    if value not in LOG_GROUP_CLASSES:
        raise exc.InvalidParameterException(
            f"1 validation error detected: Value '{value}' at 'logGroupClass' failed to "
            f"satisfy constraint: Member must satisfy enum value set: {list(LOG_GROUP_CLASSES)}")


def check_tags(tags: Mapping[str, str], existing: Mapping[str, str] | None = None) -> None:
    """Tag keys 1-128 characters, values up to 256, no ``aws:`` keys, at most 50 in all."""
    for key, value in tags.items():
        if not 1 <= len(key) <= 128 or not _TAG_TEXT.fullmatch(key):
            raise exc.InvalidParameterException(f"Invalid tag key: {key!r}")
        if key.lower().startswith("aws:"):
            raise exc.InvalidParameterException("Tag keys starting with 'aws:' are reserved.")
        if len(value) > 256 or not _TAG_TEXT.fullmatch(value):
            raise exc.InvalidParameterException(f"Invalid tag value for key {key!r}")
    if len({**(existing or {}), **tags}) > MAX_TAGS:
        raise exc.TooManyTagsException(f"A resource can have no more than {MAX_TAGS} tags.")


def group_name_from_arn(arn: str, account_id: str, region: str) -> str:
    """The log group a resource ARN names, in this account and region."""
    match = _GROUP_ARN.fullmatch(arn)
    if not match or match.group(2) != account_id or match.group(1) != region:
        raise exc.ResourceNotFoundException(f"The specified resource does not exist: {arn}")
    return match.group(3)


def group_name_from_identifier(params: Mapping[str, Any], account_id: str, region: str) -> str:
    """The group named by ``logGroupName`` or ``logGroupIdentifier`` (a name or ARN)."""
    name, identifier = params.get("logGroupName"), params.get("logGroupIdentifier")
    if name is not None and identifier is not None:
        raise exc.InvalidParameterException(
            "LogGroup name and LogGroup ARN are mutually exclusive parameters.")
    if identifier is not None:
        if identifier.startswith("arn:"):
            return group_name_from_arn(identifier, account_id, region)
        return str(identifier)
    if name is None:
        raise exc.InvalidParameterException(
            "Either logGroupName or logGroupIdentifier must be specified.")
    return str(name)


@dataclass(frozen=True, slots=True)
class Batch:
    """A PutLogEvents batch after the windows: the events kept, and what was rejected."""

    accepted: list[tuple[int, str]]
    rejected: dict[str, int]


def event_size(message: str) -> int:
    return len(message.encode("utf-8")) + EVENT_OVERHEAD_BYTES


def check_batch(events: Sequence[Mapping[str, Any]], now_ms: int, oldest_kept_ms: int) -> Batch:
    """Apply PutLogEvents' rules: errors for a malformed batch, rejections for windows."""
    if not events:
        raise exc.InvalidParameterException("The batch of log events is empty.")
    if len(events) > MAX_BATCH_EVENTS:
        raise exc.InvalidParameterException(
            f"The batch of log events is larger than {MAX_BATCH_EVENTS} events.")
    stamps = [int(event["timestamp"]) for event in events]
    if any(later < earlier for earlier, later in zip(stamps, stamps[1:], strict=False)):
        raise exc.InvalidParameterException(
            "Log events in a single PutLogEvents request must be in chronological order.")
    if stamps[-1] - stamps[0] > MAX_BATCH_SPAN_MS:
        raise exc.InvalidParameterException(
            "The batch of log events in a single PutLogEvents request cannot span more than "
            "24 hours.")
    _check_sizes([str(event["message"]) for event in events])
    return _windows(stamps, [str(event["message"]) for event in events], now_ms, oldest_kept_ms)


def _check_sizes(messages: Sequence[str]) -> None:
    sizes = [event_size(message) for message in messages]
    if any(size - EVENT_OVERHEAD_BYTES > MAX_EVENT_BYTES for size in sizes):
        raise exc.InvalidParameterException("Log event too large.")
    if sum(sizes) > MAX_BATCH_BYTES:
        raise exc.InvalidParameterException(
            f"Upload too large: {sum(sizes)} bytes exceeds limit of {MAX_BATCH_BYTES}")


def _windows(stamps: Sequence[int], messages: Sequence[str], now_ms: int,
             oldest_kept_ms: int) -> Batch:
    rejected: dict[str, int] = {}
    accepted: list[tuple[int, str]] = []
    for index, (stamp, message) in enumerate(zip(stamps, messages, strict=True)):
        if stamp < oldest_kept_ms:
            rejected["expiredLogEventEndIndex"] = index
        if stamp < now_ms - TOO_OLD_MS:
            rejected["tooOldLogEventEndIndex"] = index
        if stamp > now_ms + TOO_NEW_MS:
            rejected.setdefault("tooNewLogEventStartIndex", index)
        if stamp >= max(oldest_kept_ms, now_ms - TOO_OLD_MS) and stamp <= now_ms + TOO_NEW_MS:
            accepted.append((stamp, message))
    return Batch(accepted, rejected)
