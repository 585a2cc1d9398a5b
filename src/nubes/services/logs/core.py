"""What the CloudWatch Logs operation groups share: the store, and input checks.

botocore's model states limits the edge does not enforce (an integer's range); AWS
answers them with InvalidParameterException, and so do these helpers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nubes.services.base import RequestContext
from nubes.services.logs import exceptions as exc
from nubes.services.logs.models import LogGroup, check_group_name, group_name_from_identifier
from nubes.services.logs.store import LogStore


def bounded(params: Mapping[str, Any], name: str, low: int, high: int, default: int) -> int:
    """An integer member within [low, high], or ``default`` when absent."""
    value = params.get(name)
    if value is None:
        return default
    if not low <= int(value) <= high:
        bound = (f"greater than or equal to {low}" if value < low
                 else f"less than or equal to {high}")
        raise exc.InvalidParameterException(
            f"1 validation error detected: Value '{value}' at '{name}' failed to satisfy "
            f"constraint: Member must have value {bound}")
    return int(value)


def required(params: Mapping[str, Any], name: str) -> Any:
    value = params.get(name)
    if value is None:
        raise exc.InvalidParameterException(
            f"1 validation error detected: Value null at '{name}' failed to satisfy "
            "constraint: Member must not be null")
    return value


class LogsCore:
    """The state every operation group of the provider reads."""

    def __init__(self, store: LogStore) -> None:
        self.store = store

    def group(self, ctx: RequestContext, name: str) -> LogGroup:
        """The caller's log group named ``name``, or ResourceNotFoundException."""
        check_group_name(name)
        return self.store.get_group(ctx.account_id, ctx.region, name)

    def group_by_identifier(self, ctx: RequestContext, params: Mapping[str, Any]) -> LogGroup:
        """The group named by ``logGroupName`` or ``logGroupIdentifier`` (name or ARN)."""
        name = group_name_from_identifier(params, ctx.account_id, ctx.region)
        return self.group(ctx, name)
