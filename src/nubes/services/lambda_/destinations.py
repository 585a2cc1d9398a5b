"""What a finished asynchronous invocation sends: the invocation record for an OnSuccess
or OnFailure destination, and the original event for the function's dead-letter queue,
both as events on the bus (which delivers them to SQS, SNS, Lambda or EventBridge).

The record is AWS's (``version`` 1.0, ``requestContext``, ``requestPayload``,
``responseContext``, ``responsePayload``); a dead-letter message is the event unchanged,
with the ``RequestID``, ``ErrorCode`` and ``ErrorMessage`` message attributes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from nubes.events.event import Event as BusEvent
from nubes.runtime.api import InvocationResult

MAX_ERROR_MESSAGE = 1024  # a dead-letter message's ErrorMessage is cut to 1 KB
THROTTLED_CODE, THROTTLED_MESSAGE = "429", "Rate Exceeded."


class Condition(StrEnum):
    SUCCESS = "Success"
    RETRIES_EXHAUSTED = "RetriesExhausted"
    EVENT_AGE_EXCEEDED = "EventAgeExceeded"


@dataclass(frozen=True, slots=True)
class Finished:
    """One queued event's end: what was asked, how it ended, and the last run's result
    (None when it never ran)."""

    account_id: str
    region: str
    function_arn: str  # unqualified: the source of what is sent
    invoked_arn: str  # qualified by the qualifier invoked ($LATEST when none)
    request_id: str
    payload: bytes
    condition: Condition
    invoke_count: int
    executed_version: str
    result: InvocationResult | None
    at: float

    @property
    def failed(self) -> bool:
        return self.condition is not Condition.SUCCESS


def record(finished: Finished) -> dict[str, Any]:
    """The invocation record AWS sends to destinations."""
    out: dict[str, Any] = {
        "version": "1.0",
        "timestamp": _iso(finished.at),
        "requestContext": {
            "requestId": finished.request_id,
            "functionArn": finished.invoked_arn,
            "condition": finished.condition.value,
            "approximateInvokeCount": finished.invoke_count,
        },
        "requestPayload": _json(finished.payload),
    }
    result = finished.result
    if result is not None:
        context: dict[str, Any] = {"statusCode": 200,
                                   "executedVersion": finished.executed_version}
        if result.function_error:
            context["functionError"] = result.function_error
        out["responseContext"] = context
        out["responsePayload"] = _json(result.payload)
    return out


def to_destination(finished: Finished, destination: str) -> BusEvent:
    """The record as an event for an OnSuccess or OnFailure destination."""
    outcome = "Failure" if finished.failed else "Success"
    return BusEvent(source="lambda", account_id=finished.account_id, region=finished.region,
                    detail_type=f"Lambda Function Invocation Result - {outcome}",
                    destination=destination, source_arn=finished.function_arn,
                    payload=json.dumps(record(finished)))


def to_dead_letter_queue(finished: Finished, target: str) -> BusEvent:
    """The original event, unchanged, for the function's dead-letter queue or topic."""
    code, message = _error(finished.result)
    attributes = {
        "RequestID": {"DataType": "String", "StringValue": finished.request_id},
        "ErrorCode": {"DataType": "Number", "StringValue": code},
        "ErrorMessage": {"DataType": "String", "StringValue": message[:MAX_ERROR_MESSAGE]},
    }
    return BusEvent(source="lambda", account_id=finished.account_id, region=finished.region,
                    detail_type="Lambda Function Dead Letter", destination=target,
                    source_arn=finished.function_arn,
                    payload=finished.payload.decode("utf-8", "replace"),
                    options={"MessageAttributes": json.dumps(attributes)})


def _error(result: InvocationResult | None) -> tuple[str, str]:
    """(ErrorCode, ErrorMessage): the Invoke status (200) and the function's error message
    after a run; throttling's when the event never ran (reserved concurrency 0, or it
    waited for concurrency, or for the function to become Active, until it expired)."""
    if result is None:
        return THROTTLED_CODE, THROTTLED_MESSAGE
    body = _json(result.payload)
    if isinstance(body, dict) and isinstance(body.get("errorMessage"), str):
        return "200", body["errorMessage"]
    return "200", result.payload.decode("utf-8", "replace")


def _json(data: bytes) -> Any:
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return data.decode("utf-8", "replace")


def _iso(seconds: float) -> str:
    moment = datetime.fromtimestamp(seconds, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
