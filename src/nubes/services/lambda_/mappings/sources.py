"""The narrow views of other services that the pollers need, so Lambda imports none of
them. ``services.registry`` implements these over the SQS provider and the Kinesis and
DynamoDB stores and passes them to the Lambda provider.

Stream positions are integers private to each source: a checkpoint is the position of
the last record processed, and ``read(after=checkpoint)`` returns the records after it,
in order. Every method must be safe to call for a source deleted meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class QueueFacts:
    fifo: bool
    visibility_s: int  # the queue's VisibilityTimeout


@dataclass(frozen=True, slots=True)
class QueueMessage:
    """A message received (leased) for a function, in SQS's own terms."""

    message_id: str
    receipt_handle: str
    body: str
    md5_of_body: str
    attributes: dict[str, str]  # system attributes: SentTimestamp, ApproximateReceiveCount…
    # user attributes as stored: {"DataType", "StringValue" | "BinaryValue" (base64)}
    message_attributes: dict[str, dict[str, str]] = field(default_factory=dict)


class QueueSource(Protocol):
    def queue(self, arn: str) -> QueueFacts | None:
        """The queue an ARN names, or None when it does not exist."""
        ...

    async def receive(self, arn: str, count: int, wait_s: float) -> list[QueueMessage]:
        """Up to ``count`` (<= 10) messages, leased for the queue's visibility timeout;
        waits up to ``wait_s`` for the first without busy-waiting. [] if none or gone."""
        ...

    def delete(self, arn: str, receipt_handles: list[str]) -> None:
        """Delete received messages (handles no longer valid are ignored)."""
        ...

    def release(self, arn: str, receipt_handles: list[str]) -> None:
        """Make received messages visible again at once (handles no longer valid are
        ignored)."""
        ...


@dataclass(frozen=True, slots=True)
class StreamItem:
    """One stream record. Kinesis records carry ``partition_key`` and ``data``; DynamoDB
    records carry ``change``, the record as the Streams API renders it."""

    position: int
    sequence_number: str
    arrival: float  # epoch seconds
    partition_key: str = ""
    data: bytes = b""
    change: dict[str, Any] | None = None


class StreamSource(Protocol):
    def shards(self, arn: str) -> list[str] | None:
        """The shard ids of the stream an ARN names, or None when it does not exist."""
        ...

    def start(self, arn: str, shard: str, position: str, timestamp: float | None) -> int:
        """The checkpoint a new poller of ``shard`` starts after, for a StartingPosition
        (TRIM_HORIZON, LATEST, AT_TIMESTAMP with ``timestamp``)."""
        ...

    def read(self, arn: str, shard: str, after: int, limit: int) -> list[StreamItem]:
        """Up to ``limit`` records of the shard after position ``after``, in order."""
        ...


@dataclass(frozen=True, slots=True)
class Sources:
    """Everything a mapping can read from, by the service of its EventSourceArn."""

    sqs: QueueSource | None = None
    kinesis: StreamSource | None = None
    dynamodb: StreamSource | None = None
