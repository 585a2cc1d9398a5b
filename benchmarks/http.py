"""HTTP through API Gateway (or a function URL) to a warm function and back.

    python benchmarks/http.py [--count 5000] [--concurrency 4,8] [--seconds 20]
                              [--via http-api,function-url]

Starts ``nubes up`` (fresh data directory, loopback), creates a hello-world function that
answers a proxy response, and puts it behind:

- ``http-api``: an HTTP API made by quick create (``CreateApi`` with ``Target``: a
  ``$default`` route, an AWS_PROXY integration with payload format 2.0 and an
  auto-deployed ``$default`` stage), addressed by host as a browser would:
  ``Host: <api-id>.execute-api.localhost:<port>``;
- ``function-url``: a function URL with ``AuthType NONE`` (``Host: <url-id>.lambda-url...``).

Then replays one plain, unsigned ``GET /hello`` over keep-alive connections with the
benchmarks' small HTTP/1.1 client (``harness.replay``): ``--count`` requests on each of
``--concurrency`` connection counts, each replay bounded to ``--seconds``, after a warm-up
that leaves every sandbox it needs running. In the same run, the baseline: the same
function through the Lambda API's Invoke (pre-signed), which is the path below the HTTP
front door; the ratio shows what the front door costs.

The seed talks' figures for AWS in 2016 (API Gateway and Lambda): about 500 requests/s and
30 ms average response. The goal here: at least 1,500 requests/s with p99 at most 20 ms on
2 cores.
"""

from __future__ import annotations

import os
import sys

# Run as a script, this file's directory comes first on sys.path, where its name would
# shadow the standard library's http package: the repository's root takes its place.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]
sys.path.insert(0, os.path.dirname(_HERE))

import argparse  # noqa: E402
import importlib  # noqa: E402
import io  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import zipfile  # noqa: E402
from pathlib import Path  # noqa: E402

import boto3  # noqa: E402

from benchmarks.harness import REGION, Peer, Result, machine, nubes_peer, replay  # noqa: E402

# benchmarks/lambda.py's signer (its module name is a keyword, hence import_module).
signed_invoke = importlib.import_module("benchmarks.lambda").signed_invoke

RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"
HELLO = ("import json\n\n\ndef handler(event, context):\n"
         "    return {'statusCode': 200, 'headers': {'content-type': 'application/json'},\n"
         "            'body': json.dumps({'hello': 'world'})}\n")
FRONT_DOORS = ("http-api", "function-url")
BASELINE = "lambda invoke"
AWS_2016 = (500.0, 30.0)  # requests/s, average ms: the seed talks' figures
GOAL = (1500.0, 20.0)  # requests/s, p99 ms, on 2 cores


def hello_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("app.py", HELLO)
    return buffer.getvalue()


def create_function(session: boto3.Session, endpoint: str) -> str:
    lam = session.client("lambda", endpoint_url=endpoint)
    arn: str = lam.create_function(
        FunctionName="hello-http", Runtime=RUNTIME, Handler="app.handler",
        Role="arn:aws:iam::000000000000:role/bench", MemorySize=128,
        Code={"ZipFile": hello_zip()})["FunctionArn"]
    lam.get_waiter("function_active_v2").wait(FunctionName="hello-http",
                                               WaiterConfig={"Delay": 0.05})
    return arn


