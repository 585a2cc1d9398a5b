"""A server killed with kill -9 while a function runs a stream batch: after a restart the
batch is delivered again, because the checkpoint only moves after a batch succeeded."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests.services.lambda_.conftest import ROLE, make_zip
from tests.services.lambda_.mappings.conftest import client_for, new_name, received, start_server
from tests.services.lambda_.mappings.test_streams import make_stream, texts

# Records the event, then, on the first delivery only (the record queue holds one
# message), runs far longer than the test waits: the server is killed meanwhile.
SLOW_FIRST = '''
import json, os, time
import boto3

sqs = boto3.client("sqs")


def handler(event, context):
    url = os.environ["RECORD_URL"]
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(event))
    seen = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
        "ApproximateNumberOfMessages"])["Attributes"]["ApproximateNumberOfMessages"]
    if seen == "1":
        time.sleep(20)
    return "ok"
'''


def recorded(sqs: Any, url: str) -> int:
    return int(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
        "ApproximateNumberOfMessages"])["Attributes"]["ApproximateNumberOfMessages"])


def test_a_batch_cut_short_by_kill_9_is_delivered_again(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    server = start_server(data_dir)
    try:
        lam, sqs, kinesis = (client_for(server, s) for s in ("lambda", "sqs", "kinesis"))
        url = sqs.create_queue(QueueName=new_name("record"))["QueueUrl"]
        name = new_name("esm")
        lam.create_function(
            FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.handler",
            Code={"ZipFile": make_zip({"app.py": SLOW_FIRST})}, Timeout=60,
            Environment={"Variables": {"RECORD_URL": url}})
        lam.get_waiter("function_active_v2").wait(
            FunctionName=name, WaiterConfig={"Delay": 0.05, "MaxAttempts": 400})
        arn = make_stream(kinesis)
        lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name,
                                        StartingPosition="TRIM_HORIZON")
        kinesis.put_records(StreamARN=arn, Records=[  # one write: one batch
            {"PartitionKey": "k", "Data": data} for data in (b"first", b"second")])
        deadline = time.monotonic() + 30
        while recorded(sqs, url) < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert recorded(sqs, url) == 1  # the function is running the batch
        server.kill()
        server = start_server(data_dir, server.port)
        sqs = client_for(server, "sqs")
        events = received(sqs, url, 2)
        assert [texts([event]) for event in events] == [["first", "second"]] * 2
    finally:
        server.stop()
