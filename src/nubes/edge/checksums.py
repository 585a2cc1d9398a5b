"""The checksums S3 takes with an upload (``x-amz-checksum-<algorithm>``), computed as data streams.

CRC32, SHA1 and SHA256 come from the standard library. CRC32C and CRC64NVME have no
standard-library implementation; they are computed here table-driven in pure Python,
which is correct but slow (a few MB/s): clients only send them when asked to (botocore
needs its optional CRT extra for both).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import zlib
from typing import Protocol

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


def _reflected_table(polynomial: int) -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ polynomial if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


class _TableCrc:
    """A reflected CRC with all-ones initial value and final xor (CRC32C, CRC64NVME)."""

    _table: tuple[int, ...]
    _width: int

    def __init__(self) -> None:
        self._mask = (1 << (8 * self._width)) - 1
        self._value = self._mask

    def update(self, data: bytes) -> None:
        crc, table = self._value, self._table
        for byte in data:
            crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
        self._value = crc

    def digest(self) -> bytes:
        return (self._value ^ self._mask).to_bytes(self._width, "big")


class Crc32c(_TableCrc):
    _table = _reflected_table(0x82F63B78)
    _width = 4


class Crc64Nvme(_TableCrc):
    _table = _reflected_table(0x9A6C9329AC4BC9B5)
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
