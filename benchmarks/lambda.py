"""Functions: cold starts, warm invokes and memory per warm sandbox, through the Lambda API.

    python benchmarks/lambda.py [--cold N] [--warm N] [--concurrency C]

Side by side with what `sam local` and serverless-offline do: start a fresh python3 for
every invocation. Cold starts are measured end to end through Invoke (a new function
each time, so every first call is cold); warm invokes by replaying one signed Invoke
request over keep-alive connections; memory as the unique set size (USS) of each warm
sandbox process.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path
from typing import Any

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.harness import CREDENTIALS, REGION, machine, nubes_peer, replay  # noqa: E402

HELLO = "def handler(event, context):\n    return {'hello': 'world'}\n"
BOTO3 = ("import boto3\ns3 = boto3.client('s3')\n\n"
         "def handler(event, context):\n    return {'ok': True}\n")


def zipped(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("app.py", source)
    return buffer.getvalue()


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def create(lam: Any, name: str, source: str) -> None:
    lam.create_function(FunctionName=name, Runtime="python3.11", Handler="app.handler",
                        Role="arn:aws:iam::000000000000:role/bench", MemorySize=128,
                        Code={"ZipFile": zipped(source)})
    lam.get_waiter("function_active_v2").wait(FunctionName=name)


def cold_starts(lam: Any, source: str, count: int) -> list[float]:
    """Milliseconds of the first Invoke of ``count`` new functions."""
    names = [f"cold-{uuid.uuid4().hex[:10]}" for _ in range(count)]
    for name in names:
        create(lam, name, source)
    latencies = []
    for name in names:
        start = time.perf_counter()
        lam.invoke(FunctionName=name, Payload=b"{}")["Payload"].read()
        latencies.append((time.perf_counter() - start) * 1000)
    return latencies


def fresh_process(source: str, count: int) -> list[float]:
    """Milliseconds to run the handler once in a new python3 (sam local's way, minus Docker)."""
    workdir = Path(tempfile.mkdtemp(prefix="nubes-bench-"))
    (workdir / "app.py").write_text(source)
    runner = "import json, app; print(json.dumps(app.handler({}, None)))"
    latencies = []
    for _ in range(count):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", runner], cwd=workdir, check=True,
                       capture_output=True)
        latencies.append((time.perf_counter() - start) * 1000)
    return latencies


def signed_invoke(endpoint: str, name: str) -> bytes:
    url = f"{endpoint}/2015-03-31/functions/{name}/invocations"
    request = AWSRequest(method="POST", url=url, data=b"{}")
    SigV4Auth(CREDENTIALS, "lambda", REGION).add_auth(request)
    prepared = request.prepare()
    host = url.split("/", 3)[2]
    lines = [f"POST /2015-03-31/functions/{name}/invocations HTTP/1.1", f"Host: {host}"]
    lines += [f"{k}: {v}" for k, v in prepared.headers.items()
              if k.lower() not in ("host", "content-length")]
    lines.append("Content-Length: 2")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + b"{}"


def uss_kib(pid: int) -> int:
    """Unique set size: the pages only this process holds."""
    total = 0
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith(("Private_Clean:", "Private_Dirty:")):
            total += int(line.split()[1])
    return total


def sandbox_pids(function: str) -> list[int]:
    """Processes whose environment names the function (its sandboxes)."""
    marker = f"AWS_LAMBDA_FUNCTION_NAME={function}".encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "environ").read_bytes().split(b"\0"):
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def row(label: str, values: list[float]) -> str:
    return (f"| {label} | {len(values)} | {statistics.median(values):.2f} | "
            f"{pct(values, 0.99):.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cold", type=int, default=30, help="cold starts per case")
    parser.add_argument("--warm", type=int, default=5000, help="warm invocations")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()

    peer = nubes_peer()
    peer.start()
    try:
        lam = boto3.client("lambda", endpoint_url=peer.endpoint, region_name=REGION,
                           aws_access_key_id="test", aws_secret_access_key="test")
        cold_hello = cold_starts(lam, HELLO, args.cold)
        cold_boto3 = cold_starts(lam, BOTO3, args.cold)
        fresh_hello = fresh_process(HELLO, min(args.cold, 20))
        fresh_boto3 = fresh_process(BOTO3, min(args.cold, 20))
        create(lam, "warm-hello", HELLO)
        lam.invoke(FunctionName="warm-hello", Payload=b"{}")
        requests = [signed_invoke(peer.endpoint, "warm-hello")] * args.warm
        replay("nubes", peer.endpoint, requests[:200], 1, args.seconds)
        sequential = replay("nubes", peer.endpoint, requests[:1000], 1, args.seconds)
        parallel = replay("nubes", peer.endpoint, requests, args.concurrency, args.seconds)
        memory = [uss_kib(pid) / 1024 for pid in sandbox_pids("warm-hello")]
    finally:
        peer.stop()

    print(f"Machine: {machine()}\n")
    print("| case | n | p50 ms | p99 ms |\n|---|---:|---:|---:|")
    print(row("cold start, hello (Invoke, end to end)", cold_hello))
    print(row("cold start, import boto3 + client", cold_boto3))
    print(row("fresh python3 per invocation, hello", fresh_hello))
    print(row("fresh python3 per invocation, boto3", fresh_boto3))
    print(row("warm invoke, 1 connection", [x * 1000 for x in sequential.latencies]))
    print(row(f"warm invoke, {args.concurrency} connections",
              [x * 1000 for x in parallel.latencies]))
    print(f"\nWarm throughput: {parallel.ops:,.0f} invocations/s "
          f"({args.concurrency} connections, {parallel.errors} errors)")
    print(f"Unique memory (USS) per warm sandbox: "
          f"{json.dumps([round(m, 1) for m in memory])} MiB")


if __name__ == "__main__":
    main()
