"""FIFO queues' rules: deduplication (5 minutes), sequence numbers, and group locking.

A message group is locked while one of its messages is in flight: receives skip the
group until that message is deleted or its visibility timeout passes, which keeps each
group strictly in order. Deduplication ids are kept in ``sqs_dedup`` for five minutes,
per queue or per message group (``DeduplicationScope``).
"""

from __future__ import annotations

import sqlite3

from nubes.services.sqs import exceptions as exc
from nubes.services.sqs.digests import sha256_of_body
from nubes.services.sqs.models import Queue
from nubes.services.sqs.records import NewMessage, Sent

DEDUP_WINDOW_MS = 5 * 60 * 1000
SCAN_LIMIT = 10_000  # rows a FIFO receive looks through for unlocked groups


def sequence_number(row_id: int) -> str:
    """A message's SequenceNumber: increasing per queue, 20 digits as AWS writes them."""
    return f"{18_000_000_000_000_000_000 + row_id}"


def check_send(queue: Queue, message: NewMessage, delay_given: bool) -> None:
    """The parameters a FIFO message must have; fills its deduplication id."""
    if not queue.fifo:
        if message.dedup_id is not None:
            raise exc.InvalidParameterValue(
                "Value for parameter MessageDeduplicationId is invalid. Reason: The request "
                "includes a parameter that is not valid for this queue type.")
        return
    if delay_given:
        raise exc.InvalidParameterValue(
            "Value for parameter DelaySeconds is invalid. Reason: The request include "
            "parameter that is not valid for this queue type.")
    if not message.group_id:
        raise exc.missing("MessageGroupId")
    if message.dedup_id is None:
        if queue.attributes.get("ContentBasedDeduplication") != "true":
            raise exc.InvalidParameterValue(
                "The queue should either have ContentBasedDeduplication enabled or "
                "MessageDeduplicationId provided explicitly")
        message.dedup_id = sha256_of_body(message.body)


def _key(queue: Queue, message: NewMessage) -> str:
    if queue.attributes.get("DeduplicationScope") == "messageGroup":
        return f"{message.group_id}\x00{message.dedup_id}"
    return str(message.dedup_id)


def duplicate(conn: sqlite3.Connection, queue: Queue, message: NewMessage,
              now_ms: int) -> Sent | None:
    """The first send's answer if this message repeats one of the last five minutes."""
    conn.execute("DELETE FROM sqs_dedup WHERE queue_id = ? AND expires_ms <= ?",
                 (queue.id, now_ms))
    row = conn.execute(
        "SELECT message_id, sequence FROM sqs_dedup WHERE queue_id = ? AND dedup_key = ?",
        (queue.id, _key(queue, message))).fetchone()
    return Sent(row["message_id"], row["sequence"]) if row else None


def remember(conn: sqlite3.Connection, queue: Queue, message: NewMessage,
             sequence: str | None, now_ms: int) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO sqs_dedup (queue_id, dedup_key, message_id, sequence, "
        "expires_ms) VALUES (?, ?, ?, ?, ?)",
        (queue.id, _key(queue, message), message.message_id, sequence,
         now_ms + DEDUP_WINDOW_MS))


def candidates(conn: sqlite3.Connection, queue_id: int, now_ms: int,
               count: int) -> list[sqlite3.Row]:
    """The next messages to deliver: in order, none from a group with one in flight."""
    blocked = {row[0] for row in conn.execute(
        "SELECT DISTINCT group_id FROM sqs_messages WHERE queue_id = ? AND visible_ms > ? "
        "AND receive_count > 0", (queue_id, now_ms))}
    out: list[sqlite3.Row] = []
    rows = conn.execute("SELECT * FROM sqs_messages WHERE queue_id = ? ORDER BY id LIMIT ?",
                        (queue_id, SCAN_LIMIT))
    for row in rows:
        group = row["group_id"]
        if group in blocked:
            continue
        if row["visible_ms"] > now_ms:
            blocked.add(group)  # an earlier message of the group is not deliverable yet
            continue
        out.append(row)
        if len(out) >= count:
            break
    return out
