"""What every SQS operation group shares: the store, the clock, finding a queue."""

from __future__ import annotations

import time
from typing import Any

from nubes.events import policy
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

    def queue(self, ctx: RequestContext, params: dict[str, Any], *,
              owner_only: bool = False) -> Queue:
        """The queue named by ``QueueUrl`` (any host form, or an ARN), in the caller's
        region; another account's queue if its policy lets the caller run this operation
        (never for ``owner_only`` operations)."""
        account, name = parse_queue_url(required(params, "QueueUrl"), ctx.account_id)
        found = self.store.get_queue(account, ctx.region, name)
        if found is None:
            raise exc.queue_not_found()
        if account != ctx.account_id:
            self.check_other_account(ctx, found, owner_only)
        return found

    def check_other_account(self, ctx: RequestContext, queue: Queue,
                            owner_only: bool = False) -> None:
        """AccessDenied unless the queue's policy lets the caller's account run the
        request's operation (AddPermission's statements, or any the owner wrote)."""
        operation = ctx.operation.name if ctx.operation is not None else ""
        if owner_only or operation in OWNER_ONLY or \
                not other_account_allowed(queue, ctx.account_id, operation):
            raise exc.AccessDenied(
                f"Access to the resource {queue.url(ctx.endpoint)} is denied.")

    def queue_by_arn(self, arn: str) -> Queue | None:
        parts = arn.split(":")
        if len(parts) != 6 or parts[2] != "sqs":
            return None
        return self.store.get_queue(parts[4], parts[3], parts[5])


# What no queue policy can grant another account (AWS's list of owner-only actions).
OWNER_ONLY = frozenset({
    "AddPermission", "CancelMessageMoveTask", "CreateQueue", "DeleteQueue",
    "ListMessageMoveTasks", "ListQueues", "ListQueueTags", "RemovePermission",
    "SetQueueAttributes", "StartMessageMoveTask", "TagQueue", "UntagQueue",
})

# The permission each operation needs from another account's queue policy.
_NEEDS = {"SendMessageBatch": "SendMessage", "DeleteMessageBatch": "DeleteMessage",
          "ChangeMessageVisibilityBatch": "ChangeMessageVisibility"}


def other_account_allowed(queue: Queue, caller_account: str, operation: str) -> bool:
    """Whether the queue's policy lets ``caller_account`` run ``operation`` on it."""
    action = f"sqs:{_NEEDS.get(operation, operation)}"
    return policy.allows(policy.statements_of(queue.attributes.get("Policy")), policy.Request(
        f"arn:aws:iam::{caller_account}:root", action, queue.arn))
