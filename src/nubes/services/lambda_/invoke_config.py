"""Asynchronous invocation configuration: Put/Update/Get/Delete/ListFunctionEventInvokeConfig(s).

A configuration belongs to a function and a qualifier ($LATEST, a version or an alias)
and says how often a failed event is retried, how long an event may wait in the queue,
and where records of successes and failures go. ``invoke.run_event`` acts on it.
"""

from __future__ import annotations

import re
import time
from typing import Any

from nubes.errors import ServiceError
from nubes.events.event import arn_service
from nubes.services.base import RequestContext
from nubes.services.lambda_ import exceptions as exc
from nubes.services.lambda_.arns import LATEST, FunctionRef, function_arn, parse_resource_arn
from nubes.services.lambda_.core import LambdaCore
from nubes.services.lambda_.invoke_config_store import InvokeConfig, InvokeConfigStore

MAX_ITEMS = 50
DESTINATION_PATTERN = (
    r"$|kafka://([^.]([a-zA-Z0-9\-_.]{0,248}))|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:"
    r"([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*)"
)
_DESTINATION = re.compile(f"^(?:{DESTINATION_PATTERN})$")
DESTINATION_SERVICES = ("sqs", "sns", "lambda", "events")
RETRY_RANGE = (0, 2)
AGE_RANGE = (60, 21600)


