"""The narrow interface between the Lambda service and the function runtime.

The Lambda provider (``services/lambda_``) owns functions as AWS resources; the
``Invoker`` runs them. It sees a function version only as a ``FunctionSpec`` and an
invocation as an ``Invocation``, and answers an ``InvocationResult``. Logs and metering
records leave the runtime through the ``LogSink`` and ``MeterSink`` protocols, so the
runtime imports no service. This interface is what a node agent will expose when Nubes
runs on a cluster: invoke, capacity, drain.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    """One function version, as the runtime needs it. Frozen: a new spec, a new pool."""

    account_id: str
    region: str
    name: str
    version: str  # "$LATEST" or "1", "2", ...
    arn: str  # the unqualified function ARN
    runtime: str  # "python3.12", "nodejs20.x", "provided.al2023", ...
    handler: str  # "app.handler" (ignored by custom runtimes, passed as _HANDLER)
    code_dir: Path  # the extracted deployment package, mounted read-only at /var/task
    layer_dirs: tuple[Path, ...] = ()  # extracted layers, merged in order under /opt
    memory_mb: int = 128
    timeout_s: float = 3.0
    ephemeral_mb: int = 512  # the size of the sandbox's private /tmp
    environment: Mapping[str, str] = field(default_factory=dict)
    reserved_concurrency: int | None = None  # None: the account's unreserved pool
    code_sha256: str = ""  # part of the pool key: new code, new sandboxes
    log_group: str = ""  # "/aws/lambda/<name>"
    architectures: tuple[str, ...] = ("x86_64",)

    @property
    def pool_key(self) -> tuple[str, str, str, str, str]:
        return (self.account_id, self.region, self.name, self.version, self.code_sha256)


@dataclass(frozen=True, slots=True)
class Invocation:
    request_id: str
    payload: bytes
    invoked_arn: str  # the ARN the caller used (qualified by version or alias, or not)
    client_context: str | None = None  # base64 JSON, from X-Amz-Client-Context
    trace_id: str | None = None
    log_tail: bool = False  # LogType: Tail -> the last 4 KB of the log in the result


class Outcome(StrEnum):
    SUCCESS = "success"
    FUNCTION_ERROR = "function_error"  # the handler raised or returned an error
    TIMEOUT = "timeout"
    CRASH = "crash"  # the runtime exited (killed past MemorySize, sys.exit, signal)
    INIT_ERROR = "init_error"  # import failed (Runtime.ImportModuleError, ...)
    THROTTLED = "throttled"


@dataclass(frozen=True, slots=True)
class InvocationResult:
    payload: bytes  # the response, or AWS's error document {errorMessage, errorType, ...}
    outcome: Outcome
    function_error: str | None = None  # X-Amz-Function-Error: "Unhandled" on errors
    log_tail: str | None = None  # base64 of the last 4 KB of the log, when asked for
    duration_ms: float = 0.0
    billed_ms: int = 0
    max_memory_mb: int = 0
    init_ms: float | None = None  # set on a cold start
    cold: bool = False


class TooManyRequests(Exception):
    """No concurrency left for this function (reserved) or the account."""

    def __init__(self, reason: str, message: str = "Rate Exceeded.") -> None:
        super().__init__(reason)
        self.reason = reason  # "ReservedFunctionConcurrentInvocationLimitExceeded", ...
        self.message = message  # AWS's message for TooManyRequestsException


@dataclass(frozen=True, slots=True)
class LogEvent:
    timestamp_ms: int
    message: str


class LogSink(Protocol):
    """Where sandboxes' stdout/stderr and the START/END/REPORT lines go (CloudWatch Logs)."""

    def write(self, account_id: str, region: str, group: str, stream: str,
              events: Sequence[LogEvent]) -> None: ...


@dataclass(frozen=True, slots=True)
class MeterRecord:
    """One invocation, metered: the basis of cost reports."""

    account_id: str
    region: str
    function: str
    version: str
    request_id: str
    start_ms: int
    duration_ms: float
    billed_ms: int
    memory_mb: int
    max_rss_mb: int
    cold: bool
    outcome: Outcome


class MeterSink(Protocol):
    def record(self, record: MeterRecord) -> None: ...


class Invoker(Protocol):
    """Runs invocations in sandboxes: pools per function version, limits, scale to zero."""

    async def invoke(self, spec: FunctionSpec, invocation: Invocation) -> InvocationResult:
        """Run one invocation; raises TooManyRequests when no concurrency is left."""
        ...

    def in_flight(self, spec: FunctionSpec | None = None) -> int:
        """Invocations running now (of one function version, or all)."""
        ...

    async def evict(self, name_prefix: tuple[str, str, str]) -> None:
        """End the sandboxes of a function (account, region, name): code or config changed."""
        ...

    async def close(self) -> None:
        """End every sandbox and the zygotes. Idempotent."""
        ...
