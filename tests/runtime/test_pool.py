"""Warm pools and concurrency: one invocation per sandbox, limits, reaping, eviction."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import pytest

from nubes.runtime.api import FunctionSpec, Invocation, InvocationResult, TooManyRequests
from nubes.runtime.invoker import LocalInvoker
from tests.runtime.conftest import Runtime, body

# Each sandbox has its own identity (ids repeat across pid namespaces).
SLEEPY = """import time, uuid
ME = uuid.uuid4().hex
def handler(e, c):
    time.sleep(e.get('s', 0))
    return ME
"""


def _together(runtime: Runtime, invoker: LocalInvoker, specs: list[FunctionSpec],
              seconds: float) -> list[InvocationResult | BaseException]:
    """Invoke every spec at once (each sleeping ``seconds``): results or exceptions."""

    async def run() -> list[InvocationResult | BaseException]:
        calls = []
        for spec in specs:
            payload = json.dumps({"s": seconds}).encode()
            calls.append(invoker.invoke(spec, Invocation(str(uuid.uuid4()), payload, spec.arn)))
        return await asyncio.gather(*calls, return_exceptions=True)

    return runtime.loop.run(run())


def test_concurrent_invocations_get_their_own_sandboxes(runtime: Runtime) -> None:
    spec = runtime.function({"app.py": SLEEPY})
    results = _together(runtime, runtime.invoker, [spec, spec, spec], 0.3)
    ids = {body(r) for r in results if isinstance(r, InvocationResult)}
    assert len(ids) == 3 and len(runtime.invoker.sandboxes(spec)) == 3
    again = {body(runtime.invoke(spec)) for _ in range(3)}
    assert again <= ids  # warm reuse, no new sandbox
    assert runtime.invoker.in_flight(spec) == 0


def test_reserved_concurrency(runtime: Runtime) -> None:
    spec = runtime.function({"app.py": SLEEPY}, reserved_concurrency=1)
    first, second = _together(runtime, runtime.invoker, [spec, spec], 0.3)
    outcomes = [r for r in (first, second) if isinstance(r, TooManyRequests)]
    assert len(outcomes) == 1
    assert outcomes[0].reason == "ReservedFunctionConcurrentInvocationLimitExceeded"
    assert outcomes[0].message == "Rate Exceeded."
    off = runtime.function({"app.py": SLEEPY}, reserved_concurrency=0)
    with pytest.raises(TooManyRequests):
        runtime.invoke(off)
    throttled = [m for m in runtime.recorder.meters if m.function == off.name]
    assert [m.outcome for m in throttled] == ["throttled"]


def test_account_concurrency(runtime: Runtime) -> None:
    invoker = runtime.new_invoker(account_concurrency=2, unreserved_limit=lambda account: 1)
    try:
        a = runtime.function({"app.py": SLEEPY})
        b = runtime.function({"app.py": SLEEPY}, reserved_concurrency=1)
        results = _together(runtime, invoker, [a, a, b], 0.3)
        errors = [r for r in results if isinstance(r, TooManyRequests)]
        assert [e.reason for e in errors] == ["ConcurrentInvocationLimitExceeded"]
        assert isinstance(results[2], InvocationResult)  # the reservation is its own
    finally:
        runtime.loop.run(invoker.close())


def test_idle_sandboxes_are_reaped(runtime: Runtime) -> None:
    invoker = runtime.new_invoker(keep_alive_s=0.2)
    try:
        spec = runtime.function({"app.py": SLEEPY})
        assert runtime.invoke(spec, invoker=invoker).cold
        assert not runtime.invoke(spec, invoker=invoker).cold
        deadline = time.monotonic() + 5
        while invoker.sandboxes(spec) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert invoker.sandboxes(spec) == []  # scaled to zero
        assert runtime.invoke(spec, invoker=invoker).cold
    finally:
        runtime.loop.run(invoker.close())


def test_evict_ends_a_functions_sandboxes(runtime: Runtime) -> None:
    spec = runtime.function({"app.py": SLEEPY})
    runtime.invoke(spec)
    runtime.loop.run(runtime.invoker.evict((spec.account_id, spec.region, spec.name)))
    assert runtime.invoker.sandboxes(spec) == []
    assert runtime.invoke(spec).cold


def test_a_sandbox_starting_while_its_function_is_evicted_is_not_reused(runtime: Runtime
                                                                       ) -> None:
    spec = runtime.function({"app.py": SLEEPY})
    invoker = runtime.invoker
    runtime.invoke(spec)  # one warm sandbox

    async def cold_start_racing_an_eviction() -> list[InvocationResult]:
        busy = asyncio.ensure_future(invoker.invoke(
            spec, Invocation(str(uuid.uuid4()), b'{"s": 0.3}', spec.arn)))
        await asyncio.sleep(0.05)  # the warm sandbox is busy: the next call starts one
        starting = asyncio.ensure_future(
            invoker.invoke(spec, Invocation(str(uuid.uuid4()), b"{}", spec.arn)))
        await asyncio.sleep(0)
        await invoker.evict((spec.account_id, spec.region, spec.name))
        return [await busy, await starting]

    before = {body(result) for result in runtime.loop.run(cold_start_racing_an_eviction())}
    after = runtime.invoke(spec)
    assert after.cold  # neither the busy sandbox nor the one starting serves again
    assert body(after) not in before


def test_unknown_runtime_is_refused_clearly(runtime: Runtime) -> None:
    spec = runtime.function({"app.py": SLEEPY}, runtime="python2.7")
    with pytest.raises(Exception, match="runtime python2.7 is not available on this host"):
        runtime.invoke(spec)
    assert "python2.7" not in runtime.invoker.available_runtimes()
