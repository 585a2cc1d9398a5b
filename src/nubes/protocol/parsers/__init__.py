"""Request parsers for the query, json, rest-json and rest-xml protocols.

``parse_request`` turns a request into the input dict botocore's client would have been
given for the operation. The work of reading the model is done once per operation (a
cached plan); parsing a request then only walks what the request carries.

Non-streaming bodies must already be in ``request.body``; a streaming blob payload (S3
uploads) is handed on as ``request.stream``, unread.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from botocore.model import OperationModel, Shape

from nubes.protocol.exceptions import SerializationException
from nubes.protocol.http import Request
from nubes.protocol.parsers.json import json_converter, load_json
from nubes.protocol.parsers.query import prefixes, query_converter
from nubes.protocol.parsers.rest import RestPlan, rest_plan
from nubes.protocol.parsers.xml import parse_xml, xml_converter

Parser = Callable[[Request, dict[str, str]], dict[str, Any]]


def parse_request(
    operation: OperationModel, request: Request, uri_params: dict[str, str]
) -> dict[str, Any]:
    """The operation's input, as the dict botocore's client accepts, from the request."""
    return _parser(operation)(request, uri_params)


@functools.cache
def _parser(operation: OperationModel) -> Parser:
    protocol = operation.metadata["protocol"]
    if protocol == "json":
        return _json_parser(operation, protocol)
    if protocol == "query":
        return _query_parser(operation, protocol)
    plan = rest_plan(operation, protocol)
    if protocol == "rest-xml":
        return _rest_parser(plan, _xml_body(protocol))
    if protocol == "rest-json":
        return _rest_parser(plan, _json_body(protocol))
    raise NotImplementedError(f"protocol {protocol} is not supported")


def _rest_parser(plan: RestPlan, body: Callable[[bytes, Shape], Any]) -> Parser:
    def parse(request: Request, uri_params: dict[str, str]) -> dict[str, Any]:
        return plan.parse(request, uri_params, body)

    return parse


def _xml_body(protocol: str) -> Callable[[bytes, Shape], Any]:
    def body(data: bytes, shape: Shape) -> Any:
        return xml_converter(shape, protocol)(parse_xml(data))

    return body


def _json_body(protocol: str) -> Callable[[bytes, Shape], Any]:
    def body(data: bytes, shape: Shape) -> Any:
        return json_converter(shape, protocol)(load_json(data))

    return body


def _json_parser(operation: OperationModel, protocol: str) -> Parser:
    shape = operation.input_shape

    def parse(request: Request, uri_params: dict[str, str]) -> dict[str, Any]:
        document = load_json(request.body)
        if not isinstance(document, dict):
            raise SerializationException("Start of list found where not expected")
        if shape is None:
            return {}
        result: dict[str, Any] = json_converter(shape, protocol)(document)
        return result

    return parse


def _query_parser(operation: OperationModel, protocol: str) -> Parser:
    shape = operation.input_shape

    def parse(request: Request, uri_params: dict[str, str]) -> dict[str, Any]:
        params = dict(request.query)
        if request.body:
            text = request.body.decode("utf-8", errors="replace")
            params.update(parse_qsl(text, keep_blank_values=True))
        if shape is None:
            return {}
        result: dict[str, Any] = query_converter(shape, protocol)(params, prefixes(params), "")
        return result

    return parse
