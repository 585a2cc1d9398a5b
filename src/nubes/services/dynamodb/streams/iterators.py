"""Shard iterators: where a reader stands in a shard, as an opaque string that expires.

An iterator reads ``<stream ARN>|1|<opaque part>``, as AWS's do. The opaque part holds
the stream's id, the position (records with a sequence number above it come next),
whether the reader started at the trim horizon, and when the iterator was issued; a
checksum over all of it turns a mangled iterator into a ValidationException instead of a
read from somewhere else. Nothing is stored, so any process serving the API can continue
any iterator. (The checksum is not a secret: a caller can only forge iterators for
streams of its own account, which it may read anyway.)
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime

from nubes.services.dynamodb.streams.exceptions import (
    ExpiredIteratorException,
    ValidationException,
)

LIFETIME_SECONDS = 15 * 60
_VERSION = "1"


@dataclass(frozen=True)
class ShardIterator:
    arn: str
    stream_id: int
    position: int  # the next record read is the first with a sequence number above it
    issued: float
    # Started at TRIM_HORIZON and has read nothing yet: records that age out before it is
    # used are skipped (they are behind the horizon), not TrimmedDataAccessException.
    horizon: bool = False


def encode(iterator: ShardIterator) -> str:
    body = (f"{iterator.stream_id}.{iterator.position}.{round(iterator.issued * 1000)}."
            f"{int(iterator.horizon)}")
    opaque = f"{body}.{_digest(iterator.arn, body)}".encode("ascii")
    return f"{iterator.arn}|{_VERSION}|{base64.urlsafe_b64encode(opaque).decode('ascii')}"


def decode(token: str) -> ShardIterator:
    """The iterator a string stands for; ValidationException if it is not one of ours."""
    try:
        arn, version, opaque = token.rsplit("|", 2)
        text = base64.urlsafe_b64decode(opaque.encode("ascii")).decode("ascii")
        body, _, digest = text.rpartition(".")
        stream_id, position, issued_ms, horizon = body.split(".")
        if version != _VERSION or not hmac.compare_digest(digest, _digest(arn, body)):
            raise ValueError(token)
        return ShardIterator(arn, int(stream_id), int(position), int(issued_ms) / 1000,
                             horizon == "1")
    except (ValueError, UnicodeError, binascii.Error):
        raise ValidationException("Invalid ShardIterator") from None


def check_fresh(iterator: ShardIterator, now: float) -> None:
    """ExpiredIteratorException, in AWS's words, for an iterator older than 15 minutes."""
    if now - iterator.issued <= LIFETIME_SECONDS:
        return
    raise ExpiredIteratorException(
        f"Iterator expired. The iterator was created at time {_java_time(iterator.issued)} "
        f"while right now it's {_java_time(now)} which is further in the future than the "
        f"tolerated delay of {LIFETIME_SECONDS * 1000} milliseconds.")


def _digest(arn: str, body: str) -> str:
    return hashlib.blake2b(f"{arn}|{body}".encode(), digest_size=8).hexdigest()


def _java_time(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%a %b %d %H:%M:%S UTC %Y")
