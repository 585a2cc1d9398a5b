"""XML request bodies (rest-xml payloads) into dicts shaped by the model.

Converters are compiled once per shape. Element names are matched without their
namespace; ``xmlAttribute`` members (S3's ``xsi:type`` on a Grantee) are read from the
element's attributes by local name.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from xml.etree.ElementTree import Element, ParseError, fromstring

from botocore.model import ListShape, MapShape, Shape, StructureShape

from nubes.protocol.exceptions import MALFORMED_XML_MESSAGE, MalformedXML
from nubes.protocol.parsers.values import text_converter

# Takes the element of a value, or all the repeated elements of a flattened list/map.
XmlConverter = Callable[[Any], Any]


def parse_xml(body: bytes) -> Element:
    """The root element of an XML body; MalformedXML if it is not well-formed."""
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        # No DTDs: AWS does not take them, and entities are an expansion-bomb vector.
        raise MalformedXML(MALFORMED_XML_MESSAGE)
    try:
        return fromstring(body)
    except ParseError:
        raise MalformedXML(MALFORMED_XML_MESSAGE) from None


def local_name(tag: str) -> str:
    if tag[:1] == "{":
        return tag[tag.index("}") + 1 :]
    return tag


def _children(node: Element) -> dict[str, list[Element]]:
    out: dict[str, list[Element]] = {}
    for child in node:
        tag = child.tag
        if tag[:1] == "{":
            tag = tag[tag.index("}") + 1 :]
        found = out.get(tag)
        if found is None:
            out[tag] = [child]
        else:
            found.append(child)
    return out


def member_xml_name(shape: Shape, member_name: str) -> str:
    """The element name of a member (a flattened list takes its member's name, if set)."""
    if shape.type_name == "list" and shape.serialization.get("flattened"):
        name = shape.member.serialization.get("name")
        if name:
            return str(name)
    return str(shape.serialization.get("name", member_name))


def _flattened(shape: Shape) -> bool:
    return shape.type_name in ("list", "map") and bool(shape.serialization.get("flattened"))


@functools.cache
def xml_converter(shape: Shape, protocol: str) -> XmlConverter:
    """The converter from an element (or a flattened list's elements) to a value."""
    if isinstance(shape, StructureShape):
        return _structure(shape, protocol)
    if isinstance(shape, ListShape):
        return _list(shape, protocol)
    if isinstance(shape, MapShape):
        return _map(shape, protocol)
    convert = text_converter(shape, protocol)

    def scalar(node: Element) -> Any:
        return convert(node.text or "")

    return scalar


Member = tuple[str, str, bool, bool, Shape]  # name, xml name, flattened, attribute, shape


def _structure(shape: StructureShape, protocol: str) -> XmlConverter:
    members: list[Member] = []
    for name, member in shape.members.items():
        if member.serialization.get("location"):
            continue
        attribute = bool(member.serialization.get("xmlAttribute"))
        xml_name = member_xml_name(member, name)
        if attribute:
            xml_name = xml_name.rpartition(":")[2]
        members.append((name, xml_name, _flattened(member), attribute, member))

    def structure(node: Element) -> dict[str, Any]:
        children = _children(node)
        out: dict[str, Any] = {}
        for name, xml_name, flattened, attribute, member in members:
            if attribute:
                for key, value in node.attrib.items():
                    if local_name(key).rpartition(":")[2] == xml_name:
                        out[name] = value
                continue
            found = children.get(xml_name)
            if found is None:
                continue
            convert = xml_converter(member, protocol)
            out[name] = convert(found if flattened else found[0])
        return out

    return structure


def _list(shape: ListShape, protocol: str) -> XmlConverter:
    member = shape.member
    if shape.serialization.get("flattened"):

        def flattened(nodes: list[Element]) -> list[Any]:
            convert = xml_converter(member, protocol)
            return [convert(node) for node in nodes]

        return flattened

    def wrapped(node: Element) -> list[Any]:
        convert = xml_converter(member, protocol)
        return [convert(child) for child in node]

    return wrapped


def _map(shape: MapShape, protocol: str) -> XmlConverter:
    key_name = str(shape.key.serialization.get("name", "key"))
    value_name = str(shape.value.serialization.get("name", "value"))
    key_shape, value_shape = shape.key, shape.value

    def entries(nodes: list[Element]) -> dict[Any, Any]:
        convert_key = xml_converter(key_shape, protocol)
        convert_value = xml_converter(value_shape, protocol)
        out: dict[Any, Any] = {}
        for entry in nodes:
            children = _children(entry)
            keys, values = children.get(key_name), children.get(value_name)
            if keys is None or values is None:
                raise MalformedXML(MALFORMED_XML_MESSAGE)
            out[convert_key(keys[0])] = convert_value(values[0])
        return out

    if shape.serialization.get("flattened"):
        return entries

    def wrapped(node: Element) -> dict[Any, Any]:
        return entries(list(node))

    return wrapped
