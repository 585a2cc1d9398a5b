"""The digests SQS answers with: MD5 of the body, and of the message attributes.

The attributes' MD5 is AWS's: attributes sorted by name, each written as its name, its
data type, a transport byte (1 string, 2 binary) and its value, every variable-length
part preceded by its length as a 4-byte big-endian integer. SDKs recompute it and refuse
an answer that differs.
"""

from __future__ import annotations

import hashlib
from typing import Any

_STRING, _BINARY = b"\x01", b"\x02"


def md5_of_body(body: str) -> str:
    return hashlib.md5(body.encode("utf-8")).hexdigest()


def _sized(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def md5_of_attributes(attributes: dict[str, dict[str, Any]]) -> str | None:
    """AWS's MD5OfMessageAttributes, or None when there are no attributes."""
    if not attributes:
        return None
    digest = hashlib.md5()
    for name in sorted(attributes):
        value = attributes[name]
        data_type = str(value["DataType"])
        digest.update(_sized(name.encode("utf-8")) + _sized(data_type.encode("utf-8")))
        if "BinaryValue" in value and value["BinaryValue"] is not None:
            binary = value["BinaryValue"]
            raw = binary if isinstance(binary, bytes) else bytes(binary)
            digest.update(_BINARY + _sized(raw))
        else:
            digest.update(_STRING + _sized(str(value.get("StringValue", "")).encode("utf-8")))
    return digest.hexdigest()


def sha256_of_body(body: str) -> str:
    """The deduplication id of content-based deduplication."""
    return hashlib.sha256(body.encode("utf-8")).hexdigest()
