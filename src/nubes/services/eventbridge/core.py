"""What EventBridge's operation groups share: the store, the event bus, the router, the
clock, and finding the caller's bus and rule from a request."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from nubes.events.bus import EventBus
from nubes.services.base import RequestContext
from nubes.services.eventbridge import exceptions as exc
from nubes.services.eventbridge.models import DEFAULT_BUS, Bus, Rule, parse_events_arn
from nubes.services.eventbridge.routing import Router
from nubes.services.eventbridge.store import EventsStore


class EventsCore:
    def __init__(self, store: EventsStore, bus: EventBus | None,
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.bus = bus
        self.router = Router(store)
        self.clock = clock

    def bus_name(self, ctx: RequestContext, value: Any) -> str:
        """A bus named by name or ARN (default: ``default``); an ARN elsewhere is not
        found."""
        if value is None or value == "":
            return DEFAULT_BUS
        text = str(value)
        if text.startswith("arn:"):
            parts = parse_events_arn(text)
            if parts is None or parts[2] != "event-bus":
                raise exc.invalid_parameter("EventBusName")
            region, account, _, name = parts
            if (region, account) != (ctx.region, ctx.account_id):
                raise exc.bus_not_found(name)
            return name
        return text

    def find_bus(self, account: str, region: str, name: str) -> Bus | None:
        """A bus; the default bus always exists (its row is written when first needed)."""
        bus = self.store.get_bus(account, region, name)
        if bus is None and name == DEFAULT_BUS:
            self.store.ensure_default(account, region, self.clock())
            bus = self.store.get_bus(account, region, name)
        return bus

    def event_bus(self, ctx: RequestContext, value: Any) -> Bus:
        """The caller's bus a request names; ResourceNotFoundException if none."""
        name = self.bus_name(ctx, value)
        bus = self.find_bus(ctx.account_id, ctx.region, name)
        if bus is None:
            raise exc.bus_not_found(name)
        return bus

    def rule(self, ctx: RequestContext, params: Mapping[str, Any], member: str = "Name"
             ) -> Rule:
        """The caller's rule a request names on its bus; ResourceNotFoundException if
        there is none."""
        bus = self.event_bus(ctx, params.get("EventBusName"))
        name = required(params, member)
        rule = self.store.get_rule(ctx.account_id, ctx.region, bus.name, name)
        if rule is None:
            raise exc.rule_not_found(name, bus.name)
        return rule


def required(params: Mapping[str, Any], member: str) -> str:
    value = params.get(member)
    if value is None:
        raise exc.ValidationException(f"Parameter {member} is required.")
    return str(value)


def page(items: list[Any], params: Mapping[str, Any], limit_max: int = 100
         ) -> tuple[list[Any], str | None]:
    """One page of ``items`` from ``NextToken`` (an offset) and ``Limit``."""
    limit = params.get("Limit")
    if limit is not None and not 1 <= limit <= limit_max:
        raise exc.constraint("limit", limit,
                             f"Member must have value less than or equal to {limit_max}"
                             if limit > limit_max else
                             "Member must have value greater than or equal to 1")
    token = params.get("NextToken")
    start = 0
    if token:
        if not token.isdigit():
            raise exc.ValidationException("The NextToken provided is invalid.")
        start = int(token)
    end = start + (limit or limit_max)
    return items[start:end], (str(end) if end < len(items) else None)
