"""Kinesis and DynamoDB streams mapped to functions: AWS's event shapes, order per shard,
starting positions, retries, bisection, MaximumRetryAttempts and MaximumRecordAge ending
in an on-failure record, ReportBatchItemFailures, filters."""

from __future__ import annotations

import base64
import json
import math
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from tests.services.lambda_.mappings.conftest import (
    deploy,
    make_queue,
    new_name,
    received,
    wait_state,
)


def make_stream(kinesis: Any, shards: int = 1) -> str:
    name = new_name("esm")
    kinesis.create_stream(StreamName=name, ShardCount=shards)
    kinesis.get_waiter("stream_exists").wait(StreamName=name,
                                             WaiterConfig={"Delay": 0.1, "MaxAttempts": 100})
    arn: str = kinesis.describe_stream_summary(StreamName=name)[
        "StreamDescriptionSummary"]["StreamARN"]
    return arn


def put(kinesis: Any, arn: str, *texts: str, key: str = "k") -> list[str]:
    return [kinesis.put_record(StreamARN=arn, PartitionKey=key, Data=text.encode())[
        "SequenceNumber"] for text in texts]


def texts(events: list[dict[str, Any]]) -> list[str]:
    return [base64.b64decode(r["kinesis"]["data"]).decode()
            for e in events for r in e["Records"]]


def all_events(sqs: Any, url: str, count: int) -> list[dict[str, Any]]:
    """Events recorded until ``count`` records were seen (or the wait ran out)."""
    events: list[dict[str, Any]] = []
    deadline = time.monotonic() + 30
    while sum(len(e["Records"]) for e in events) < count and time.monotonic() < deadline:
        events += received(sqs, url, 1, wait_s=2)
    return events


def test_kinesis_records_arrive_in_aws_shape_and_in_order(
        lam: Any, sqs: Any, kinesis: Any, record: tuple[str, str]) -> None:
    arn = make_stream(kinesis)
    name = deploy(lam, record[0])
    mapping = lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=name, StartingPosition="TRIM_HORIZON", BatchSize=3)
    assert (mapping["BatchSize"], mapping["StartingPosition"]) == (3, "TRIM_HORIZON")
    assert mapping["MaximumRetryAttempts"] == -1
    assert mapping["MaximumRecordAgeInSeconds"] == -1
    assert mapping["BisectBatchOnFunctionError"] is False
    assert mapping["ParallelizationFactor"] == 1
    sequences = put(kinesis, arn, *[f"r{n}" for n in range(7)])
    events = all_events(sqs, record[0], 7)
    assert texts(events) == [f"r{n}" for n in range(7)]
    assert max(len(e["Records"]) for e in events) <= 3
    got = events[0]["Records"][0]
    assert got == {
        "kinesis": {"kinesisSchemaVersion": "1.0", "partitionKey": "k",
                    "sequenceNumber": sequences[0], "data": base64.b64encode(b"r0").decode(),
                    "approximateArrivalTimestamp": got["kinesis"]["approximateArrivalTimestamp"]},
        "eventSource": "aws:kinesis", "eventVersion": "1.0",
        "eventID": f"shardId-000000000000:{sequences[0]}", "eventName": "aws:kinesis:record",
        "invokeIdentityArn": "arn:aws:iam::000000000000:role/lambda-role",
        "awsRegion": "us-east-1", "eventSourceARN": arn}
    assert isinstance(got["kinesis"]["approximateArrivalTimestamp"], float)
    after = lam.get_event_source_mapping(UUID=mapping["UUID"])
    assert after["LastProcessingResult"] == "OK"


def test_latest_skips_what_was_there_before(
        lam: Any, sqs: Any, kinesis: Any, record: tuple[str, str]) -> None:
    arn = make_stream(kinesis)
    put(kinesis, arn, "old")
    name = deploy(lam, record[0])
    mapping = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name,
                                              StartingPosition="LATEST")
    wait_state(lam, mapping["UUID"], "Enabled")
    put(kinesis, arn, "new")
    assert texts(received(sqs, record[0], 1)) == ["new"]


def test_every_shard_is_read_in_order(
        lam: Any, sqs: Any, kinesis: Any, record: tuple[str, str]) -> None:
    arn = make_stream(kinesis, shards=2)
    name = deploy(lam, record[0])
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name,
                                    StartingPosition="TRIM_HORIZON", BatchSize=2)
    for n in range(5):
        put(kinesis, arn, f"a{n}", key="alpha")
        put(kinesis, arn, f"b{n}", key="bravo-7")
    got = texts(all_events(sqs, record[0], 10))
    assert [t for t in got if t.startswith("a")] == [f"a{n}" for n in range(5)]
    assert [t for t in got if t.startswith("b")] == [f"b{n}" for n in range(5)]


