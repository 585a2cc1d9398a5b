"""Values into XML elements, by shape (rest-xml bodies and query protocol results).

Writers are compiled once per shape and append string parts to a list; the caller joins
them. Timestamps default to ISO 8601 with milliseconds, as AWS sends them.
"""

from __future__ import annotations

import base64
import functools
import math
from collections.abc import Callable
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

from nubes.protocol.parsers.xml import member_xml_name
from nubes.protocol.timestamps import formatter

# (parts, value, element name) -> None
XmlWriter = Callable[[list[str], Any, str], None]

_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTR_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\r": "&#13;",
        "\n": "&#10;",
        "\t": "&#9;",
    }
)


def escape(text: str) -> str:
    """Text content escaped for XML (carriage returns kept, not normalized away)."""
    return text.translate(_TEXT_ESCAPES)


def escape_attribute(text: str) -> str:
    return text.translate(_ATTR_ESCAPES)


def namespace_attribute(shape: Shape) -> str:
    """The ``xmlns`` declaration a shape's ``xmlNamespace`` trait asks for, or ''."""
    namespace = shape.serialization.get("xmlNamespace")
    if namespace is None:
        return ""
    if isinstance(namespace, str):
        return f' xmlns="{escape_attribute(namespace)}"'
    prefix = namespace.get("prefix")
    name = f"xmlns:{prefix}" if prefix else "xmlns"
    return f' {name}="{escape_attribute(namespace["uri"])}"'


def format_float(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return repr(float(value))


def text_of(shape: Shape) -> Callable[[Any], str]:
    """The text form of a scalar shape's value in an XML body."""
    type_name = shape.type_name
    if type_name == "boolean":
        return lambda value: "true" if value else "false"
    if type_name in ("float", "double"):
        return format_float
    if type_name == "timestamp":
        fmt = formatter(shape.serialization.get("timestampFormat", "iso8601"))
        return lambda value: str(fmt(value))
    if type_name == "blob":
        return lambda value: base64.b64encode(
            value.encode() if isinstance(value, str) else value
        ).decode("ascii")
    if type_name == "string":
        return lambda value: escape(value) if isinstance(value, str) else escape(str(value))
    return str


@functools.cache
def xml_writer(shape: Shape) -> XmlWriter:
    """The writer of one element holding a value of ``shape``."""
    if isinstance(shape, StructureShape):
        return _structure(shape)
    if isinstance(shape, ListShape):
        return _list(shape)
    if isinstance(shape, MapShape):
        return _map(shape)
    text = text_of(shape)
    xmlns = namespace_attribute(shape)

    def scalar(parts: list[str], value: Any, name: str) -> None:
        parts.append(f"<{name}{xmlns}>{text(value)}</{name}>")

    return scalar


def structure_members(shape: StructureShape) -> list[tuple[str, str, Shape, bool]]:
    """(name, element or attribute name, shape, is attribute) of the body members."""
    return [
        (
            name,
            member_xml_name(member, name),
            member,
            bool(member.serialization.get("xmlAttribute")),
        )
        for name, member in shape.members.items()
        if not member.serialization.get("location")
    ]


def write_members(parts: list[str], value: dict[str, Any], shape: StructureShape) -> None:
    """The child elements of a structure (attribute members excepted)."""
    for name, xml_name, member, attribute in _members(shape):
        item = value.get(name)
        if item is not None and not attribute:
            xml_writer(member)(parts, item, xml_name)


@functools.cache
def _members(shape: StructureShape) -> list[tuple[str, str, Shape, bool]]:
    return structure_members(shape)


def attributes(value: dict[str, Any], shape: StructureShape) -> str:
    """The attributes (``xmlAttribute`` members) of a structure's element, with xmlns."""
    out = [namespace_attribute(shape)]
    for name, xml_name, _, attribute in _members(shape):
        if attribute and value.get(name) is not None:
            out.append(f' {xml_name}="{escape_attribute(str(value[name]))}"')
    return "".join(out)


def _structure(shape: StructureShape) -> XmlWriter:
    def structure(parts: list[str], value: Any, name: str) -> None:
        parts.append(f"<{name}{attributes(value, shape)}>")
        write_members(parts, value, shape)
        parts.append(f"</{name}>")

    return structure


def _list(shape: ListShape) -> XmlWriter:
    member = shape.member
    if shape.serialization.get("flattened"):

        def flattened(parts: list[str], value: Any, name: str) -> None:
            write = xml_writer(member)
            for item in value:
                write(parts, item, name)

        return flattened
    member_name = str(member.serialization.get("name", "member"))
    xmlns = namespace_attribute(shape)

    def wrapped(parts: list[str], value: Any, name: str) -> None:
        write = xml_writer(member)
        parts.append(f"<{name}{xmlns}>")
        for item in value:
            write(parts, item, member_name)
        parts.append(f"</{name}>")

    return wrapped


def _map(shape: MapShape) -> XmlWriter:
    key_name = str(shape.key.serialization.get("name", "key"))
    value_name = str(shape.value.serialization.get("name", "value"))
    key_shape, value_shape = shape.key, shape.value
    flattened = bool(shape.serialization.get("flattened"))

    def entries(parts: list[str], value: Any, name: str) -> None:
        write_key, write_value = xml_writer(key_shape), xml_writer(value_shape)
        entry = name if flattened else "entry"
        if not flattened:
            parts.append(f"<{name}>")
        for key, item in value.items():
            parts.append(f"<{entry}>")
            write_key(parts, key, key_name)
            write_value(parts, item, value_name)
            parts.append(f"</{entry}>")
        if not flattened:
            parts.append(f"</{name}>")

    return entries