class InvokeConfigOps(LambdaCore):
    invoke_configs: InvokeConfigStore

    def put_function_event_invoke_config(self, ctx: RequestContext, params: dict[str, Any]
                                         ) -> dict[str, Any]:
        ref, qualifier = self._configurable(ctx, params)
        config = InvokeConfig(qualifier, params.get("MaximumRetryAttempts"),
                              params.get("MaximumEventAgeInSeconds"),
                              *self._destinations(ref, params), last_modified=time.time())
        self.invoke_configs.put(ref.account_id, ref.region, ref.name, config)
        return _output(ref, config)

    def update_function_event_invoke_config(self, ctx: RequestContext, params: dict[str, Any]
                                            ) -> dict[str, Any]:
        ref, qualifier = self._configurable(ctx, params)
        old = self._existing(ref, qualifier)
        on_success, on_failure = self._destinations(ref, params)
        if params.get("DestinationConfig") is None:  # each setting replaced when given
            on_success, on_failure = old.on_success, old.on_failure
        config = InvokeConfig(
            qualifier,
            _pick(params, "MaximumRetryAttempts", old.max_retries),
            _pick(params, "MaximumEventAgeInSeconds", old.max_age),
            on_success, on_failure, last_modified=time.time())
        self.invoke_configs.put(ref.account_id, ref.region, ref.name, config)
        return _output(ref, config)

    def get_function_event_invoke_config(self, ctx: RequestContext, params: dict[str, Any]
                                         ) -> dict[str, Any]:
        ref = self.ref(ctx, params)
        qualifier = ref.qualifier or LATEST
        return _output(ref, self._existing(ref, qualifier))

    def delete_function_event_invoke_config(self, ctx: RequestContext, params: dict[str, Any]
                                            ) -> dict[str, Any]:
        ref = self.ref(ctx, params)
        qualifier = ref.qualifier or LATEST
        self._existing(ref, qualifier)
        self.invoke_configs.delete(ref.account_id, ref.region, ref.name, qualifier)
        ctx.status = 204
        return {}

    def list_function_event_invoke_configs(self, ctx: RequestContext, params: dict[str, Any]
                                           ) -> dict[str, Any]:
        ref = self.ref(ctx, params)
        if self.store.function(ref.account_id, ref.region, ref.name) is None:
            raise exc.ResourceNotFound("The function doesn't exist.")
        limit = params.get("MaxItems") or MAX_ITEMS
        _check_range(limit, "maxItems", (1, MAX_ITEMS))
        configs = [c for c in self.invoke_configs.list(ref.account_id, ref.region, ref.name)
                   if self._current(ref, c)]
        marker = params.get("Marker")
        if marker:
            configs = [c for c in configs if c.qualifier > marker]
        page = configs[:limit]
        out: dict[str, Any] = {"FunctionEventInvokeConfigs": [_output(ref, c) for c in page]}
        if len(configs) > limit:
            out["NextMarker"] = page[-1].qualifier
        return out

    # -- checks -------------------------------------------------------------------------

    def _configurable(self, ctx: RequestContext, params: dict[str, Any]
                      ) -> tuple[FunctionRef, str]:
        """The function and qualifier a Put or Update names, both existing, with the
        settings checked."""
        if all(params.get(member) is None for member in (
                "MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig")):
            raise exc.InvalidParameterValue(
                "You must specify at least one of error handling or destination setting.")
        _check_range(params.get("MaximumRetryAttempts"), "maximumRetryAttempts", RETRY_RANGE)
        _check_range(params.get("MaximumEventAgeInSeconds"), "maximumEventAgeInSeconds",
                     AGE_RANGE)
        ref = self.ref(ctx, params)
        try:
            self.resolve(ref)
        except exc.ResourceNotFound:
            raise exc.ResourceNotFound("The function doesn't exist.") from None
        return ref, ref.qualifier or LATEST

    def _existing(self, ref: FunctionRef, qualifier: str) -> InvokeConfig:
        config = self.invoke_configs.get(ref.account_id, ref.region, ref.name, qualifier)
        if config is None or not self._current(ref, config):
            arn = function_arn(ref.account_id, ref.region, ref.name, qualifier)
            raise exc.ResourceNotFound(f"The function {arn} doesn't have an EventInvokeConfig")
        return config

    def _current(self, ref: FunctionRef, config: InvokeConfig) -> bool:
        """Whether the alias a configuration belongs to still exists (functions and
        versions delete theirs; an alias's goes when it is next looked at)."""
        qualifier = config.qualifier
        if qualifier == LATEST or qualifier.isdigit() or self.alias_of(ref, qualifier):
            return True
        self.invoke_configs.delete(ref.account_id, ref.region, ref.name, qualifier)
        return False

    def _destinations(self, ref: FunctionRef, params: dict[str, Any]
                      ) -> tuple[str | None, str | None]:
        """(OnSuccess, OnFailure) destination ARNs of a DestinationConfig, checked as AWS
        checks them; an empty Destination removes one."""
        given = params.get("DestinationConfig") or {}
        on_success = (given.get("OnSuccess") or {}).get("Destination") or None
        on_failure = (given.get("OnFailure") or {}).get("Destination") or None
        for member, arn in (("onSuccess", on_success), ("onFailure", on_failure)):
            if arn is not None and _DESTINATION.match(arn) is None:
                raise exc.Validation(arn, f"destinationConfig.{member}.destination",
                                     "Member must satisfy regular expression pattern: "
                                     f"{DESTINATION_PATTERN}")
        for member, arn in (("onSuccess", on_success), ("onFailure", on_failure)):
            if arn is None:
                continue
            service = arn_service(arn)
            if service == "s3" and member == "onFailure":
                raise exc.InvalidParameterValue(
                    "Nubes does not deliver records of asynchronous invocations to S3 buckets; "
                    "use an SQS queue, SNS topic, Lambda function or EventBridge event bus.")
            if service not in DESTINATION_SERVICES:
                raise exc.InvalidParameterValue(
                    "The provided destination config DestinationConfig("
                    f"onSuccess={_part('OnSuccess', on_success)}, "
                    f"onFailure={_part('OnFailure', on_failure)}) is invalid.")
            if service == "lambda":
                self._check_function_destination(ref, arn)
        return on_success, on_failure

    def _check_function_destination(self, ref: FunctionRef, arn: str) -> None:
        try:
            target = parse_resource_arn(arn)
            self.resolve(target)
        except ServiceError:
            raise exc.InvalidParameterValue(f"The destination ARN {arn} is invalid.") from None
        if (target.account_id, target.region, target.name) == (
                ref.account_id, ref.region, ref.name):
            raise exc.InvalidParameterValue(
                "You can't specify the function as a destination for itself.")


def _pick(params: dict[str, Any], member: str, old: int | None) -> int | None:
    value = params.get(member)
    return old if value is None else int(value)


def _check_range(value: int | None, member: str, bounds: tuple[int, int]) -> None:
    if value is None:
        return
    low, high = bounds
    if value < low:
        raise exc.Validation(value, member, "Member must have value greater than or equal "
                             f"to {low}")
    if value > high:
        raise exc.Validation(value, member, "Member must have value less than or equal to "
                             f"{high}")


def _part(name: str, arn: str | None) -> str:
    return f"{name}(destination={arn})" if arn else "null"


def _output(ref: FunctionRef, config: InvokeConfig) -> dict[str, Any]:
    out: dict[str, Any] = {
        "LastModified": config.last_modified,
        "FunctionArn": function_arn(ref.account_id, ref.region, ref.name, config.qualifier),
        "DestinationConfig": {
            "OnSuccess": {"Destination": config.on_success} if config.on_success else {},
            "OnFailure": {"Destination": config.on_failure} if config.on_failure else {},
        },
    }
    if config.max_retries is not None:
        out["MaximumRetryAttempts"] = config.max_retries
    if config.max_age is not None:
        out["MaximumEventAgeInSeconds"] = config.max_age
    return out
