"""Queued invocations under their configuration, against a server of their own (retries
after 0.2 s): MaximumRetryAttempts, MaximumEventAgeInSeconds, the invocation records sent
to OnSuccess / OnFailure destinations (SQS, Lambda), and the function's dead-letter queue.

The records are sent after the last run, so a test that has received one can count the
runs (each leaves an object in S3) without waiting for more."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from nubes.services.lambda_.event_store import EventStore
from nubes.storage.sqlite import Database
from tests.server import NubesServer, client_factory, with_settings
from tests.services.lambda_.conftest import ROLE, make_zip, new_name

ACCOUNT = "000000000000"
# Leaves an object in S3 per run, then does what the event asks.
WORKER = '''
import time, uuid, boto3

def handler(event, context):
    if "bucket" in event:
        boto3.client("s3").put_object(Bucket=event["bucket"],
                                      Key=event["prefix"] + uuid.uuid4().hex, Body=b"x")
    mode = event.get("mode", "ok")
    if mode == "raise":
        raise ValueError("broken " + event.get("why", ""))
    if mode == "sleep":
        time.sleep(30)
    if mode == "oom":
        hoard = [bytearray(1024 * 1024) for _ in range(400)]
        return len(hoard)
    return {"answer": 42, "got": event.get("why")}
'''
# Stores the record it is invoked with under record/<prefix of the original event>.
RECORDER = '''
import json, boto3

def handler(event, context):
    original = event["requestPayload"]
    boto3.client("s3").put_object(Bucket=original["bucket"], Key="record/" + original["prefix"],
                                  Body=json.dumps(event).encode())
'''
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NubesServer]:
    data_dir = with_settings(tmp_path_factory.mktemp("destinations") / "data",
                             "lambda_async_retry_delays = [0.2, 0.2]\n")
    with NubesServer(data_dir) as running:
        yield running


@pytest.fixture(scope="module")
def client(server: NubesServer) -> Callable[[str], Any]:
    return client_factory(server)


@pytest.fixture(scope="module")
def bucket(client: Callable[[str], Any]) -> str:
    name = new_name("bucket")
    client("s3").create_bucket(Bucket=name)
    return name


def _deploy(lam: Any, source: str = WORKER, **config: Any) -> str:
    name = new_name("async")
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE,
                        Handler="app.handler", Code={"ZipFile": make_zip({"app.py": source})},
                        **{"Timeout": 10, **config})
    lam.get_waiter("function_active_v2").wait(FunctionName=name,
                                              WaiterConfig={"Delay": 0.05, "MaxAttempts": 1200})
    return name


def _queue(sqs: Any) -> tuple[str, str]:
    url: str = sqs.create_queue(QueueName=new_name("records"))["QueueUrl"]
    arn: str = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    return url, arn


def _receive(sqs: Any, url: str, wait_s: float = 30.0) -> dict[str, Any]:
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1,
                                  MessageAttributeNames=["All"])
        if got.get("Messages"):
            message: dict[str, Any] = got["Messages"][0]
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            return message
    raise AssertionError(f"nothing arrived in {url}")


def _runs(s3: Any, bucket: str, prefix: str) -> int:
    count: int = s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("KeyCount", 0)
    return count


def _event(lam: Any, name: str, payload: dict[str, Any], **extra: Any) -> str:
    answer = lam.invoke(FunctionName=name, InvocationType="Event",
                        Payload=json.dumps(payload), **extra)
    assert answer["StatusCode"] == 202
    request_id: str = answer["ResponseMetadata"]["RequestId"]
    return request_id


def _arn(name: str, qualifier: str = "$LATEST") -> str:
    return f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}:{qualifier}"


def test_on_success_record_to_sqs(client: Callable[[str], Any]) -> None:
    lam, sqs = client("lambda"), client("sqs")
    name = _deploy(lam)
    url, arn = _queue(sqs)
    lam.put_function_event_invoke_config(
        FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": arn}})
    request_id = _event(lam, name, {"why": "yes"})
    record = json.loads(_receive(sqs, url)["Body"])
    assert TIMESTAMP.match(record.pop("timestamp"))
    assert record == {
        "version": "1.0",
        "requestContext": {"requestId": request_id, "functionArn": _arn(name),
                           "condition": "Success", "approximateInvokeCount": 1},
        "requestPayload": {"why": "yes"},
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST"},
        "responsePayload": {"answer": 42, "got": "yes"},
    }


@pytest.mark.parametrize("retries", [0, 1, 2])
def test_maximum_retry_attempts_then_on_failure(client: Callable[[str], Any], bucket: str,
                                                retries: int) -> None:
    lam, sqs, s3 = client("lambda"), client("sqs"), client("s3")
    name = _deploy(lam)
    url, arn = _queue(sqs)
    lam.put_function_event_invoke_config(
        FunctionName=name, MaximumRetryAttempts=retries,
        DestinationConfig={"OnFailure": {"Destination": arn}})
    prefix = f"retries-{uuid.uuid4().hex}/"
    payload = {"bucket": bucket, "prefix": prefix, "mode": "raise", "why": "on purpose"}
    request_id = _event(lam, name, payload)
    record = json.loads(_receive(sqs, url)["Body"])
    assert _runs(s3, bucket, prefix) == retries + 1
    assert record["requestContext"] == {
        "requestId": request_id, "functionArn": _arn(name), "condition": "RetriesExhausted",
        "approximateInvokeCount": retries + 1}
    assert record["requestPayload"] == payload
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST",
                                         "functionError": "Unhandled"}
    assert record["responsePayload"]["errorType"] == "ValueError"
    assert record["responsePayload"]["errorMessage"] == "broken on purpose"


@pytest.mark.parametrize(("mode", "error_type"), [("sleep", "Sandbox.Timedout"),
                                                  ("oom", "Runtime.ExitError")])
def test_timeouts_and_crashes_are_failures(client: Callable[[str], Any], mode: str,
                                           error_type: str) -> None:
    lam, sqs = client("lambda"), client("sqs")
    name = _deploy(lam, Timeout=1, MemorySize=128)
    url, arn = _queue(sqs)
    lam.put_function_event_invoke_config(
        FunctionName=name, MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": arn}})
    _event(lam, name, {"mode": mode})
    record = json.loads(_receive(sqs, url)["Body"])
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["responseContext"]["functionError"] == "Unhandled"
    assert record["responsePayload"]["errorType"] == error_type


def test_on_failure_to_a_function(client: Callable[[str], Any], bucket: str) -> None:
    lam, s3 = client("lambda"), client("s3")
    name, recorder = _deploy(lam), _deploy(lam, RECORDER)
    recorder_arn = lam.get_function_configuration(FunctionName=recorder)["FunctionArn"]
    lam.put_function_event_invoke_config(
        FunctionName=name, MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": recorder_arn}})
    prefix = f"to-function-{uuid.uuid4().hex}"
    request_id = _event(lam, name, {"bucket": bucket, "prefix": prefix, "mode": "raise"})
    key = f"record/{prefix}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not _runs(s3, bucket, key):
        time.sleep(0.05)
    record = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    assert record["requestContext"]["requestId"] == request_id
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["responsePayload"]["errorMessage"] == "broken "


def test_dead_letter_queue_and_on_failure_both_receive(client: Callable[[str], Any]) -> None:
    lam, sqs = client("lambda"), client("sqs")
    dlq_url, dlq_arn = _queue(sqs)
    failures_url, failures_arn = _queue(sqs)
    name = _deploy(lam, DeadLetterConfig={"TargetArn": dlq_arn})
    lam.put_function_event_invoke_config(
        FunctionName=name, MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": failures_arn}})
    payload = json.dumps({"mode": "raise", "why": "dlq"})
    answer = lam.invoke(FunctionName=name, InvocationType="Event", Payload=payload)
    request_id = answer["ResponseMetadata"]["RequestId"]
    message = _receive(sqs, dlq_url)
    assert message["Body"] == payload  # the event itself, unchanged
    assert message["MessageAttributes"] == {
        "RequestID": {"DataType": "String", "StringValue": request_id},
        "ErrorCode": {"DataType": "Number", "StringValue": "200"},
        "ErrorMessage": {"DataType": "String", "StringValue": "broken dlq"},
    }
    record = json.loads(_receive(sqs, failures_url)["Body"])
    assert record["requestContext"]["requestId"] == request_id


def test_dead_letter_queue_after_default_retries(client: Callable[[str], Any],
                                                 bucket: str) -> None:
    lam, sqs, s3 = client("lambda"), client("sqs"), client("s3")
    dlq_url, dlq_arn = _queue(sqs)
    name = _deploy(lam, DeadLetterConfig={"TargetArn": dlq_arn})
    prefix = f"dlq-{uuid.uuid4().hex}/"
    _event(lam, name, {"bucket": bucket, "prefix": prefix, "mode": "raise"})
    message = _receive(sqs, dlq_url)
    assert json.loads(message["Body"])["prefix"] == prefix
    assert _runs(s3, bucket, prefix) == 3  # no configuration: two retries


def test_success_sends_nothing_to_on_failure_or_dead_letter_queue(
        client: Callable[[str], Any]) -> None:
    lam, sqs = client("lambda"), client("sqs")
    dlq_url, dlq_arn = _queue(sqs)
    success_url, success_arn = _queue(sqs)
    failures_url, failures_arn = _queue(sqs)
    name = _deploy(lam, DeadLetterConfig={"TargetArn": dlq_arn})
    lam.put_function_event_invoke_config(
        FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": success_arn},
                                              "OnFailure": {"Destination": failures_arn}})
    _event(lam, name, {})
    _receive(sqs, success_url)
    for url in (dlq_url, failures_url):  # the success record went out after the run
        assert sqs.receive_message(QueueUrl=url).get("Messages") is None


def test_configuration_of_the_alias_invoked(client: Callable[[str], Any]) -> None:
    lam, sqs = client("lambda"), client("sqs")
    name = _deploy(lam)
    version = lam.publish_version(FunctionName=name)["Version"]
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    url, arn = _queue(sqs)
    lam.put_function_event_invoke_config(
        FunctionName=name, Qualifier="live", DestinationConfig={"OnSuccess": {"Destination": arn}})
    _event(lam, name, {"why": "alias"}, Qualifier="live")
    record = json.loads(_receive(sqs, url)["Body"])
    assert record["requestContext"]["functionArn"] == _arn(name, "live")
    assert record["responseContext"]["executedVersion"] == version


def test_events_older_than_maximum_event_age_are_discarded(
        server: NubesServer, client: Callable[[str], Any], bucket: str) -> None:
    lam, sqs, s3 = client("lambda"), client("sqs"), client("s3")
    dlq_url, dlq_arn = _queue(sqs)
    url, arn = _queue(sqs)
    name = _deploy(lam, DeadLetterConfig={"TargetArn": dlq_arn})
    lam.put_function_event_invoke_config(
        FunctionName=name, MaximumEventAgeInSeconds=60,
        DestinationConfig={"OnSuccess": {"Destination": arn},
                           "OnFailure": {"Destination": arn}})
    stale = {"bucket": bucket, "prefix": f"stale-{uuid.uuid4().hex}/"}
    fresh = {"bucket": bucket, "prefix": f"fresh-{uuid.uuid4().hex}/"}
    server.kill()  # write to the queue as a server that accepted these events would have
    db = Database(server.data_dir / "nubes.db")
    events = EventStore(db)
    now = time.time()
    events.enqueue(ACCOUNT, "us-east-1", name, None, json.dumps(stale).encode(), "stale-one",
                   now=now - 61)
    events.enqueue(ACCOUNT, "us-east-1", name, None, json.dumps(fresh).encode(), "fresh-one",
                   now=now - 30)
    db.close()
    server.start()
    records = {}
    for _ in range(2):
        record = json.loads(_receive(sqs, url)["Body"])
        records[record["requestContext"]["requestId"]] = record
    expired = records["stale-one"]
    assert TIMESTAMP.match(expired.pop("timestamp"))
    assert expired == {
        "version": "1.0",
        "requestContext": {"requestId": "stale-one", "functionArn": _arn(name),
                           "condition": "EventAgeExceeded", "approximateInvokeCount": 0},
        "requestPayload": stale,
    }
    assert records["fresh-one"]["requestContext"]["condition"] == "Success"
    assert _runs(s3, bucket, stale["prefix"]) == 0
    assert _runs(s3, bucket, fresh["prefix"]) == 1
    dead = _receive(sqs, dlq_url)
    assert json.loads(dead["Body"]) == stale
    assert dead["MessageAttributes"]["RequestID"]["StringValue"] == "stale-one"


def test_reserved_concurrency_zero_sends_events_on_at_once(client: Callable[[str], Any],
                                                          bucket: str) -> None:
    lam, sqs, s3 = client("lambda"), client("sqs"), client("s3")
    dlq_url, dlq_arn = _queue(sqs)
    url, arn = _queue(sqs)
    name = _deploy(lam, DeadLetterConfig={"TargetArn": dlq_arn})
    lam.put_function_event_invoke_config(
        FunctionName=name, DestinationConfig={"OnFailure": {"Destination": arn}})
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    prefix = f"zero-{uuid.uuid4().hex}/"
    payload = {"bucket": bucket, "prefix": prefix}
    request_id = _event(lam, name, payload)
    dead = _receive(sqs, dlq_url)
    assert json.loads(dead["Body"]) == payload
    assert dead["MessageAttributes"]["ErrorCode"] == {"DataType": "Number",
                                                      "StringValue": "429"}
    record = json.loads(_receive(sqs, url)["Body"])
    assert record["requestContext"] == {
        "requestId": request_id, "functionArn": _arn(name), "condition": "RetriesExhausted",
        "approximateInvokeCount": 0}
    assert _runs(s3, bucket, prefix) == 0


def test_on_failure_to_an_event_bus(client: Callable[[str], Any]) -> None:
    lam, sqs, events = client("lambda"), client("sqs"), client("events")
    name = _deploy(lam)
    function = lam.get_function_configuration(FunctionName=name)["FunctionArn"]
    bus_arn = events.create_event_bus(Name=new_name("bus"))["EventBusArn"]
    bus = bus_arn.rsplit("/", 1)[1]
    rule = new_name("failures")
    rule_arn = events.put_rule(Name=rule, EventBusName=bus, EventPattern=json.dumps(
        {"source": ["lambda"],
         "detail-type": ["Lambda Function Invocation Result - Failure"]}))["RuleArn"]
    url, queue_arn = _queue(sqs)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sqs:SendMessage", "Resource": queue_arn,
            "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}}}]})})
    events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": "q", "Arn": queue_arn}])
    lam.put_function_event_invoke_config(
        FunctionName=name, MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": bus_arn}})
    request_id = _event(lam, name, {"mode": "raise", "why": "bus"})
    event = json.loads(_receive(sqs, url)["Body"])
    assert (event["source"], event["detail-type"]) == (
        "lambda", "Lambda Function Invocation Result - Failure")
    assert event["resources"] == [bus_arn, f"{function}:$LATEST"]  # as AWS names them
    assert event["detail"]["requestContext"]["requestId"] == request_id
    assert event["detail"]["requestContext"]["condition"] == "RetriesExhausted"
    assert event["detail"]["responsePayload"]["errorMessage"] == "broken bus"


def _topic_to_queue(client: Callable[[str], Any]) -> tuple[str, str]:
    """(topic ARN, URL of a queue subscribed to it with raw message delivery)."""
    sns, sqs = client("sns"), client("sqs")
    topic: str = sns.create_topic(Name=new_name("topic"))["TopicArn"]
    url, queue_arn = _queue(sqs)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
            "Action": "sqs:SendMessage", "Resource": queue_arn,
            "Condition": {"ArnEquals": {"aws:SourceArn": topic}}}]})})
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn,
                  Attributes={"RawMessageDelivery": "true"})
    return topic, url


def test_on_success_to_a_topic(client: Callable[[str], Any]) -> None:
    lam, sqs = client("lambda"), client("sqs")
    topic, url = _topic_to_queue(client)
    name = _deploy(lam)
    lam.put_function_event_invoke_config(
        FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": topic}})
    request_id = _event(lam, name, {"why": "topic"})
    record = json.loads(_receive(sqs, url)["Body"])  # the topic's message
    assert record["requestContext"] == {
        "requestId": request_id, "functionArn": _arn(name), "condition": "Success",
        "approximateInvokeCount": 1}
    assert record["responsePayload"] == {"answer": 42, "got": "topic"}


def test_dead_letter_topic(client: Callable[[str], Any]) -> None:
    lam, sqs = client("lambda"), client("sqs")
    topic, url = _topic_to_queue(client)
    name = _deploy(lam, DeadLetterConfig={"TargetArn": topic})
    lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
    payload = json.dumps({"mode": "raise", "why": "topic"})
    answer = lam.invoke(FunctionName=name, InvocationType="Event", Payload=payload)
    message = _receive(sqs, url)
    assert message["Body"] == payload  # the event, as the topic's message
    assert message["MessageAttributes"] == {  # raw delivery: SNS's attributes in SQS's
        "RequestID": {"DataType": "String",
                      "StringValue": answer["ResponseMetadata"]["RequestId"]},
        "ErrorCode": {"DataType": "Number", "StringValue": "200"},
        "ErrorMessage": {"DataType": "String", "StringValue": "broken topic"},
    }
