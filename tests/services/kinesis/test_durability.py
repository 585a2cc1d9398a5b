"""Acknowledged records survive kill -9 of the server, in order, with their numbers."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest

from tests.conftest import CREDENTIALS
from tests.server import NubesServer


@pytest.mark.slow
def test_records_survive_kill_9(tmp_path: Path) -> None:
    server = NubesServer(tmp_path / "data").start()
    try:
        client = boto3.client("kinesis", endpoint_url=server.endpoint,
                              region_name="us-east-1", **CREDENTIALS)
        client.create_stream(StreamName="durable", ShardCount=2)
        client.get_waiter("stream_exists").wait(StreamName="durable",
                                                WaiterConfig={"Delay": 1})
        sent = [client.put_record(StreamName="durable", Data=f"{n}".encode(),
                                  PartitionKey="k") for n in range(20)]
        server.kill()
        server.start()
        client = boto3.client("kinesis", endpoint_url=server.endpoint,
                              region_name="us-east-1", **CREDENTIALS)
        shard = sent[0]["ShardId"]
        iterator = client.get_shard_iterator(StreamName="durable", ShardId=shard,
                                             ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        records = client.get_records(ShardIterator=iterator)["Records"]
        assert [r["SequenceNumber"] for r in records] == [s["SequenceNumber"] for s in sent]
        after = client.put_record(StreamName="durable", Data=b"next", PartitionKey="k")
        assert int(after["SequenceNumber"]) > int(sent[-1]["SequenceNumber"])
    finally:
        server.stop()
