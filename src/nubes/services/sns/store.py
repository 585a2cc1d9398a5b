"""SNS in SQLite: topics, subscriptions, FIFO deduplication and sequence numbers, and
the queue of http(s) deliveries.

A Publish is one write transaction (``Database.transaction``): the FIFO sequence number
and deduplication entry, one bus event per sqs or lambda subscription (the outbox), and
one ``sns_http`` row per http(s) subscription, so an acknowledged message is delivered
after a crash and a refused one never is. http(s) deliveries are claimed with leases in
the store (``lease_until``), like the outbox, and retried per the subscription's delivery
policy.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from nubes.events.claims import renew_leases
from nubes.services.sns.models import Subscription, Topic
from nubes.storage.sqlite import Database

MIGRATIONS = [
    """
    CREATE TABLE sns_topics (
        arn TEXT PRIMARY KEY,
        account_id TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
        attributes TEXT NOT NULL, tags TEXT NOT NULL DEFAULT '{}',
        sequence INTEGER NOT NULL DEFAULT 0, created REAL NOT NULL
    );
    CREATE INDEX sns_topics_owner ON sns_topics (account_id, region, arn);
    CREATE TABLE sns_subscriptions (
        arn TEXT PRIMARY KEY,
        topic_arn TEXT NOT NULL, owner TEXT NOT NULL, region TEXT NOT NULL,
        protocol TEXT NOT NULL, endpoint TEXT NOT NULL, attributes TEXT NOT NULL,
        confirmed INTEGER NOT NULL, authenticated INTEGER NOT NULL DEFAULT 0,
        token TEXT NOT NULL, created REAL NOT NULL
    );
    CREATE INDEX sns_subscriptions_topic ON sns_subscriptions (topic_arn, arn);
    CREATE INDEX sns_subscriptions_owner ON sns_subscriptions (owner, region, arn);
    CREATE TABLE sns_dedup (
        topic_arn TEXT NOT NULL, dedup_id TEXT NOT NULL,
        message_id TEXT NOT NULL, sequence TEXT NOT NULL, expires REAL NOT NULL,
        PRIMARY KEY (topic_arn, dedup_id)
    );
    CREATE TABLE sns_http (
        id INTEGER PRIMARY KEY,
        subscription_arn TEXT NOT NULL, topic_arn TEXT NOT NULL,
        body TEXT NOT NULL, headers TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0, due REAL NOT NULL,
        lease_until REAL NOT NULL DEFAULT 0, created REAL NOT NULL
    );
    CREATE INDEX sns_http_due ON sns_http (due)
    """,
]

DEDUP_WINDOW_S = 300.0


@dataclass(frozen=True, slots=True)
class HttpDelivery:
    """One message (or confirmation request) for an http(s) endpoint."""

    id: int
    subscription_arn: str
    topic_arn: str
    body: str
    headers: dict[str, str]
    attempts: int


def _topic(row: sqlite3.Row) -> Topic:
    return Topic(row["arn"], row["account_id"], row["region"], row["name"],
                 json.loads(row["attributes"]), json.loads(row["tags"]))


def _subscription(row: sqlite3.Row) -> Subscription:
    return Subscription(row["arn"], row["topic_arn"], row["owner"], row["protocol"],
                        row["endpoint"], json.loads(row["attributes"]),
                        bool(row["confirmed"]), row["token"], bool(row["authenticated"]))


class SnsStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        db.migrate("sns", MIGRATIONS)

    # -- topics -------------------------------------------------------------------------

    def create_topic(self, topic: Topic) -> tuple[Topic, bool]:
        """The topic stored under its ARN and whether it was created now."""
        with self.db.transaction() as conn:
            row = conn.execute("SELECT * FROM sns_topics WHERE arn = ?",
                               (topic.arn,)).fetchone()
            if row is not None:
                return _topic(row), False
            conn.execute(
                "INSERT INTO sns_topics (arn, account_id, region, name, attributes, tags,"
                " created) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (topic.arn, topic.account_id, topic.region, topic.name,
                 json.dumps(topic.attributes), json.dumps(topic.tags), time.time()))
        return topic, True

    def get_topic(self, arn: str) -> Topic | None:
        row = self.db.query_one("SELECT * FROM sns_topics WHERE arn = ?", (arn,))
        return _topic(row) if row is not None else None

    def update_topic(self, topic: Topic) -> None:
        self.db.execute("UPDATE sns_topics SET attributes = ?, tags = ? WHERE arn = ?",
                        (json.dumps(topic.attributes), json.dumps(topic.tags), topic.arn))

    def delete_topic(self, arn: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM sns_topics WHERE arn = ?", (arn,))
            conn.execute("DELETE FROM sns_subscriptions WHERE topic_arn = ?", (arn,))
            conn.execute("DELETE FROM sns_dedup WHERE topic_arn = ?", (arn,))

    def list_topics(self, account_id: str, region: str, after: str, limit: int) -> list[str]:
        rows = self.db.query(
            "SELECT arn FROM sns_topics WHERE account_id = ? AND region = ? AND arn > ?"
            " ORDER BY arn LIMIT ?", (account_id, region, after, limit))
        return [row[0] for row in rows]

    # -- subscriptions ------------------------------------------------------------------

    def find_subscription(self, topic_arn: str, protocol: str, endpoint: str
                          ) -> Subscription | None:
        row = self.db.query_one(
            "SELECT * FROM sns_subscriptions WHERE topic_arn = ? AND protocol = ?"
            " AND endpoint = ?", (topic_arn, protocol, endpoint))
        return _subscription(row) if row is not None else None

    def get_subscription(self, arn: str) -> Subscription | None:
        row = self.db.query_one("SELECT * FROM sns_subscriptions WHERE arn = ?", (arn,))
        return _subscription(row) if row is not None else None

    def subscription_by_token(self, topic_arn: str, token: str) -> Subscription | None:
        row = self.db.query_one(
            "SELECT * FROM sns_subscriptions WHERE topic_arn = ? AND token = ?",
            (topic_arn, token))
        return _subscription(row) if row is not None else None

    def put_subscription(self, sub: Subscription, region: str,
                         deliveries: Iterable[tuple[str, dict[str, str]]] = (),
                         also: Callable[[sqlite3.Connection], None] | None = None) -> None:
        """Insert or replace a subscription, with http(s) requests to send for it (the
        confirmation request) and ``also`` (publishing on the bus) in the same
        transaction."""
        with self.db.transaction() as conn:
            if also is not None:
                also(conn)
            conn.execute(
                "INSERT INTO sns_subscriptions (arn, topic_arn, owner, region, protocol,"
                " endpoint, attributes, confirmed, authenticated, token, created)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (arn) DO UPDATE SET"
                " attributes = excluded.attributes, confirmed = excluded.confirmed,"
                " authenticated = excluded.authenticated, token = excluded.token",
                (sub.arn, sub.topic_arn, sub.owner, region, sub.protocol, sub.endpoint,
                 json.dumps(sub.attributes), int(sub.confirmed), int(sub.authenticated),
                 sub.token, time.time()))
            add_http(conn, sub.arn, sub.topic_arn, deliveries)

    def delete_subscription(self, arn: str) -> None:
        self.db.execute("DELETE FROM sns_subscriptions WHERE arn = ?", (arn,))

    def list_subscriptions(self, *, topic_arn: str | None = None,
                           owner: tuple[str, str] | None = None, after: str = "",
                           limit: int = 100) -> list[Subscription]:
        """By topic, or by owner (account, region); ordered by ARN, after ``after``."""
        if topic_arn is not None:
            rows = self.db.query(
                "SELECT * FROM sns_subscriptions WHERE topic_arn = ? AND arn > ?"
                " ORDER BY arn LIMIT ?", (topic_arn, after, limit))
        else:
            assert owner is not None
            rows = self.db.query(
                "SELECT * FROM sns_subscriptions WHERE owner = ? AND region = ? AND arn > ?"
                " ORDER BY arn LIMIT ?", (*owner, after, limit))
        return [_subscription(row) for row in rows]

    def counts(self, topic_arn: str) -> tuple[int, int]:
        """(confirmed, pending) subscriptions of a topic."""
        row = self.db.query_one(
            "SELECT COALESCE(SUM(confirmed), 0), COUNT(*) - COALESCE(SUM(confirmed), 0)"
            " FROM sns_subscriptions WHERE topic_arn = ?", (topic_arn,))
        assert row is not None
        return int(row[0]), int(row[1])

    # -- http(s) deliveries -------------------------------------------------------------

    def claim_http(self, lease_s: float, limit: int) -> list[HttpDelivery]:
        now = time.time()
        with self.db.transaction() as conn:
            rows = conn.execute(
                "UPDATE sns_http SET lease_until = ? WHERE id IN (SELECT id FROM sns_http"
                " WHERE due <= ? AND lease_until <= ? ORDER BY due, id LIMIT ?)"
                " RETURNING id, subscription_arn, topic_arn, body, headers, attempts",
                (now + lease_s, now, now, limit)).fetchall()
        rows.sort(key=lambda row: int(row[0]))
        return [HttpDelivery(row[0], row[1], row[2], row[3], json.loads(row[4]), row[5])
                for row in rows]

    def renew_http(self, deliveries: list[HttpDelivery], lease_s: float) -> None:
        """Keep holding deliveries still being sent (see ``ClaimLoop``)."""
        renew_leases(self.db, "sns_http", [d.id for d in deliveries], lease_s)

    def http_done(self, delivery: HttpDelivery) -> None:
        self.db.execute("DELETE FROM sns_http WHERE id = ?", (delivery.id,))

    def http_retry(self, delivery: HttpDelivery, delay_s: float) -> None:
        self.db.execute(
            "UPDATE sns_http SET due = ?, lease_until = 0, attempts = attempts + 1"
            " WHERE id = ?", (time.time() + delay_s, delivery.id))

    def http_defer(self, delivery: HttpDelivery, delay_s: float) -> None:
        """Send later without counting an attempt (the endpoint's throttle is full)."""
        self.db.execute("UPDATE sns_http SET due = ?, lease_until = 0 WHERE id = ?",
                        (time.time() + delay_s, delivery.id))

    def next_http_due(self) -> float | None:
        row = self.db.query_one("SELECT MIN(MAX(due, lease_until)) FROM sns_http")
        return float(row[0]) if row and row[0] is not None else None


# -- inside a Publish transaction -------------------------------------------------------


def confirmed_subscriptions(conn: sqlite3.Connection, topic_arn: str) -> list[Subscription]:
    rows = conn.execute("SELECT * FROM sns_subscriptions WHERE topic_arn = ? AND confirmed = 1"
                        " ORDER BY arn", (topic_arn,)).fetchall()
    return [_subscription(row) for row in rows]


def add_http(conn: sqlite3.Connection, subscription_arn: str, topic_arn: str,
             deliveries: Iterable[tuple[str, dict[str, str]]]) -> None:
    """Queue (body, headers) requests for an http(s) subscription."""
    now = time.time()
    for body, headers in deliveries:
        conn.execute(
            "INSERT INTO sns_http (subscription_arn, topic_arn, body, headers, due, created)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (subscription_arn, topic_arn, body, json.dumps(headers), now, now))


def deduplicated(conn: sqlite3.Connection, topic_arn: str, dedup_id: str
                 ) -> tuple[str, str] | None:
    """(message id, sequence number) of a message published with ``dedup_id`` in the
    last five minutes, or None."""
    now = time.time()
    conn.execute("DELETE FROM sns_dedup WHERE topic_arn = ? AND expires <= ?",
                 (topic_arn, now))
    row = conn.execute("SELECT message_id, sequence FROM sns_dedup WHERE topic_arn = ?"
                       " AND dedup_id = ?", (topic_arn, dedup_id)).fetchone()
    return (row[0], row[1]) if row is not None else None


def next_sequence(conn: sqlite3.Connection, topic_arn: str, dedup_id: str, message_id: str
                  ) -> str:
    """The next sequence number of a FIFO topic (20 digits, increasing), remembering the
    deduplication id for five minutes."""
    row = conn.execute("UPDATE sns_topics SET sequence = sequence + 1 WHERE arn = ?"
                       " RETURNING sequence", (topic_arn,)).fetchone()
    sequence = f"{10**19 + int(row[0] if row else 0) * 1000:020d}"
    conn.execute("INSERT OR REPLACE INTO sns_dedup (topic_arn, dedup_id, message_id,"
                 " sequence, expires) VALUES (?, ?, ?, ?, ?)",
                 (topic_arn, dedup_id, message_id, sequence, time.time() + DEDUP_WINDOW_S))
    return sequence


def topic_in(conn: sqlite3.Connection, arn: str) -> Topic | None:
    row = conn.execute("SELECT * FROM sns_topics WHERE arn = ?", (arn,)).fetchone()
    return _topic(row) if row is not None else None
