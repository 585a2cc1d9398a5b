"""What a poller needs from Lambda to run a batch, and what it reads from the answer.

``FunctionGate`` is implemented by the provider's ``MappingOps``: it invokes the mapping's
function synchronously through the same invoker path as Invoke (metering, logs,
concurrency), waiting out throttles itself, so a throttle never counts as a failure.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from nubes.services.lambda_.mappings.models import Mapping


class Status(StrEnum):
    OK = "ok"
    FAILED = "failed"  # the function erred, timed out or crashed
    UNAVAILABLE = "unavailable"  # no such function (or not ready): keep the records
    THROTTLED = "throttled"  # still throttled at the caller's deadline: hand the batch back


@dataclass(frozen=True, slots=True)
class Result:
    status: Status
    request_id: str = ""
    payload: bytes = b""
    function_error: str | None = None
    version: str = ""
    problem: str = ""  # why it was unavailable (LastProcessingResult)

    def response_context(self) -> dict[str, Any]:
        return {"statusCode": 200, "executedVersion": self.version,
                "functionError": self.function_error or ""}


class FunctionGate(Protocol):
    async def invoke_batch(self, mapping: Mapping, payload: bytes,
                           deadline: float | None = None) -> Result:
        """Run the batch; throttles are retried until the batch runs or, past the epoch
        ``deadline``, the batch is handed back (THROTTLED)."""
        ...

    def problem(self, mapping: Mapping) -> str | None:
        """Why the mapping's function cannot run now (LastProcessingResult), or None."""
        ...

    def invoke_identity(self, mapping: Mapping) -> str:
        """The role the function runs as (Kinesis records name it)."""
        ...


def failed_items(payload: bytes, identifiers: list[str]) -> list[str] | None:
    """The identifiers a ReportBatchItemFailures answer names, in batch order ([] for
    complete success), or None when the answer is malformed and the whole batch failed,
    as AWS treats it: not JSON, an entry without a valid ``itemIdentifier``, or one that
    names no record of the batch."""
    try:
        answer = json.loads(payload) if payload.strip() else None
    except (ValueError, UnicodeDecodeError):
        return None
    if answer is None or answer == "":
        return []
    if not isinstance(answer, dict):
        return None
    failures = answer.get("batchItemFailures")
    if failures is None:
        return []
    if not isinstance(failures, list):
        return None
    named: set[str] = set()
    for entry in failures:
        if not isinstance(entry, dict):
            return None
        identifier = entry.get("itemIdentifier")
        if not isinstance(identifier, str) or identifier not in identifiers:
            return None
        named.add(identifier)
    return [i for i in identifiers if i in named]
