"""A real Nubes server in a child process, on a free loopback port, for tests."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

import boto3
from botocore.config import Config


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class NubesServer:
    """``nubes up`` on 127.0.0.1 with its own data directory; stop() ends only this process."""

    def __init__(self, data_dir: Path, port: int | None = None, *extra_args: str) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.extra_args = extra_args
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = data_dir.parent / f"{data_dir.name}-server-{self.port}.log"

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> NubesServer:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NUBES_", "AWS_"))}
        cmd = [sys.executable, "-m", "nubes", "up", "--host", "127.0.0.1",
               "--port", str(self.port), "--data-dir", str(self.data_dir), *self.extra_args]
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nubes exited early:\n{self.log()}")
            if self.healthy():
                return self
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"nubes did not become healthy in {timeout} s:\n{self.log()}")

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.endpoint}/_nubes/health", timeout=1) as resp:
                return bool(resp.status == 200 and json.load(resp)["status"] == "ok")
        except OSError:
            return False

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> int | None:
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        code = self.process.returncode
        self.process = None
        return code

    def kill(self) -> None:
        """kill -9: no chance to flush or clean up."""
        self.stop(signal.SIGKILL)

    def __enter__(self) -> NubesServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def with_settings(data_dir: Path, settings: str) -> Path:
    """``data_dir``, made, with ``settings`` (TOML) in its ``nubes.toml``: a server started
    on it runs with them (shorter retry delays and the like)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "nubes.toml").write_text(settings)
    return data_dir


def client_factory(server: NubesServer) -> Callable[[str], Any]:
    """``make(service)``: a boto3 client of ``server`` with the default key, no retries."""
    def make(service: str) -> Any:
        return boto3.client(service, endpoint_url=server.endpoint, region_name="us-east-1",
                            aws_access_key_id="test", aws_secret_access_key="test",
                            config=Config(retries={"max_attempts": 1}))
    return make
