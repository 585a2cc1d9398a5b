"""The bound members of rest-json and rest-xml requests: URI labels, headers, query.

A ``RestPlan`` is compiled once per operation; the body is handled by the protocol's
converter (XML or JSON) given to the plan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.model import OperationModel, Shape, StructureShape

from nubes.protocol.http import Request
from nubes.protocol.parsers.values import TextConverter, split_header_list, text_converter

BodyParser = Callable[[bytes, Shape], Any]


@dataclass(frozen=True, slots=True)
class RestPlan:
    """Where each input member of one operation is found on the request."""

    uri: tuple[tuple[str, str, TextConverter], ...]
    headers: tuple[tuple[str, str, TextConverter, bool], ...]  # name, header, convert, is list
    header_maps: tuple[tuple[str, str], ...]  # name, lower-cased prefix
    query: tuple[tuple[str, str, TextConverter, str], ...]  # name, key, convert, kind
    query_map: tuple[str, frozenset[str], TextConverter, bool] | None  # name, taken, conv, list
    payload: tuple[str, str, Shape] | None  # name, kind (stream|blob|string|body), shape
    body: Shape | None  # the input shape, when unbound members travel in the body
    # rest-json clients send "{}" for an absent structure payload: read it as absent
    empty_is_absent: bool

    def parse(
        self, request: Request, uri_params: dict[str, str], body: BodyParser
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, label, convert in self.uri:
            value = uri_params.get(label)
            if value is not None:
                out[name] = convert(value)
        if self.headers or self.header_maps:
            self._headers(request.headers, out)
        if self.query or self.query_map:
            self._query(request, out)
        if self.payload is not None:
            self._payload(request, out, body)
        elif self.body is not None and request.body:
            out.update(body(request.body, self.body))
        return out

    def _headers(self, headers: dict[str, str], out: dict[str, Any]) -> None:
        for name, header, convert, is_list in self.headers:
            value = headers.get(header)
            if value is None:
                continue
            out[name] = (
                [convert(item) for item in split_header_list(value)] if is_list else convert(value)
            )
        for name, prefix in self.header_maps:
            found = {
                key[len(prefix) :]: value
                for key, value in headers.items()
                if key.startswith(prefix)
            }
            if found:
                out[name] = found

    def _query(self, request: Request, out: dict[str, Any]) -> None:
        values: dict[str, list[str]] = {}
        for key, value in request.query:
            values.setdefault(key, []).append(value)
        for name, key, convert, kind in self.query:
            found = values.get(key)
            if found is None:
                continue
            out[name] = [convert(item) for item in found] if kind == "list" else convert(found[0])
        if self.query_map is not None:
            name, taken, convert, is_list = self.query_map
            rest = {
                key: [convert(item) for item in found] if is_list else convert(found[0])
                for key, found in values.items()
                if key not in taken
            }
            if rest:
                out[name] = rest

    def _payload(self, request: Request, out: dict[str, Any], body: BodyParser) -> None:
        assert self.payload is not None
        name, kind, shape = self.payload
        if kind == "stream" and request.stream is not None:
            out[name] = request.stream
        elif not request.body:
            return
        elif kind in ("stream", "blob"):
            out[name] = request.body
        elif kind == "string":
            out[name] = request.body.decode("utf-8")
        else:
            value = body(request.body, shape)
            if value != {} or not self.empty_is_absent:
                out[name] = value


def _payload_kind(shape: Shape) -> str:
    if shape.type_name == "blob":
        return "stream" if shape.serialization.get("streaming") else "blob"
    if shape.type_name == "string":
        return "string"
    return "body"


def _literal_query_keys(operation: OperationModel) -> frozenset[str]:
    _, _, query = operation.http.get("requestUri", "").partition("?")
    return frozenset(part.partition("=")[0] for part in query.split("&") if part)


def rest_plan(operation: OperationModel, protocol: str) -> RestPlan:
    """Compile where each input member of ``operation`` is read from."""
    shape = operation.input_shape
    if not isinstance(shape, StructureShape):
        return RestPlan((), (), (), (), None, None, None, False)
    uri: list[tuple[str, str, TextConverter]] = []
    headers: list[tuple[str, str, TextConverter, bool]] = []
    header_maps: list[tuple[str, str]] = []
    query: list[tuple[str, str, TextConverter, str]] = []
    query_map: tuple[str, Shape] | None = None
    has_body = False
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire = str(member.serialization.get("name", name))
        if location == "uri":
            uri.append((name, wire, text_converter(member, protocol)))
        elif location == "header":
            is_list = member.type_name == "list"
            item = member.member if is_list else member
            headers.append(
                (name, wire.lower(), text_converter(item, protocol, header=True), is_list)
            )
        elif location == "headers":
            header_maps.append((name, wire.lower()))
        elif location == "querystring":
            if member.type_name == "map":
                query_map = (name, member)
            elif member.type_name == "list":
                query.append((name, wire, text_converter(member.member, protocol), "list"))
            else:
                query.append((name, wire, text_converter(member, protocol), "scalar"))
        elif name != shape.serialization.get("payload"):
            has_body = True
    payload_name = shape.serialization.get("payload")
    payload = None
    if payload_name is not None:
        member = shape.members[payload_name]
        payload = (payload_name, _payload_kind(member), member)
    return RestPlan(
        tuple(uri),
        tuple(headers),
        tuple(header_maps),
        tuple(query),
        _query_map(query_map, query, operation, protocol),
        payload,
        shape if has_body and payload is None else None,
        protocol == "rest-json",
    )


def _query_map(
    found: tuple[str, Shape] | None,
    query: list[tuple[str, str, TextConverter, str]],
    operation: OperationModel,
    protocol: str,
) -> tuple[str, frozenset[str], TextConverter, bool] | None:
    if found is None:
        return None
    name, member = found
    value = member.value
    is_list = value.type_name == "list"
    item = value.member if is_list else value
    taken = frozenset(key for _, key, _, _ in query) | _literal_query_keys(operation)
    return name, taken, text_converter(item, protocol), is_list
