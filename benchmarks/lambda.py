"""Functions through the Lambda API: cold starts, warm invokes, memory per warm sandbox.

    python benchmarks/lambda.py [--cold 30] [--warm 5000] [--concurrency 4,8] [--seconds 20]

Starts ``nubes up`` (fresh data directory, loopback) and measures, through Invoke:

- cold starts: the first Invoke of each of ``--cold`` new functions (hello world; a
  handler whose module imports boto3 and creates an S3 client), sent as pre-signed raw
  HTTP requests over one keep-alive connection, end to end; and the server's own
  ``Init Duration`` for each, from the REPORT line in CloudWatch Logs;
- warm invokes: one signed Invoke request replayed over keep-alive connections
  (latency on one connection; latency and throughput on each of ``--concurrency``);
- unique memory (USS) per warm sandbox: every process of each sandbox (found under the
  server's zygotes), private pages only.

Side by side, in the same run: a fresh ``python3`` per invocation that imports the
handler and calls it (what ``sam local`` and serverless-offline do, minus their
containers). Bounded: counts are fixed and every replay stops after ``--seconds``.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import io
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.harness import (  # noqa: E402
    CREDENTIALS,
    REGION,
    Peer,
    machine,
    nubes_peer,
    replay,
)

RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"
HELLO = "def handler(event, context):\n    return {'hello': 'world'}\n"
BOTO3 = ("import boto3\ns3 = boto3.client('s3')\n\n"
         "def handler(event, context):\n    return {'ok': True}\n")
# For the memory phase: the same handlers, held busy so that concurrent calls each get
# a sandbox of their own (``time`` is imported by the runtime already).
SLEEPY = ("import time\n\n_run = handler\n\n\ndef handler(event, context):\n"
          "    time.sleep(event.get('sleep', 0))\n    return _run(event, context)\n")
INIT = re.compile(r"Init Duration: ([0-9.]+) ms")


@dataclass
class Case:
    label: str
    values: list[float]


def zipped(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("app.py", source)
    return buffer.getvalue()


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def create(lam: Any, names: list[str], source: str) -> None:
    """Create functions running ``source``, then wait until all are Active."""
    code = zipped(source)
    for name in names:
        lam.create_function(FunctionName=name, Runtime=RUNTIME, Handler="app.handler",
                            Role="arn:aws:iam::000000000000:role/bench", MemorySize=128,
                            Code={"ZipFile": code})
    for name in names:
        lam.get_waiter("function_active_v2").wait(FunctionName=name,
                                                   WaiterConfig={"Delay": 0.05})


def signed_invoke(endpoint: str, name: str, payload: bytes = b"{}") -> bytes:
    """The raw bytes of an Invoke request, signed as boto3 signs it."""
    path = f"/2015-03-31/functions/{name}/invocations"
    request = AWSRequest(method="POST", url=endpoint + path, data=payload)
    SigV4Auth(CREDENTIALS, "lambda", REGION).add_auth(request)
    prepared = request.prepare()
    lines = [f"POST {path} HTTP/1.1", f"Host: {endpoint.split('//', 1)[1]}"]
    lines += [f"{k}: {v}" for k, v in prepared.headers.items()
              if k.lower() not in ("host", "content-length")]
    lines.append(f"Content-Length: {len(payload)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


def init_durations(logs: Any, names: list[str]) -> list[float]:
    """The ``Init Duration`` of each function's REPORT line (its one cold start)."""
    found = []
    for name in names:
        events = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}",
                                        filterPattern="REPORT")["events"]
        found += [float(m[1]) for e in events if (m := INIT.search(e["message"]))]
    return found


def cold_starts(peer: Peer, lam: Any, logs: Any, source: str,
                count: int) -> tuple[list[float], list[float]]:
    """(end-to-end ms, Init Duration ms) of the first Invoke of ``count`` new functions."""
    names = [f"cold-{uuid.uuid4().hex[:10]}" for _ in range(count)]
    create(lam, names, source)
    requests = [signed_invoke(peer.endpoint, name) for name in names]
    result = replay("nubes", peer.endpoint, requests, 1, 60.0)
    if result.errors:
        raise RuntimeError(f"{result.errors} cold invocations failed")
    return [x * 1000 for x in result.latencies], init_durations(logs, names)


def fresh_process(source: str, count: int) -> list[float]:
    """Milliseconds to run the handler once in a new python3 (sam local's way, minus Docker)."""
    with tempfile.TemporaryDirectory(prefix="nubes-bench-") as workdir:
        (Path(workdir) / "app.py").write_text(source)
        runner = "import json, app; print(json.dumps(app.handler({}, None)))"
        latencies = []
        for _ in range(count):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", runner], cwd=workdir, check=True,
                           capture_output=True)
            latencies.append((time.perf_counter() - start) * 1000)
    return latencies


