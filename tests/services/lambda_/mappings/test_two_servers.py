"""Two servers sharing one database: a shard is polled by one of them at a time, and
when that server dies (kill -9) the other takes its shards over once the leases end."""

from __future__ import annotations

import base64
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from tests.server import NubesServer
from tests.services.lambda_.conftest import ROLE, make_zip
from tests.services.lambda_.mappings.conftest import client_for, new_name, received, start_server
from tests.services.lambda_.mappings.test_streams import make_stream, put

# Records which server invoked it (the endpoint its sandbox was given) and its event.
WHO = '''
import json, os
import boto3

sqs = boto3.client("sqs")


def handler(event, context):
    sqs.send_message(QueueUrl=os.environ["RECORD_URL"], MessageBody=json.dumps(
        {"endpoint": os.environ["AWS_ENDPOINT_URL"], "event": event}))
    return "ok"
'''


def deliveries(sqs: Any, url: str, count: int) -> list[tuple[str, str, str]]:
    """(server endpoint, shard, data) of each record delivered, until ``count`` were."""
    out: list[tuple[str, str, str]] = []
    deadline = time.monotonic() + 30
    while len(out) < count and time.monotonic() < deadline:
        for got in received(sqs, url, 1, wait_s=2):
            for record in got["event"]["Records"]:
                out.append((got["endpoint"], record["eventID"].split(":")[0],
                            base64.b64decode(record["kinesis"]["data"]).decode()))
    return out


def test_shards_have_one_poller_and_move_to_the_survivor(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = start_server(data_dir)
    second: NubesServer | None = None
    try:
        second = NubesServer(data_dir).start()
        lam, sqs, kinesis = (client_for(first, s) for s in ("lambda", "sqs", "kinesis"))
        url = sqs.create_queue(QueueName=new_name("record"))["QueueUrl"]
        name = new_name("esm")
        lam.create_function(
            FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.handler",
            Code={"ZipFile": make_zip({"app.py": WHO})}, Timeout=30,
            Environment={"Variables": {"RECORD_URL": url}})
        lam.get_waiter("function_active_v2").wait(
            FunctionName=name, WaiterConfig={"Delay": 0.05, "MaxAttempts": 400})
        arn = make_stream(kinesis, shards=2)
        lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name,
                                        StartingPosition="TRIM_HORIZON", BatchSize=1)
        for n in range(6):
            put(kinesis, arn, f"a{n}", key="alpha")
            put(kinesis, arn, f"b{n}", key="bravo-7")
        before = deliveries(sqs, url, 12)
        assert sorted(data for _, _, data in before) == sorted(
            [f"a{n}" for n in range(6)] + [f"b{n}" for n in range(6)])  # each exactly once
        pollers: dict[str, set[str]] = defaultdict(set)
        for endpoint, shard, _ in before:
            pollers[shard].add(endpoint)
        assert len(pollers) == 2 and all(len(e) == 1 for e in pollers.values())
        # Kill whichever server polls the first shard; the other one takes it over.
        endpoint = next(iter(pollers.values())).pop()
        dead, survivor = (first, second) if endpoint.endswith(f":{first.port}") else (
            second, first)
        dead.kill()
        sqs, kinesis = client_for(survivor, "sqs"), client_for(survivor, "kinesis")
        put(kinesis, arn, "a-after", key="alpha")
        put(kinesis, arn, "b-after", key="bravo-7")
        after: list[tuple[str, str, str]] = []
        deadline = time.monotonic() + 30
        while not {"a-after", "b-after"} <= {d for _, _, d in after} \
                and time.monotonic() < deadline:
            after += deliveries(sqs, url, 1)
        # A record the dead server ran but had not checkpointed may come again (at least
        # once); everything now comes from the survivor.
        assert {d for _, _, d in after} - {d for _, _, d in before} == {"a-after", "b-after"}
        assert {e for e, _, _ in after} == {f"http://127.0.0.1:{survivor.port}"}
    finally:
        first.stop()
        if second is not None:
            second.stop()
