"""examples/stream-analytics: page views put to Kinesis are summed per page in DynamoDB."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from nubes.examples_deploy import Deployed, Deployer
from tests.e2e.conftest import eventually

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stream_analytics(deploy: Callable[..., Deployed]) -> Deployed:
    return deploy("stream-analytics")


def stats(aws: Deployer) -> dict[str, dict[str, Any]]:
    items = aws.client("dynamodb").scan(TableName="page-stats", ConsistentRead=True)["Items"]
    return {item["page"]["S"]: item for item in items}


def test_page_views_are_summed_per_page(aws: Deployer, stream_analytics: Deployed) -> None:
    kinesis = aws.client("kinesis")
    pages = ["/", "/pricing", "/docs/start here"]
    expected: dict[str, tuple[int, int]] = {}
    records = []
    for i in range(150):  # more than one batch (100), over both shards
        page = pages[i % 3]
        views, total = expected.get(page, (0, 0))
        expected[page] = (views + 1, total + i)
        records.append({"Data": json.dumps({"page": page, "user": f"u-{i % 7}", "ms": i}),
                        "PartitionKey": f"u-{i % 7}"})
    for start in range(0, len(records), 50):
        answer = kinesis.put_records(StreamName="page-views", Records=records[start:start + 50])
        assert answer["FailedRecordCount"] == 0

    def summed() -> dict[str, tuple[int, int]]:
        return {page: (int(item["views"]["N"]), int(item["total_ms"]["N"]))
                for page, item in stats(aws).items()}

    eventually(lambda: summed() == expected, wait_s=60, every_s=0.25)
    assert summed() == expected
    assert all(item["last_sequence"]["S"].isdigit() for item in stats(aws).values())
