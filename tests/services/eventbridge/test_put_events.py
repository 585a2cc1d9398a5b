"""PutEvents' answers and per-entry errors, and TestEventPattern, through boto3."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.errors import error_of
from tests.services.eventbridge.conftest import unique

EVENT = {"id": "7bf73129-1428-4cd3-a780-95db273d1602", "detail-type": "Order Placed",
         "source": "my.shop", "account": "000000000000", "time": "2026-01-01T00:00:00Z",
         "region": "us-east-1", "resources": [], "detail": {"total": 12}}


def entry(**overrides: Any) -> dict[str, Any]:
    return {"Source": "my.shop", "DetailType": "Order Placed",
            "Detail": json.dumps({"total": 12}), **overrides}


def test_put_events_answers_an_event_id_per_entry(events: Any) -> None:
    answer = events.put_events(Entries=[entry(), entry(Time=datetime(2026, 1, 1, tzinfo=UTC),
                                                       Resources=["arn:aws:s3:::b"])])
    assert answer["FailedEntryCount"] == 0
    ids = [e["EventId"] for e in answer["Entries"]]
    assert len(ids) == 2 and len(set(ids)) == 2


@pytest.mark.parametrize(("bad", "code", "message"), [
    ({"Source": None}, "InvalidArgument",
     "Parameter Source is not valid. Reason: Source is a required argument."),
    ({"DetailType": None}, "InvalidArgument",
     "Parameter DetailType is not valid. Reason: DetailType is a required argument."),
    ({"Detail": None}, "InvalidArgument",
     "Parameter Detail is not valid. Reason: Detail is a required argument."),
    ({"Detail": "{not json"}, "MalformedDetail", "Detail is malformed."),
    ({"Detail": "[1, 2]"}, "MalformedDetail", "Detail is malformed."),
    ({"Source": "aws.s3"}, "NotAuthorizedForSourceException", "Not authorized for the source."),
    ({"EventBusName": "no-such-bus"}, "ResourceNotFoundException",
     "Event bus no-such-bus does not exist."),
])
def test_a_bad_entry_fails_alone(events: Any, bad: dict[str, Any], code: str,
                                 message: str) -> None:
    broken = {k: v for k, v in entry(**bad).items() if v is not None}
    answer = events.put_events(Entries=[entry(), broken])
    assert answer["FailedEntryCount"] == 1
    good, failed = answer["Entries"]
    assert "EventId" in good
    assert (failed["ErrorCode"], failed["ErrorMessage"]) == (code, message)
    assert "EventId" not in failed


def test_put_events_limits(events: Any) -> None:
    error = error_of(lambda: events.put_events(Entries=[entry()] * 11))
    assert error["Code"] == "ValidationException"
    big = json.dumps({"x": "a" * 200_000})
    error = error_of(lambda: events.put_events(Entries=[entry(Detail=big)] * 2))
    assert error["Code"] == "ValidationException"


def test_put_events_to_a_custom_bus_by_name_and_arn(events: Any) -> None:
    bus = unique("bus")
    arn = events.create_event_bus(Name=bus)["EventBusArn"]
    answer = events.put_events(Entries=[entry(EventBusName=bus), entry(EventBusName=arn)])
    assert answer["FailedEntryCount"] == 0
    events.delete_event_bus(Name=bus)


def test_test_event_pattern(events: Any) -> None:
    def test(pattern: dict[str, Any]) -> bool:
        result: bool = events.test_event_pattern(EventPattern=json.dumps(pattern),
                                                 Event=json.dumps(EVENT))["Result"]
        return result
    assert test({"source": ["my.shop"]})
    assert not test({"source": ["other"]})
    assert test({"detail": {"total": [{"numeric": [">", 10]}]}})
    assert not test({"detail": {"total": [{"numeric": [">", 20]}]}})
    error = error_of(lambda: events.test_event_pattern(EventPattern='{"source": "x"}',
                                                       Event=json.dumps(EVENT)))
    assert error["Code"] == "InvalidEventPatternException"
    incomplete = {k: v for k, v in EVENT.items() if k != "id"}
    error = error_of(lambda: events.test_event_pattern(EventPattern='{"source": ["x"]}',
                                                       Event=json.dumps(incomplete)))
    assert (error["Code"], error["Message"]) == ("ValidationException",
                                                 "Parameter Event is not valid.")
