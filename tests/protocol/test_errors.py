"""Errors: serialize_error read back by botocore, and malformed or mistyped input."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.parsers import create_parser

from nubes.errors import ServiceError, error_class
from nubes.protocol.catalog import service_model
from nubes.protocol.exceptions import (
    InvalidArgument,
    MalformedXML,
    QueryValidationError,
    SerializationException,
)
from nubes.protocol.http import Request
from nubes.protocol.parsers import parse_request
from nubes.protocol.serializers import serialize_error
from tests.protocol.roundtrip import to_botocore

NoSuchKey = error_class("NoSuchKey", 404)
NotFound = error_class("ResourceNotFoundException", 404)


def _parsed_error(service: str, error: ServiceError) -> dict[str, Any]:
    model = service_model(service)
    response = serialize_error(model, error, "req-1")
    assert response.status == error.status
    parsed: dict[str, Any] = create_parser(model.metadata["protocol"]).parse(
        to_botocore(response), None
    )
    return parsed


@pytest.mark.parametrize(
    "service", ["s3", "dynamodb", "sqs", "lambda", "apigateway", "sns", "sts", "kinesis", "logs"]
)
def test_error_code_and_message_round_trip(service: str) -> None:
    parsed = _parsed_error(service, NotFound("It is <gone> & done"))
    assert parsed["Error"]["Code"] == "ResourceNotFoundException"
    assert parsed["Error"]["Message"] == "It is <gone> & done"
    assert parsed["ResponseMetadata"]["RequestId"] == "req-1"


def test_s3_error_carries_fields_and_host_id() -> None:
    parsed = _parsed_error(
        "s3", NoSuchKey("The specified key does not exist.", fields={"Key": "a"})
    )
    assert parsed["Error"] == {
        "Code": "NoSuchKey",
        "Message": "The specified key does not exist.",
        "Key": "a",
    }
    assert parsed["ResponseMetadata"]["HostId"]


def test_query_error_says_sender() -> None:
    parsed = _parsed_error("sns", NotFound("x"))
    assert parsed["Error"]["Type"] == "Sender"


def test_sqs_error_is_query_compatible() -> None:
    queue_missing = error_class("QueueDoesNotExist", 400)
    response = serialize_error(service_model("sqs"), queue_missing("no queue"), "r")
    assert response.header("x-amzn-query-error") == "AWS.SimpleQueueService.NonExistentQueue;Sender"
    parsed = _parsed_error("sqs", queue_missing("no queue"))
    assert parsed["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert parsed["Error"]["QueryErrorCode"] == "QueueDoesNotExist"


def test_error_headers_are_added() -> None:
    response = serialize_error(
        service_model("s3"), NoSuchKey("x", headers={"x-amz-delete-marker": "true"}), "r"
    )
    assert response.header("x-amz-delete-marker") == "true"
    assert response.header("x-amz-request-id") == "r"


def _request(body: bytes, path: str = "/b", query: str = "", **headers: str) -> Request:
    return Request("PUT", path, query, headers, body)


def test_malformed_xml() -> None:
    operation = service_model("s3").operation_model("PutBucketTagging")
    with pytest.raises(MalformedXML) as caught:
        parse_request(operation, _request(b"<Tagging><TagSet>"), {"Bucket": "b"})
    assert caught.value.status == 400
    assert "not well-formed" in caught.value.message


def test_xml_with_doctype_is_refused() -> None:
    operation = service_model("s3").operation_model("PutBucketTagging")
    body = b'<!DOCTYPE x [<!ENTITY a "aaaa">]><Tagging><TagSet/></Tagging>'
    with pytest.raises(MalformedXML):
        parse_request(operation, _request(body), {"Bucket": "b"})


def test_s3_mistyped_header_is_invalid_argument() -> None:
    operation = service_model("s3").operation_model("GetObject")
    request = Request("GET", "/b/k", "", {"if-modified-since": "yesterday-ish"})
    with pytest.raises(InvalidArgument):
        parse_request(operation, request, {"Bucket": "b", "Key": "k"})
    request = Request("GET", "/b/k", "partNumber=one", {})
    with pytest.raises(InvalidArgument):
        parse_request(operation, request, {"Bucket": "b", "Key": "k"})


def test_malformed_json() -> None:
    operation = service_model("dynamodb").operation_model("GetItem")
    with pytest.raises(SerializationException):
        parse_request(operation, _request(b'{"TableName": '), {})
    with pytest.raises(SerializationException):
        parse_request(operation, _request(b"[1]"), {})


def test_json_wrong_type_is_serialization_exception() -> None:
    operation = service_model("dynamodb").operation_model("Scan")
    with pytest.raises(SerializationException) as caught:
        parse_request(operation, _request(b'{"TableName": "t", "Limit": "ten"}'), {})
    assert caught.value.code == "SerializationException"


def test_rest_json_malformed_body() -> None:
    operation = service_model("lambda").operation_model("CreateFunction")
    with pytest.raises(SerializationException):
        parse_request(operation, _request(b"{nope"), {})


def test_query_wrong_type_is_validation_error() -> None:
    operation = service_model("sqs").operation_model("ReceiveMessage")
    assert operation.metadata["protocol"] == "json"
    operation = service_model("sns").operation_model("ListTopics")
    parse_request(operation, _request(b"Action=ListTopics&NextToken=a"), {})
    operation = service_model("sts").operation_model("AssumeRole")
    body = b"Action=AssumeRole&RoleArn=a&RoleSessionName=s&DurationSeconds=long"
    with pytest.raises(QueryValidationError) as caught:
        parse_request(operation, _request(body), {})
    assert caught.value.code == "ValidationError"


def test_omitted_members_are_absent() -> None:
    operation = service_model("dynamodb").operation_model("GetItem")
    body = b'{"TableName": "t", "ConsistentRead": null, "Key": {"id": {"S": "1"}}}'
    assert parse_request(operation, _request(body), {}) == {
        "TableName": "t",
        "Key": {"id": {"S": "1"}},
    }
