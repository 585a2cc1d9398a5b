"""Shard iterators: where a reader stands in a shard, as an opaque string that expires.

The string is base64 of the stream's id, the shard's index, the position (the next
record read is the first with a counter above it) and the time it was issued, with a
checksum, so a mangled iterator is refused rather than read from somewhere else.
Nothing is stored, so any process serving the API can continue any iterator. Stream ids
are never reused, so an iterator of a deleted stream finds nothing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime

from nubes.services.kinesis.exceptions import (
    ExpiredIteratorException,
    InvalidArgumentException,
)

LIFETIME_SECONDS = 5 * 60


@dataclass(frozen=True)
class ShardIterator:
    stream_id: int
    shard: int
    position: int
    issued: float


def encode(iterator: ShardIterator) -> str:
    body = (f"{iterator.stream_id}.{iterator.shard}.{iterator.position}."
            f"{round(iterator.issued * 1000)}")
    opaque = f"{body}.{_digest(body)}".encode("ascii")
    return base64.b64encode(opaque).decode("ascii")


def decode(token: str) -> ShardIterator:
    """The iterator a string stands for; InvalidArgumentException if it is not one."""
    try:
        text = base64.b64decode(token.encode("ascii"), validate=True).decode("ascii")
        body, _, digest = text.rpartition(".")
        stream_id, shard, position, issued_ms = body.split(".")
        if not hmac.compare_digest(digest, _digest(body)):
            raise ValueError(token)
        return ShardIterator(int(stream_id), int(shard), int(position),
                             int(issued_ms) / 1000)
    except (ValueError, UnicodeError, binascii.Error):
        raise InvalidArgumentException("Invalid ShardIterator.") from None


def check_fresh(iterator: ShardIterator, now: float) -> None:
    """ExpiredIteratorException, in AWS's words, for an iterator older than 5 minutes."""
    if now - iterator.issued <= LIFETIME_SECONDS:
        return
    raise ExpiredIteratorException(
        f"Iterator expired. The iterator was created at time {_java_time(iterator.issued)} "
        f"while right now it is {_java_time(now)} which is further in the future than the "
        f"tolerated delay of {LIFETIME_SECONDS * 1000} milliseconds.")


def _digest(body: str) -> str:
    return hashlib.blake2b(f"kinesis|{body}".encode(), digest_size=8).hexdigest()


def _java_time(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%a %b %d %H:%M:%S UTC %Y")
