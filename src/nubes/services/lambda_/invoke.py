"""Invoke: synchronous (RequestResponse), queued (Event), DryRun; and InvokeAsync.

A version becomes a ``FunctionSpec`` for the invoker; the invoker's result becomes the
response: the payload as the raw body, ``X-Amz-Function-Error`` on errors, the log tail,
the version that ran. Events go to the durable queue and are run by ``EventWorker``,
under the function's asynchronous invocation configuration (``invoke_config.py``).
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from nubes.errors import ServiceError
from nubes.runtime.api import FunctionSpec, Invocation, InvocationResult, Outcome, TooManyRequests
from nubes.services.base import RequestContext
from nubes.services.lambda_ import exceptions as exc
from nubes.services.lambda_.arns import LATEST, FunctionRef, function_arn, parse_resource_arn
from nubes.services.lambda_.core import LambdaCore
from nubes.services.lambda_.destinations import (
    Condition,
    Finished,
    to_dead_letter_queue,
    to_destination,
)
from nubes.services.lambda_.event_store import Event
from nubes.services.lambda_.invoke_config_store import InvokeConfig, InvokeConfigStore
from nubes.services.lambda_.models import FunctionVersion
from nubes.services.lambda_.worker import EventWorker, RunResult

log = logging.getLogger(__name__)

MAX_SYNC_PAYLOAD = 6 * 1024 * 1024
MAX_ASYNC_PAYLOAD = 1024 * 1024  # Invoke with InvocationType Event (1 MB since 2025)
MAX_INVOKE_ASYNC_PAYLOAD = 256 * 1024  # the legacy InvokeAsync
MAX_RESPONSE = 6 * 1024 * 1024
_RESPONSE_TOO_LARGE = {
    "errorMessage": f"Response payload size exceeded maximum allowed payload size "
                    f"({MAX_RESPONSE} bytes).",
    "errorType": "Function.ResponseSizeTooLarge",
}


class InvokeOps(LambdaCore):
    worker: EventWorker
    invoke_configs: InvokeConfigStore

    async def invoke(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref = self.ref(ctx, params)
        kind = params.get("InvocationType") or "RequestResponse"
        payload = bytes(params.get("Payload") or b"")
        limit = MAX_ASYNC_PAYLOAD if kind == "Event" else MAX_SYNC_PAYLOAD
        if len(payload) > limit:
            raise exc.RequestEntityTooLarge(
                f"Request must be smaller than {limit} bytes for the InvokeFunction operation")
        fv = self.route(ref, self.specs.version)
        if not fv.ready:
            raise exc.not_ready(fv.state.value)
        _check_json(payload)
        if kind == "DryRun":
            return {"StatusCode": 204}
        if kind == "Event":
            self.events.enqueue(ref.account_id, ref.region, ref.name, ref.qualifier,
                                payload or b"{}", ctx.request_id)
            self.worker.wake()
            return {"StatusCode": 202}
        invocation = Invocation(
            request_id=ctx.request_id, payload=payload or b"{}",
            invoked_arn=ref.qualified_arn, client_context=params.get("ClientContext"),
            log_tail=params.get("LogType") == "Tail")
        result = await self._run(fv, invocation)
        return _output(result, fv)

    async def _run(self, fv: FunctionVersion, invocation: Invocation) -> InvocationResult:
        spec = await self.spec(fv)
        try:
            return await self.invoker.invoke(spec, invocation)
        except TooManyRequests as throttled:
            raise exc.TooManyRequests(throttled.reason) from None

    async def spec(self, fv: FunctionVersion) -> FunctionSpec:
        """The runtime's view of a version, its code (and layers) extracted; kept while the
        version is unchanged when ``fv`` came from ``self.specs``."""
        spec = self.specs.spec(fv)
        if spec is None:
            spec = await self._build_spec(fv)
            self.specs.keep(fv, spec)
        return spec

    async def _build_spec(self, fv: FunctionVersion) -> FunctionSpec:
        config = fv.config
        code_dir = await self.code.ensure(fv.code_sha)
        layer_dirs = []
        for arn in config.get("Layers") or []:
            layer = self.layer_by_arn(arn)
            if layer is not None:
                layer_dirs.append(await self.code.ensure(layer.code_sha))
        row = self.store.function(fv.account_id, fv.region, fv.name)
        return FunctionSpec(
            account_id=fv.account_id, region=fv.region, name=fv.name, version=fv.version,
            arn=fv.arn, runtime=config.get("Runtime") or "", handler=config.get("Handler") or "",
            code_dir=code_dir, layer_dirs=tuple(layer_dirs),
            memory_mb=int(config.get("MemorySize", 128)),
            timeout_s=float(config.get("Timeout", 3)),
            ephemeral_mb=int((config.get("EphemeralStorage") or {}).get("Size", 512)),
            environment=dict((config.get("Environment") or {}).get("Variables") or {}),
            reserved_concurrency=row.reserved if row is not None else None,
            code_sha256=fv.code_sha,
            log_group=(config.get("LoggingConfig") or {}).get("LogGroup")
            or f"/aws/lambda/{fv.name}",
            architectures=tuple(config.get("Architectures") or ("x86_64",)),
        )

    def invoke_async(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        """The legacy InvokeAsync: an Event invocation answering {"Status": 202}."""
        ref = self.ref(ctx, params)
        body = params.get("InvokeArgs") or b""
        payload = body if isinstance(body, bytes) else bytes(body)
        if len(payload) > MAX_INVOKE_ASYNC_PAYLOAD:
            raise exc.RequestEntityTooLarge(
                f"Request must be smaller than {MAX_INVOKE_ASYNC_PAYLOAD} bytes for the "
                "InvokeFunction operation")
        fv = self.route(ref)
        if not fv.ready:
            raise exc.not_ready(fv.state.value)
        _check_json(payload)
        self.events.enqueue(ref.account_id, ref.region, ref.name, ref.qualifier,
                            payload or b"{}", ctx.request_id)
        self.worker.wake()
        ctx.status = 202
        return {"Status": 202}

    # -- for other services, through the event bus (no request) ----------------------

    def resource_policy(self, arn: str) -> list[dict[str, Any]] | None:
        """The statements of the resource policy of the function (or version, or alias) a
        full ARN names; None when it does not exist."""
        try:
            ref = parse_resource_arn(arn)
            self.resolve(ref)
        except ServiceError:
            return None
        return self.store.statements(ref.account_id, ref.region, ref.name, ref.qualifier or "")

    def enqueue_event(self, arn: str, payload: bytes, request_id: str) -> bool:
        """Queue an asynchronous invocation (with Lambda's retries) of the function a full
        ARN names; False when it does not exist."""
        try:
            ref = parse_resource_arn(arn)
            self.resolve(ref)
        except ServiceError:
            return False
        self.events.enqueue(ref.account_id, ref.region, ref.name, ref.qualifier, payload,
                            request_id)
        self.worker.wake()
        return True

    async def run_event(self, event: Event) -> RunResult:
        """Run one queued event (for the worker): what became of it. An event older than
        its MaximumEventAgeInSeconds is not run; a failure is retried while the
        configuration's MaximumRetryAttempts allow and the retry would come in time; an
        event that ends sends its records (destinations, dead-letter queue)."""
        ref = FunctionRef(event.account_id, event.region, event.function, event.qualifier)
        try:
            fv = self.route(ref, self.specs.version)
        except ServiceError:
            log.warning("lambda: dropping event %s: %s no longer exists", event.request_id,
                        ref.qualified_arn)
            return RunResult.GONE
        config = self.invoke_configs.get(ref.account_id, ref.region, ref.name,
                                         ref.qualifier or LATEST) or InvokeConfig()
        expires = event.created + config.age_limit
        if time.time() >= expires:
            self._finish(event, fv, config, Condition.EVENT_AGE_EXCEEDED, None)
            return RunResult.DONE
        if not fv.ready:
            return RunResult.THROTTLED
        spec = await self.spec(fv)
        if spec.reserved_concurrency == 0:
            # AWS (since 2021): a function reserved to 0 sends its events straight to its
            # dead-letter queue or on-failure destination, or drops them; no retries.
            self._finish(event, fv, config, Condition.RETRIES_EXHAUSTED, None)
            return RunResult.DONE
        invocation = Invocation(request_id=event.request_id, payload=event.payload,
                                invoked_arn=ref.qualified_arn)
        try:
            result = await self.invoker.invoke(spec, invocation)
        except TooManyRequests:
            return RunResult.THROTTLED
        if result.outcome is Outcome.THROTTLED:
            return RunResult.THROTTLED
        if result.outcome is Outcome.SUCCESS:
            condition = Condition.SUCCESS
        elif event.attempts >= config.retries:
            condition = Condition.RETRIES_EXHAUSTED
        elif time.time() + self.worker.delay(event.attempts) < expires:
            return RunResult.FAILED
        else:
            condition = Condition.EVENT_AGE_EXCEEDED  # the retry would come too late
        self._finish(event, fv, config, condition, result)
        return RunResult.DONE

    def _finish(self, event: Event, fv: FunctionVersion, config: InvokeConfig,
                condition: Condition, result: InvocationResult | None) -> None:
        """Send what an ended event sends: the record to OnSuccess or OnFailure, and a
        failed event to the version's dead-letter queue too (AWS sends to both)."""
        ran = 0 if result is None else 1
        finished = Finished(
            event.account_id, event.region, fv.arn,
            function_arn(fv.account_id, fv.region, fv.name, event.qualifier or LATEST),
            event.request_id, event.payload, condition, event.attempts + ran, fv.version,
            result, time.time())
        sent = []
        destination = config.on_failure if finished.failed else config.on_success
        if destination:
            sent.append(to_destination(finished, destination))
        dead_letter = (fv.config.get("DeadLetterConfig") or {}).get("TargetArn")
        if finished.failed and dead_letter:
            sent.append(to_dead_letter_queue(finished, dead_letter))
        if finished.failed:
            log.warning("lambda: event %s for %s ended: %s after %d runs",
                        event.request_id, finished.invoked_arn, condition.value,
                        finished.invoke_count)
        if sent and self.bus is not None:
            self.bus.publish(*sent)


def _check_json(payload: bytes) -> None:
    if not payload:
        return
    try:
        json.loads(payload)
    except (ValueError, UnicodeDecodeError) as error:
        raise exc.InvalidRequestContent(
            f"Could not parse request body into json: Could not parse payload into json: "
            f"{error}") from None


def _output(result: InvocationResult, fv: FunctionVersion) -> dict[str, Any]:
    payload, function_error = result.payload, result.function_error
    if len(payload) > MAX_RESPONSE:
        payload, function_error = json.dumps(_RESPONSE_TOO_LARGE).encode(), "Unhandled"
    out: dict[str, Any] = {"StatusCode": 200, "Payload": payload,
                           "ExecutedVersion": fv.version}
    if function_error:
        out["FunctionError"] = function_error
    if result.log_tail is not None:
        out["LogResult"] = result.log_tail
    return out
