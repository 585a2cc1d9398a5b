"""From an event on a bus to the bus ``Event``s that carry it to its rules' targets.

An event is matched against the enabled pattern rules of its bus; for each match and
each of the rule's targets there is one ``Event`` (source ``events``, so destinations
see the ``events.amazonaws.com`` principal; ``source_arn`` the rule's ARN), its payload
what ``transform.render`` makes for the target. Compiled patterns are cached by their
text, so a busy bus compiles each pattern once.
"""

from __future__ import annotations

import logging
import sqlite3
import time
import uuid
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from nubes.events.event import Event, arn_service
from nubes.events.patterns import Pattern, PatternError, compile_pattern
from nubes.services.eventbridge import transform
from nubes.services.eventbridge.models import Rule, Target
from nubes.services.eventbridge.store import EventsStore

log = logging.getLogger(__name__)

_CACHE_SIZE = 1024


def iso_time(moment: float) -> str:
    """An event's ``time``: UTC, second precision, with Z."""
    return datetime.fromtimestamp(int(moment), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def envelope(*, source: str, detail_type: str, detail: Any, account: str, region: str,
             resources: Sequence[str], moment: float, event_id: str | None = None
             ) -> dict[str, Any]:
    """An event as EventBridge delivers it, its members in AWS's order."""
    return {"version": "0", "id": event_id or str(uuid.uuid4()), "detail-type": detail_type,
            "source": source, "account": account, "time": iso_time(moment),
            "region": region, "resources": list(resources), "detail": detail}


def target_events(rule: Rule, targets: Sequence[Target], event: Mapping[str, Any],
                  now: float) -> list[Event]:
    """The bus events delivering ``event`` to each of a matched rule's targets."""
    out = []
    for target in targets:
        payload = transform.render(target.spec, event, rule.arn, rule.name, iso_time(now))
        options: dict[str, str] = {}
        group = (target.spec.get("SqsParameters") or {}).get("MessageGroupId")
        if group:
            options["MessageGroupId"] = group
        out.append(Event("events", rule.account, rule.region, str(event["detail-type"]),
                         target.arn, rule.arn, payload, options))
    return out


class Router:
    def __init__(self, store: EventsStore) -> None:
        self.store = store
        self._patterns: OrderedDict[str, Pattern | None] = OrderedDict()

    def pattern(self, text: str) -> Pattern | None:
        """The compiled pattern (None if a stored pattern no longer compiles)."""
        try:
            self._patterns.move_to_end(text)
            return self._patterns[text]
        except KeyError:
            pass
        try:
            compiled: Pattern | None = compile_pattern(text)
        except PatternError:
            log.warning("events: a stored pattern does not compile: %s", text)
            compiled = None
        self._patterns[text] = compiled
        if len(self._patterns) > _CACHE_SIZE:
            self._patterns.popitem(last=False)
        return compiled

    def route(self, conn: sqlite3.Connection, account: str, region: str, bus: str,
              event: Mapping[str, Any], now: float | None = None, *,
              to_buses: bool = True) -> list[Event]:
        """The bus events for ``event`` put on ``bus``, read in the caller's transaction.
        Without ``to_buses`` (an event that came from another bus), targets that are
        buses are left out: an event travels one bus-to-bus hop, so rules cannot loop."""
        now = time.time() if now is None else now
        out: list[Event] = []
        for rule, targets in self.store.pattern_rules(conn, account, region, bus):
            pattern = self.pattern(rule.pattern or "")
            if not to_buses:
                targets = [t for t in targets if arn_service(t.arn) != "events"]
            if targets and pattern is not None and pattern.matches(event):
                out.extend(target_events(rule, targets, event, now))
        return out
