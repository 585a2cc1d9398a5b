"""How the data plane calls a function, without knowing Lambda's provider: the
registry wires an implementation of ``FunctionCaller`` in (services never import each
other)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class CallStatus(StrEnum):
    OK = "ok"
    FUNCTION_ERROR = "function_error"  # the payload is Lambda's error document
    FORBIDDEN = "forbidden"  # the function's policy does not let API Gateway invoke it
    MISSING = "missing"  # no such function (or version, or alias)
    THROTTLED = "throttled"
    NOT_READY = "not_ready"  # Pending, Inactive or Failed
    TIMEOUT = "timeout"  # the integration timeout passed first


@dataclass(frozen=True, slots=True)
class Called:
    status: CallStatus
    payload: bytes = b""


class FunctionCaller(Protocol):
    async def call(self, function_arn: str, payload: bytes, *, source_arn: str,
                   source_account: str, timeout_s: float) -> Called:
        """Invoke a function synchronously as ``apigateway.amazonaws.com`` calling from
        ``source_arn``, if its resource policy allows that."""
        ...
