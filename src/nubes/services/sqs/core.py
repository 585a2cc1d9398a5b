"""What every SQS operation group shares: the store, the clock, finding a queue."""

from __future__ import annotations

import time
from typing import Any

from nubes.services.base import RequestContext
from nubes.services.sqs import exceptions as exc
from nubes.services.sqs.models import Queue, parse_queue_url
from nubes.services.sqs.store import SqsStore
from nubes.services.sqs.waiters import Waiters


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def required(params: dict[str, Any], name: str) -> Any:
    value = params.get(name)
    if value is None or value == "":
        raise exc.missing(name)
    return value


def bounded(params: dict[str, Any], name: str, low: int, high: int, default: int) -> int:
    value = params.get(name)
    if value is None:
        return default
    if not low <= int(value) <= high:
        raise exc.InvalidParameterValue(
            f"Value {value} for parameter {name} is invalid. Reason: Must be between "
            f"{low} and {high}, if provided.")
    return int(value)


class SqsCore:
    def __init__(self, store: SqsStore, waiters: Waiters) -> None:
        self.store = store
        self.waiters = waiters
        self.purged: dict[int, float] = {}  # queue id -> when it was last purged (monotonic)

    def queue(self, ctx: RequestContext, params: dict[str, Any]) -> Queue:
        """The queue named by ``QueueUrl`` (any host form, or an ARN), in the caller's region."""
        account, name = parse_queue_url(required(params, "QueueUrl"), ctx.account_id)
        found = self.store.get_queue(account, ctx.region, name)
        if found is None or account != ctx.account_id:
            raise exc.queue_not_found()
        return found

    def queue_by_arn(self, arn: str) -> Queue | None:
        parts = arn.split(":")
        if len(parts) != 6 or parts[2] != "sqs":
            return None
        return self.store.get_queue(parts[4], parts[3], parts[5])
