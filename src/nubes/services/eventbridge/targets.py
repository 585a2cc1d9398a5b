"""A rule's targets: PutTargets, RemoveTargets, ListTargetsByRule.

Nubes delivers to Lambda functions (and their versions and aliases), SQS queues
(standard, and FIFO with ``SqsParameters.MessageGroupId``), SNS topics and event buses.
A target naming another service, or carrying settings Nubes does not act on
(``RetryPolicy``, ``DeadLetterConfig``, other services' parameters), is refused in
``FailedEntries`` rather than stored and ignored.
"""

from __future__ import annotations

from typing import Any

from nubes.events.event import arn_service
from nubes.services.base import RequestContext
from nubes.services.eventbridge import exceptions as exc
from nubes.services.eventbridge import transform
from nubes.services.eventbridge.core import EventsCore, page, required
from nubes.services.eventbridge.models import MAX_TARGETS_PER_RULE, Target, valid_target_id

SUPPORTED_SERVICES = ("lambda", "sqs", "sns", "events")
_ACTED_ON = ("Id", "Arn", "RoleArn", "Input", "InputPath", "InputTransformer", "SqsParameters")


class TargetOps(EventsCore):
    def put_targets(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        rule = self.rule(ctx, params, member="Rule")
        accepted: dict[str, Target] = {}
        failed: list[dict[str, str]] = []
        for spec in params.get("Targets") or []:
            target_id, arn = spec.get("Id", ""), spec.get("Arn", "")
            if not valid_target_id(target_id):
                raise exc.constraint("targets.member.id", target_id,
                                     "Member must satisfy regular expression pattern: "
                                     "[\\.\\-_A-Za-z0-9]+")
            try:
                transform.check(spec)
            except transform.TransformError as error:
                raise exc.ValidationException(str(error)) from None
            problem = _unsupported(spec)
            if problem is None and arn == self.event_bus(ctx, params.get("EventBusName")).arn:
                problem = "A rule cannot target the event bus it is on."
            if problem:
                failed.append({"TargetId": target_id, "ErrorCode": "ValidationException",
                               "ErrorMessage": problem})
                continue
            if (arn_service(arn) == "sqs" and arn.endswith(".fifo")
                    and not (spec.get("SqsParameters") or {}).get("MessageGroupId")):
                raise exc.ValidationException(
                    f"Parameter(s) SqsParameters must be specified for target: {target_id}.")
            kept = {k: v for k, v in spec.items() if k in _ACTED_ON and v is not None}
            accepted[target_id] = Target(rule.id, target_id, arn, kept)
        if accepted and not self.store.put_targets(rule.id, list(accepted.values()),
                                                   MAX_TARGETS_PER_RULE):
            raise exc.limit_exceeded()
        return {"FailedEntryCount": len(failed), "FailedEntries": failed}

    def remove_targets(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        rule = self.rule(ctx, params, member="Rule")
        self.store.remove_targets(rule.id, list(params.get("Ids") or []))
        return {"FailedEntryCount": 0, "FailedEntries": []}

    def list_targets_by_rule(self, ctx: RequestContext, params: dict[str, Any]
                             ) -> dict[str, Any]:
        rule = self.rule(ctx, params, member="Rule")
        shown, token = page(self.store.targets(rule.id), params)
        out: dict[str, Any] = {"Targets": [target.spec for target in shown]}
        if token:
            out["NextToken"] = token
        return out


def _unsupported(spec: dict[str, Any]) -> str | None:
    """Why Nubes cannot take a target, or None."""
    arn = required(spec, "Arn")
    service = arn_service(arn)
    if not service:
        return f"Parameter {arn} is not valid. Reason: Provided Arn is not in correct format."
    if service not in SUPPORTED_SERVICES:
        return f"Nubes does not deliver to {service} targets."
    for member, value in spec.items():
        if member not in _ACTED_ON and value is not None:
            return f"Parameter {member} is not supported by Nubes."
    return None
