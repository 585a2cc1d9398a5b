"""``LocalInvoker``: the ``Invoker`` of one machine — warm pools, limits, logs, metering.

Per function version (``FunctionSpec.pool_key``) a ``WarmPool``: an invocation takes an
idle sandbox (warm) or starts one (cold); one invocation per sandbox at a time; idle
sandboxes are reaped after ``keep_alive_s`` by a background task. Everything runs on the
server's event loop; sandboxes are other processes, never awaited synchronously.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time

from .api import (
    FunctionSpec,
    Invocation,
    InvocationResult,
    LogSink,
    MeterRecord,
    MeterSink,
    Outcome,
    TooManyRequests,
)
from .concurrency import ConcurrencyLimits
from .launcher import Launcher
from .logs import InvocationLog, now_ms, report_line
from .options import InvokerOptions
from .pool import PoolKey, WarmPool
from .sandbox import Reply, Sandbox

log = logging.getLogger(__name__)


class LocalInvoker:
    def __init__(self, options: InvokerOptions, logs: LogSink, meter: MeterSink) -> None:
        self.options = options
        self.log_sink = logs
        self.meter = meter
        self.launcher = Launcher(options)
        self.limits = ConcurrencyLimits(options.account_concurrency, options.unreserved_limit)
        self.pools: dict[PoolKey, WarmPool] = {}
        self.reaper: asyncio.Task[None] | None = None
        self.closing: set[asyncio.Task[None]] = set()
        self.draining: set[Sandbox] = set()  # busy sandboxes of evicted pools
        self.closed = False

    @property
    def mode(self) -> str:
        """The isolation in use: "namespace" or "process"."""
        return self.launcher.mode.value

    def available_runtimes(self) -> dict[str, str]:
        """Runtime name -> interpreter path, for the runtimes this host can run."""
        return dict(self.launcher.runtimes)

    async def invoke(self, spec: FunctionSpec, invocation: Invocation) -> InvocationResult:
        self.launcher.interpreter(spec)  # an unsupported runtime fails before counting
        try:
            self.limits.acquire(spec)
        except TooManyRequests:
            self._meter(spec, invocation, now_ms(), Reply(Outcome.THROTTLED, b""), 0.0, 0,
                        False)
            raise
        try:
            self._start_reaper()
            return await self._run(spec, invocation)
        finally:
            self.limits.release(spec)

    async def _run(self, spec: FunctionSpec, invocation: Invocation) -> InvocationResult:
        pool = self.pools.setdefault(spec.pool_key, WarmPool())
        started_ms = now_ms()
        sandbox = pool.take()
        init_ms: float | None = None
        init_failure: Reply | None = None
        if sandbox is None:
            sandbox, started = await self.launcher.start(spec, invocation.request_id)
            pool.add_busy(sandbox)
            if isinstance(started, Reply):
                init_failure = started
            else:
                init_ms = started
        init_events = sandbox.take_logs()
        record = InvocationLog(invocation.request_id, spec.version)
        began = time.monotonic()
        if init_failure is not None:
            reply = init_failure
        else:
            deadline_ms = now_ms() + int(spec.timeout_s * 1000)
            reply = await sandbox.invoke(invocation, deadline_ms)
        duration_ms = (time.monotonic() - began) * 1000
        record.extend(sandbox.take_logs())
        return self._finish(spec, invocation, sandbox, pool, reply, record, init_events,
                            started_ms, duration_ms, init_ms)

    def _finish(self, spec: FunctionSpec, invocation: Invocation, sandbox: Sandbox,
                pool: WarmPool, reply: Reply, record: InvocationLog, init_events: list[object],
                started_ms: int, duration_ms: float,
                init_ms: float | None) -> InvocationResult:
        cold = init_ms is not None or reply.outcome is Outcome.INIT_ERROR
        for line in reply.log_lines:
            record.add(line)
        billed_ms = max(1, math.ceil(duration_ms))
        max_memory = sandbox.max_memory_mb()
        record.end(report_line(invocation.request_id, duration_ms, billed_ms, spec.memory_mb,
                               max_memory, init_ms, reply.status))
        self.log_sink.write(spec.account_id, spec.region,
                            spec.log_group or f"/aws/lambda/{spec.name}", sandbox.log_stream,
                            [*init_events, *record.events])  # type: ignore[list-item]
        self._meter(spec, invocation, started_ms, reply, duration_ms, max_memory, cold)
        if reply.outcome is Outcome.INIT_ERROR:
            sandbox.retired = True  # its runtime is exiting: no invocation may take it
        if not pool.give_back(sandbox):
            self._close_later(sandbox)
        return InvocationResult(
            payload=reply.body, outcome=reply.outcome,
            function_error="Unhandled" if reply.outcome is not Outcome.SUCCESS else None,
            log_tail=record.tail() if invocation.log_tail else None,
            duration_ms=duration_ms, billed_ms=billed_ms, max_memory_mb=max_memory,
            init_ms=init_ms, cold=cold)

    def _meter(self, spec: FunctionSpec, invocation: Invocation, started_ms: int,
               reply: Reply, duration_ms: float, max_memory: int, cold: bool) -> None:
        self.meter.record(MeterRecord(
            account_id=spec.account_id, region=spec.region, function=spec.name,
            version=spec.version, request_id=invocation.request_id, start_ms=started_ms,
            duration_ms=duration_ms,
            billed_ms=max(1, math.ceil(duration_ms)) if duration_ms else 0,
            memory_mb=spec.memory_mb, max_rss_mb=max_memory, cold=cold,
            outcome=reply.outcome))

    def _close_later(self, sandbox: Sandbox) -> None:
        self.draining.discard(sandbox)
        task = asyncio.get_running_loop().create_task(sandbox.close())
        self.closing.add(task)
        task.add_done_callback(self.closing.discard)

    def _start_reaper(self) -> None:
        if self.reaper is None or self.reaper.done():
            self.reaper = asyncio.get_running_loop().create_task(self._reap_forever())

    async def _reap_forever(self) -> None:
        interval = min(max(self.options.keep_alive_s / 4, 0.05), 30.0)
        while True:
            await asyncio.sleep(interval)
            self.reap()

    def reap(self) -> int:
        """Close idle sandboxes past the keep-alive; how many."""
        count = 0
        for key, pool in list(self.pools.items()):
            for sandbox in pool.expired(self.options.keep_alive_s):
                self._close_later(sandbox)
                count += 1
            if pool.empty and not self.limits.by_pool[key]:  # none starting either
                del self.pools[key]
        return count

    def in_flight(self, spec: FunctionSpec | None = None) -> int:
        return self.limits.in_flight(spec)

    def sandboxes(self, spec: FunctionSpec | None = None) -> list[Sandbox]:
        """The live sandboxes (of one function version, or all), idle and busy."""
        pools = [self.pools.get(spec.pool_key)] if spec else list(self.pools.values())
        return [s for pool in pools if pool for s in pool]

    async def evict(self, name_prefix: tuple[str, str, str]) -> None:
        doomed = []
        for key, pool in list(self.pools.items()):
            if key[:3] == name_prefix:
                doomed += pool.retire_all()
                self.draining.update(pool.busy)  # closed after their invocation
                del self.pools[key]  # invocations from now on start afresh
        await asyncio.gather(*(sandbox.close() for sandbox in doomed))

    async def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self.reaper is not None:
            self.reaper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.reaper
        everything = [s for pool in self.pools.values() for s in pool] + list(self.draining)
        self.pools.clear()
        await asyncio.gather(*(sandbox.close() for sandbox in everything),
                             *list(self.closing))
        await self.launcher.close()

