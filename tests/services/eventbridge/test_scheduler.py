"""The scheduler claims each tick once: two schedulers on one SQLite file (as two
processes would share it), racing, restarting, and after ticks were missed."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from nubes.events.bus import EventBus
from nubes.services.eventbridge.models import RuleState, Target
from nubes.services.eventbridge.schedule import tick_time
from nubes.services.eventbridge.scheduler import Scheduler
from nubes.services.eventbridge.store import EventsStore, RuleChange
from nubes.storage.sqlite import Database

START = 1_800_000_000  # a whole minute
QUEUE = "arn:aws:sqs:us-east-1:000000000000:q"


class Node:
    """One process's view: its own connection, store, bus and scheduler."""

    def __init__(self, path: Path) -> None:
        self.db = Database(path)
        self.store = EventsStore(self.db)
        self.scheduler = Scheduler(self.store, EventBus(self.db))

    def outbox(self) -> list[dict[str, object]]:
        rows = self.db.query("SELECT source_arn, destination, payload FROM event_outbox"
                             " ORDER BY id")
        return [{"rule": r[0], "to": r[1], "event": json.loads(r[2])} for r in rows]


def scheduled_rule(node: Node, name: str = "tick", targets: int = 2,
                   schedule: str = "rate(1 minute)") -> int:
    rule = node.store.put_rule(RuleChange(
        "000000000000", "us-east-1", "default", name, None, schedule, RuleState.ENABLED,
        None, None, {}, float(START - 60), START), max_rules=300)
    assert rule is not None
    node.store.put_targets(rule.id, [Target(rule.id, f"t{i}", f"{QUEUE}{i}", {})
                                     for i in range(targets)], limit=5)
    return rule.id


def test_two_schedulers_fire_a_tick_once(tmp_path: Path) -> None:
    a, b = Node(tmp_path / "nubes.db"), Node(tmp_path / "nubes.db")
    rule_id = scheduled_rule(a)
    assert a.scheduler.fire_due(10, now=START - 1) == []  # not due yet
    fired = a.scheduler.fire_due(10, now=START + 0.5) + b.scheduler.fire_due(10, now=START + 0.5)
    assert fired == [rule_id]
    sent = a.outbox()
    assert sorted(str(s["to"]) for s in sent) == [f"{QUEUE}0", f"{QUEUE}1"]
    event = sent[0]["event"]
    assert isinstance(event, dict)
    assert (event["source"], event["detail-type"], event["detail"]) == (
        "aws.events", "Scheduled Event", {})
    assert event["time"] == tick_time(START)
    assert event["resources"] == ["arn:aws:events:us-east-1:000000000000:rule/tick"]
    assert sent[0]["rule"] == "arn:aws:events:us-east-1:000000000000:rule/tick"
    assert a.store.next_fire() == START + 60


def test_racing_schedulers_fire_every_tick_exactly_once(tmp_path: Path) -> None:
    a, b = Node(tmp_path / "nubes.db"), Node(tmp_path / "nubes.db")
    scheduled_rule(a, targets=1)
    ticks = 40
    for i in range(ticks):
        now = START + 60 * i + 0.5
        threads = [threading.Thread(target=node.scheduler.fire_due, args=(10, now))
                   for node in (a, b) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    times = [s["event"]["time"] for s in a.outbox()]  # type: ignore[index]
    assert times == [tick_time(START + 60 * i) for i in range(ticks)]


def test_firing_continues_after_a_restart(tmp_path: Path) -> None:
    first = Node(tmp_path / "nubes.db")
    scheduled_rule(first)
    first.scheduler.fire_due(10, now=START + 1)
    first.db.close()
    again = Node(tmp_path / "nubes.db")
    assert again.store.next_fire() == START + 60
    assert again.scheduler.fire_due(10, now=START + 2) == []  # that tick already fired
    assert len(again.scheduler.fire_due(10, now=START + 61)) == 1
    assert [s["event"]["time"] for s in again.outbox()] == [  # type: ignore[index]
        tick_time(START), tick_time(START), tick_time(START + 60), tick_time(START + 60)]


def test_missed_ticks_fire_once_for_the_latest(tmp_path: Path) -> None:
    node = Node(tmp_path / "nubes.db")
    scheduled_rule(node, targets=1, schedule="cron(0/5 * * * ? *)")
    down_until = START + 3600 + 7  # an hour without a scheduler
    assert len(node.scheduler.fire_due(10, now=down_until)) == 1
    [sent] = node.outbox()
    assert sent["event"]["time"] == tick_time(START + 3600)  # type: ignore[index]
    assert node.store.next_fire() == START + 3600 + 300


def test_a_disabled_rule_does_not_fire(tmp_path: Path) -> None:
    node = Node(tmp_path / "nubes.db")
    rule_id = scheduled_rule(node)
    rule = node.store.get_rule("000000000000", "us-east-1", "default", "tick")
    assert rule is not None and rule.id == rule_id
    node.store.set_state(rule, RuleState.DISABLED, None, START)
    assert node.scheduler.fire_due(10, now=START + 600) == []
    assert node.outbox() == []
