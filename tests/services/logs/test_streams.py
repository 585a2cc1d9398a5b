"""Log streams through boto3: create, describe (orders, prefix, pages), delete."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.logs.conftest import now_ms
from tests.services.logs.test_groups import error_code


def test_create_and_describe_streams(logs: Any, group: str) -> None:
    logs.create_log_stream(logGroupName=group, logStreamName="b")
    logs.create_log_stream(logGroupName=group, logStreamName="a")
    streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert [s["logStreamName"] for s in streams] == ["a", "b"]
    assert streams[0]["arn"] == (
        f"arn:aws:logs:us-east-1:000000000000:log-group:{group}:log-stream:a")
    assert streams[0]["storedBytes"] == 0
    assert "lastEventTimestamp" not in streams[0]


def test_stream_errors(logs: Any, group: str, stream: str) -> None:
    with pytest.raises(ClientError) as info:
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
    assert error_code(info) == "ResourceAlreadyExistsException"
    with pytest.raises(ClientError) as info:
        logs.create_log_stream(logGroupName="/no/such/group", logStreamName="s")
    assert error_code(info) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as info:
        logs.create_log_stream(logGroupName=group, logStreamName="bad:name")
    assert error_code(info) == "InvalidParameterException"
    with pytest.raises(ClientError) as info:
        logs.describe_log_streams(logGroupName="/no/such/group")
    assert error_code(info) == "ResourceNotFoundException"


def test_event_times_and_order_by_last_event(logs: Any, group: str) -> None:
    now = now_ms()
    for name, stamp in (("late", now), ("early", now - 5000), ("middle", now - 1000)):
        logs.create_log_stream(logGroupName=group, logStreamName=name)
        logs.put_log_events(logGroupName=group, logStreamName=name,
                            logEvents=[{"timestamp": stamp - 10, "message": "first"},
                                       {"timestamp": stamp, "message": "last"}])
    logs.create_log_stream(logGroupName=group, logStreamName="empty")
    streams = logs.describe_log_streams(logGroupName=group, orderBy="LastEventTime",
                                        descending=True)["logStreams"]
    assert [s["logStreamName"] for s in streams] == ["late", "middle", "early", "empty"]
    assert streams[0]["firstEventTimestamp"] == now - 10
    assert streams[0]["lastEventTimestamp"] == now
    assert streams[0]["lastIngestionTime"] >= now - 60_000
    page = logs.describe_log_streams(logGroupName=group, orderBy="LastEventTime", limit=2)
    rest = logs.describe_log_streams(logGroupName=group, orderBy="LastEventTime", limit=2,
                                     nextToken=page["nextToken"])
    assert [s["logStreamName"] for s in page["logStreams"] + rest["logStreams"]] == [
        "empty", "early", "middle", "late"]
    assert "nextToken" not in rest


def test_prefix_and_pages_by_name(logs: Any, group: str) -> None:
    for name in ("web-3", "web-1", "worker", "web-2"):
        logs.create_log_stream(logGroupName=group, logStreamName=name)
    first = logs.describe_log_streams(logGroupName=group, logStreamNamePrefix="web-",
                                      limit=2, descending=True)
    second = logs.describe_log_streams(logGroupName=group, logStreamNamePrefix="web-",
                                       limit=2, descending=True, nextToken=first["nextToken"])
    names = [s["logStreamName"] for s in first["logStreams"] + second["logStreams"]]
    assert names == ["web-3", "web-2", "web-1"]


def test_last_event_time_with_a_prefix_is_invalid(logs: Any, group: str) -> None:
    with pytest.raises(ClientError) as info:
        logs.describe_log_streams(logGroupName=group, orderBy="LastEventTime",
                                  logStreamNamePrefix="x")
    assert error_code(info) == "InvalidParameterException"


def test_describe_by_group_identifier(logs: Any, group: str, stream: str) -> None:
    arn = f"arn:aws:logs:us-east-1:000000000000:log-group:{group}"
    streams = logs.describe_log_streams(logGroupIdentifier=arn)["logStreams"]
    assert [s["logStreamName"] for s in streams] == [stream]
    with pytest.raises(ClientError) as info:
        logs.describe_log_streams(logGroupIdentifier=arn, logGroupName=group)
    assert error_code(info) == "InvalidParameterException"


def test_delete_stream_and_its_events(logs: Any, group: str, stream: str) -> None:
    logs.put_log_events(logGroupName=group, logStreamName=stream,
                        logEvents=[{"timestamp": now_ms(), "message": "hello"}])
    [found] = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert found["storedBytes"] == 5
    logs.delete_log_stream(logGroupName=group, logStreamName=stream)
    assert logs.describe_log_streams(logGroupName=group)["logStreams"] == []
    [found] = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert found["storedBytes"] == 0
    assert logs.filter_log_events(logGroupName=group)["events"] == []
    with pytest.raises(ClientError) as info:
        logs.delete_log_stream(logGroupName=group, logStreamName=stream)
    assert error_code(info) == "ResourceNotFoundException"
