"""Dead-letter queue redrive: StartMessageMoveTask, ListMessageMoveTasks, Cancel.

A task moves the messages of a dead-letter queue back to the queues they were
dead-lettered from (or to ``DestinationArn``). Nubes moves them in one transaction when
the task starts, so a task is COMPLETED as soon as it is listed (see sqs-notes.md); the
task record stays in the store for ListMessageMoveTasks.
"""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

from nubes.services.base import RequestContext
from nubes.services.sqs import exceptions as exc
from nubes.services.sqs.core import SqsCore, bounded, now_ms, required
from nubes.services.sqs.models import Queue


def _handle(source_arn: str) -> str:
    document = {"taskId": str(uuid.uuid4()), "sourceArn": source_arn}
    return base64.b64encode(json.dumps(document).encode()).decode()


class MoveTaskOps(SqsCore):
    def _by_arn(self, ctx: RequestContext, arn: str) -> Queue:
        queue = self.queue_by_arn(arn)
        if queue is None or queue.account_id != ctx.account_id:
            raise exc.ResourceNotFoundException("The resource that you specified for the "
                                                "SourceArn parameter doesn't exist.")
        return queue

    def start_message_move_task(self, ctx: RequestContext, params: dict[str, Any]
                                ) -> dict[str, Any]:
        source = self._by_arn(ctx, required(params, "SourceArn"))
        if not self.store.queues_with_dead_letter(source.account_id, source.region,
                                                  source.arn):
            raise exc.InvalidParameterValue(
                "Source queue must be configured as a Dead Letter Queue.")
        destination_arn = params.get("DestinationArn")
        destination = self._by_arn(ctx, destination_arn) if destination_arn else None
        rate = params.get("MaxNumberOfMessagesPerSecond")
        if rate is not None:
            bounded(params, "MaxNumberOfMessagesPerSecond", 1, 500, 1)
        handle = _handle(source.arn)
        moved = self._move(source, destination)
        self.store.db.execute(
            "INSERT INTO sqs_move_tasks (handle, source_queue_id, source_arn, "
            "destination_arn, status, moved, to_move, per_second, started_ms) "
            "VALUES (?, ?, ?, ?, 'COMPLETED', ?, ?, ?, ?)",
            (handle, source.id, source.arn, destination_arn, moved, moved, rate, now_ms()))
        return {"TaskHandle": handle}

    def _move(self, source: Queue, destination: Queue | None) -> int:
        """Move every message of ``source`` back; returns how many moved."""
        now = now_ms()
        moved = 0
        with self.store.db.transaction() as conn:
            rows = conn.execute(
                "SELECT id, origin_queue_id FROM sqs_messages WHERE queue_id = ? AND "
                "expires_ms > ?", (source.id, now)).fetchall()
            for row in rows:
                target = destination or self.store_queue(row["origin_queue_id"])
                if target is None:
                    continue
                retention = target.int_attr("MessageRetentionPeriod") * 1000
                conn.execute(
                    "UPDATE sqs_messages SET queue_id = ?, origin_queue_id = NULL, "
                    "visible_ms = ?, expires_ms = ?, receive_count = 0, "
                    "first_receive_ms = NULL, token = NULL WHERE id = ?",
                    (target.id, now, now + retention, row["id"]))
                self.waiters.notify(target.id)
                moved += 1
        return moved

    def store_queue(self, queue_id: int | None) -> Queue | None:
        return self.store.queue_by_id(queue_id) if queue_id is not None else None

    def list_message_move_tasks(self, ctx: RequestContext, params: dict[str, Any]
                                ) -> dict[str, Any]:
        source = self._by_arn(ctx, required(params, "SourceArn"))
        limit = bounded(params, "MaxResults", 1, 10, 1)
        rows = self.store.db.query(
            "SELECT * FROM sqs_move_tasks WHERE source_queue_id = ? "
            "ORDER BY started_ms DESC LIMIT ?", (source.id, limit))
        return {"Results": [_describe(row) for row in rows]}

    def cancel_message_move_task(self, ctx: RequestContext, params: dict[str, Any]
                                 ) -> dict[str, Any]:
        handle = required(params, "TaskHandle")
        row = self.store.db.query_one(
            "SELECT * FROM sqs_move_tasks WHERE handle = ? AND status = 'RUNNING'", (handle,))
        if row is None:
            raise exc.ResourceNotFoundException("Task does not exist.")
        self.store.db.execute("UPDATE sqs_move_tasks SET status = 'CANCELLED' WHERE handle = ?",
                              (handle,))
        return {"ApproximateNumberOfMessagesMoved": row["moved"]}


def _describe(row: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Status": row["status"], "SourceArn": row["source_arn"],
        "ApproximateNumberOfMessagesMoved": row["moved"],
        "ApproximateNumberOfMessagesToMove": row["to_move"],
        "StartedTimestamp": row["started_ms"],
    }
    if row["destination_arn"]:
        out["DestinationArn"] = row["destination_arn"]
    if row["per_second"] is not None:
        out["MaxNumberOfMessagesPerSecond"] = row["per_second"]
    if row["status"] == "RUNNING":
        out["TaskHandle"] = row["handle"]
    return out
