"""examples/scheduled-snapshot: an EventBridge cron rule runs the function, which stores a
snapshot of the stand-in feed. Deployed with a rule firing every minute, so the test
waits for the next minute's tick (at most about 60 s)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from nubes.examples_deploy import Deployed, Deployer
from tests.e2e.conftest import eventually

pytestmark = pytest.mark.slow

EVERY_MINUTE = "cron(* * * * ? *)"


@pytest.fixture(scope="module")
def snapshot(deploy: Callable[..., Deployed]) -> Deployed:
    return deploy("scheduled-snapshot", schedule=EVERY_MINUTE)


def test_the_rule_fires_and_a_snapshot_is_stored(aws: Deployer, snapshot: Deployed) -> None:
    s3, events = aws.client("s3"), aws.client("events")
    rule = events.describe_rule(Name="scheduled-snapshot")
    assert (rule["ScheduleExpression"], rule["State"]) == (EVERY_MINUTE, "ENABLED")

    def keys() -> list[str]:
        listed = s3.list_objects_v2(Bucket="snapshots", Prefix="snapshots/")
        return [obj["Key"] for obj in listed.get("Contents", [])]

    found = eventually(keys, wait_s=75, every_s=0.5)
    assert found, "no snapshot within 75 s of deploying a rule that fires every minute"
    key = found[0]
    stored: dict[str, Any] = json.loads(s3.get_object(Bucket="snapshots", Key=key)["Body"]
                                        .read())
    feed = json.loads(s3.get_object(Bucket="snapshot-feed", Key="prices.json")["Body"].read())
    assert stored["data"] == feed
    assert stored["source"] == "s3://snapshot-feed/prices.json"
    assert stored["rule"] == rule["Arn"]
    # The key is the tick: a whole minute, UTC, as EventBridge's scheduled event says.
    assert key == f"snapshots/{stored['tick']}.json"
    assert stored["tick"].endswith(":00Z")