def test_retries_run_out_into_an_on_failure_record(
        lam: Any, sqs: Any, kinesis: Any, record: tuple[str, str]) -> None:
    arn = make_stream(kinesis)
    failures_url, failures_arn = make_queue(sqs)
    name = deploy(lam, record[0], "poison")
    lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=name, StartingPosition="TRIM_HORIZON",
        MaximumRetryAttempts=2, DestinationConfig={"OnFailure": {"Destination": failures_arn}})
    sequences = put(kinesis, arn, "poison")
    [failure] = received(sqs, failures_url, 1)
    assert texts(received(sqs, record[0], 3)) == ["poison"] * 3  # the call and 2 retries
    assert set(failure) == {"requestContext", "responseContext", "version", "timestamp",
                            "KinesisBatchInfo"}
    context = failure["requestContext"]
    assert context["condition"] == "RetryAttemptsExhausted"
    assert context["approximateInvokeCount"] == 3
    assert context["functionArn"].endswith(f":function:{name}")
    assert failure["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST",
                                          "functionError": "Unhandled"}
    info = failure["KinesisBatchInfo"]
    assert (info["shardId"], info["startSequenceNumber"], info["endSequenceNumber"],
            info["batchSize"], info["streamArn"]) == (
        "shardId-000000000000", sequences[0], sequences[0], 1, arn)
    put(kinesis, arn, "after")  # the shard moved on
    assert texts(received(sqs, record[0], 1)) == ["after"]


def test_bisection_isolates_the_bad_record(
        lam: Any, sqs: Any, kinesis: Any, record: tuple[str, str]) -> None:
    arn = make_stream(kinesis)
    failures_url, failures_arn = make_queue(sqs)
    put(kinesis, arn, "a", "b", "poison", "d")
    name = deploy(lam, record[0], "poison")
    lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=name, StartingPosition="TRIM_HORIZON",
        MaximumRetryAttempts=0, BisectBatchOnFunctionError=True,
        DestinationConfig={"OnFailure": {"Destination": failures_arn}})
    [failure] = received(sqs, failures_url, 1)
    assert failure["KinesisBatchInfo"]["batchSize"] == 1
    seen = [texts([e]) for e in received(sqs, record[0], 5)]
    assert seen == [["a", "b", "poison", "d"], ["a", "b"], ["poison", "d"], ["poison"], ["d"]]


def test_reported_item_failures_retry_from_the_failed_record(
        lam: Any, sqs: Any, kinesis: Any, record: tuple[str, str]) -> None:
    arn = make_stream(kinesis)
    failures_url, failures_arn = make_queue(sqs)
    put(kinesis, arn, "a", "poison", "c")
    name = deploy(lam, record[0], "report")
    lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=name, StartingPosition="TRIM_HORIZON",
        MaximumRetryAttempts=1, FunctionResponseTypes=["ReportBatchItemFailures"],
        DestinationConfig={"OnFailure": {"Destination": failures_arn}})
    [failure] = received(sqs, failures_url, 1)
    assert failure["KinesisBatchInfo"]["batchSize"] == 2  # "poison" and "c"
    seen = [texts([e]) for e in received(sqs, record[0], 2)]
    assert seen == [["a", "poison", "c"], ["poison", "c"]]


def test_filters_skip_records_no_pattern_matches(
        lam: Any, sqs: Any, kinesis: Any, record: tuple[str, str]) -> None:
    arn = make_stream(kinesis)
    put(kinesis, arn, json.dumps({"kind": "skip"}), json.dumps({"kind": "keep", "n": 1}),
        "not json")
    name = deploy(lam, record[0])
    mapping = lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=name, StartingPosition="TRIM_HORIZON",
        FilterCriteria={"Filters": [{"Pattern": json.dumps({"data": {"kind": ["keep"]}})}]})
    assert mapping["FilterCriteria"]["Filters"][0]["Pattern"] == json.dumps(
        {"data": {"kind": ["keep"]}})
    assert [json.loads(t) for t in texts(received(sqs, record[0], 1))] == [
        {"kind": "keep", "n": 1}]


