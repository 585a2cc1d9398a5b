"""Without a server: an event's age survives its retries in the store, and the records
and dead-letter messages a finished event sends."""

from __future__ import annotations

import json
from pathlib import Path

from nubes.runtime.api import InvocationResult, Outcome
from nubes.services.lambda_.destinations import (
    Condition,
    Finished,
    record,
    to_dead_letter_queue,
    to_destination,
)
from nubes.services.lambda_.event_store import EventStore
from nubes.storage.sqlite import Database

FUNCTION = "arn:aws:lambda:us-east-1:000000000000:function:f"


def test_age_counts_from_the_first_queueing_across_retries(tmp_path: Path) -> None:
    events = EventStore(Database(tmp_path / "nubes.db"))
    events.enqueue("000000000000", "us-east-1", "f", None, b"{}", "r1", now=1000.0)
    first = events.claim(lease_s=30, now=1000.0)
    assert first is not None and first.created == 1000.0
    events.retry(first, 0.0, failed=True)
    again = events.claim(lease_s=30)
    assert again is not None and (again.attempts, again.created) == (1, 1000.0)


def _finished(condition: Condition, result: InvocationResult | None) -> Finished:
    return Finished("000000000000", "us-east-1", FUNCTION, f"{FUNCTION}:live", "req-1",
                    b'{"a": 1}', condition, 2, "3", result, 0.5)


def test_failure_record_and_its_event() -> None:
    error = {"errorMessage": "x" * 2000, "errorType": "ValueError"}
    result = InvocationResult(json.dumps(error).encode(), Outcome.FUNCTION_ERROR, "Unhandled")
    finished = _finished(Condition.RETRIES_EXHAUSTED, result)
    assert record(finished) == {
        "version": "1.0", "timestamp": "1970-01-01T00:00:00.500Z",
        "requestContext": {"requestId": "req-1", "functionArn": f"{FUNCTION}:live",
                           "condition": "RetriesExhausted", "approximateInvokeCount": 2},
        "requestPayload": {"a": 1},
        "responseContext": {"statusCode": 200, "executedVersion": "3",
                            "functionError": "Unhandled"},
        "responsePayload": error,
    }
    event = to_destination(finished, "arn:aws:events:us-east-1:000000000000:event-bus/b")
    assert (event.source, event.detail_type, event.source_arn) == (
        "lambda", "Lambda Function Invocation Result - Failure", FUNCTION)
    assert event.as_function
    dead = to_dead_letter_queue(finished, "arn:aws:sqs:us-east-1:000000000000:dlq")
    assert dead.payload == '{"a": 1}'
    attributes = json.loads(dead.options["MessageAttributes"])
    assert attributes["ErrorCode"] == {"DataType": "Number", "StringValue": "200"}
    assert attributes["ErrorMessage"]["StringValue"] == "x" * 1024


def test_success_record_and_a_response_that_is_not_json() -> None:
    result = InvocationResult(b"not json", Outcome.SUCCESS)
    finished = _finished(Condition.SUCCESS, result)
    out = record(finished)
    assert out["responseContext"] == {"statusCode": 200, "executedVersion": "3"}
    assert out["responsePayload"] == "not json"
    assert to_destination(finished, "arn:aws:sqs:us-east-1:000000000000:q").detail_type == (
        "Lambda Function Invocation Result - Success")


def test_an_event_that_never_ran() -> None:
    finished = _finished(Condition.EVENT_AGE_EXCEEDED, None)
    assert "responseContext" not in record(finished)
    assert "responsePayload" not in record(finished)
    dead = to_dead_letter_queue(finished, "arn:aws:sns:us-east-1:000000000000:t")
    attributes = json.loads(dead.options["MessageAttributes"])
    assert attributes["ErrorCode"]["StringValue"] == "429"
