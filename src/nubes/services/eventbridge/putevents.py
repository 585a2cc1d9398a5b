"""Putting events on buses: PutEvents, TestEventPattern, and ``put_internal``, through
which other buses' rules and Lambda's destinations put events onto a bus.

PutEvents checks each entry on its own (a bad entry fails in ``Entries`` with AWS's
error code, the others go on), then routes the good ones and writes every resulting
delivery to the outbox in one transaction: an acknowledged event is never lost.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from nubes.events.event import Event
from nubes.events.patterns import PatternError, compile_pattern
from nubes.services.base import RequestContext
from nubes.services.eventbridge import exceptions as exc
from nubes.services.eventbridge.core import EventsCore, required
from nubes.services.eventbridge.models import Bus, parse_events_arn
from nubes.services.eventbridge.permissions import allows
from nubes.services.eventbridge.routing import envelope

log = logging.getLogger(__name__)

MAX_ENTRIES = 10
MAX_REQUEST_BYTES = 256 * 1024
_TEST_EVENT_MEMBERS = ("id", "account", "source", "time", "region", "resources",
                       "detail-type")


class PutEventsOps(EventsCore):
    def put_events(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        entries = params.get("Entries") or []
        if not 1 <= len(entries) <= MAX_ENTRIES:
            raise exc.constraint("entries", entries,
                                 f"Member must have length less than or equal to "
                                 f"{MAX_ENTRIES}" if entries else
                                 "Member must have length greater than or equal to 1")
        if sum(entry_size(entry) for entry in entries) > MAX_REQUEST_BYTES:
            raise exc.ValidationException(
                "Total size of the entries in the request is over the limit.")
        now = self.clock()
        results: list[dict[str, str]] = []
        accepted: list[tuple[Bus, dict[str, Any]]] = []
        for entry in entries:
            problem = self._check_entry(ctx, entry)
            if isinstance(problem, tuple):
                results.append({"ErrorCode": problem[0], "ErrorMessage": problem[1]})
                continue
            moment = entry["Time"].timestamp() if isinstance(entry.get("Time"), datetime) \
                else now
            event = envelope(source=entry["Source"], detail_type=entry["DetailType"],
                             detail=json.loads(entry["Detail"]), account=ctx.account_id,
                             region=ctx.region, resources=entry.get("Resources") or [],
                             moment=moment)
            results.append({"EventId": event["id"]})
            accepted.append((problem, event))
        if accepted:
            self._publish(accepted, now)
        failed = sum(1 for result in results if "ErrorCode" in result)
        return {"FailedEntryCount": failed, "Entries": results}

    def _check_entry(self, ctx: RequestContext, entry: Mapping[str, Any]
                     ) -> Bus | tuple[str, str]:
        """The bus an entry goes to, or (error code, message) for a failed entry."""
        for member in ("Source", "DetailType", "Detail"):
            if not entry.get(member):
                return ("InvalidArgument", f"Parameter {member} is not valid. Reason: "
                        f"{member} is a required argument.")
        try:
            detail = json.loads(entry["Detail"])
        except ValueError:
            detail = None
        if not isinstance(detail, dict):
            return ("MalformedDetail", "Detail is malformed.")
        if str(entry["Source"]).startswith("aws."):
            return ("NotAuthorizedForSourceException", "Not authorized for the source.")
        named = entry.get("EventBusName")
        parts = parse_events_arn(named) if isinstance(named, str) and \
            named.startswith("arn:") else None
        if parts is not None and parts[2] == "event-bus" and parts[0] == ctx.region:
            account, name = parts[1], parts[3]  # another account's bus, if it allows
        else:
            try:
                account, name = ctx.account_id, self.bus_name(ctx, named)
            except exc.ResourceNotFoundException as error:
                return ("ResourceNotFoundException", error.message)
        bus = self.find_bus(account, ctx.region, name)
        if bus is None:
            return ("ResourceNotFoundException", f"Event bus {name} does not exist.")
        if not allows(bus, ctx.account_id):
            return ("AccessDeniedException",
                    f"User: arn:aws:iam::{ctx.account_id}:root is not authorized to perform: "
                    f"events:PutEvents on resource: {bus.arn}")
        return bus

    def _publish(self, accepted: list[tuple[Bus, dict[str, Any]]], now: float, *,
                 to_buses: bool = True) -> None:
        with self.store.db.transaction() as conn:
            outgoing: list[Event] = []
            for bus, event in accepted:
                outgoing += self.router.route(conn, bus.account, bus.region, bus.name,
                                              event, now, to_buses=to_buses)
            if outgoing and self.bus is not None:
                self.bus.publish_in(conn, outgoing)

    def test_event_pattern(self, ctx: RequestContext, params: dict[str, Any]
                           ) -> dict[str, Any]:
        try:
            pattern = compile_pattern(required(params, "EventPattern"))
        except PatternError as error:
            raise exc.InvalidEventPatternException(error.message) from None
        try:
            event = json.loads(required(params, "Event"))
        except ValueError:
            event = None
        if not isinstance(event, dict) or any(m not in event for m in _TEST_EVENT_MEMBERS):
            raise exc.invalid_parameter("Event")
        return {"Result": pattern.matches(event)}

    # -- from other services ------------------------------------------------------------

    def bus_at(self, arn: str) -> Bus | None:
        """The bus an ARN names, if it exists."""
        parts = parse_events_arn(arn)
        if parts is None or parts[2] != "event-bus":
            return None
        region, account, _, name = parts
        return self.find_bus(account, region, name)

    def may_put(self, bus: Bus, account: str) -> bool:
        """Whether ``account`` may put events on ``bus`` (its own, or its policy's)."""
        return allows(bus, account)

    def put_internal(self, event: Event) -> bool:
        """Put a bus event onto the bus its destination names: a rule's delivery to
        another bus (the event it carries), or a function's destination record (source
        ``lambda``: an event with that source and detail type, the record its detail,
        and as AWS names them, the bus and the invoked function in ``resources``).
        False when the bus does not exist or the event is not one."""
        bus = self.bus_at(event.destination)
        if bus is None:
            return False
        try:
            payload = json.loads(event.payload)
        except ValueError:
            payload = None
        if event.source == "events":
            if not isinstance(payload, dict) or not {"source", "detail-type"} <= payload.keys():
                log.warning("events: a rule's input for bus %s is not an event; dropped",
                            event.destination)
                return False
            carried = payload
        else:
            detail = payload if isinstance(payload, dict) else {}
            carried = envelope(source=event.source, detail_type=event.detail_type,
                               detail=detail, account=event.account_id,
                               region=event.region,
                               resources=[bus.arn, _invoked_arn(detail, event.source_arn)],
                               moment=self.clock())
        self._publish([(bus, carried)], self.clock(), to_buses=event.source != "events")
        return True


def entry_size(entry: Mapping[str, Any]) -> int:
    """An entry's size as AWS counts it toward the 256 KB limit."""
    size = 14 if entry.get("Time") is not None else 0
    for member in ("Source", "DetailType", "Detail"):
        size += len(str(entry.get(member) or "").encode())
    size += sum(len(str(r).encode()) for r in entry.get("Resources") or [])
    return size


def _invoked_arn(record: Mapping[str, Any], default: str) -> str:
    """The qualified ARN a Lambda invocation record names (``requestContext``)."""
    context = record.get("requestContext")
    arn = context.get("functionArn") if isinstance(context, dict) else None
    return arn if isinstance(arn, str) and arn else default
