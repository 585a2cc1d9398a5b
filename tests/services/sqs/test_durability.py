"""At-least-once across crashes: sends acknowledged before kill -9 survive, and leases
(visibility deadlines) live in the store, so unfinished work comes back after a restart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from tests.server import NubesServer


def _client(server: NubesServer) -> Any:
    return boto3.client("sqs", endpoint_url=server.endpoint, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 1}))


def test_messages_and_leases_survive_kill_9(tmp_path: Path) -> None:
    server = NubesServer(tmp_path / "data").start()
    try:
        sqs = _client(server)
        url = sqs.create_queue(QueueName="durable")["QueueUrl"]
        sent = {sqs.send_message(QueueUrl=url, MessageBody=f"m{i}")["MessageId"]
                for i in range(20)}
        leased = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=5,
                                     VisibilityTimeout=1)["Messages"]
        server.kill()
        server.start()
        sqs = _client(server)
        seen: dict[str, str] = {}
        for _ in range(30):  # bounded: a lost message fails the assert below, not hangs
            if len(seen) == len(sent):
                break
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=5,
                                      AttributeNames=["ApproximateReceiveCount"])
            for message in got.get("Messages", []):
                seen[message["MessageId"]] = message["Attributes"]["ApproximateReceiveCount"]
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        assert set(seen) == sent
        assert {seen[m["MessageId"]] for m in leased} == {"2"}  # the leased came back
    finally:
        server.stop()
