"""Helpers of the round-trip tests: botocore's wire dicts <-> our Request/Response."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from botocore.model import OperationModel
from botocore.utils import percent_encode_sequence
from urllib3 import HTTPHeaderDict

from nubes.protocol.http import Request, Response


def to_request(serialized: dict[str, Any]) -> Request:
    """Our Request from botocore's serialize_to_request output, as its HTTP layer sends it."""
    path, _, literal_query = serialized["url_path"].partition("?")
    query = serialized["query_string"]
    parts = [literal_query] if literal_query else []
    if isinstance(query, dict) and query:
        parts.append(percent_encode_sequence(query))
    elif isinstance(query, str) and query:
        parts.append(query)
    body = serialized["body"]
    if isinstance(body, dict):
        body = percent_encode_sequence(body).encode()
    elif isinstance(body, str):
        body = body.encode()
    elif isinstance(body, io.IOBase):
        body = body.read()
    headers = {name.lower(): str(value) for name, value in serialized["headers"].items()}
    return Request(serialized["method"], path, "&".join(parts), headers, body or b"")


def to_botocore(response: Response) -> dict[str, Any]:
    """The response dict botocore's parsers take."""
    headers = HTTPHeaderDict()
    for name, value in response.headers:
        headers.add(name, value)
    assert isinstance(response.body, bytes)
    return {"status_code": response.status, "headers": headers, "body": response.body}


def normalize(value: Any) -> Any:
    """Comparable form: aware datetimes to epoch, bytes to text, nested alike."""
    if isinstance(value, datetime):
        return ("ts", value.timestamp())
    if isinstance(value, bytes | bytearray):
        return value.decode("latin-1")
    if isinstance(value, dict):
        return {key: normalize(item) for key, item in value.items()}
    if isinstance(value, list):
        return [normalize(item) for item in value]
    return value


def drop_implicit(parsed: dict[str, Any], expected: dict[str, Any]) -> dict[str, Any]:
    """botocore's parse minus metadata and what it makes up for absent maps and payloads."""
    return {
        key: value
        for key, value in parsed.items()
        if key != "ResponseMetadata" and (key in expected or value not in ({}, None, ""))
    }


def event_stream(operation: OperationModel) -> bool:
    return bool(
        operation.has_event_stream_output
        or operation.has_event_stream_input
        or operation.get_event_stream_output() is not None
    )
