"""Create/Get/Update/Delete/ListEventSourceMappings through boto3: shapes, defaults,
states, paging, and AWS's errors."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.services.lambda_.mappings.conftest import (
    CREDENTIALS,
    deploy,
    make_queue,
    new_name,
    wait_state,
)
from tests.services.lambda_.mappings.test_streams import make_stream, make_table


def error_of(call: Callable[[], Any]) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as info:
        call()
    response = info.value.response
    return (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"],
            response["Error"].get("Message", ""))


@pytest.fixture(scope="module")
def function(lam: Any, sqs: Any) -> str:
    return deploy(lam, make_queue(sqs)[0])


@pytest.fixture(scope="module")
def unchecked(make_client: Callable[..., Any], mapping_server: Any) -> Any:
    """A Lambda client leaving the checking of members to the server."""
    return boto3.client("lambda", endpoint_url=mapping_server.endpoint,
                        region_name="us-east-1", **CREDENTIALS,
                        config=Config(retries={"max_attempts": 1},
                                      parameter_validation=False))


def test_an_sqs_mapping_is_created_enabled_updated_and_deleted(
        lam: Any, sqs: Any, function: str) -> None:
    _, arn = make_queue(sqs)
    created = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=function)
    uuid = created["UUID"]
    assert created["FunctionArn"] == (
        f"arn:aws:lambda:us-east-1:000000000000:function:{function}")
    assert (created["EventSourceArn"], created["BatchSize"],
            created["MaximumBatchingWindowInSeconds"], created["StateTransitionReason"],
            created["FunctionResponseTypes"]) == (arn, 10, 0, "USER_INITIATED", [])
    assert created["EventSourceMappingArn"] == (
        f"arn:aws:lambda:us-east-1:000000000000:event-source-mapping:{uuid}")
    assert "StartingPosition" not in created
    assert "MaximumRetryAttempts" not in created
    enabled = wait_state(lam, uuid, "Enabled")
    assert enabled["LastModified"].timestamp() == pytest.approx(time.time(), abs=60)
    updated = lam.update_event_source_mapping(UUID=uuid, BatchSize=5,
                                              ScalingConfig={"MaximumConcurrency": 3})
    assert updated["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert (updated["State"], updated["BatchSize"], updated["ScalingConfig"]) == (
        "Updating", 5, {"MaximumConcurrency": 3})
    wait_state(lam, uuid, "Enabled")
    deleted = lam.delete_event_source_mapping(UUID=uuid)
    assert (deleted["ResponseMetadata"]["HTTPStatusCode"], deleted["State"]) == (
        202, "Deleting")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            lam.get_event_source_mapping(UUID=uuid)
        except ClientError:
            break
        time.sleep(0.05)
    assert error_of(lambda: lam.get_event_source_mapping(UUID=uuid)) == (
        "ResourceNotFoundException", 404, "The resource you requested does not exist.")


def test_a_stream_mapping_shows_its_stream_settings(
        lam: Any, sqs: Any, kinesis: Any, function: str) -> None:
    arn = make_stream(kinesis)
    _, failures = make_queue(sqs)
    created = lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=function, StartingPosition="AT_TIMESTAMP",
        StartingPositionTimestamp=1_700_000_000, MaximumRecordAgeInSeconds=60,
        MaximumRetryAttempts=10, BisectBatchOnFunctionError=True, Enabled=False,
        DestinationConfig={"OnFailure": {"Destination": failures}})
    assert created["BatchSize"] == 100
    assert created["StartingPosition"] == "AT_TIMESTAMP"
    assert created["StartingPositionTimestamp"].timestamp() == 1_700_000_000
    assert (created["MaximumRecordAgeInSeconds"], created["MaximumRetryAttempts"],
            created["BisectBatchOnFunctionError"]) == (60, 10, True)
    assert created["DestinationConfig"] == {"OnFailure": {"Destination": failures}}
    assert created["LastProcessingResult"] == "No records processed"
    assert created["StateTransitionReason"] == "User action"
    assert created["TumblingWindowInSeconds"] == 0
    assert created["FunctionResponseTypes"] == []
    wait_state(lam, created["UUID"], "Disabled")
    lam.delete_event_source_mapping(UUID=created["UUID"])


def test_mappings_are_listed_by_source_and_function_and_paged(
        lam: Any, sqs: Any, function: str) -> None:
    queues = [make_queue(sqs)[1] for _ in range(3)]
    other = deploy(lam, make_queue(sqs)[0])
    uuids = {lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=function)[
        "UUID"] for arn in queues}
    lam.create_event_source_mapping(EventSourceArn=queues[0], FunctionName=other)
    by_source = lam.list_event_source_mappings(EventSourceArn=queues[0])["EventSourceMappings"]
    assert len(by_source) == 2
    mine = lam.list_event_source_mappings(FunctionName=function)["EventSourceMappings"]
    assert {m["UUID"] for m in mine} == uuids
    first = lam.list_event_source_mappings(FunctionName=function, MaxItems=2)
    assert len(first["EventSourceMappings"]) == 2
    rest = lam.list_event_source_mappings(FunctionName=function, MaxItems=2,
                                          Marker=first["NextMarker"])
    assert "NextMarker" not in rest
    assert {m["UUID"] for m in first["EventSourceMappings"] + rest["EventSourceMappings"]} \
        == uuids
    both = lam.list_event_source_mappings(EventSourceArn=queues[0], FunctionName=other)
    assert len(both["EventSourceMappings"]) == 1


def test_a_second_mapping_of_the_same_function_and_source_conflicts(
        lam: Any, sqs: Any, kinesis: Any, function: str) -> None:
    _, arn = make_queue(sqs)
    uuid = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=function)["UUID"]
    assert error_of(lambda: lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=function)) == (
        "ResourceConflictException", 409,
        f'An event source mapping with SQS arn (" {arn} ") and function (" {function} ") '
        f"already exists. Please update or delete the existing mapping with UUID {uuid}")
    stream = make_stream(kinesis)
    uuid = lam.create_event_source_mapping(EventSourceArn=stream, FunctionName=function,
                                           StartingPosition="LATEST")["UUID"]
    code, status, message = error_of(lambda: lam.create_event_source_mapping(
        EventSourceArn=stream, FunctionName=function, StartingPosition="LATEST"))
    assert (code, status) == ("ResourceConflictException", 409)
    assert message.endswith(f"provided mapping already exists. Please update or delete the "
                            f"existing mapping with UUID {uuid}")


def test_what_is_missing_is_reported(lam: Any, sqs: Any, kinesis: Any, dynamodb: Any,
                                     function: str) -> None:
    _, arn = make_queue(sqs)
    missing = f"arn:aws:lambda:us-east-1:000000000000:function:{new_name('nope')}"
    assert error_of(lambda: lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=missing)) == (
        "ResourceNotFoundException", 404, f"Function not found: {missing}")
    code, _, message = error_of(lambda: lam.create_event_source_mapping(
        EventSourceArn="arn:aws:sqs:us-east-1:000000000000:no-such-queue",
        FunctionName=function))
    assert (code, message) == ("InvalidParameterValueException", (
        "Error occurred while ReceiveMessage. SQS Error Code: "
        "AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue "
        "does not exist for this wsdl version."))
    stream = "arn:aws:kinesis:us-east-1:000000000000:stream/no-such-stream"
    code, _, message = error_of(lambda: lam.create_event_source_mapping(
        EventSourceArn=stream, FunctionName=function, StartingPosition="LATEST"))
    assert code == "InvalidParameterValueException"
    assert message.startswith(f"Cannot access stream {stream}.")
    for call in (lambda: lam.get_event_source_mapping(UUID="no-such-uuid"),
                 lambda: lam.update_event_source_mapping(UUID="no-such-uuid", BatchSize=1),
                 lambda: lam.delete_event_source_mapping(UUID="no-such-uuid")):
        assert error_of(call)[:2] == ("ResourceNotFoundException", 404)


def test_parameters_are_checked_as_aws_checks_them(
        lam: Any, unchecked: Any, sqs: Any, kinesis: Any, dynamodb: Any,
        function: str) -> None:
    _, queue = make_queue(sqs)
    _, fifo = make_queue(sqs, FifoQueue="true")
    stream = make_stream(kinesis)
    table_stream = make_table(dynamodb)

    def refused(client: Any = lam, **params: Any) -> tuple[str, str]:
        code, _, message = error_of(lambda: client.create_event_source_mapping(
            FunctionName=function, **params))
        return code, message

    invalid = "InvalidParameterValueException"
    assert refused(EventSourceArn=queue, BatchSize=11) == (invalid, (
        "Maximum batch window in seconds must be greater than 0 if maximum batch size is "
        "greater than 10"))
    assert refused(EventSourceArn=fifo, BatchSize=11)[0] == invalid
    assert refused(EventSourceArn=fifo, MaximumBatchingWindowInSeconds=1) == (
        invalid, "Batching window is not supported for FIFO queues.")
    assert refused(EventSourceArn=queue, StartingPosition="LATEST") == (
        invalid, f"Unsupported starting position for arn type: {queue}")
    assert refused(EventSourceArn=stream) == (invalid, (
        "1 validation error detected: Value null at 'startingPosition' failed to satisfy "
        "constraint: Member must not be null."))
    assert refused(EventSourceArn=table_stream, StartingPosition="AT_TIMESTAMP",
                   StartingPositionTimestamp=1) == (
        invalid, f"Unsupported starting position for arn type: {table_stream}")
    assert refused(unchecked, EventSourceArn=stream, StartingPosition="SOMEWHERE")[0] == (
        "ValidationException")
    assert refused(EventSourceArn=stream, StartingPosition="LATEST",
                   MaximumRecordAgeInSeconds=59)[0] == invalid
    assert refused(EventSourceArn=queue, MaximumRetryAttempts=1) == (
        invalid, "Unsupported MaximumRetryAttempts parameter for given event source mapping "
                 "type.")
    assert refused(EventSourceArn=stream, StartingPosition="LATEST",
                   DestinationConfig={"OnSuccess": {"Destination": queue}}) == (
        invalid, "Unsupported DestinationConfig parameter for given event source mapping "
                 "type.")
    assert refused(EventSourceArn=stream, StartingPosition="LATEST",
                   DestinationConfig={"OnFailure": {"Destination": stream}})[0] == invalid
    assert refused(EventSourceArn=stream, StartingPosition="LATEST",
                   ParallelizationFactor=2)[0] == invalid
    assert refused(EventSourceArn=queue, FilterCriteria={"Filters": [
        {"Pattern": "not json"}]}) == (invalid, "Invalid filter pattern definition.")
    assert refused(EventSourceArn="arn:aws:s3:::bucket")[0] == invalid
    assert refused(EventSourceArn=queue, Tags={"a": "b"})[0] == invalid
    ok = lam.create_event_source_mapping(
        EventSourceArn=queue, FunctionName=function, BatchSize=100,
        MaximumBatchingWindowInSeconds=5,
        FilterCriteria={"Filters": [{"Pattern": json.dumps({"body": {"a": [1]}})}]})
    assert (ok["BatchSize"], ok["MaximumBatchingWindowInSeconds"]) == (100, 5)
    wait_state(lam, ok["UUID"], "Enabled")
    code, _, _ = error_of(lambda: lam.update_event_source_mapping(
        UUID=ok["UUID"], MaximumBatchingWindowInSeconds=0))
    assert code == invalid
