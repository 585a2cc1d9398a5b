"""Scalars from their text form (headers, query strings, URI labels, XML text, forms).

Each converter is built once per (shape, error class) and raises the protocol's
validation error when the text does not fit the shape's type.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
from collections.abc import Callable
from typing import Any

from botocore.model import Shape

from nubes.errors import ServiceError
from nubes.protocol.exceptions import validation_error
from nubes.protocol.timestamps import parse_timestamp

TextConverter = Callable[[str], Any]

_BOOLEANS = {"true": True, "false": False}


def _identity(text: str) -> str:
    return text


def _boolean(text: str) -> bool:
    return _BOOLEANS[text.lower()]


def _blob(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def _json_value(text: str) -> Any:
    return json.loads(base64.b64decode(text))


_SCALARS: dict[str, TextConverter] = {
    "string": _identity,
    "character": _identity,
    "integer": int,
    "long": int,
    "short": int,
    "byte": int,
    "bigint": int,
    "float": float,
    "double": float,
    "bigdecimal": float,
    "boolean": _boolean,
    "timestamp": parse_timestamp,
    "blob": _blob,
}


def checked(
    convert: Callable[[Any], Any], fault: type[ServiceError], type_name: str
) -> Callable[[Any], Any]:
    """``convert``, raising ``fault`` instead of the errors a bad value causes."""

    def run(value: Any) -> Any:
        try:
            return convert(value)
        except (ValueError, TypeError, KeyError, binascii.Error, OverflowError):
            raise fault(f"Invalid value {value!r}: expected a {type_name}") from None

    return run


@functools.cache
def text_converter(shape: Shape, protocol: str, *, header: bool = False) -> TextConverter:
    """The converter of a scalar shape's text; ``header`` decodes jsonvalue strings."""
    type_name = shape.type_name
    if header and type_name == "string" and shape.serialization.get("jsonvalue"):
        return checked(_json_value, validation_error(protocol), "base64-encoded JSON value")
    convert = _SCALARS.get(type_name, _identity)
    if convert is _identity:
        return _identity
    return checked(convert, validation_error(protocol), type_name)


def split_header_list(value: str) -> list[str]:
    """A comma-separated header value as items, honouring double-quoted items."""
    if '"' not in value:
        return [item.strip() for item in value.split(",")]
    items: list[str] = []
    current: list[str] = []
    quoted = False
    escaped = False
    for char in value:
        if escaped:
            current.append(char)
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            items.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    items.append("".join(current).strip())
    return items
