"""Round trips against botocore's own client side, over every operation of ten services.

Requests: random params -> botocore's serializer -> our router (rest) -> our parser ->
the same params. Responses: random output -> our serializer -> botocore's parser -> the
same output. See ``shapegen`` for what the generator leaves out and why.
"""

from __future__ import annotations

import functools
import random
import zlib
from typing import Any

import pytest
from botocore.parsers import create_parser
from botocore.serialize import create_serializer

from nubes.protocol.catalog import service_model
from nubes.protocol.parsers import parse_request
from nubes.protocol.router import S3_QUIRKS, RestRouter
from nubes.protocol.serializers import serialize_response
from tests.protocol.roundtrip import drop_implicit, event_stream, normalize, to_botocore, to_request
from tests.protocol.shapegen import ShapeGen

SERVICES = (
    "s3",
    "dynamodb",
    "sqs",
    "lambda",
    "apigateway",
    "sns",
    "sts",
    "kinesis",
    "events",
    "logs",
)
EXAMPLES = 5

# Operations another one shadows on the wire by design (see router.S3_QUIRKS).
_PREFER = S3_QUIRKS["prefer"]
assert isinstance(_PREFER, dict)
ROUTED_AS: dict[tuple[str, str], str] = {("s3", old): new for old, new in _PREFER.items()} | {
    ("s3", "ListDirectoryBuckets"): "ListBuckets"
}

# Answers whose body botocore parses with a per-operation handler, not its parser.
CUSTOM_PARSED = {("s3", "GetBucketLocation")}


def _cases() -> list[tuple[str, str]]:
    return [(svc, op) for svc in SERVICES for op in service_model(svc).operation_names]


@functools.cache
def _router(service: str) -> RestRouter:
    return RestRouter(service_model(service))


def _rng(service: str, operation: str, direction: str) -> random.Random:
    return random.Random(zlib.crc32(f"{service}.{operation}.{direction}".encode()))


@pytest.mark.parametrize(("service", "operation"), _cases())
def test_request_round_trip(service: str, operation: str) -> None:
    model = service_model(service)
    op = model.operation_model(operation)
    if event_stream(op):
        pytest.skip("event streams are not part of the request/response protocols")
    protocol = model.metadata["protocol"]
    serializer = create_serializer(protocol, include_validation=False)
    gen = ShapeGen(_rng(service, operation, "in"), protocol, "input")
    for _ in range(EXAMPLES):
        params = gen.top(op.input_shape)
        request = to_request(serializer.serialize_to_request(params, op))
        uri_params: dict[str, str] = {}
        if protocol.startswith("rest"):
            found, uri_params = _router(service).match(
                request.method, request.path, request.query_dict(), request.headers
            )
            assert found.name == ROUTED_AS.get((service, operation), operation)
            if (service, operation) in ROUTED_AS:
                continue  # never parsed as itself (and its model is ambiguous: Event/Events)
        parsed = parse_request(op, request, uri_params)
        assert normalize(parsed) == normalize(params)


@pytest.mark.parametrize(("service", "operation"), _cases())
def test_response_round_trip(service: str, operation: str) -> None:
    model = service_model(service)
    op = model.operation_model(operation)
    if event_stream(op):
        pytest.skip("event streams are not part of the request/response protocols")
    if (service, operation) in ROUTED_AS:
        pytest.skip("never routed, so never answered (and its model is ambiguous)")
    if (service, operation) in CUSTOM_PARSED:
        pytest.skip("botocore parses this body in a handler; see test_s3_responses")
    protocol = model.metadata["protocol"]
    parser = create_parser(protocol)
    gen = ShapeGen(_rng(service, operation, "out"), protocol, "output")
    for index in range(EXAMPLES):
        output = gen.top(op.output_shape)
        response = serialize_response(op, output, f"req-{index}")
        parsed: dict[str, Any] = parser.parse(to_botocore(response), op.output_shape)
        assert parsed["ResponseMetadata"]["RequestId"] == f"req-{index}"
        assert normalize(drop_implicit(parsed, output)) == normalize(output)
