"""The function runtime on its own: LocalInvoker against a fresh python3 per invocation.

    python benchmarks/lambda_runtime.py [--runtime python3.11] [--cold 40] [--warm 2000]
                                        [--seconds 3] [--concurrency 4] [--mode auto]

Cold start p50/p99 (hello world; a handler whose module imports boto3 and creates an S3
client), warm invoke p50/p99 and invocations/s through ``LocalInvoker`` directly, unique
memory (USS) per warm sandbox, side by side with spawning ``python3`` per invocation
(what ``sam local`` and serverless-offline do, minus their containers).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "src"))

from nubes.runtime.api import FunctionSpec, Invocation, MeterRecord  # noqa: E402
from nubes.runtime.invoker import LocalInvoker  # noqa: E402
from nubes.runtime.options import InvokerOptions  # noqa: E402

HELLO = "def handler(event, context):\n    return {'hello': 'world'}\n"
BOTO = ("import boto3\ns3 = boto3.client('s3')\n\n"
        "def handler(event, context):\n    return {'region': s3.meta.region_name}\n")


class NullSink:
    def write(self, *args: object) -> None:
        pass

    def record(self, record: MeterRecord) -> None:
        pass


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def spec_for(code: Path, runtime: str, tag: str) -> FunctionSpec:
    arn = "arn:aws:lambda:us-east-1:000000000000:function:bench"
    return FunctionSpec("000000000000", "us-east-1", "bench", "$LATEST", arn, runtime,
                        "app.handler", code, code_sha256=tag, memory_mb=256)


def invocation(spec: FunctionSpec) -> Invocation:
    return Invocation(str(uuid.uuid4()), b"{}", spec.arn)


async def cold_starts(invoker: LocalInvoker, code: Path, runtime: str, n: int) -> list[float]:
    times = []
    for _ in range(n):
        spec = spec_for(code, runtime, uuid.uuid4().hex)
        started = time.perf_counter()
        result = await invoker.invoke(spec, invocation(spec))
        times.append((time.perf_counter() - started) * 1000)
        assert result.cold and result.outcome == "success", result
        await invoker.evict(("000000000000", "us-east-1", "bench"))
    return times


async def warm(invoker: LocalInvoker, spec: FunctionSpec, n: int) -> list[float]:
    await invoker.invoke(spec, invocation(spec))
    times = []
    for _ in range(n):
        started = time.perf_counter()
        await invoker.invoke(spec, invocation(spec))
        times.append((time.perf_counter() - started) * 1000)
    return times


async def throughput(invoker: LocalInvoker, spec: FunctionSpec, seconds: float,
                     concurrency: int) -> float:
    count = 0
    stop = time.monotonic() + seconds

    async def worker() -> None:
        nonlocal count
        while time.monotonic() < stop:
            await invoker.invoke(spec, invocation(spec))
            count += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return count / seconds


def uss_kb(pid: int) -> int:
    """Private memory of a process and its descendants (smaps_rollup)."""
    total = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith(("Private_Clean:", "Private_Dirty:")):
                total += int(line.split()[1])
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return total
    return total + sum(uss_kb(int(child)) for child in children)


async def uss_per_sandbox(invoker: LocalInvoker, spec: FunctionSpec, count: int) -> float:
    await asyncio.gather(*(invoker.invoke(spec, invocation(spec)) for _ in range(count)))
    sizes = [uss_kb(sandbox.pid) for sandbox in invoker.sandboxes(spec)]
    return statistics.median(sizes) / 1024


def fresh_process(code: Path, python: str, sdk: str, n: int) -> list[float]:
    runner = ("import json, sys; sys.path.insert(0, sys.argv[1]); sys.path.append(sys.argv[2]);"
              " import app; print(json.dumps(app.handler({}, None)))")
    times = []
    env = {"PATH": os.environ["PATH"], "AWS_DEFAULT_REGION": "us-east-1"}
    for _ in range(n):
        started = time.perf_counter()
        subprocess.run([python, "-c", runner, str(code), sdk], check=True,
                       capture_output=True, env=env)
        times.append((time.perf_counter() - started) * 1000)
    return times


def row(name: str, values: list[float], peer: list[float] | None = None) -> str:
    p50, p99 = percentile(values, 0.5), percentile(values, 0.99)
    text = f"{name:<34} p50 {p50:8.2f} ms   p99 {p99:8.2f} ms"
    if peer:
        text += f"   fresh python3: p50 {percentile(peer, 0.5):7.1f} ms " \
                f"({percentile(peer, 0.5) / p50:5.1f}x)"
    return text


async def main(args: argparse.Namespace, root: Path) -> None:
    codes = {}
    for name, source in (("hello", HELLO), ("boto3", BOTO)):
        (root / name).mkdir()
        (root / name / "app.py").write_text(source)
        codes[name] = root / name
    options = InvokerOptions(work_dir=root / "work", sandbox_mode=args.mode)
    invoker = LocalInvoker(options, NullSink(), NullSink())
    python = invoker.available_runtimes()[args.runtime]
    print(f"{args.runtime} ({python}), sandboxes: {invoker.mode}, {os.cpu_count()} cpus")
    warmup = spec_for(codes["hello"], args.runtime, "warmup")
    await invoker.invoke(warmup, invocation(warmup))  # starts the zygote
    for name in ("hello", "boto3"):
        cold = await cold_starts(invoker, codes[name], args.runtime, args.cold)
        fresh = fresh_process(codes[name], python, invoker.launcher.sdk_path,
                               max(5, args.cold // 4))
        print(row(f"cold start, {name}", cold, fresh))
    spec = spec_for(codes["hello"], args.runtime, "warm")
    print(row("warm invoke", await warm(invoker, spec, args.warm)))
    rate = await throughput(invoker, spec, args.seconds, args.concurrency)
    print(f"{'throughput':<34} {rate:8.0f} invocations/s (concurrency {args.concurrency})")
    for name in ("hello", "boto3"):
        uss = await uss_per_sandbox(invoker, spec_for(codes[name], args.runtime, name), 10)
        print(f"{'USS per warm sandbox, ' + name:<34} {uss:8.2f} MB (median of 10)")
    await invoker.close()
    print(json.dumps({"runtime": args.runtime, "mode": invoker.mode}))


def run(args: argparse.Namespace) -> None:
    """``main`` in a scratch directory, removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix="nubes-bench-runtime-"))
    try:
        asyncio.run(main(args, root))
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runtime",  # this interpreter's, which the host surely has
                        default=f"python{sys.version_info.major}.{sys.version_info.minor}")
    parser.add_argument("--cold", type=int, default=40)
    parser.add_argument("--warm", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--mode", default="auto")
    run(parser.parse_args())