def http_api(session: boto3.Session, endpoint: str, function_arn: str) -> str:
    """The Host of a quick-created HTTP API in front of the function."""
    api = session.client("apigatewayv2", endpoint_url=endpoint).create_api(
        Name="hello-http", ProtocolType="HTTP", Target=function_arn)
    account = function_arn.split(":")[4]
    session.client("lambda", endpoint_url=endpoint).add_permission(
        FunctionName="hello-http", StatementId="http-api", Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:{REGION}:{account}:{api['ApiId']}/*")
    return f"{api['ApiId']}.execute-api.localhost:{endpoint.rsplit(':', 1)[1]}"


def function_url(session: boto3.Session, endpoint: str) -> str:
    """The Host of a function URL (AuthType NONE) of the function."""
    lam = session.client("lambda", endpoint_url=endpoint)
    url: str = lam.create_function_url_config(FunctionName="hello-http",
                                              AuthType="NONE")["FunctionUrl"]
    lam.add_permission(FunctionName="hello-http", StatementId="function-url",
                       Action="lambda:InvokeFunctionUrl", Principal="*",
                       FunctionUrlAuthType="NONE")
    return url.split("//", 1)[1].rstrip("/")


def plain_get(host: str, path: str = "/hello") -> bytes:
    """An unsigned GET as a browser or curl sends it (keep-alive is HTTP/1.1's default)."""
    return (f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: nubes-bench\r\n"
            "Accept: */*\r\n\r\n").encode()


def check_answer(endpoint: str, request: bytes) -> None:
    """The front door answers the function's own body (not merely some 200)."""
    host, port = endpoint.split("//", 1)[1].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n", 1))
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    if not answer.startswith(b"HTTP/1.1 200") or b'{"hello": "world"}' not in answer:
        raise RuntimeError(f"unexpected answer: {answer[:500]!r}")


def warm_up(name: str, endpoint: str, request: bytes, concurrency: int) -> None:
    """Every connection's first requests answered (sandboxes started), or fail loudly."""
    result = replay("warm-up", endpoint, [request] * (concurrency * 50), concurrency, 30.0)
    if result.errors or not result.count:
        raise RuntimeError(f"{name}: {result.errors} of {result.count} warm-up requests "
                           "answered an error status")


def tree_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its live descendants: the
    server, its zygotes and sandboxes. Unlike requests/s, this does not depend on what
    else the machine is running."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError, IndexError):
            continue
    return total


def measure(peer: Peer, args: argparse.Namespace) -> tuple[dict[str, Result], dict[str, float]]:
    session = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test",
                            region_name=REGION)
    arn = create_function(session, peer.endpoint)
    requests = {BASELINE: signed_invoke(peer.endpoint, "hello-http")}
    if "http-api" in args.via:
        requests["http-api"] = plain_get(http_api(session, peer.endpoint, arn))
    if "function-url" in args.via:
        requests["function-url"] = plain_get(function_url(session, peer.endpoint))
    for name, request in requests.items():
        if name != BASELINE:
            check_answer(peer.endpoint, request)
    assert peer.process is not None
    results: dict[str, Result] = {}
    cpu_ms: dict[str, float] = {}  # the server's CPU time per request
    for concurrency in args.concurrency:
        for name, request in requests.items():
            warm_up(name, peer.endpoint, request, concurrency)
            label = f"{name}, {concurrency} connections"
            before = tree_cpu_s(peer.process.pid)
            results[label] = replay(label, peer.endpoint, [request] * args.count,
                                    concurrency, args.seconds)
            used = tree_cpu_s(peer.process.pid) - before
            cpu_ms[label] = used * 1000 / max(1, results[label].count)
    return results, cpu_ms


def report(results: dict[str, Result], cpu_ms: dict[str, float]) -> str:
    lines = ["### GET through a front door to a warm hello-world function", "",
             "| path | n | requests/s | mean ms | p50 ms | p99 ms | errors | vs Invoke "
             "| server CPU ms/request |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for label, r in results.items():
        base = results.get(f"{BASELINE}, {label.rsplit(', ', 1)[1]}")
        ratio = f"{r.ops / base.ops:.2f}x" if base and base.ops else "-"
        mean = statistics.fmean(r.latencies) * 1000 if r.latencies else 0.0
        lines.append(f"| {label} | {r.count} | {r.ops:,.0f} | {mean:.2f} | "
                     f"{r.pct(0.50):.2f} | {r.pct(0.99):.2f} | {r.errors} | {ratio} | "
                     f"{cpu_ms.get(label, 0.0):.3f} |")
    lines += ["", f"AWS in 2016 (the seed talks): {AWS_2016[0]:,.0f} requests/s, "
              f"{AWS_2016[1]:.0f} ms average. Goal: >= {GOAL[0]:,.0f} requests/s with "
              f"p99 <= {GOAL[1]:.0f} ms on 2 cores."]
    for label, r in results.items():
        if label.startswith(BASELINE):
            continue
        mean = statistics.fmean(r.latencies) * 1000 if r.latencies else 0.0
        met = r.ops >= GOAL[0] and r.pct(0.99) <= GOAL[1] and not r.errors
        lines.append(f"- {label}: {r.ops / AWS_2016[0]:.1f}x AWS 2016's throughput, "
                     f"mean {mean:.2f} ms vs {AWS_2016[1]:.0f} ms; goal "
                     f"{'met' if met else 'NOT met'}")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000, help="requests per replay")
    parser.add_argument("--concurrency", type=lambda v: [int(c) for c in v.split(",")],
                        default=[4, 8], help="connections, comma-separated")
    parser.add_argument("--seconds", type=float, default=20.0, help="bound per replay")
    parser.add_argument("--via", type=lambda v: v.split(","), default=list(FRONT_DOORS),
                        help=f"front doors, comma-separated: {','.join(FRONT_DOORS)}")
    args = parser.parse_args()
    unknown = set(args.via) - set(FRONT_DOORS)
    if unknown:
        parser.error(f"unknown front door(s): {', '.join(sorted(unknown))}")
    peer = nubes_peer()
    peer.start()
    started = time.monotonic()
    try:
        results, cpu_ms = measure(peer, args)
    finally:
        peer.stop()
    print(f"{machine()}; load average {os.getloadavg()[0]:.2f}; "
          f"{time.monotonic() - started:.0f} s\n")
    print(report(results, cpu_ms))


if __name__ == "__main__":
    main()
