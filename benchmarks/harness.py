"""What the benchmarks share: servers to compare, a lean HTTP client, and the report.

Requests are signed ahead of time with botocore's own SigV4 signer and replayed over
keep-alive connections by a small asyncio HTTP/1.1 client, so that the client costs
little and the same for every server: the numbers measure the servers.
"""

from __future__ import annotations

import asyncio
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

CREDENTIALS = Credentials("test", "test")
REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Peer:
    """A server under test: started as a child process, stopped by its own pid."""

    name: str
    command: list[str]
    port: int
    health_path: str = "/"
    process: subprocess.Popen[bytes] | None = None
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="nubes-bench-")))

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        log = (self.workdir / "server.log").open("wb")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NUBES_", "AWS_"))}
        self.process = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT,
                                        cwd=self.workdir, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.endpoint + self.health_path, timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not start: see {self.workdir / 'server.log'}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.workdir, ignore_errors=True)


def nubes_peer() -> Peer:
    port = free_port()
    peer = Peer("nubes", [], port, "/_nubes/health")
    peer.command = [sys.executable, "-m", "nubes", "up", "--port", str(port),
                    "--data-dir", str(peer.workdir / "data"), "--log-level", "warning"]
    return peer


def moto_peer() -> Peer:
    port = free_port()
    return Peer("moto", [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                port, "/moto-api/")


def signed_request(method: str, url: str, body: bytes = b"", service: str = "s3",
                   headers: dict[str, str] | None = None) -> bytes:
    """The raw bytes of an HTTP/1.1 request signed as boto3 would sign it."""
    request = AWSRequest(method=method, url=url, data=body, headers=headers or {})
    S3SigV4Auth(CREDENTIALS, service, REGION).add_auth(request)
    prepared = request.prepare()
    host = url.split("/", 3)[2]
    path = url.split(host, 1)[1] or "/"
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    lines += [f"{k}: {v}" for k, v in prepared.headers.items()
              if k.lower() not in ("host", "content-length")]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response; returns its status and whether the server closes the connection."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    chunked = close = False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        lname = name.strip().lower()
        if lname == b"content-length":
            length = int(value)
        elif lname == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
        elif lname == b"connection" and b"close" in value.lower():
            close = True
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status, close


@dataclass
class Result:
    name: str
    count: int
    seconds: float
    latencies: list[float]
    errors: int

    @property
    def ops(self) -> float:
        return self.count / self.seconds

    def pct(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000


async def _replay(endpoint: str, requests: Sequence[bytes], concurrency: int,
                  deadline: float) -> tuple[list[float], int, int]:
    host, port = endpoint.split("//")[1].split(":")
    queue = list(reversed(requests))
    latencies: list[float] = []
    errors = 0

    async def worker() -> None:
        nonlocal errors
        # A server that closes after each response (moto's) pays for a new connection
        # inside the timed request, as its real clients do.
        connection = None
        while queue and time.monotonic() < deadline:
            raw = queue.pop()
            start = time.perf_counter()
            if connection is None:
                connection = await asyncio.open_connection(host, int(port))
            reader, writer = connection
            writer.write(raw)
            status, close = await _read_response(reader)
            latencies.append(time.perf_counter() - start)
            if status >= 300:
                errors += 1
            if close:
                writer.close()
                connection = None
        if connection is not None:
            connection[1].close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, len(latencies), errors


def replay(name: str, endpoint: str, requests: Sequence[bytes], concurrency: int,
           max_seconds: float) -> Result:
    """Send pre-built requests over ``concurrency`` keep-alive connections; time them."""
    start = time.perf_counter()
    latencies, count, errors = asyncio.run(
        _replay(endpoint, requests, concurrency, time.monotonic() + max_seconds))
    return Result(name, count, time.perf_counter() - start, latencies, errors)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, {platform.system()}"


def report(title: str, results: dict[str, Result], baseline: str) -> str:
    """A Markdown table: ops/s, p50, p99, errors, and the ratio to the baseline peer."""
    lines = [f"### {title}", "", "| server | ops/s | p50 ms | p99 ms | errors | vs "
             f"{baseline} |", "|---|---:|---:|---:|---:|---:|"]
    base = results.get(baseline)
    for name, r in results.items():
        ratio = f"{r.ops / base.ops:.2f}x" if base and base.ops else "-"
        lines.append(f"| {name} | {r.ops:,.0f} | {r.pct(0.50):.2f} | {r.pct(0.99):.2f} | "
                     f"{r.errors} | {ratio} |")
    return "\n".join(lines) + "\n"


def median(values: Sequence[float]) -> float:
    return statistics.median(values)
