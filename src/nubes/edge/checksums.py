"""The checksums S3 takes with an upload (``x-amz-checksum-<algorithm>``), computed as data streams.

CRC32, SHA1 and SHA256 come from the standard library; CRC32C and CRC64NVME from awscrt,
the library AWS's own SDKs and CLI compute them with.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import zlib
from collections.abc import Callable
from typing import Protocol

from awscrt import checksums as crt_checksums

# The algorithms by the suffix of their header: x-amz-checksum-crc32 -> "crc32".
ALGORITHMS = ("crc32", "crc32c", "crc64nvme", "sha1", "sha256")
HEADER_PREFIX = "x-amz-checksum-"


class Checksum(Protocol):
    def update(self, data: bytes) -> None: ...

    def digest(self) -> bytes: ...


class Crc32:
    def __init__(self) -> None:
        self._value = 0

    def update(self, data: bytes) -> None:
        self._value = zlib.crc32(data, self._value)

    def digest(self) -> bytes:
        return self._value.to_bytes(4, "big")


class _CrtCrc:
    """CRC32C or CRC64NVME, computed by awscrt (AWS's own C implementation)."""

    _function: Callable[[bytes, int], int]
    _width: int

    def __init__(self) -> None:
        self._value = 0

    def update(self, data: bytes) -> None:
        self._value = type(self)._function(data, self._value)

    def digest(self) -> bytes:
        return self._value.to_bytes(self._width, "big")


class Crc32c(_CrtCrc):
    _function = staticmethod(crt_checksums.crc32c)
    _width = 4


class Crc64Nvme(_CrtCrc):
    _function = staticmethod(crt_checksums.crc64nvme)
    _width = 8


def new_checksum(algorithm: str) -> Checksum | None:
    """A fresh checksum for an algorithm name ("crc32", "sha256", ...), None if unknown."""
    if algorithm == "crc32":
        return Crc32()
    if algorithm == "crc32c":
        return Crc32c()
    if algorithm == "crc64nvme":
        return Crc64Nvme()
    if algorithm in ("sha1", "sha256"):
        return hashlib.new(algorithm)
    return None


def encode(digest: bytes) -> str:
    """A checksum as S3 writes it: base64 of the big-endian digest."""
    return base64.b64encode(digest).decode("ascii")


def decode(value: str) -> bytes | None:
    """The digest in a checksum header value, None if it is not valid base64."""
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
