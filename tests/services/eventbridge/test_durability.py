"""Events acknowledged by PutEvents survive ``kill -9``: their deliveries are in the
outbox, committed with the answer, and go out once Nubes is back."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from tests.server import NubesServer
from tests.services.eventbridge.conftest import allow_rule, new_queue, received

pytestmark = pytest.mark.slow


def client(server: NubesServer, service: str) -> Any:
    return boto3.client(service, endpoint_url=server.endpoint, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=Config(retries={"max_attempts": 1}))


def test_acknowledged_events_are_delivered_after_kill_9(tmp_path: Path) -> None:
    server = NubesServer(tmp_path / "data").start()
    try:
        events, sqs = client(server, "events"), client(server, "sqs")
        url, queue_arn = new_queue(sqs)
        rule_arn = events.put_rule(Name="all", EventPattern='{"source": ["app"]}')["RuleArn"]
        allow_rule(sqs, url, queue_arn, rule_arn)
        events.put_targets(Rule="all", Targets=[{"Id": "q", "Arn": queue_arn}])
        acknowledged = []
        for n in range(20):
            answer = events.put_events(Entries=[
                {"Source": "app", "DetailType": "t", "Detail": json.dumps({"n": n})}])
            acknowledged.append(answer["Entries"][0]["EventId"])
        server.kill()
        server.start()
        seen: set[str] = set()
        deadline = time.monotonic() + 30.0
        while not set(acknowledged) <= seen and time.monotonic() < deadline:
            seen |= {json.loads(m["Body"])["id"] for m in received(
                client(server, "sqs"), url, 20, wait_s=2.0)}
        assert seen == set(acknowledged)  # at least once, every one of them
        rule = client(server, "events").describe_rule(Name="all")
        assert rule["EventPattern"] == '{"source": ["app"]}'
    finally:
        server.stop()
