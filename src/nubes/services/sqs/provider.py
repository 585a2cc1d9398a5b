"""The SQS provider: the operation groups assembled into one class.

Queues and messages live in ``SqsStore`` (SQLite); long polls wait on ``Waiters``.
"""

from __future__ import annotations

from typing import ClassVar

from nubes.services.base import Provider
from nubes.services.sqs.internal import InternalOps
from nubes.services.sqs.messages import MessageOps
from nubes.services.sqs.movetasks import MoveTaskOps
from nubes.services.sqs.permissions import PermissionOps
from nubes.services.sqs.queues import QueueOps
from nubes.services.sqs.receive import ReceiveOps
from nubes.services.sqs.store import SqsStore
from nubes.services.sqs.waiters import Waiters


class SqsProvider(QueueOps, MessageOps, InternalOps, ReceiveOps, MoveTaskOps, PermissionOps,
                  Provider):
    service_name: ClassVar[str] = "sqs"

    def __init__(self, store: SqsStore, waiters: Waiters | None = None) -> None:
        Provider.__init__(self)
        QueueOps.__init__(self, store, waiters or Waiters())
