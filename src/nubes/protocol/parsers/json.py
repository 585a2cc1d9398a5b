"""JSON request bodies (json and rest-json) into dicts shaped by the model.

``json.loads`` does the syntax; converters compiled once per shape check the types and
turn timestamps, blobs and numbers into Python values. Nulls are dropped, as absent.
"""

from __future__ import annotations

import base64
import functools
import json
import math
from collections.abc import Callable
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

from nubes.protocol.exceptions import SerializationException, validation_error
from nubes.protocol.parsers.values import checked
from nubes.protocol.timestamps import parse_timestamp

JsonConverter = Callable[[Any], Any]

_SPECIAL_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def load_json(body: bytes) -> Any:
    """The decoded JSON of a body ({} when empty); SerializationException if malformed."""
    if not body:
        return {}
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise SerializationException(
            "Start of structure or map found where not expected."
        ) from None


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError
    return value


def _integer(value: Any) -> int:
    if isinstance(value, bool):
        raise TypeError
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise TypeError


def _float(value: Any) -> float:
    if isinstance(value, bool):
        raise TypeError
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        return _SPECIAL_FLOATS[value]
    raise TypeError


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError
    return value


def _blob(value: Any) -> bytes:
    if not isinstance(value, str):
        raise TypeError
    return base64.b64decode(value, validate=True)


_SCALARS: dict[str, Callable[[Any], Any]] = {
    "string": _string,
    "character": _string,
    "integer": _integer,
    "long": _integer,
    "short": _integer,
    "byte": _integer,
    "bigint": _integer,
    "float": _float,
    "double": _float,
    "bigdecimal": _float,
    "boolean": _boolean,
    "timestamp": parse_timestamp,
    "blob": _blob,
}


@functools.cache
def json_converter(shape: Shape, protocol: str) -> JsonConverter:
    """The converter from a decoded JSON value to the shape's Python value."""
    if isinstance(shape, StructureShape):
        if shape.is_document_type:
            return _document
        return _structure(shape, protocol)
    if isinstance(shape, ListShape):
        return _list(shape, protocol)
    if isinstance(shape, MapShape):
        return _map(shape, protocol)
    return checked(
        _SCALARS.get(shape.type_name, _document), validation_error(protocol), shape.type_name
    )


def _document(value: Any) -> Any:
    return value


def _structure(shape: StructureShape, protocol: str) -> JsonConverter:
    # wire name -> (member name, member shape); members bound elsewhere are not body members
    members: dict[str, tuple[str, Shape]] = {
        str(member.serialization.get("name", name)): (name, member)
        for name, member in shape.members.items()
        if not member.serialization.get("location")
    }

    def structure(value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise validation_error(protocol)(f"Invalid value {value!r}: expected a structure")
        out: dict[str, Any] = {}
        for key, item in value.items():
            found = members.get(key)
            if found is None or item is None:
                continue
            name, member = found
            out[name] = json_converter(member, protocol)(item)
        return out

    return structure


def _list(shape: ListShape, protocol: str) -> JsonConverter:
    member = shape.member

    def items(value: Any) -> list[Any]:
        if not isinstance(value, list):
            raise validation_error(protocol)(f"Invalid value {value!r}: expected a list")
        convert = json_converter(member, protocol)
        return [None if item is None else convert(item) for item in value]

    return items


def _map(shape: MapShape, protocol: str) -> JsonConverter:
    value_shape = shape.value

    def entries(value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise validation_error(protocol)(f"Invalid value {value!r}: expected a map")
        convert = json_converter(value_shape, protocol)
        return {key: convert(item) for key, item in value.items() if item is not None}

    return entries
