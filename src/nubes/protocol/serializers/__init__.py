"""Response serializers for the query, json, rest-json and rest-xml protocols.

``serialize_response`` builds the HTTP response AWS would send for an operation's output;
``serialize_error`` (in ``errors``) the one for a ``ServiceError``. The work of reading the
model is done once per operation (a cached plan).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from botocore.model import OperationModel, Shape

from nubes.protocol.http import Response
from nubes.protocol.serializers.errors import request_id_headers, serialize_error
from nubes.protocol.serializers.json import dumps, json_encoder
from nubes.protocol.serializers.query import query_body
from nubes.protocol.serializers.rest import (
    BodyWriter,
    RestResponsePlan,
    rest_response_plan,
    xml_body,
)

__all__ = ["serialize_error", "serialize_response"]

# (output, status, request id) -> response without the request id headers
Builder = Callable[[dict[str, Any], int | None, str], Response]


def serialize_response(
    operation: OperationModel,
    output: dict[str, Any],
    request_id: str,
    *,
    status: int | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """The HTTP response for ``output`` of ``operation``, in its service's protocol."""
    response = _builder(operation)(output, status, request_id)
    response.headers.extend(request_id_headers(operation.service_model, request_id))
    if headers:
        response.headers.extend(headers.items())
    return response


@functools.cache
def _builder(operation: OperationModel) -> Builder:
    protocol = operation.metadata["protocol"]
    if protocol == "json":
        return _json_builder(operation)
    if protocol == "query":
        return _query_builder(operation)
    if protocol == "rest-xml":
        return _rest_builder(rest_response_plan(operation, xml_body))
    if protocol == "rest-json":
        return _rest_builder(rest_response_plan(operation, _json_body))
    raise NotImplementedError(f"protocol {protocol} is not supported")


def _rest_builder(plan: RestResponsePlan) -> Builder:
    def build(output: dict[str, Any], status: int | None, request_id: str) -> Response:
        return plan.build(output, status)

    return build


def _json_body(operation: OperationModel, shape: Shape, root: str | None) -> BodyWriter:
    encode = json_encoder(shape)
    return lambda value: dumps(encode(value))


def _json_builder(operation: OperationModel) -> Builder:
    shape = operation.output_shape
    content_type = f"application/x-amz-json-{operation.metadata.get('jsonVersion', '1.0')}"
    encode = json_encoder(shape) if shape is not None else None

    def build(output: dict[str, Any], status: int | None, request_id: str) -> Response:
        body = dumps(encode(output)) if encode is not None else b"{}"
        return Response(status or 200, [("Content-Type", content_type)], body)

    return build


def _query_builder(operation: OperationModel) -> Builder:
    write = query_body(operation)

    def build(output: dict[str, Any], status: int | None, request_id: str) -> Response:
        body = write(output, request_id)
        return Response(status or 200, [("Content-Type", "text/xml")], body)

    return build
