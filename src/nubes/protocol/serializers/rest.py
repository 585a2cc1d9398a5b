"""Responses of the rest-json and rest-xml protocols: status, headers, payload, body.

A ``RestResponsePlan`` is compiled once per operation: which output members become
headers (with their text form), which sets the status, and what makes the body.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.model import OperationModel, Shape, StructureShape

from nubes.protocol.http import Response
from nubes.protocol.serializers.s3 import S3_NAMESPACE, S3_ROOT_NAMES, S3_TEXT_ROOTS
from nubes.protocol.serializers.xml import (
    attributes,
    escape_attribute,
    format_float,
    namespace_attribute,
    text_of,
    write_members,
    xml_writer,
)
from nubes.protocol.timestamps import formatter

HeaderText = Callable[[Any], str]
# (output, payload member or whole output) -> body bytes
BodyWriter = Callable[[Any], bytes]

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def _quote_item(value: str) -> str:
    if '"' in value or "," in value:
        return '"' + value.replace('"', '\\"') + '"'
    return value


def header_text(shape: Shape) -> HeaderText:
    """The header form of a value of ``shape`` (dates as RFC 822 unless the model says)."""
    type_name = shape.type_name
    if type_name == "list":
        item = header_text(shape.member)
        quote = shape.member.type_name == "string"
        return lambda value: ",".join(_quote_item(item(v)) if quote else item(v) for v in value)
    if type_name == "timestamp":
        fmt = formatter(shape.serialization.get("timestampFormat", "rfc822"))
        return lambda value: str(fmt(value))
    if type_name == "string" and shape.serialization.get("jsonvalue"):
        return lambda value: base64.b64encode(
            json.dumps(value, separators=(",", ":")).encode()
        ).decode("ascii")
    if type_name == "boolean":
        return lambda value: "true" if value else "false"
    if type_name in ("float", "double"):
        return format_float
    if type_name == "blob":
        return lambda value: base64.b64encode(value).decode("ascii")
    return str


@dataclass(frozen=True, slots=True)
class RestResponsePlan:
    """Where each output member of one operation goes in the response."""

    headers: tuple[tuple[str, str, HeaderText], ...]
    header_maps: tuple[tuple[str, str], ...]
    status_member: str | None
    payload: tuple[str, str] | None  # member name, kind: raw | body
    body: BodyWriter | None
    content_type: str

    def build(self, output: dict[str, Any], status: int | None) -> Response:
        headers: list[tuple[str, str]] = []
        for name, header, text in self.headers:
            value = output.get(name)
            if value is not None:
                headers.append((header, text(value)))
        for name, prefix in self.header_maps:
            for key, value in (output.get(name) or {}).items():
                headers.append((prefix + key, str(value)))
        if status is None:
            status = int(output.get(self.status_member, 200) if self.status_member else 200)
        response = Response(status, headers)
        if self.payload is not None:
            name, kind = self.payload
            value = output.get(name)
            if value is None:
                return response
            if kind == "raw":
                response.body = value.encode("utf-8") if isinstance(value, str) else value
                return response
            assert self.body is not None
            response.body = self.body(value)
        elif self.body is not None:
            response.body = self.body(output)
        else:
            return response
        headers.append(("Content-Type", self.content_type))
        return response


def rest_response_plan(
    operation: OperationModel, body: Callable[[OperationModel, Shape, str | None], BodyWriter]
) -> RestResponsePlan:
    """Compile the response plan of ``operation``; ``body`` makes the body writer."""
    shape = operation.output_shape
    protocol = operation.metadata["protocol"]
    content_type = "application/xml" if protocol == "rest-xml" else "application/json"
    if not isinstance(shape, StructureShape):
        return RestResponsePlan((), (), None, None, None, content_type)
    headers: list[tuple[str, str, HeaderText]] = []
    header_maps: list[tuple[str, str]] = []
    status_member = None
    has_body = False
    payload_name = shape.serialization.get("payload")
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire = str(member.serialization.get("name", name))
        if location == "header":
            headers.append((name, wire, header_text(member)))
        elif location == "headers":
            header_maps.append((name, wire))
        elif location == "statusCode":
            status_member = name
        elif location is None and name != payload_name:
            has_body = True
    payload = None
    writer = None
    if payload_name is not None:
        member = shape.members[payload_name]
        raw = member.type_name in ("blob", "string")
        payload = (payload_name, "raw" if raw else "body")
        if not raw:
            root = member.serialization.get("name", payload_name)
            writer = body(
                operation,
                member,
                S3_ROOT_NAMES.get(operation.name, root) if _is_s3(operation) else root,
            )
    elif has_body:
        writer = body(operation, shape, None)
    return RestResponsePlan(
        tuple(headers), tuple(header_maps), status_member, payload, writer, content_type
    )


def _is_s3(operation: OperationModel) -> bool:
    return bool(operation.service_model.service_name == "s3")


def xml_body(operation: OperationModel, shape: Shape, root: str | None) -> BodyWriter:
    """The writer of a rest-xml document for ``shape`` rooted at ``root`` (or AWS's name)."""
    is_s3 = _is_s3(operation)
    if root is None:
        root = shape.serialization.get("name")
    if root is None:
        root = S3_ROOT_NAMES.get(operation.name) if is_s3 else None
    if root is None:
        root = shape.name.removesuffix("Output").removesuffix("Result")
    xmlns = namespace_attribute(shape)
    if not xmlns:
        namespace = S3_NAMESPACE if is_s3 else operation.metadata.get("xmlNamespace")
        xmlns = f' xmlns="{escape_attribute(namespace)}"' if namespace else ""
    text_member = S3_TEXT_ROOTS.get(operation.name) if is_s3 else None
    if text_member is not None:
        return _text_root(shape, text_member, root, xmlns)
    if not isinstance(shape, StructureShape):
        write = xml_writer(shape)
        return lambda value: _document(write, value, root)

    def document(value: Any) -> bytes:
        attrs = attributes(value, shape).replace(namespace_attribute(shape), "", 1)
        parts = [XML_DECLARATION, f"<{root}{xmlns}{attrs}>"]
        write_members(parts, value, shape)
        parts.append(f"</{root}>")
        return "".join(parts).encode("utf-8")

    return document


def _document(write: Callable[[list[str], Any, str], None], value: Any, root: str) -> bytes:
    parts = [XML_DECLARATION]
    write(parts, value, root)
    return "".join(parts).encode("utf-8")


def _text_root(shape: Shape, member_name: str, root: str, xmlns: str) -> BodyWriter:
    assert isinstance(shape, StructureShape)
    text = text_of(shape.members[member_name])

    def document(value: Any) -> bytes:
        item = value.get(member_name)
        content = "" if item is None else text(item)
        return f"{XML_DECLARATION}<{root}{xmlns}>{content}</{root}>".encode()

    return document
