"""AddPermission / RemovePermission: statements in the queue's ``Policy`` attribute that let
other accounts call the queue's operations, evaluated by ``SqsCore.queue`` on every
request from another account."""

from __future__ import annotations

import json
import re
from typing import Any

from nubes.services.base import RequestContext
from nubes.services.sqs import exceptions as exc
from nubes.services.sqs.core import SqsCore, required
from nubes.services.sqs.models import Queue

# What AddPermission may grant (the rest is the owner's alone).
SHARED_ACTIONS = frozenset({
    "*", "SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility",
    "GetQueueAttributes", "GetQueueUrl", "ListDeadLetterSourceQueues", "PurgeQueue",
})
MAX_ACTIONS = 7
_LABEL = re.compile(r"^[A-Za-z0-9_-]{1,80}$")


def _document(queue: Queue) -> dict[str, Any]:
    text = queue.attributes.get("Policy")
    if text:
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            return parsed
    return {"Version": "2012-10-17", "Id": f"{queue.arn}/SQSDefaultPolicy", "Statement": []}


def _one_or_list(values: list[str]) -> str | list[str]:
    return values[0] if len(values) == 1 else values


class PermissionOps(SqsCore):
    def add_permission(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        queue = self.queue(ctx, params, owner_only=True)
        label = required(params, "Label")
        accounts = [str(a) for a in required(params, "AWSAccountIds")]
        actions = [str(a) for a in required(params, "Actions")]
        if not _LABEL.match(label):
            raise exc.InvalidParameterValue(
                f"Value {label} for parameter Label is invalid. Reason: Can only include "
                f"alphanumeric characters, hyphens, or underscores. 1 to 80 in length.")
        if len(actions) > MAX_ACTIONS:
            raise exc.OverLimit(
                f"{len(actions)} Actions were found, maximum allowed is {MAX_ACTIONS}.")
        for action in actions:
            if action not in SHARED_ACTIONS:
                raise exc.InvalidParameterValue(
                    f"Value SQS:{action} for parameter ActionName is invalid. Reason: Only "
                    f"the queue owner is allowed to invoke this action.")
        for account in accounts:
            if not re.fullmatch(r"\d{12}", account):
                raise exc.InvalidParameterValue(
                    f"Value {account} for parameter PrincipalId is invalid. Reason: Unable "
                    f"to verify.")
        document = _document(queue)
        statements = document.setdefault("Statement", [])
        if any(isinstance(s, dict) and s.get("Sid") == label for s in statements):
            raise exc.InvalidParameterValue(
                f"Value {label} for parameter Label is invalid. Reason: Already exists.")
        statements.append({
            "Sid": label, "Effect": "Allow",
            "Principal": {"AWS": _one_or_list([f"arn:aws:iam::{a}:root" for a in accounts])},
            "Action": _one_or_list([f"SQS:{a}" for a in actions]),
            "Resource": queue.arn,
        })
        queue.attributes["Policy"] = json.dumps(document, separators=(",", ":"))
        self.store.update_queue(queue)
        return {}

    def remove_permission(self, ctx: RequestContext, params: dict[str, Any]
                          ) -> dict[str, Any]:
        queue = self.queue(ctx, params, owner_only=True)
        label = required(params, "Label")
        document = _document(queue)
        statements = [s for s in document.get("Statement", []) if isinstance(s, dict)]
        kept = [s for s in statements if s.get("Sid") != label]
        if len(kept) == len(statements):
            raise exc.InvalidParameterValue(
                f"Value {label} for parameter Label is invalid. Reason: can't find label on "
                f"existing policy.")
        if kept:
            document["Statement"] = kept
            queue.attributes["Policy"] = json.dumps(document, separators=(",", ":"))
        else:
            queue.attributes.pop("Policy", None)
        self.store.update_queue(queue)
        return {}
