"""Fixtures for the function runtime: a real LocalInvoker on a uvloop loop in a thread.

One invoker (and so one zygote per interpreter) serves the whole session; tests give
their functions unique names. Logs and metering records are collected in memory.
"""

from __future__ import annotations

import asyncio
import base64
import json
import threading
import uuid
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
import uvloop

from nubes.runtime.api import (
    FunctionSpec,
    Invocation,
    InvocationResult,
    LogEvent,
    MeterRecord,
)
from nubes.runtime.invoker import LocalInvoker
from nubes.runtime.options import InvokerOptions
from nubes.runtime.runtimes import available_runtimes

T = TypeVar("T")
ACCOUNT = "123456789012"
REGION = "eu-west-1"


class LoopThread:
    """An event loop running in a thread; ``run`` waits for a coroutine's result."""

    def __init__(self) -> None:
        self.loop = uvloop.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


@dataclass
class Recorder:
    """A LogSink and MeterSink keeping everything in memory."""

    logs: list[tuple[str, str, str, str, list[LogEvent]]] = field(default_factory=list)
    meters: list[MeterRecord] = field(default_factory=list)

    def write(self, account_id: str, region: str, group: str, stream: str,
              events: Any) -> None:
        self.logs.append((account_id, region, group, stream, list(events)))

    def record(self, record: MeterRecord) -> None:
        self.meters.append(record)

    def messages(self, group: str) -> list[str]:
        return [e.message for entry in self.logs if entry[2] == group for e in entry[4]]


@dataclass
class Runtime:
    """What a test uses: invoke functions through a LocalInvoker."""

    loop: LoopThread
    invoker: LocalInvoker
    recorder: Recorder
    root: Path  # where function code lives (inside the hidden data directory)

    def function(self, files: dict[str, str], runtime: str = "python3.12",
                 handler: str = "app.handler", **config: Any) -> FunctionSpec:
        name = f"fn-{uuid.uuid4().hex[:12]}"
        code = self.root / name
        code.mkdir(parents=True)
        for path, text in files.items():
            target = code / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
            if path == "bootstrap":
                target.chmod(0o755)
        arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
        return FunctionSpec(ACCOUNT, REGION, name, "$LATEST", arn, runtime, handler, code,
                            log_group=f"/aws/lambda/{name}", **config)

    def invoke(self, spec: FunctionSpec, event: Any = None, *, tail: bool = False,
               invoker: LocalInvoker | None = None) -> InvocationResult:
        payload = json.dumps({} if event is None else event).encode()
        invocation = Invocation(str(uuid.uuid4()), payload, spec.arn, log_tail=tail)
        return self.loop.run((invoker or self.invoker).invoke(spec, invocation))

    def new_invoker(self, **options: Any) -> LocalInvoker:
        work = self.root.parent / f"work-{uuid.uuid4().hex[:8]}"
        made = InvokerOptions(work_dir=work, preload_clients=(), **options)

        async def create() -> LocalInvoker:
            return LocalInvoker(made, self.recorder, self.recorder)

        return self.loop.run(create())


def body(result: InvocationResult) -> Any:
    return json.loads(result.payload)


def tail_text(result: InvocationResult) -> str:
    assert result.log_tail is not None
    return base64.b64decode(result.log_tail).decode()


@pytest.fixture(scope="session")
def loop_thread() -> Iterator[LoopThread]:
    thread = LoopThread()
    yield thread
    thread.stop()


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("nubes-runtime") / "data"
    data.mkdir()
    (data / "secret.txt").write_text("the data directory")
    return data


@pytest.fixture(scope="session")
def runtime(loop_thread: LoopThread, data_dir: Path) -> Iterator[Runtime]:
    recorder = Recorder()
    options = InvokerOptions(work_dir=data_dir / "runtime", hidden_paths=(data_dir,),
                             credentials_for=lambda account: (f"AK{account}", "secret"),
                             endpoint_url="http://127.0.0.1:4566")

    async def create() -> LocalInvoker:
        return LocalInvoker(options, recorder, recorder)

    invoker = loop_thread.run(create())
    yield Runtime(loop_thread, invoker, recorder, data_dir / "functions")
    loop_thread.run(invoker.close())


@pytest.fixture(scope="session")
def runtimes() -> dict[str, str]:
    return available_runtimes()


@pytest.fixture
def namespaced(runtime: Runtime) -> None:
    if runtime.invoker.mode != "namespace":
        pytest.skip("needs namespace sandboxes (root, Linux, cgroups)")


Closer = Callable[[LocalInvoker], None]
