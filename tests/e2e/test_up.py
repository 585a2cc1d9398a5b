"""``make up``'s command: Nubes started, every example deployed, Nubes kept running until
Ctrl-C; and the same again on the same data directory (deploying converges)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import EXAMPLES
from tests.server import NubesServer, free_port

pytestmark = pytest.mark.slow

READY = "Ctrl-C stops it."


def up_until_ready(data_dir: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NUBES_", "AWS_"))}
    command = [sys.executable, "-m", "nubes.examples_deploy", "up", "--port",
               str(free_port()), "--data-dir", str(data_dir), "--examples-dir", str(EXAMPLES)]
    with log.open("wb") as out:  # its own session: Ctrl-C reaches the whole group
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    deadline = time.monotonic() + 120
    while READY not in log.read_text() and time.monotonic() < deadline:
        if process.poll() is not None:
            break
        time.sleep(0.1)
    return process, log.read_text()


def test_up_deploys_every_example_and_again_on_the_same_data(tmp_path: Path) -> None:
    for attempt in ("first", "again"):
        process, output = up_until_ready(tmp_path / "data", tmp_path / f"{attempt}.log")
        try:
            assert READY in output, output
            assert "NOT deployed" not in output, output
            for name in ("thumbnail", "csv-ingest", "scheduled-snapshot", "stream-analytics",
                         "fan-out"):
                assert f"\n  {name}: " in output
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        assert process.wait(30) == 0, (tmp_path / f"{attempt}.log").read_text()


def test_deploy_onto_a_running_server(examples_server: NubesServer) -> None:
    command = [sys.executable, "-m", "nubes.examples_deploy", "deploy", "--endpoint",
               examples_server.endpoint, "--examples-dir", str(EXAMPLES),
               "--only", "csv-ingest", "--only", "stream-analytics"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "\n  csv-ingest: " in done.stdout
    assert "\n  stream-analytics: " in done.stdout
    assert "thumbnail" not in done.stdout


def test_up_refuses_a_port_in_use(examples_server: NubesServer) -> None:
    command = [sys.executable, "-m", "nubes.examples_deploy", "up", "--port",
               str(examples_server.port), "--examples-dir", str(EXAMPLES)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert f"port {examples_server.port} is in use" in done.stderr
