"""What travels on the bus: an ``Event`` addressed to one destination, and the small
interface (``Target``) through which the bus hands events to the service that owns the
destination. Targets are registered by ``services.registry``; this package imports no
service."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Event:
    """One event for one destination.

    ``source`` is the publishing service ("s3"); ``account_id`` and ``region`` are where
    it happened; ``detail_type`` names what happened ("ObjectCreated:Put",
    "s3:TestEvent"); ``destination`` is the ARN of the queue or function to deliver to;
    ``source_arn`` is the resource it happened to (a bucket's ARN), which the
    destination's resource policy may name; ``payload`` is the body delivered, as the
    destination's service sends it (JSON text). ``options`` are delivery details some
    destinations take (for SQS: ``MessageGroupId``, ``MessageDeduplicationId``,
    ``MessageAttributes`` as JSON in SQS's wire form; for SNS: ``Subject``).
    """

    source: str
    account_id: str
    region: str
    detail_type: str
    destination: str
    source_arn: str
    payload: str
    options: Mapping[str, str] = field(default_factory=dict)

    @property
    def principal(self) -> str:
        """The service principal the event is delivered as (``s3.amazonaws.com``)."""
        return f"{self.source}.amazonaws.com"

    @property
    def as_function(self) -> bool:
        """Sent on behalf of a function (its destinations, dead-letter queue, a mapping's
        on-failure destination): AWS authorises these with the function's execution role,
        not the destination's resource policy. Nubes enforces no IAM, so targets deliver
        them to any existing destination of the same account."""
        return self.source == "lambda"


class Access(StrEnum):
    ALLOWED = "allowed"
    MISSING = "missing"  # no such destination (or no target for its service)
    DENIED = "denied"  # its resource policy does not let the source deliver


class DeliveryResult(StrEnum):
    DONE = "done"  # handed over: the destination's service owns it now
    RETRY = "retry"  # not now (busy, failing): deliver again later
    GONE = "gone"  # the destination no longer exists or no longer allows it: drop


class Target(Protocol):
    """Delivery into one service's destinations (all the ARNs of one service).

    ``check`` is asked when a source is configured (S3 validates its destinations on
    PutBucketNotificationConfiguration); ``deliver`` is called by the delivery worker,
    at least once per event. Both must be safe to call for a destination that was
    deleted meanwhile.
    """

    def check(self, destination: str, principal: str, source_arn: str,
              source_account: str) -> Access:
        """Whether ``destination`` exists and lets ``principal`` deliver to it on behalf
        of ``source_arn`` in ``source_account``."""
        ...

    async def deliver(self, event: Event) -> DeliveryResult:
        ...


def arn_service(arn: str) -> str:
    """The service of an ARN (``arn:aws:sqs:...`` -> ``sqs``), or '' if it is not one."""
    parts = arn.split(":", 3)
    return parts[2] if len(parts) > 3 and parts[0] == "arn" else ""


def arn_account(arn: str) -> str:
    """The account of an ARN (``arn:aws:sqs:us-east-1:000000000000:q`` -> the digits)."""
    parts = arn.split(":", 5)
    return parts[4] if len(parts) > 5 and parts[0] == "arn" else ""
