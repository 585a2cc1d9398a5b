"""Streams, shards and records, and the rules about them that need no HTTP and no SQL.

A partition key is routed to a shard by its MD5 digest read as a 128-bit integer (the
hash key), which falls in exactly one shard's ``HashKeyRange``; N shards split
``0..2^128-1`` evenly, as AWS does. Sequence numbers are 56-digit decimal strings like
AWS's: ``49``, the shard's index in six digits, then the shard's own counter in 48 digits,
so they increase within a shard and never repeat within a stream.
"""

from __future__ import annotations

import enum
import hashlib
import re
from dataclasses import dataclass, field

MAX_HASH_KEY = 2**128 - 1
DEFAULT_RETENTION_HOURS = 24
MAX_RETENTION_HOURS = 8760
ON_DEMAND_SHARDS = 4
_SEQUENCE_PREFIX = "49"
_SEQUENCE_DIGITS = 48
_STREAM_NAME = re.compile(r"[a-zA-Z0-9_.-]{1,128}")
_STREAM_ARN = re.compile(r"arn:aws[a-z-]*:kinesis:([a-z0-9-]+):(\d{12}):stream/(\S+)")


class StreamStatus(enum.StrEnum):
    CREATING = "CREATING"
    DELETING = "DELETING"
    ACTIVE = "ACTIVE"
    UPDATING = "UPDATING"


@dataclass(frozen=True)
class Shard:
    stream_id: int
    index: int
    start_hash: int
    end_hash: int
    next_sequence: int = 1  # the counter the shard's next record gets

    @property
    def shard_id(self) -> str:
        return shard_id(self.index)

    def holds(self, hash_key: int) -> bool:
        return self.start_hash <= hash_key <= self.end_hash


@dataclass(frozen=True)
class Stream:
    id: int
    account: str
    region: str
    name: str
    status: StreamStatus
    mode: str  # PROVISIONED | ON_DEMAND
    created: float
    retention_hours: int = DEFAULT_RETENTION_HOURS
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return stream_arn(self.region, self.account, self.name)


@dataclass(frozen=True)
class Record:
    shard_index: int
    sequence: int  # the shard's counter
    arrival: float
    partition_key: str
    data: bytes

    @property
    def sequence_number(self) -> str:
        return sequence_number(self.shard_index, self.sequence)


def stream_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:kinesis:{region}:{account}:stream/{name}"


def parse_stream_arn(arn: str) -> tuple[str, str, str] | None:
    """(region, account, name) of a stream ARN, or None if it is not one."""
    found = _STREAM_ARN.fullmatch(arn)
    return (found[1], found[2], found[3]) if found else None


def valid_stream_name(name: str) -> bool:
    return _STREAM_NAME.fullmatch(name) is not None


def shard_id(index: int) -> str:
    return f"shardId-{index:012d}"


def shard_index(text: str) -> int | None:
    """The index in a shard id (``shardId-000000000003`` -> 3), or None."""
    prefix, _, digits = text.rpartition("-")
    if prefix != "shardId" or not (digits.isascii() and digits.isdigit()):
        return None
    return int(digits)


def hash_ranges(count: int) -> list[tuple[int, int]]:
    """``count`` contiguous ranges splitting 0..2^128-1 evenly, the last taking the rest."""
    width = (MAX_HASH_KEY + 1) // count
    return [(i * width, MAX_HASH_KEY if i == count - 1 else (i + 1) * width - 1)
            for i in range(count)]


def hash_key(partition_key: str) -> int:
    """The 128-bit hash key a partition key maps to: its MD5 digest as an integer."""
    return int.from_bytes(hashlib.md5(partition_key.encode("utf-8")).digest(), "big")


def sequence_number(index: int, counter: int) -> str:
    return f"{_SEQUENCE_PREFIX}{index:06d}{counter:0{_SEQUENCE_DIGITS}d}"


def parse_sequence_number(text: str) -> tuple[int, int] | None:
    """(shard index, counter) of one of our sequence numbers, or None."""
    if not (text.isascii() and text.isdigit() and len(text) == 56
            and text.startswith(_SEQUENCE_PREFIX)):
        return None
    return int(text[2:8]), int(text[8:])
