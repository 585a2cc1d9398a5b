"""The query protocol's form parameters (``Foo.member.1.Bar=x``) into a dict by shape.

The flat parameters are read through converters compiled once per shape; a set of every
dotted prefix present tells nested structures and lists whether they were sent.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

from nubes.protocol.parsers.values import text_converter

MISSING: Any = object()

# (flat parameters, present prefixes, key) -> value or MISSING
QueryConverter = Callable[[dict[str, str], set[str], str], Any]


def prefixes(params: dict[str, str]) -> set[str]:
    """Every key and every dotted prefix of a key ("A.member.1.B" -> "A", "A.member", ...)."""
    out: set[str] = set()
    for key in params:
        out.add(key)
        dot = key.find(".")
        while dot != -1:
            out.add(key[:dot])
            dot = key.find(".", dot + 1)
    return out


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


@functools.cache
def query_converter(shape: Shape, protocol: str) -> QueryConverter:
    """The converter reading the value of ``shape`` at a key of the flat parameters."""
    if isinstance(shape, StructureShape):
        return _structure(shape, protocol)
    if isinstance(shape, ListShape):
        return _list(shape, protocol)
    if isinstance(shape, MapShape):
        return _map(shape, protocol)
    convert = text_converter(shape, protocol)

    def scalar(params: dict[str, str], present: set[str], key: str) -> Any:
        text = params.get(key)
        return MISSING if text is None else convert(text)

    return scalar


def _structure(shape: StructureShape, protocol: str) -> QueryConverter:
    members = [
        (name, str(member.serialization.get("name", name)), member)
        for name, member in shape.members.items()
    ]

    def structure(params: dict[str, str], present: set[str], key: str) -> Any:
        if key and key not in present:
            return MISSING
        out: dict[str, Any] = {}
        for name, wire, member in members:
            value = query_converter(member, protocol)(params, present, _join(key, wire))
            if value is not MISSING:
                out[name] = value
        return out

    return structure


def _list(shape: ListShape, protocol: str) -> QueryConverter:
    member = shape.member
    flattened = bool(shape.serialization.get("flattened"))
    member_name = member.serialization.get("name")

    def items(params: dict[str, str], present: set[str], key: str) -> Any:
        if key not in present:
            return MISSING
        if params.get(key) == "":
            return []  # botocore sends an empty list as "Key="
        if flattened:
            base = key if not member_name else _join(key.rpartition(".")[0], member_name)
        else:
            base = f"{key}.{member_name or 'member'}"
        convert = query_converter(member, protocol)
        out: list[Any] = []
        index = 1
        while f"{base}.{index}" in present:
            out.append(convert(params, present, f"{base}.{index}"))
            index += 1
        return out

    return items


def _map(shape: MapShape, protocol: str) -> QueryConverter:
    key_name = shape.key.serialization.get("name", "key")
    value_name = shape.value.serialization.get("name", "value")
    flattened = bool(shape.serialization.get("flattened"))
    key_shape, value_shape = shape.key, shape.value

    def entries(params: dict[str, str], present: set[str], key: str) -> Any:
        if key not in present:
            return MISSING
        base = key if flattened else f"{key}.entry"
        convert_key = query_converter(key_shape, protocol)
        convert_value = query_converter(value_shape, protocol)
        out: dict[Any, Any] = {}
        index = 1
        while f"{base}.{index}" in present:
            entry = f"{base}.{index}"
            name = convert_key(params, present, f"{entry}.{key_name}")
            value = convert_value(params, present, f"{entry}.{value_name}")
            if name is not MISSING and value is not MISSING:
                out[name] = value
            index += 1
        return out

    return entries
