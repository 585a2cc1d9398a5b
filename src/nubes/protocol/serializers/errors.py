"""Errors as each protocol answers them, and the request id headers of every response.

rest-xml (S3): ``<Error><Code/><Message/>{fields}<RequestId/><HostId/></Error>``; query:
``<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>``;
json: ``{"__type", "message"}``; rest-json: ``x-amzn-ErrorType`` and ``{"message"}``.
JSON services that replaced a query API (SQS) also say the old code in
``x-amzn-query-error``.
"""

from __future__ import annotations

import base64
import functools
from datetime import datetime
from typing import Any

from botocore.model import ServiceModel

from nubes.errors import ServiceError
from nubes.protocol.http import Response
from nubes.protocol.serializers.json import dumps
from nubes.protocol.serializers.rest import XML_DECLARATION
from nubes.protocol.serializers.xml import escape, escape_attribute
from nubes.protocol.timestamps import format_iso8601

# SQS answers in JSON now, but SDKs still match its old query error codes, which
# x-amzn-query-error carries; botocore's SQS model no longer lists them.
SQS_QUERY_CODES: dict[str, str] = {
    "QueueDoesNotExist": "AWS.SimpleQueueService.NonExistentQueue",
    "QueueNameExists": "QueueAlreadyExists",
    "QueueDeletedRecently": "AWS.SimpleQueueService.QueueDeletedRecently",
    "PurgeQueueInProgress": "AWS.SimpleQueueService.PurgeQueueInProgress",
    "MessageNotInflight": "AWS.SimpleQueueService.MessageNotInflight",
    "BatchEntryIdsNotDistinct": "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
    "BatchRequestTooLong": "AWS.SimpleQueueService.BatchRequestTooLong",
    "EmptyBatchRequest": "AWS.SimpleQueueService.EmptyBatchRequest",
    "InvalidBatchEntryId": "AWS.SimpleQueueService.InvalidBatchEntryId",
    "TooManyEntriesInBatchRequest": "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
    "UnsupportedOperation": "AWS.SimpleQueueService.UnsupportedOperation",
}


def host_id(request_id: str) -> str:
    """S3's x-amz-id-2 for a request (an opaque token; ours is derived from the id)."""
    return base64.b64encode(request_id.encode()).decode("ascii")


def request_id_headers(service: ServiceModel, request_id: str) -> list[tuple[str, str]]:
    """The headers naming the request: S3's pair, or x-amzn-RequestId."""
    if service.service_name == "s3":
        return [("x-amz-request-id", request_id), ("x-amz-id-2", host_id(request_id))]
    return [("x-amzn-RequestId", request_id)]


def serialize_error(service: ServiceModel, error: ServiceError, request_id: str) -> Response:
    """The HTTP response for ``error`` in the protocol of ``service``."""
    protocol = service.metadata["protocol"]
    if protocol == "rest-xml":
        response = _rest_xml(error, request_id)
    elif protocol == "query":
        response = _query(service, error, request_id)
    elif protocol == "json":
        response = _json(service, error)
    else:
        response = _rest_json(error)
    response.headers.extend(request_id_headers(service, request_id))
    response.headers.extend(error.headers.items())
    return response


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return format_iso8601(value)
    return escape(str(value))


def _fields(error: ServiceError) -> str:
    return "".join(
        f"<{name}>{_text(value)}</{name}>"
        for name, value in error.fields.items()
        if value is not None
    )


def _rest_xml(error: ServiceError, request_id: str) -> Response:
    body = (
        f"{XML_DECLARATION}<Error><Code>{escape(error.code)}</Code>"
        f"<Message>{escape(error.message)}</Message>{_fields(error)}"
        f"<RequestId>{escape(request_id)}</RequestId><HostId>{host_id(request_id)}</HostId></Error>"
    )
    return Response(error.status, [("Content-Type", "application/xml")], body.encode("utf-8"))


def _query(service: ServiceModel, error: ServiceError, request_id: str) -> Response:
    namespace = service.metadata.get("xmlNamespace")
    xmlns = f' xmlns="{escape_attribute(namespace)}"' if namespace else ""
    fault = "Sender" if error.sender_fault else "Receiver"
    code = error.code
    if service.metadata.get("awsQueryCompatible") is not None:  # SQS's query twin
        code = _query_codes(service).get(code, (code, code))[1]
    body = (
        f"<ErrorResponse{xmlns}><Error><Type>{fault}</Type><Code>{escape(code)}</Code>"
        f"<Message>{escape(error.message)}</Message>{_fields(error)}</Error>"
        f"<RequestId>{escape(request_id)}</RequestId></ErrorResponse>"
    )
    return Response(error.status, [("Content-Type", "text/xml")], body.encode("utf-8"))


def _json_fields(error: ServiceError) -> dict[str, Any]:
    return {
        name: format_iso8601(value) if isinstance(value, datetime) else value
        for name, value in error.fields.items()
        if value is not None
    }


def _json(service: ServiceModel, error: ServiceError) -> Response:
    version = service.metadata.get("jsonVersion", "1.0")
    code = error.code
    headers = [("Content-Type", f"application/x-amz-json-{version}")]
    if service.metadata.get("awsQueryCompatible") is not None:
        shape_name, query_code = _query_codes(service).get(code, (code, code))
        fault = "Sender" if error.sender_fault else "Receiver"
        headers.append(("x-amzn-query-error", f"{query_code};{fault}"))
        code = shape_name
    headers.append(("x-amzn-ErrorType", code))
    document = {**_json_fields(error), "__type": code, "message": error.message}
    return Response(error.status, headers, dumps(document))


def _rest_json(error: ServiceError) -> Response:
    headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", error.code)]
    kind = "User" if error.sender_fault else "Service"
    document = {"Type": kind, **_json_fields(error), "message": error.message}
    return Response(error.status, headers, dumps(document))


@functools.cache
def _query_codes(service: ServiceModel) -> dict[str, tuple[str, str]]:
    """Error shape name or old query code -> (shape name, query code), for query-compatible
    JSON services (SQS's QueueDoesNotExist is AWS.SimpleQueueService.NonExistentQueue)."""
    out: dict[str, tuple[str, str]] = {}
    legacy = SQS_QUERY_CODES if service.service_name == "sqs" else {}
    for shape in service.error_shapes:
        query_code = shape.metadata.get("error", {}).get("code") or legacy.get(
            shape.name, shape.name
        )
        out[shape.name] = (shape.name, query_code)
        out.setdefault(query_code, (shape.name, query_code))
    return out
