"""A bus's resource policy: PutPermission, RemovePermission, and whether it lets another
account put events on the bus (PutEvents naming the bus's ARN, or another account's
rule targeting it).

Statements are evaluated for ``events:PutEvents`` by an account: an ``Allow`` whose
principal is ``*``, the account, or its root user, and whose resource matches the bus;
any matching ``Deny`` wins. Statements with conditions never apply: Nubes has no
organizations to test ``aws:PrincipalOrgID`` against.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Mapping
from typing import Any

from nubes.services.base import RequestContext
from nubes.services.eventbridge import exceptions as exc
from nubes.services.eventbridge.core import EventsCore, required
from nubes.services.eventbridge.models import Bus

MAX_POLICY = 10240
_ACCOUNT = re.compile(r"\d{12}")
_SID = re.compile(r"[a-zA-Z0-9-_]{1,64}")


class PermissionOps(EventsCore):
    def put_permission(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        bus = self.event_bus(ctx, params.get("EventBusName"))
        if params.get("Policy"):
            document = _document(params["Policy"])
        else:
            document = _document(bus.policy) if bus.policy else _empty()
            statement = _statement(bus, params)
            document["Statement"] = [s for s in document["Statement"]
                                     if s.get("Sid") != statement["Sid"]] + [statement]
        text = json.dumps(document)
        if len(text) > MAX_POLICY:
            raise exc.PolicyLengthExceededException(
                "The policy of the event bus is too large.")
        self.store.update_bus(bus, policy=text, now=self.clock())
        return {}

    def remove_permission(self, ctx: RequestContext, params: dict[str, Any]
                          ) -> dict[str, Any]:
        bus = self.event_bus(ctx, params.get("EventBusName"))
        if params.get("RemoveAllPermissions"):
            self.store.update_bus(bus, policy="", now=self.clock())
            return {}
        sid = required(params, "StatementId")
        if not bus.policy:
            raise exc.ResourceNotFoundException("EventBus does not have a policy.")
        document = _document(bus.policy)
        kept = [s for s in document["Statement"] if s.get("Sid") != sid]
        if len(kept) == len(document["Statement"]):
            raise exc.ResourceNotFoundException(
                "Statement with the provided id does not exist.")
        document["Statement"] = kept
        self.store.update_bus(bus, policy=json.dumps(document) if kept else "",
                              now=self.clock())
        return {}


def allows(bus: Bus, account: str) -> bool:
    """Whether ``account`` may put events on ``bus``."""
    if account == bus.account:
        return True
    if not bus.policy:
        return False
    try:
        statements = _document(bus.policy)["Statement"]
    except exc.ValidationException:
        return False
    effects = {s.get("Effect") for s in statements if _applies(s, account, bus.arn)}
    return "Allow" in effects and "Deny" not in effects


def _applies(statement: Mapping[str, Any], account: str, arn: str) -> bool:
    if statement.get("Condition"):
        return False
    principal = statement.get("Principal")
    if principal != "*":
        wanted = principal.get("AWS") if isinstance(principal, dict) else None
        names = wanted if isinstance(wanted, list) else [wanted]
        if not any(name in ("*", account, f"arn:aws:iam::{account}:root") for name in names):
            return False
    actions = statement.get("Action")
    actions = actions if isinstance(actions, list) else [actions]
    if not any(isinstance(a, str) and fnmatch.fnmatchcase("events:PutEvents".lower(),
                                                           a.lower()) for a in actions):
        return False
    resources = statement.get("Resource", arn)
    resources = resources if isinstance(resources, list) else [resources]
    return any(isinstance(r, str) and fnmatch.fnmatchcase(arn, r) for r in resources)


def _statement(bus: Bus, params: Mapping[str, Any]) -> dict[str, Any]:
    action = params.get("Action") or "events:PutEvents"
    if action != "events:PutEvents":
        raise exc.ValidationException(
            "Provided value in parameter 'action' is not supported.")
    principal = required(params, "Principal")
    if principal != "*" and _ACCOUNT.fullmatch(principal) is None:
        raise exc.ValidationException(
            "Value of the parameter 'principal' must be '*' or a 12-digit account id.")
    sid = required(params, "StatementId")
    if _SID.fullmatch(sid) is None:
        raise exc.constraint("statementId", sid, "Member must satisfy regular expression "
                             "pattern: [a-zA-Z0-9-_]+")
    statement: dict[str, Any] = {
        "Sid": sid, "Effect": "Allow",
        "Principal": "*" if principal == "*" else {"AWS": f"arn:aws:iam::{principal}:root"},
        "Action": action, "Resource": bus.arn}
    condition = params.get("Condition")
    if condition:
        statement["Condition"] = {condition["Type"]: {condition["Key"]: condition["Value"]}}
    return statement


def _empty() -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": []}


def _document(text: str) -> dict[str, Any]:
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise exc.ValidationException("The policy is not valid JSON.")
    statements = document.get("Statement", [])
    statements = statements if isinstance(statements, list) else [statements]
    if not all(isinstance(s, dict) for s in statements):
        raise exc.ValidationException("The policy is not valid.")
    document["Statement"] = statements
    return document
