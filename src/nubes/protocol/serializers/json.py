"""Values into JSON-ready data, by shape (json and rest-json bodies).

Encoders are compiled once per shape: timestamps become epoch seconds unless the shape's
``timestampFormat`` says otherwise, blobs base64 text, and None members are dropped.
"""

from __future__ import annotations

import base64
import functools
import json
import math
from collections.abc import Callable
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

from nubes.protocol.timestamps import formatter

JsonEncoder = Callable[[Any], Any]


def dumps(document: Any) -> bytes:
    """Compact JSON bytes."""
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _identity(value: Any) -> Any:
    return value


def _blob(value: Any) -> str:
    return base64.b64encode(value.encode() if isinstance(value, str) else value).decode("ascii")


def _float(value: Any) -> Any:
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


@functools.cache
def json_encoder(shape: Shape) -> JsonEncoder:
    """The encoder of a value of ``shape`` into JSON-ready data."""
    if isinstance(shape, StructureShape):
        if shape.is_document_type:
            return _identity
        return _structure(shape)
    if isinstance(shape, ListShape):
        return _list(shape)
    if isinstance(shape, MapShape):
        return _map(shape)
    type_name = shape.type_name
    if type_name == "timestamp":
        fmt = formatter(shape.serialization.get("timestampFormat", "unixTimestamp"))
        return fmt
    if type_name == "blob":
        return _blob
    if type_name in ("float", "double"):
        return _float
    return _identity


def body_members(shape: StructureShape) -> dict[str, tuple[str, Shape]]:
    """Member name -> (JSON key, shape), for members that travel in the body."""
    return {
        name: (str(member.serialization.get("name", name)), member)
        for name, member in shape.members.items()
        if not member.serialization.get("location")
    }


def _structure(shape: StructureShape) -> JsonEncoder:
    members = body_members(shape)

    def structure(value: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, item in value.items():
            found = members.get(name)
            if found is None or item is None:
                continue
            key, member = found
            out[key] = json_encoder(member)(item)
        return out

    return structure


def _list(shape: ListShape) -> JsonEncoder:
    member = shape.member

    def items(value: Any) -> list[Any]:
        encode = json_encoder(member)
        if encode is _identity:
            return list(value)
        return [encode(item) for item in value]

    return items


def _map(shape: MapShape) -> JsonEncoder:
    value_shape = shape.value

    def entries(value: Any) -> dict[str, Any]:
        encode = json_encoder(value_shape)
        return {key: encode(item) for key, item in value.items() if item is not None}

    return entries
