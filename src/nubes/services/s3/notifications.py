"""Event notifications: which of a bucket's configurations an object change matches, and
the records S3 delivers for it (AWS's event message structure, version 2.1).

Events are published on the event bus inside the write transaction of the change
(``store.AfterWrite``), one per matching configuration, addressed to its queue or
function; the bus delivers them. A configuration is accepted only if the bus can deliver
to each of its destinations: the queue or function exists and its resource policy lets
``s3.amazonaws.com`` send from this bucket, as S3 checks.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus

from nubes.events.bus import EventBus
from nubes.events.event import Access, Event
from nubes.protocol.serializers.errors import host_id
from nubes.services.base import RequestContext
from nubes.services.s3 import exceptions as exc
from nubes.services.s3.configs import NOTIFICATION_KINDS, event_matches, key_matches_filter
from nubes.services.s3.models import NULL_VERSION, Bucket, ObjectVersion
from nubes.services.s3.store import AfterWrite, notification_in

SOURCE_IP = "127.0.0.1"  # Nubes listens on loopback; the edge does not pass the peer on
# What S3 says of a destination it cannot deliver to, by service and what is wrong.
_REASONS = {
    ("sqs", Access.MISSING): "The destination queue does not exist",
    ("sqs", Access.DENIED): "Permissions on the destination queue do not allow S3 to "
                            "publish notifications from this bucket",
    ("sns", Access.MISSING): "The destination topic does not exist",
    ("sns", Access.DENIED): "Permissions on the destination topic do not allow S3 to "
                            "publish notifications from this bucket",
}


def bucket_arn(name: str) -> str:
    return f"arn:aws:s3:::{name}"


def event_time(seconds: float) -> str:
    """S3's eventTime: ISO 8601, UTC, milliseconds, 'Z'."""
    moment = datetime.fromtimestamp(seconds, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def encode_key(key: str) -> str:
    """An object key as event records carry it: form-URL-encoded, spaces as '+'."""
    return quote_plus(key, safe="/")


def destinations(config: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(destination ARN, configuration entry) of every entry of a configuration."""
    for kind, (arn_member, _) in NOTIFICATION_KINDS.items():
        for entry in config.get(kind) or []:
            yield entry[arn_member], entry


def matching(config: Mapping[str, Any], event_name: str, key: str
             ) -> list[tuple[str, dict[str, Any]]]:
    """The entries an event ("ObjectCreated:Put") on ``key`` matches."""
    return [(arn, entry) for arn, entry in destinations(config)
            if any(event_matches(pattern, f"s3:{event_name}") for pattern in entry["Events"])
            and key_matches_filter(key, entry.get("Filter"))]


@dataclass(frozen=True, slots=True)
class Change:
    """Who changed an object, as the records say it."""

    request_id: str
    principal_id: str

    @classmethod
    def of(cls, ctx: RequestContext) -> Change:
        return cls(ctx.request_id, ctx.account_id)


def record(bucket: Bucket, change: Change, event_name: str, version: ObjectVersion,
           configuration_id: str, now: float) -> dict[str, Any]:
    """One entry of ``Records``, exactly as S3 writes it."""
    obj: dict[str, Any] = {"key": encode_key(version.key)}
    if event_name.startswith("ObjectCreated:"):
        obj["size"] = version.size
        obj["eTag"] = version.etag.strip('"')
    if version.version_id and version.version_id != NULL_VERSION:
        obj["versionId"] = version.version_id
    obj["sequencer"] = f"{time.time_ns():018X}"
    return {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": bucket.region,
        "eventTime": event_time(now),
        "eventName": event_name,
        "userIdentity": {"principalId": change.principal_id},
        "requestParameters": {"sourceIPAddress": SOURCE_IP},
        "responseElements": {"x-amz-request-id": change.request_id,
                             "x-amz-id-2": host_id(change.request_id)},
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": configuration_id,
            "bucket": {"name": bucket.name,
                       "ownerIdentity": {"principalId": bucket.account_id},
                       "arn": bucket_arn(bucket.name)},
            "object": obj,
        },
    }


def removal_name(version: ObjectVersion) -> str:
    return "ObjectRemoved:DeleteMarkerCreated" if version.delete_marker else \
        "ObjectRemoved:Delete"


def _options(arn: str) -> dict[str, str]:
    """Delivery options by destination: a topic's messages carry S3's subject."""
    return {"Subject": "Amazon S3 Notification"} if arn.split(":")[2] == "sns" else {}


class Notifier:
    """Publishes a bucket's object events on the bus and checks its destinations."""

    def __init__(self, bus: EventBus) -> None:
        self.bus = bus

    def after(self, ctx: RequestContext, bucket: Bucket, event_name: str | None
              ) -> AfterWrite:
        """The hook a write runs in its transaction; ``event_name`` None for removals
        (Delete or DeleteMarkerCreated, as the version says)."""
        change = Change.of(ctx)

        def publish(conn: sqlite3.Connection, version: ObjectVersion) -> None:
            config = notification_in(conn, bucket.name)
            if not config:
                return
            name = event_name or removal_name(version)
            now = time.time()
            events = [
                Event("s3", bucket.account_id, bucket.region, name, arn,
                      bucket_arn(bucket.name),
                      json.dumps({"Records": [record(bucket, change, name, version,
                                                     entry["Id"], now)]},
                                 separators=(",", ":")), _options(arn))
                for arn, entry in matching(config, name, version.key)
            ]
            self.bus.publish_in(conn, events)

        return publish

    def check(self, bucket: Bucket, config: Mapping[str, Any]) -> None:
        """InvalidArgument naming each destination S3 could not deliver to."""
        fields: dict[str, Any] = {}
        for arn, _ in destinations(config):
            if any(value == arn for value in fields.values()):
                continue
            access = self.bus.check(arn, "s3.amazonaws.com", bucket_arn(bucket.name),
                                    bucket.account_id)
            if access is not Access.ALLOWED:
                n = len(fields) // 2 + 1
                fields[f"ArgumentName{n}"] = arn
                fields[f"ArgumentValue{n}"] = _REASONS.get(
                    (arn.split(":")[2], access), f"Not authorized to invoke function [{arn}]")
        if fields:
            raise exc.InvalidArgument("Unable to validate the following destination "
                                      "configurations", fields=fields)

    def test_events(self, ctx: RequestContext, bucket: Bucket, config: Mapping[str, Any]
                    ) -> None:
        """The s3:TestEvent S3 sends each queue (and topic) when a configuration is set."""
        body = json.dumps({
            "Service": "Amazon S3", "Event": "s3:TestEvent", "Time": event_time(time.time()),
            "Bucket": bucket.name, "RequestId": ctx.request_id,
            "HostId": host_id(ctx.request_id),
        }, separators=(",", ":"))
        queues = dict.fromkeys(arn for arn, _ in destinations(config)
                               if arn.split(":")[2] in ("sqs", "sns"))
        self.bus.publish(*(Event("s3", bucket.account_id, bucket.region, "s3:TestEvent", arn,
                                 bucket_arn(bucket.name), body, _options(arn))
                           for arn in queues))

