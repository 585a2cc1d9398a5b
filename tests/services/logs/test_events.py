"""Log events through boto3: PutLogEvents' rules, GetLogEvents' pages both ways and
FilterLogEvents across streams with filter patterns."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from nubes.runtime.api import LogEvent
from nubes.services.logs.store import LogStore
from nubes.storage.sqlite import Database
from tests.services.logs.conftest import now_ms
from tests.services.logs.test_groups import error_code

DAY = 86_400_000


def put(logs: Any, group: str, stream: str, *events: tuple[int, str]) -> dict[str, Any]:
    result: dict[str, Any] = logs.put_log_events(
        logGroupName=group, logStreamName=stream,
        logEvents=[{"timestamp": stamp, "message": message} for stamp, message in events])
    return result


def messages(events: list[dict[str, Any]]) -> list[str]:
    return [event["message"] for event in events]


def test_put_and_get_events(logs: Any, group: str, stream: str) -> None:
    now = now_ms()
    result = put(logs, group, stream, (now - 2, "one"), (now - 1, "two"), (now, "three"))
    assert "rejectedLogEventsInfo" not in result
    assert result["nextSequenceToken"]
    got = logs.get_log_events(logGroupName=group, logStreamName=stream)
    assert messages(got["events"]) == ["one", "two", "three"]
    assert got["events"][0]["timestamp"] == now - 2
    assert got["events"][0]["ingestionTime"] >= now - 60_000
    [found] = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert found["storedBytes"] == len("onetwothree")


def test_sequence_token_is_ignored(logs: Any, group: str, stream: str) -> None:
    logs.put_log_events(logGroupName=group, logStreamName=stream, sequenceToken="bogus",
                        logEvents=[{"timestamp": now_ms(), "message": "ok"}])


def test_put_to_missing_group_or_stream_is_not_found(logs: Any, group: str) -> None:
    for name, stream in (("/no/such/group", "s"), (group, "missing")):
        with pytest.raises(ClientError) as info:
            put(logs, name, stream, (now_ms(), "x"))
        assert error_code(info) == "ResourceNotFoundException"


def test_events_out_of_order_are_invalid(logs: Any, group: str, stream: str) -> None:
    now = now_ms()
    with pytest.raises(ClientError) as info:
        put(logs, group, stream, (now, "b"), (now - 1, "a"))
    assert error_code(info) == "InvalidParameterException"


def test_a_batch_over_a_mebibyte_is_invalid(logs: Any, group: str, stream: str) -> None:
    now = now_ms()
    # Two events of 524,275 bytes fit only without the 26 bytes each event counts for.
    body = "x" * (524_288 - 13)
    with pytest.raises(ClientError) as info:
        put(logs, group, stream, (now, body), (now, body))
    assert error_code(info) == "InvalidParameterException"
    put(logs, group, stream, (now, "x" * (524_288 - 26)), (now, "x" * (524_288 - 26)))


def test_batch_spanning_more_than_a_day_is_invalid(logs: Any, group: str, stream: str
                                                   ) -> None:
    now = now_ms()
    with pytest.raises(ClientError) as info:
        put(logs, group, stream, (now - DAY - 1000, "a"), (now, "b"))
    assert error_code(info) == "InvalidParameterException"


def test_too_old_and_too_new_events_are_rejected(logs: Any, group: str, stream: str) -> None:
    now = now_ms()
    old = now - 14 * DAY - 3_600_000
    result = put(logs, group, stream, (old, "old1"), (old + 1, "old2"),
                 (now - 14 * DAY + 20 * 3_600_000, "kept"))
    assert result["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 1}
    result = put(logs, group, stream, (now, "kept2"), (now + 3 * 3_600_000, "future"))
    assert result["rejectedLogEventsInfo"] == {"tooNewLogEventStartIndex": 1}
    got = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)
    assert messages(got["events"]) == ["kept", "kept2"]


def test_events_past_retention_are_expired(logs: Any, group: str, stream: str) -> None:
    logs.put_retention_policy(logGroupName=group, retentionInDays=1)
    now = now_ms()
    result = put(logs, group, stream, (now - DAY - 3_600_000, "expired"),
                 (now - 7_200_000, "kept"))
    assert result["rejectedLogEventsInfo"] == {"expiredLogEventEndIndex": 0}


def test_retention_hides_events_already_stored(logs: Any, group: str, stream: str) -> None:
    now = now_ms()
    put(logs, group, stream, (now - 3 * DAY, "three days old"), (now - 3 * DAY + 1, "also"))
    put(logs, group, stream, (now, "today"))
    logs.put_retention_policy(logGroupName=group, retentionInDays=1)
    got = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)
    assert messages(got["events"]) == ["today"]
    assert messages(logs.filter_log_events(logGroupName=group)["events"]) == ["today"]


def fill(logs: Any, group: str, stream: str, count: int) -> int:
    base = now_ms() - count
    put(logs, group, stream, *[(base + i, f"event {i}") for i in range(count)])
    return base


def test_get_pages_forward_from_head(logs: Any, group: str, stream: str) -> None:
    fill(logs, group, stream, 10)
    seen: list[str] = []
    got = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True,
                              limit=4)
    while got["events"]:
        seen += messages(got["events"])
        token = got["nextForwardToken"]
        got = logs.get_log_events(logGroupName=group, logStreamName=stream, nextToken=token,
                                  limit=4)
    assert seen == [f"event {i}" for i in range(10)]
    assert got["nextForwardToken"] == token  # the end: the same token comes back


def test_get_pages_backward_from_tail(logs: Any, group: str, stream: str) -> None:
    fill(logs, group, stream, 10)
    got = logs.get_log_events(logGroupName=group, logStreamName=stream, limit=4)
    assert messages(got["events"]) == [f"event {i}" for i in range(6, 10)]
    pages = [messages(got["events"])]
    while got["events"]:
        token = got["nextBackwardToken"]
        got = logs.get_log_events(logGroupName=group, logStreamName=stream, nextToken=token,
                                  limit=4)
        pages.insert(0, messages(got["events"]))
    assert sum(pages, []) == [f"event {i}" for i in range(10)]
    assert got["nextBackwardToken"] == token
    # Forward from the tail finds nothing new until something is written.
    tail = logs.get_log_events(logGroupName=group, logStreamName=stream, limit=4)
    empty = logs.get_log_events(logGroupName=group, logStreamName=stream,
                                nextToken=tail["nextForwardToken"])
    assert empty["events"] == [] and empty["nextForwardToken"] == tail["nextForwardToken"]
    put(logs, group, stream, (now_ms(), "new"))
    after = logs.get_log_events(logGroupName=group, logStreamName=stream,
                                nextToken=tail["nextForwardToken"])
    assert messages(after["events"]) == ["new"]


def test_get_time_range(logs: Any, group: str, stream: str) -> None:
    base = fill(logs, group, stream, 10)
    got = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True,
                              startTime=base + 2, endTime=base + 5)
    assert messages(got["events"]) == ["event 2", "event 3", "event 4"]


def test_get_errors(logs: Any, group: str, stream: str) -> None:
    with pytest.raises(ClientError) as info:
        logs.get_log_events(logGroupName=group, logStreamName="missing")
    assert error_code(info) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as info:
        logs.get_log_events(logGroupName=group, logStreamName=stream, nextToken="x/1/2")
    assert error_code(info) == "InvalidParameterException"


def test_filter_interleaves_streams_by_time(logs: Any, group: str) -> None:
    now = now_ms()
    for name, offsets in (("a", (0, 2, 4)), ("b", (1, 3, 5))):
        logs.create_log_stream(logGroupName=group, logStreamName=name)
        put(logs, group, name, *[(now - 10 + off, f"{name}{off}") for off in offsets])
    events = logs.filter_log_events(logGroupName=group)["events"]
    assert messages(events) == ["a0", "b1", "a2", "b3", "a4", "b5"]
    assert events[1]["logStreamName"] == "b"
    assert len({event["eventId"] for event in events}) == 6
    only_b = logs.filter_log_events(logGroupName=group, logStreamNames=["b", "missing"])
    assert messages(only_b["events"]) == ["b1", "b3", "b5"]
    by_prefix = logs.filter_log_events(logGroupName=group, logStreamNamePrefix="a")
    assert messages(by_prefix["events"]) == ["a0", "a2", "a4"]
    window = logs.filter_log_events(logGroupName=group, startTime=now - 9, endTime=now - 7)
    assert messages(window["events"]) == ["b1", "a2", "b3"]  # both ends included


def test_filter_pages_with_next_token(logs: Any, group: str, stream: str) -> None:
    fill(logs, group, stream, 25)
    paginator = logs.get_paginator("filter_log_events")
    pages = list(paginator.paginate(logGroupName=group, PaginationConfig={"PageSize": 10}))
    assert [len(page["events"]) for page in pages][:3] == [10, 10, 5]
    assert sum((messages(page["events"]) for page in pages), []) == [
        f"event {i}" for i in range(25)]


def test_filter_patterns(logs: Any, group: str, stream: str) -> None:
    now = now_ms()
    lines = [
        "INFO started",
        "ERROR disk full",
        "WARN slow request",
        json.dumps({"level": "ERROR", "latency": 250, "user": None}),
        json.dumps({"level": "INFO", "latency": 50, "user": "ann"}),
        '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /a.html HTTP/1.0" 503 2326',
    ]
    put(logs, group, stream, *[(now - 10 + i, line) for i, line in enumerate(lines)])

    def matching(pattern: str) -> list[str]:
        return messages(logs.filter_log_events(logGroupName=group,
                                               filterPattern=pattern)["events"])

    assert matching("ERROR") == [lines[1], lines[3]]
    assert matching('"disk full"') == [lines[1]]
    assert matching("?WARN ?disk") == [lines[1], lines[2]]
    assert matching("ERROR -disk") == [lines[3]]
    assert matching('{ $.level = "ERROR" }') == [lines[3]]
    assert matching("{ $.latency > 100 }") == [lines[3]]
    assert matching('{ $.latency < 100 && $.user = "a*" }') == [lines[4]]
    assert matching("{ $.user IS NULL || $.latency = 50 }") == [lines[3], lines[4]]
    assert matching("[ip, user, ..., status = 5*, bytes > 1000]") == [lines[5]]
    assert matching("") == lines


def test_an_invalid_filter_pattern_is_invalid_parameter(logs: Any, group: str) -> None:
    with pytest.raises(ClientError) as info:
        logs.filter_log_events(logGroupName=group, filterPattern="{ $.a = ")
    assert error_code(info) == "InvalidParameterException"


def test_filter_stream_names_and_prefix_together_is_invalid(logs: Any, group: str) -> None:
    with pytest.raises(ClientError) as info:
        logs.filter_log_events(logGroupName=group, logStreamNames=["a"],
                               logStreamNamePrefix="a")
    assert error_code(info) == "InvalidParameterException"


def test_filter_a_missing_group_is_not_found(logs: Any) -> None:
    with pytest.raises(ClientError) as info:
        logs.filter_log_events(logGroupName="/no/such/group")
    assert error_code(info) == "ResourceNotFoundException"


def test_another_process_writing_through_the_log_sink(logs: Any, nubes_server: Any) -> None:
    """The runtime's LogSink path, from a process other than the server, on the same data:
    the group and stream appear, and the events are read back through the API."""
    name = f"/aws/lambda/sink-{now_ms()}"
    db = Database(nubes_server.data_dir / "nubes.db")
    try:
        LogStore(db).write("000000000000", "us-east-1", name, "2024/01/01/[$LATEST]abc",
                           [LogEvent(now_ms(), "START RequestId: r1"),
                            LogEvent(now_ms(), "hello from the function")])
    finally:
        db.close()
    [stream] = logs.describe_log_streams(logGroupName=name)["logStreams"]
    assert stream["logStreamName"] == "2024/01/01/[$LATEST]abc"
    got = logs.get_log_events(logGroupName=name, logStreamName=stream["logStreamName"])
    assert messages(got["events"]) == ["START RequestId: r1", "hello from the function"]
