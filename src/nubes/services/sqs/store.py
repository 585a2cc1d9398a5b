"""SQS in SQLite: queues, messages, FIFO deduplication and move tasks.

A message is a row; its lease is its ``visible_ms``. Receiving claims rows in one write
transaction (``visible_ms <= now`` -> ``now + visibility``), so a lease lives in the store,
not in a process: a message received and not deleted comes back when ``visible_ms``
passes, across restarts, and two processes never hold the same lease. ``receive_count > 0``
tells an in-flight message (``visible_ms > now``) from a delayed one.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any

from nubes.services.sqs import exceptions as exc
from nubes.services.sqs import fifo
from nubes.services.sqs.models import Queue
from nubes.services.sqs.records import NewMessage, ReceiveOptions, Sent, StoredMessage
from nubes.storage.sqlite import Database

MIGRATIONS = [
    """
    CREATE TABLE sqs_queues (
        id INTEGER PRIMARY KEY,
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        name TEXT NOT NULL,
        attributes TEXT NOT NULL,
        tags TEXT NOT NULL DEFAULT '{}',
        created_s INTEGER NOT NULL,
        modified_s INTEGER NOT NULL,
        UNIQUE (account_id, region, name)
    );
    CREATE TABLE sqs_messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        queue_id INTEGER NOT NULL,
        message_id TEXT NOT NULL,
        body TEXT NOT NULL,
        attributes TEXT NOT NULL,
        md5_attributes TEXT,
        system TEXT NOT NULL,
        sender_id TEXT NOT NULL,
        sent_ms INTEGER NOT NULL,
        visible_ms INTEGER NOT NULL,
        expires_ms INTEGER NOT NULL,
        receive_count INTEGER NOT NULL DEFAULT 0,
        first_receive_ms INTEGER,
        token TEXT,
        group_id TEXT,
        dedup_id TEXT,
        origin_queue_id INTEGER
    );
    CREATE INDEX sqs_messages_visible ON sqs_messages (queue_id, visible_ms);
    CREATE INDEX sqs_messages_expires ON sqs_messages (queue_id, expires_ms);
    CREATE TABLE sqs_dedup (
        queue_id INTEGER NOT NULL,
        dedup_key TEXT NOT NULL,
        message_id TEXT NOT NULL,
        sequence TEXT,
        expires_ms INTEGER NOT NULL,
        PRIMARY KEY (queue_id, dedup_key)
    );
    CREATE TABLE sqs_move_tasks (
        handle TEXT PRIMARY KEY,
        source_queue_id INTEGER NOT NULL,
        source_arn TEXT NOT NULL,
        destination_arn TEXT,
        status TEXT NOT NULL,
        moved INTEGER NOT NULL,
        to_move INTEGER NOT NULL,
        per_second INTEGER,
        started_ms INTEGER NOT NULL,
        failure TEXT
    )
    """,
]


def _queue(row: sqlite3.Row) -> Queue:
    return Queue(id=row["id"], account_id=row["account_id"], region=row["region"],
                 name=row["name"], attributes=json.loads(row["attributes"]),
                 tags=json.loads(row["tags"]), created_s=row["created_s"],
                 modified_s=row["modified_s"])


def _stored(row: sqlite3.Row) -> StoredMessage:
    return StoredMessage(
        id=row["id"], message_id=row["message_id"], body=row["body"],
        attributes=json.loads(row["attributes"]), md5_attributes=row["md5_attributes"],
        system=json.loads(row["system"]), sender_id=row["sender_id"], sent_ms=row["sent_ms"],
        receive_count=row["receive_count"], first_receive_ms=row["first_receive_ms"],
        token=row["token"] or "", group_id=row["group_id"], dedup_id=row["dedup_id"])


class SqsStore:
    """Queues and their messages; every method is one short transaction."""

    def __init__(self, db: Database) -> None:
        self.db = db
        db.migrate("sqs", MIGRATIONS)

    # -- queues ---------------------------------------------------------------

    def get_queue(self, account_id: str, region: str, name: str) -> Queue | None:
        row = self.db.query_one(
            "SELECT * FROM sqs_queues WHERE account_id = ? AND region = ? AND name = ?",
            (account_id, region, name))
        return _queue(row) if row else None

    def queue_by_id(self, queue_id: int) -> Queue | None:
        row = self.db.query_one("SELECT * FROM sqs_queues WHERE id = ?", (queue_id,))
        return _queue(row) if row else None

    def create_queue(self, queue: Queue) -> tuple[Queue, bool]:
        """The queue, created unless one of that name exists (returned, with False)."""
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT * FROM sqs_queues WHERE account_id = ? AND region = ? AND name = ?",
                (queue.account_id, queue.region, queue.name)).fetchone()
            if row is not None:
                return _queue(row), False
            cursor = conn.execute(
                "INSERT INTO sqs_queues (account_id, region, name, attributes, tags, "
                "created_s, modified_s) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (queue.account_id, queue.region, queue.name, json.dumps(queue.attributes),
                 json.dumps(queue.tags), queue.created_s, queue.modified_s))
            queue.id = int(cursor.lastrowid or 0)
            return queue, True

    def list_queues(self, account_id: str, region: str, prefix: str, after: str,
                    limit: int) -> list[Queue]:
        rows = self.db.query(
            "SELECT * FROM sqs_queues WHERE account_id = ? AND region = ? AND name >= ? "
            "AND name < ? AND name > ? ORDER BY name LIMIT ?",
            (account_id, region, prefix, prefix + "\U0010ffff", after, limit))
        return [_queue(row) for row in rows]

    def queues_with_dead_letter(self, account_id: str, region: str, arn: str) -> list[Queue]:
        rows = self.db.query(
            "SELECT * FROM sqs_queues WHERE account_id = ? AND region = ? "
            "AND instr(attributes, ?) > 0 ORDER BY name", (account_id, region, arn))
        return [q for q in map(_queue, rows) if (q.redrive() or ("",))[0] == arn]

    def delete_queue(self, queue_id: int) -> None:
        with self.db.transaction() as conn:
            for table in ("sqs_messages", "sqs_dedup"):
                conn.execute(f"DELETE FROM {table} WHERE queue_id = ?", (queue_id,))
            conn.execute("DELETE FROM sqs_queues WHERE id = ?", (queue_id,))

    def update_queue(self, queue: Queue) -> None:
        self.db.execute(
            "UPDATE sqs_queues SET attributes = ?, tags = ?, modified_s = ? WHERE id = ?",
            (json.dumps(queue.attributes), json.dumps(queue.tags), queue.modified_s, queue.id))

    def counts(self, queue_id: int, now_ms: int) -> tuple[int, int, int]:
        """(visible, in flight, delayed) messages of a queue."""
        row = self.db.query_one(
            "SELECT COALESCE(SUM(visible_ms <= :now), 0), "
            "COALESCE(SUM(visible_ms > :now AND receive_count > 0), 0), "
            "COALESCE(SUM(visible_ms > :now AND receive_count = 0), 0) "
            "FROM sqs_messages WHERE queue_id = :queue AND expires_ms > :now",
            {"now": now_ms, "queue": queue_id})
        assert row is not None
        return int(row[0]), int(row[1]), int(row[2])

    def purge(self, queue_id: int) -> None:
        self.db.execute("DELETE FROM sqs_messages WHERE queue_id = ?", (queue_id,))

    # -- messages -------------------------------------------------------------

    def send(self, queue: Queue, messages: Iterable[NewMessage], now_ms: int) -> list[Sent]:
        """Enqueue messages in one transaction (FIFO duplicates answered, not enqueued)."""
        retention_ms = queue.int_attr("MessageRetentionPeriod") * 1000
        out: list[Sent] = []
        with self.db.transaction() as conn:
            for message in messages:
                if queue.fifo:
                    seen = fifo.duplicate(conn, queue, message, now_ms)
                    if seen is not None:
                        out.append(seen)
                        continue
                row_id = _insert(conn, queue.id, message, now_ms, retention_ms)
                sequence = fifo.sequence_number(row_id) if queue.fifo else None
                if queue.fifo:
                    fifo.remember(conn, queue, message, sequence, now_ms)
                out.append(Sent(message.message_id, sequence))
        return out

    def receive(self, queue: Queue, options: ReceiveOptions, now_ms: int,
                new_token: Any) -> list[StoredMessage]:
        """Claim up to ``options.count`` visible messages; ``new_token()`` makes receipts."""
        out: list[StoredMessage] = []
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM sqs_messages WHERE queue_id = ? AND expires_ms <= ?",
                         (queue.id, now_ms))
            rows = (fifo.candidates(conn, queue.id, now_ms, options.count) if queue.fifo
                    else conn.execute(
                        "SELECT * FROM sqs_messages WHERE queue_id = ? AND visible_ms <= ? "
                        "ORDER BY id LIMIT ?", (queue.id, now_ms, options.count)).fetchall())
            for row in rows:
                dead = options.dead_letter
                if dead is not None and row["receive_count"] >= options.max_receives:
                    _dead_letter(conn, row, dead, now_ms)
                    continue
                token = str(new_token())
                conn.execute(
                    "UPDATE sqs_messages SET visible_ms = ?, receive_count = receive_count + 1,"
                    " first_receive_ms = COALESCE(first_receive_ms, ?), token = ? "
                    "WHERE id = ?", (now_ms + options.visibility_s * 1000, now_ms, token,
                                     row["id"]))
                message = _stored(row)
                message.receive_count += 1
                message.first_receive_ms = message.first_receive_ms or now_ms
                message.token = token
                out.append(message)
        return out

    def delete_message(self, queue_id: int, row_id: int) -> None:
        self.db.execute("DELETE FROM sqs_messages WHERE id = ? AND queue_id = ?",
                        (row_id, queue_id))

    def change_visibility(self, queue_id: int, row_id: int, visible_ms: int,
                          now_ms: int) -> None:
        """Move an in-flight message's lease deadline; MessageNotInflight if it is not."""
        changed = self.db.execute(
            "UPDATE sqs_messages SET visible_ms = ? WHERE id = ? AND queue_id = ? "
            "AND visible_ms > ? AND receive_count > 0", (visible_ms, row_id, queue_id, now_ms))
        if not changed:
            raise exc.MessageNotInflight("Message does not exist or is not available for "
                                         "visibility timeout change.")


def _insert(conn: sqlite3.Connection, queue_id: int, message: NewMessage, now_ms: int,
            retention_ms: int) -> int:
    cursor = conn.execute(
        "INSERT INTO sqs_messages (queue_id, message_id, body, attributes, md5_attributes, "
        "system, sender_id, sent_ms, visible_ms, expires_ms, group_id, dedup_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (queue_id, message.message_id, message.body, json.dumps(message.attributes),
         message.md5_attributes, json.dumps(message.system), message.sender_id, now_ms,
         now_ms + message.delay_s * 1000, now_ms + retention_ms, message.group_id,
         message.dedup_id))
    return int(cursor.lastrowid or 0)


def _dead_letter(conn: sqlite3.Connection, row: sqlite3.Row, dead: Queue, now_ms: int) -> None:
    """Move a message received too often to the dead-letter queue (its enqueue time kept)."""
    retention_ms = dead.int_attr("MessageRetentionPeriod") * 1000
    conn.execute(
        "UPDATE sqs_messages SET queue_id = ?, origin_queue_id = ?, visible_ms = ?, "
        "expires_ms = ?, token = NULL WHERE id = ?",
        (dead.id, row["queue_id"], now_ms, row["sent_ms"] + retention_ms, row["id"]))