def make_table(dynamodb: Any) -> str:
    name = new_name("esm")
    table = dynamodb.create_table(
        TableName=name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    arn: str = table["TableDescription"]["LatestStreamArn"]
    return arn if arn else dynamodb.describe_table(TableName=name)["Table"]["LatestStreamArn"]


def test_dynamodb_changes_arrive_in_aws_shape_and_in_order(
        lam: Any, sqs: Any, dynamodb: Any, record: tuple[str, str]) -> None:
    stream_arn = make_table(dynamodb)
    table = stream_arn.split("/")[1]
    name = deploy(lam, record[0])
    mapping = lam.create_event_source_mapping(
        EventSourceArn=stream_arn, FunctionName=name, StartingPosition="LATEST")
    wait_state(lam, mapping["UUID"], "Enabled")
    key = {"id": {"S": str(uuid.uuid4())}}
    dynamodb.put_item(TableName=table, Item={**key, "n": {"N": "1"}})
    dynamodb.update_item(TableName=table, Key=key, UpdateExpression="SET n = :two",
                         ExpressionAttributeValues={":two": {"N": "2"}})
    dynamodb.delete_item(TableName=table, Key=key)
    events = all_events(sqs, record[0], 3)
    records = [r for e in events for r in e["Records"]]
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    first = records[0]
    assert set(first) == {"eventID", "eventName", "eventVersion", "eventSource", "awsRegion",
                          "dynamodb", "eventSourceARN"}
    assert (first["eventVersion"], first["eventSource"], first["awsRegion"],
            first["eventSourceARN"]) == ("1.1", "aws:dynamodb", "us-east-1", stream_arn)
    body = first["dynamodb"]
    assert body["Keys"] == key
    assert body["NewImage"] == {**key, "n": {"N": "1"}}
    assert "OldImage" not in body
    assert body["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert {"ApproximateCreationDateTime", "SequenceNumber", "SizeBytes"} <= set(body)
    assert isinstance(body["ApproximateCreationDateTime"], int)
    assert abs(body["ApproximateCreationDateTime"] - time.time()) < 600
    assert records[1]["dynamodb"]["OldImage"]["n"] == {"N": "1"}
    assert records[2]["dynamodb"]["OldImage"]["n"] == {"N": "2"}


def test_a_dynamodb_batch_given_up_on_is_described_on_failure(
        lam: Any, sqs: Any, dynamodb: Any, record: tuple[str, str]) -> None:
    stream_arn = make_table(dynamodb)
    table = stream_arn.split("/")[1]
    failures_url, failures_arn = make_queue(sqs)
    name = deploy(lam, record[0], "fail")
    lam.create_event_source_mapping(
        EventSourceArn=stream_arn, FunctionName=name, StartingPosition="TRIM_HORIZON",
        MaximumRetryAttempts=0, DestinationConfig={"OnFailure": {"Destination": failures_arn}})
    dynamodb.put_item(TableName=table, Item={"id": {"S": "x"}})
    [failure] = received(sqs, failures_url, 1)
    info = failure["DDBStreamBatchInfo"]
    assert (info["batchSize"], info["streamArn"]) == (1, stream_arn)
    assert failure["requestContext"]["approximateInvokeCount"] == 1


def test_a_throttled_batch_waits_without_counting_as_a_failure(
        lam: Any, sqs: Any, kinesis: Any, record: tuple[str, str]) -> None:
    arn = make_stream(kinesis)
    failures_url, failures_arn = make_queue(sqs)
    name = deploy(lam, record[0])
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=name, StartingPosition="TRIM_HORIZON",
        MaximumRetryAttempts=0, DestinationConfig={"OnFailure": {"Destination": failures_arn}})
    put(kinesis, arn, "patient")
    time.sleep(1.0)  # ten retry intervals: a counted failure would have been given up on
    assert received(sqs, failures_url, 1, wait_s=1) == []
    lam.delete_function_concurrency(FunctionName=name)
    assert texts(received(sqs, record[0], 1)) == ["patient"]
    assert received(sqs, failures_url, 1, wait_s=1) == []


def test_at_timestamp_starts_at_the_first_record_that_late(
        lam: Any, sqs: Any, kinesis: Any, record: tuple[str, str]) -> None:
    arn = make_stream(kinesis)
    put(kinesis, arn, "before")
    time.sleep(1.1)  # the API carries whole seconds: keep the two records a second apart
    start = math.ceil(time.time())
    time.sleep(1.1)
    put(kinesis, arn, "after")
    name = deploy(lam, record[0])
    lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=name, StartingPosition="AT_TIMESTAMP",
        StartingPositionTimestamp=datetime.fromtimestamp(start, UTC))
    assert texts(received(sqs, record[0], 1)) == ["after"]
