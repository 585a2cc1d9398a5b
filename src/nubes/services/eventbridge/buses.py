"""Event buses: CreateEventBus, DeleteEventBus, DescribeEventBus, ListEventBuses,
UpdateEventBus (its description).

Every (account, region) has the ``default`` bus without creating it; it cannot be
deleted. Deleting a custom bus deletes its rules and their targets.
"""

from __future__ import annotations

from typing import Any

from nubes.services.base import RequestContext
from nubes.services.eventbridge import exceptions as exc
from nubes.services.eventbridge.core import EventsCore, page, required
from nubes.services.eventbridge.models import DEFAULT_BUS, Bus, valid_bus_name

# Members of CreateEventBus/UpdateEventBus Nubes does not act on: refused, not stored.
_UNSUPPORTED = ("EventSourceName", "KmsKeyIdentifier", "DeadLetterConfig", "LogConfig")


class BusOps(EventsCore):
    def create_event_bus(self, ctx: RequestContext, params: dict[str, Any]
                         ) -> dict[str, Any]:
        name = required(params, "Name")
        if not valid_bus_name(name):
            raise exc.constraint("name", name, "Member must satisfy regular expression "
                                 "pattern: [/\\.\\-_A-Za-z0-9]+")
        _refuse_unsupported(params)
        if "/" in name:
            raise exc.ValidationException(
                f"Event bus name {name} is not valid: only partner event buses, created "
                "with EventSourceName, may contain '/'.")
        description = params.get("Description")
        if name == DEFAULT_BUS or not self.store.create_bus(
                ctx.account_id, ctx.region, name, description,
                _tags(params.get("Tags")), self.clock()):
            raise exc.ResourceAlreadyExistsException(f"Event bus {name} already exists.")
        bus = self.store.get_bus(ctx.account_id, ctx.region, name)
        assert bus is not None
        out: dict[str, Any] = {"EventBusArn": bus.arn}
        if description is not None:
            out["Description"] = description
        return out

    def update_event_bus(self, ctx: RequestContext, params: dict[str, Any]
                         ) -> dict[str, Any]:
        _refuse_unsupported(params)
        bus = self.event_bus(ctx, params.get("Name"))
        description = params.get("Description")
        self.store.update_bus(bus, description=description or "", now=self.clock())
        out: dict[str, Any] = {"Arn": bus.arn, "Name": bus.name}
        if description:
            out["Description"] = description
        return out

    def delete_event_bus(self, ctx: RequestContext, params: dict[str, Any]
                         ) -> dict[str, Any]:
        name = self.bus_name(ctx, required(params, "Name"))
        if name == DEFAULT_BUS:
            raise exc.ValidationException("Cannot delete event bus default.")
        self.store.delete_bus(ctx.account_id, ctx.region, name)  # absent: nothing to do
        return {}

    def describe_event_bus(self, ctx: RequestContext, params: dict[str, Any]
                           ) -> dict[str, Any]:
        return bus_entry(self.event_bus(ctx, params.get("Name")))

    def list_event_buses(self, ctx: RequestContext, params: dict[str, Any]
                         ) -> dict[str, Any]:
        self.store.ensure_default(ctx.account_id, ctx.region, self.clock())
        buses = self.store.list_buses(ctx.account_id, ctx.region,
                                      params.get("NamePrefix") or "")
        shown, token = page(buses, params)
        out: dict[str, Any] = {"EventBuses": [bus_entry(bus) for bus in shown]}
        if token:
            out["NextToken"] = token
        return out


def bus_entry(bus: Bus) -> dict[str, Any]:
    out: dict[str, Any] = {"Name": bus.name, "Arn": bus.arn, "CreationTime": bus.created,
                           "LastModifiedTime": bus.modified}
    if bus.description:
        out["Description"] = bus.description
    if bus.policy:
        out["Policy"] = bus.policy
    return out


def _refuse_unsupported(params: dict[str, Any]) -> None:
    for member in _UNSUPPORTED:
        if params.get(member):
            raise exc.ValidationException(f"Parameter {member} is not supported by Nubes.")


def _tags(tags: Any) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in tags or []}
