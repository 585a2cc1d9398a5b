"""The message records the store reads and writes, and the options of a receive."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nubes.services.sqs.models import Queue


@dataclass
class NewMessage:
    """A message to enqueue, checked and digested."""

    message_id: str
    body: str
    attributes: dict[str, dict[str, str]]
    md5_attributes: str | None
    system: dict[str, Any]
    sender_id: str
    delay_s: int = 0
    group_id: str | None = None
    dedup_id: str | None = None


@dataclass
class Sent:
    message_id: str
    sequence: str | None = None


@dataclass
class StoredMessage:
    """A message as a receive answers it (lease already taken)."""

    id: int
    message_id: str
    body: str
    attributes: dict[str, dict[str, str]]
    md5_attributes: str | None
    system: dict[str, Any]
    sender_id: str
    sent_ms: int
    receive_count: int
    first_receive_ms: int | None
    token: str
    group_id: str | None
    dedup_id: str | None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReceiveOptions:
    count: int
    visibility_s: int
    dead_letter: Queue | None = None  # where messages received too often go
    max_receives: int = 0