def children(pid: int) -> list[int]:
    """A process's children (each thread lists those it started)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def uss_kib(pid: int) -> int:
    """Unique set size of a process and its descendants: pages only they hold."""
    total = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith(("Private_Clean:", "Private_Dirty:")):
                total += int(line.split()[1])
    except OSError:
        return 0
    return total + sum(uss_kib(child) for child in children(pid))


def sandbox_roots(server_pid: int) -> list[int]:
    """The top process of every sandbox: a zygote's child leading its own session (a
    pre-forked launcher still waiting for its sandbox has not called setsid)."""
    roots = []
    for zygote in children(server_pid):
        for pid in children(zygote):
            try:
                session = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[3])
            except (OSError, ValueError, IndexError):
                continue
            if session == pid:
                roots.append(pid)
    return roots


def memory_per_sandbox(peer: Peer, lam: Any, source: str, sandboxes: int) -> list[float]:
    """MiB of USS of each of ``sandboxes`` warm sandboxes of one function."""
    assert peer.process is not None
    others = set(sandbox_roots(peer.process.pid))
    name = f"mem-{uuid.uuid4().hex[:10]}"
    create(lam, [name], source + SLEEPY)
    busy = json.dumps({"sleep": 0.3}).encode()
    with concurrent.futures.ThreadPoolExecutor(sandboxes) as pool:
        for _ in range(2):  # twice, so each sandbox has served a warm invocation too
            list(pool.map(lambda _: lam.invoke(FunctionName=name, Payload=busy)["Payload"]
                          .read(), range(sandboxes)))
    ours = set(sandbox_roots(peer.process.pid)) - others
    sizes = [uss_kib(pid) / 1024 for pid in ours]
    lam.delete_function(FunctionName=name)
    deadline = time.monotonic() + 10
    while ours & set(sandbox_roots(peer.process.pid)) and time.monotonic() < deadline:
        time.sleep(0.05)  # gone before the next measurement
    return sizes


def row(case: Case) -> str:
    return (f"| {case.label} | {len(case.values)} | {statistics.median(case.values):.2f} | "
            f"{pct(case.values, 0.99):.2f} |")


def first_cold_start(lam: Any) -> float:
    """The first invocation after start-up, which also starts the zygote (ms)."""
    create(lam, ["first"], HELLO)
    start = time.perf_counter()
    lam.invoke(FunctionName="first", Payload=b"{}")["Payload"].read()
    return (time.perf_counter() - start) * 1000


def measure(peer: Peer, args: argparse.Namespace) -> tuple[list[Case], dict[str, Any]]:
    def client(service: str) -> Any:
        return boto3.client(service, endpoint_url=peer.endpoint, region_name=REGION,
                            aws_access_key_id="test", aws_secret_access_key="test")

    lam, logs = client("lambda"), client("logs")
    facts: dict[str, Any] = {"first": first_cold_start(lam)}
    facts["uss_hello"] = memory_per_sandbox(peer, lam, HELLO, args.sandboxes)
    facts["uss_boto3"] = memory_per_sandbox(peer, lam, BOTO3, args.sandboxes)
    hello, hello_init = cold_starts(peer, lam, logs, HELLO, args.cold)
    boto, boto_init = cold_starts(peer, lam, logs, BOTO3, args.cold)
    create(lam, ["warm-hello"], HELLO)
    lam.invoke(FunctionName="warm-hello", Payload=b"{}")
    requests = [signed_invoke(peer.endpoint, "warm-hello")] * args.warm
    replay("nubes", peer.endpoint, requests[:200], 1, args.seconds)  # warm-up
    sequential = replay("nubes", peer.endpoint, requests[:1000], 1, args.seconds)
    parallel = {c: replay("nubes", peer.endpoint, requests, c, args.seconds)
                for c in args.concurrency}
    facts["ops"] = {c: r.ops for c, r in parallel.items()}
    facts["errors"] = sequential.errors + sum(r.errors for r in parallel.values())
    cases = [
        Case("cold start, hello: Invoke end to end", hello),
        Case("cold start, hello: Init Duration (server)", hello_init),
        Case("cold start, boto3 + S3 client: Invoke end to end", boto),
        Case("cold start, boto3 + S3 client: Init Duration (server)", boto_init),
        Case("fresh python3 per invocation, hello", fresh_process(HELLO, args.fresh)),
        Case("fresh python3 per invocation, boto3 + S3 client",
             fresh_process(BOTO3, args.fresh)),
        Case("warm invoke, 1 connection", [x * 1000 for x in sequential.latencies]),
        *(Case(f"warm invoke, {c} connections", [x * 1000 for x in r.latencies])
          for c, r in parallel.items()),
    ]
    return cases, facts


def report(cases: list[Case], facts: dict[str, Any]) -> str:
    mib = [round(m, 2) for m in facts["uss_hello"]], [round(m, 2) for m in facts["uss_boto3"]]
    lines = [f"Machine: {machine()}; functions: {RUNTIME}", "",
             "| case | n | p50 ms | p99 ms |", "|---|---:|---:|---:|",
             *(row(case) for case in cases), "",
             f"First invocation after start-up (starts the {RUNTIME} zygote): "
             f"{facts['first']:.0f} ms",
             "Warm throughput: " + ", ".join(
                 f"{ops:,.0f} invocations/s on {c} connections"
                 for c, ops in facts["ops"].items()) + f" ({facts['errors']} errors)",
             f"USS per warm sandbox, hello: median {statistics.median(mib[0]):.2f} MiB "
             f"{json.dumps(mib[0])}",
             f"USS per warm sandbox, boto3 + S3 client: median "
             f"{statistics.median(mib[1]):.2f} MiB {json.dumps(mib[1])}"]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold", type=int, default=30, help="cold starts per case")
    parser.add_argument("--fresh", type=int, default=20, help="fresh python3 runs per case")
    parser.add_argument("--warm", type=int, default=5000, help="warm invocations")
    parser.add_argument("--concurrency", type=lambda v: [int(c) for c in v.split(",")],
                        default=[4, 8], help="connections for throughput, comma-separated")
    parser.add_argument("--sandboxes", type=int, default=4, help="warm sandboxes measured")
    parser.add_argument("--seconds", type=float, default=20.0, help="bound per replay")
    args = parser.parse_args()
    peer = nubes_peer()
    peer.start()
    try:
        cases, facts = measure(peer, args)
    finally:
        peer.stop()
    print(report(cases, facts))


if __name__ == "__main__":
    main()
