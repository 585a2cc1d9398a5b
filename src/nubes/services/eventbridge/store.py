"""EventBridge's buses, rules and targets in SQLite.

The default bus of an (account, region) exists implicitly: its row is written the first
time it is needed. A scheduled, enabled rule carries ``next_fire``, the epoch second of
its next tick; the scheduler claims a tick by moving ``next_fire`` on with a
compare-and-set in the transaction that writes the tick's events to the outbox
(``scheduler.py``), so each tick fires once across processes and restarts.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from nubes.services.eventbridge.models import DEFAULT_BUS, Bus, Rule, RuleState, Target
from nubes.storage.sqlite import Database

MIGRATIONS = [
    """
    CREATE TABLE events_buses (
        account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
        description TEXT, policy TEXT, created REAL NOT NULL, modified REAL NOT NULL,
        tags TEXT NOT NULL DEFAULT '{}',
        PRIMARY KEY (account, region, name));
    CREATE TABLE events_rules (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        account TEXT NOT NULL, region TEXT NOT NULL, bus TEXT NOT NULL, name TEXT NOT NULL,
        pattern TEXT, schedule TEXT, state TEXT NOT NULL, description TEXT, role_arn TEXT,
        created REAL NOT NULL, tags TEXT NOT NULL DEFAULT '{}',
        anchor REAL NOT NULL, next_fire INTEGER,
        UNIQUE (account, region, bus, name));
    CREATE INDEX events_rules_next_fire ON events_rules (next_fire)
        WHERE next_fire IS NOT NULL;
    CREATE TABLE events_targets (
        rule_id INTEGER NOT NULL REFERENCES events_rules (id) ON DELETE CASCADE,
        target_id TEXT NOT NULL, arn TEXT NOT NULL, spec TEXT NOT NULL,
        PRIMARY KEY (rule_id, target_id));
    CREATE INDEX events_targets_arn ON events_targets (arn)
    """,
]


@dataclass(frozen=True)
class RuleChange:
    """What PutRule writes (a new rule, or the replacement of an existing one)."""

    account: str
    region: str
    bus: str
    name: str
    pattern: str | None
    schedule: str | None
    state: RuleState
    description: str | None
    role_arn: str | None
    tags: dict[str, str]
    now: float
    next_fire: int | None  # the first tick of an enabled schedule


class EventsStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        db.migrate("events", MIGRATIONS)

    # -- buses --------------------------------------------------------------------------

    def ensure_default(self, account: str, region: str, now: float) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO events_buses (account, region, name, created, modified)"
            " VALUES (?, ?, ?, ?, ?)", (account, region, DEFAULT_BUS, now, now))

    def create_bus(self, account: str, region: str, name: str, description: str | None,
                   tags: dict[str, str], now: float) -> bool:
        """Whether the bus was created (False: the name is taken)."""
        try:
            self.db.execute(
                "INSERT INTO events_buses (account, region, name, description, created,"
                " modified, tags) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (account, region, name, description, now, now, json.dumps(tags)))
        except sqlite3.IntegrityError:
            return False
        return True

    def get_bus(self, account: str, region: str, name: str) -> Bus | None:
        row = self.db.query_one(
            "SELECT * FROM events_buses WHERE account = ? AND region = ? AND name = ?",
            (account, region, name))
        return _bus(row) if row else None

    def list_buses(self, account: str, region: str, prefix: str) -> list[Bus]:
        rows = self.db.query(
            "SELECT * FROM events_buses WHERE account = ? AND region = ?"
            " AND substr(name, 1, ?) = ? ORDER BY name",
            (account, region, len(prefix), prefix))
        return [_bus(row) for row in rows]

    def update_bus(self, bus: Bus, *, description: str | None = None,
                   policy: str | None = None, tags: dict[str, str] | None = None,
                   now: float) -> None:
        self.db.execute(
            "UPDATE events_buses SET description = ?, policy = ?, tags = ?, modified = ?"
            " WHERE account = ? AND region = ? AND name = ?",
            (bus.description if description is None else description,
             bus.policy if policy is None else (policy or None),
             json.dumps(bus.tags if tags is None else tags), now,
             bus.account, bus.region, bus.name))

    def delete_bus(self, account: str, region: str, name: str) -> None:
        """Delete a bus with its rules and their targets."""
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM events_rules WHERE account = ? AND region = ?"
                         " AND bus = ?", (account, region, name))
            conn.execute("DELETE FROM events_buses WHERE account = ? AND region = ?"
                         " AND name = ?", (account, region, name))

    # -- rules --------------------------------------------------------------------------

    def put_rule(self, change: RuleChange, max_rules: int) -> Rule | None:
        """Create or replace a rule (keeping its targets and tags, adding the new tags);
        None when creating it would pass ``max_rules`` on its bus."""
        c = change
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT id, tags FROM events_rules WHERE account = ? AND region = ?"
                " AND bus = ? AND name = ?", (c.account, c.region, c.bus, c.name)).fetchone()
            if row is None:
                count = conn.execute(
                    "SELECT COUNT(*) FROM events_rules WHERE account = ? AND region = ?"
                    " AND bus = ?", (c.account, c.region, c.bus)).fetchone()[0]
                if count >= max_rules:
                    return None
                conn.execute(
                    "INSERT INTO events_rules (account, region, bus, name, pattern, schedule,"
                    " state, description, role_arn, created, tags, anchor, next_fire)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (c.account, c.region, c.bus, c.name, c.pattern, c.schedule,
                     c.state.value, c.description, c.role_arn, c.now, json.dumps(c.tags),
                     c.now, c.next_fire))
            else:
                tags = {**json.loads(row["tags"]), **c.tags}
                conn.execute(
                    "UPDATE events_rules SET pattern = ?, schedule = ?, state = ?,"
                    " description = ?, role_arn = ?, tags = ?, anchor = ?, next_fire = ?"
                    " WHERE id = ?",
                    (c.pattern, c.schedule, c.state.value, c.description, c.role_arn,
                     json.dumps(tags), c.now, c.next_fire, row["id"]))
        return self.get_rule(c.account, c.region, c.bus, c.name)

    def get_rule(self, account: str, region: str, bus: str, name: str) -> Rule | None:
        row = self.db.query_one(
            "SELECT * FROM events_rules WHERE account = ? AND region = ? AND bus = ?"
            " AND name = ?", (account, region, bus, name))
        return _rule(row) if row else None

    def list_rules(self, account: str, region: str, bus: str, prefix: str) -> list[Rule]:
        rows = self.db.query(
            "SELECT * FROM events_rules WHERE account = ? AND region = ? AND bus = ?"
            " AND substr(name, 1, ?) = ? ORDER BY name",
            (account, region, bus, len(prefix), prefix))
        return [_rule(row) for row in rows]

    def set_state(self, rule: Rule, state: RuleState, next_fire: int | None, now: float
                  ) -> None:
        self.db.execute(
            "UPDATE events_rules SET state = ?, next_fire = ?, anchor = ? WHERE id = ?",
            (state.value, next_fire, now, rule.id))

    def set_rule_tags(self, rule: Rule, tags: dict[str, str]) -> None:
        self.db.execute("UPDATE events_rules SET tags = ? WHERE id = ?",
                        (json.dumps(tags), rule.id))

    def delete_rule(self, rule: Rule) -> bool:
        """Delete a rule that has no targets; False if it has some."""
        with self.db.transaction() as conn:
            if conn.execute("SELECT 1 FROM events_targets WHERE rule_id = ? LIMIT 1",
                            (rule.id,)).fetchone():
                return False
            conn.execute("DELETE FROM events_rules WHERE id = ?", (rule.id,))
        return True

    def rules_targeting(self, account: str, region: str, bus: str, arn: str) -> list[str]:
        rows = self.db.query(
            "SELECT DISTINCT r.name FROM events_targets t JOIN events_rules r"
            " ON r.id = t.rule_id WHERE r.account = ? AND r.region = ? AND r.bus = ?"
            " AND t.arn = ? ORDER BY r.name", (account, region, bus, arn))
        return [row[0] for row in rows]

    # -- targets ------------------------------------------------------------------------

    def targets(self, rule_id: int, conn: sqlite3.Connection | None = None) -> list[Target]:
        sql = "SELECT * FROM events_targets WHERE rule_id = ? ORDER BY target_id"
        rows = (conn.execute(sql, (rule_id,)).fetchall() if conn is not None
                else self.db.query(sql, (rule_id,)))
        return [Target(row["rule_id"], row["target_id"], row["arn"], json.loads(row["spec"]))
                for row in rows]

    def put_targets(self, rule_id: int, targets: Sequence[Target], limit: int) -> bool:
        """Add or replace targets; False (nothing written) if the rule would then have
        more than ``limit``."""
        with self.db.transaction() as conn:
            existing = {row[0] for row in conn.execute(
                "SELECT target_id FROM events_targets WHERE rule_id = ?", (rule_id,))}
            if len(existing | {t.id for t in targets}) > limit:
                return False
            conn.executemany(
                "INSERT OR REPLACE INTO events_targets (rule_id, target_id, arn, spec)"
                " VALUES (?, ?, ?, ?)",
                [(rule_id, t.id, t.arn, json.dumps(t.spec)) for t in targets])
        return True

    def remove_targets(self, rule_id: int, ids: Sequence[str]) -> None:
        with self.db.transaction() as conn:
            conn.executemany("DELETE FROM events_targets WHERE rule_id = ? AND target_id = ?",
                             [(rule_id, target_id) for target_id in ids])

    # -- routing and scheduling ---------------------------------------------------------

    def pattern_rules(self, conn: sqlite3.Connection, account: str, region: str, bus: str
                      ) -> list[tuple[Rule, list[Target]]]:
        """The enabled rules with a pattern on a bus, with their targets."""
        rows = conn.execute(
            "SELECT * FROM events_rules WHERE account = ? AND region = ? AND bus = ?"
            " AND pattern IS NOT NULL AND state != ?",
            (account, region, bus, RuleState.DISABLED.value)).fetchall()
        rules = [_rule(row) for row in rows]
        return [(rule, self.targets(rule.id, conn)) for rule in rules]

    def due_rules(self, conn: sqlite3.Connection, now: float, limit: int
                  ) -> list[tuple[Rule, int, float]]:
        """Scheduled rules whose next tick is due: (rule, that tick, its anchor)."""
        rows = conn.execute(
            "SELECT * FROM events_rules WHERE next_fire IS NOT NULL AND next_fire <= ?"
            " ORDER BY next_fire LIMIT ?", (now, limit)).fetchall()
        return [(_rule(row), int(row["next_fire"]), float(row["anchor"])) for row in rows]

    def advance(self, conn: sqlite3.Connection, rule_id: int, expected: int,
                next_fire: int | None) -> bool:
        """Move a rule's next tick from ``expected`` to ``next_fire`` (compare-and-set):
        True for the one caller that claims the tick."""
        return conn.execute(
            "UPDATE events_rules SET next_fire = ? WHERE id = ? AND next_fire = ?",
            (next_fire, rule_id, expected)).rowcount == 1

    def next_fire(self) -> float | None:
        row = self.db.query_one("SELECT MIN(next_fire) FROM events_rules")
        return float(row[0]) if row and row[0] is not None else None


def _bus(row: sqlite3.Row) -> Bus:
    return Bus(row["account"], row["region"], row["name"], row["description"], row["policy"],
               row["created"], row["modified"], json.loads(row["tags"]))


def _rule(row: sqlite3.Row) -> Rule:
    return Rule(row["id"], row["account"], row["region"], row["bus"], row["name"],
                row["pattern"], row["schedule"], RuleState(row["state"]), row["description"],
                row["role_arn"], row["created"], json.loads(row["tags"]))
