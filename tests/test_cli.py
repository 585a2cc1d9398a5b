"""The ``nubes`` command as a user runs it: start, stop, keys, settings and exposure."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from nubes import __version__
from nubes.accounts import AccountStore
from nubes.server import RefusedToStart, check_exposure, functions_summary, is_loopback
from nubes.storage.sqlite import Database
from tests.server import NubesServer, free_port

START_TIMEOUT = 20.0


def clean_env(**extra: str) -> dict[str, str]:
    """The test runner's environment without any NUBES_* or AWS_* setting, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NUBES_", "AWS_"))}
    env.update(extra)
    return env


def nubes(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run a short ``nubes`` command (not ``up``) to completion."""
    return subprocess.run([sys.executable, "-m", "nubes", *args], env=env or clean_env(),
                          capture_output=True, text=True, timeout=60)


class Up:
    """``nubes up <args>`` exactly as given (no flags added), listening on ``port``."""

    def __init__(self, tmp_path: Path, port: int, *args: str, env: dict[str, str]) -> None:
        self.port = port
        self.output = tmp_path / f"up-{uuid.uuid4().hex[:8]}.log"
        with self.output.open("wb") as out:
            self.process = subprocess.Popen([sys.executable, "-m", "nubes", "up", *args],
                                            env=env, stdout=out, stderr=subprocess.STDOUT)

    def wait_healthy(self) -> float:
        """Seconds from now until /_nubes/health answers ok."""
        started = time.monotonic()
        while time.monotonic() - started < START_TIMEOUT:
            assert self.process.poll() is None, f"nubes exited early:\n{self.log()}"
            if health(f"http://127.0.0.1:{self.port}") is not None:
                return time.monotonic() - started
            time.sleep(0.02)
        self.stop()
        raise AssertionError(f"not healthy on port {self.port}:\n{self.log()}")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        return self.process.returncode

    def log(self) -> str:
        return self.output.read_text(errors="replace")


def health(endpoint: str) -> dict[str, Any] | None:
    try:
        with urllib.request.urlopen(f"{endpoint}/_nubes/health", timeout=1) as resp:
            body: dict[str, Any] = json.load(resp)
            return body if resp.status == 200 else None
    except OSError:
        return None


def s3_client(endpoint: str, access_key: str = "test", secret: str = "test") -> Any:
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id=access_key, aws_secret_access_key=secret,
                        config=Config(retries={"max_attempts": 1}))


def bucket_names(endpoint: str) -> list[str]:
    return [b["Name"] for b in s3_client(endpoint).list_buckets()["Buckets"]]


def printed_key(stdout: str) -> dict[str, str]:
    """The ``name value`` lines ``nubes keys create`` prints."""
    return dict(line.split(None, 1) for line in stdout.splitlines() if line.strip())


# -- nubes up ---------------------------------------------------------------------------


def test_up_prints_where_it_listens_and_how_to_use_it(tmp_path: Path) -> None:
    server = NubesServer(tmp_path / "data")
    started = time.monotonic()
    with server:
        to_healthy = time.monotonic() - started
        reported = re.search(r"started in ([0-9.]+) s", server.log())
        print(f"\nnubes up: healthy {to_healthy:.2f} s after the command was run "
              f"(it reports {reported[1] if reported else '?'} s)")
        out = server.log()
        endpoint = f"http://localhost:{server.port}"
        assert f"Nubes is ready at {endpoint}" in out
        assert f"export AWS_ENDPOINT_URL={endpoint}" in out
        assert "AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test" in out
        assert "aws s3 mb s3://" in out
        assert f'boto3.client("s3", endpoint_url="{endpoint}")' in out

        body = health(server.endpoint)
        assert body is not None and body["status"] == "ok"
        assert body["version"] == __version__
        assert "s3" in body["services"]


def test_up_says_which_function_runtimes_and_sandboxes_the_host_offers(
        tmp_path: Path) -> None:
    with NubesServer(tmp_path / "data") as server:
        out = server.log()
    runtimes = re.search(r"^Functions: runtimes (.+) \(found on this host\)$", out, re.M)
    assert runtimes is not None, out
    names = runtimes[1].split(", ")
    assert f"python{sys.version_info.major}.{sys.version_info.minor}" in names
    assert {"provided", "provided.al2", "provided.al2023"} <= set(names)
    sandboxes = re.search(r"^  sandboxes: (namespaces|plain processes)", out, re.M)
    assert sandboxes is not None, out
    # the same mode the runtime chose (and logged) when it started
    assert (sandboxes[1] == "namespaces") == ("function sandboxes: namespaces" in out)


def test_the_process_fallback_is_said_to_be_weaker() -> None:
    said = functions_summary(["python3.12", "provided"], "process")
    assert said.startswith("Functions: runtimes provided, python3.12 (found on this host)\n")
    assert "sandboxes: plain processes with rlimits: weaker isolation" in said


def test_health_is_plain_json(tmp_path: Path) -> None:
    with NubesServer(tmp_path / "data") as server:
        with urllib.request.urlopen(f"{server.endpoint}/_nubes/health", timeout=5) as resp:
            assert resp.status == 200
            assert resp.headers["Content-Type"].startswith("application/json")
            assert json.load(resp)["status"] == "ok"


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_shuts_down_cleanly_and_state_is_kept(tmp_path: Path, sig: int) -> None:
    server = NubesServer(tmp_path / "data").start()
    s3_client(server.endpoint).create_bucket(Bucket="kept-across-restarts")

    assert server.stop(sig) == 0
    assert "Traceback" not in server.log()

    with NubesServer(tmp_path / "data") as again:
        assert bucket_names(again.endpoint) == ["kept-across-restarts"]
    assert "Traceback" not in again.log()


def test_without_data_dir_state_goes_under_xdg_data_home(tmp_path: Path) -> None:
    xdg = tmp_path / "xdg"
    port = free_port()
    env = clean_env(XDG_DATA_HOME=str(xdg))

    first = Up(tmp_path, port, "--port", str(port), env=env)
    first.wait_healthy()
    endpoint = f"http://127.0.0.1:{port}"
    s3_client(endpoint).create_bucket(Bucket="in-the-default-place")
    assert first.stop() == 0
    assert f"data in {xdg / 'nubes'}" in first.log()
    assert (xdg / "nubes" / "nubes.db").exists()

    second = Up(tmp_path, port, "--port", str(port), env=env)
    try:
        second.wait_healthy()
        assert bucket_names(endpoint) == ["in-the-default-place"]
    finally:
        assert second.stop() == 0


def test_a_port_in_use_stops_up_with_a_clear_message(tmp_path: Path) -> None:
    with NubesServer(tmp_path / "first") as first:
        done = nubes("up", "--port", str(first.port), "--data-dir", str(tmp_path / "second"))
        assert done.returncode != 0
        assert "address already in use" in done.stderr
        assert "Traceback" not in done.stderr
        assert first.healthy()


def test_version() -> None:
    done = nubes("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"nubes {__version__}"


# -- nubes keys -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Any:
    server = NubesServer(tmp_path_factory.mktemp("keys") / "data").start()
    yield server
    server.stop()


def test_a_created_key_works_at_once_against_the_running_server(running: NubesServer) -> None:
    done = nubes("keys", "create", "--data-dir", str(running.data_dir), "--account",
                 "123456789012", "--access-key", "AKIAGIVENKEY", "--secret", "given/secret+")
    assert done.returncode == 0, done.stderr
    assert printed_key(done.stdout) == {"account_id": "123456789012",
                                        "aws_access_key_id": "AKIAGIVENKEY",
                                        "aws_secret_access_key": "given/secret+"}

    s3 = s3_client(running.endpoint, "AKIAGIVENKEY", "given/secret+")
    s3.create_bucket(Bucket="given-key-bucket")
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["given-key-bucket"]
    # The bucket belongs to account 123456789012, not to the default test account.
    assert "given-key-bucket" not in bucket_names(running.endpoint)


def test_a_generated_key_works_at_once_against_the_running_server(
    running: NubesServer,
) -> None:
    done = nubes("keys", "create", "--data-dir", str(running.data_dir))
    assert done.returncode == 0, done.stderr
    key = printed_key(done.stdout)
    assert re.fullmatch(r"[0-9]{12}", key["account_id"])
    assert key["account_id"] != "000000000000"
    assert re.fullmatch(r"AKIA[A-Z0-9]{16}", key["aws_access_key_id"])
    assert len(key["aws_secret_access_key"]) == 40

    s3 = s3_client(running.endpoint, key["aws_access_key_id"], key["aws_secret_access_key"])
    assert s3.list_buckets()["Buckets"] == []


def test_keys_list_shows_every_key_and_its_account(running: NubesServer) -> None:
    nubes("keys", "create", "--data-dir", str(running.data_dir), "--account", "999988887777",
          "--access-key", "AKIALISTED")
    done = nubes("keys", "list", "--data-dir", str(running.data_dir))
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines()]
    assert ["000000000000", "test"] in rows
    assert ["999988887777", "AKIALISTED"] in rows
    assert "secret" not in done.stdout.lower()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--account", "12345"], "account id must be 12 digits, got '12345'"),
        (["--account", "abcdefghijkl"], "account id must be 12 digits"),
        (["--access-key", "has/slash"], "access key must be 1 to 128 letters"),
        (["--access-key", "test"], "access key 'test' already exists"),
    ],
)
def test_a_bad_key_request_is_refused_clearly(
    tmp_path: Path, args: list[str], message: str
) -> None:
    done = nubes("keys", "create", "--data-dir", str(tmp_path / "data"), *args)
    assert done.returncode == 2
    assert done.stderr.startswith("nubes: ")
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


# -- exposure beyond loopback -----------------------------------------------------------

# Runs `nubes up` with uvicorn unable to serve: if Nubes did not refuse first, the guard
# ends the process before any socket is bound (tests bind loopback only).
_GUARDED_UP = """
import sys, uvicorn
async def guard(self, sockets=None):
    sys.exit("test guard: nubes went on to bind " + self.config.host)
uvicorn.Server.serve = guard
from nubes.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_up_on_all_interfaces_with_only_the_test_key_is_refused(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _GUARDED_UP, "up", "--host", "0.0.0.0", "--port",
         str(free_port()), "--data-dir", str(tmp_path / "data")],
        env=clean_env(), capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "test guard" not in done.stderr
    assert "refusing to listen on 0.0.0.0: only the default test key exists" in done.stderr
    assert "nubes keys create" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.8.9.10", True), ("::1", True), ("localhost", True),
     ("0.0.0.0", False), ("::", False), ("192.168.1.20", False), ("example.com", False),
     ("", False)],
)
def test_which_addresses_count_as_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_exposure_is_allowed_once_a_key_of_ones_own_exists(tmp_path: Path) -> None:
    db = Database(tmp_path / "nubes.db")
    try:
        accounts = AccountStore(db)
        accounts.ensure_default()
        assert accounts.only_default_keys()
        check_exposure("127.0.0.1", accounts)
        with pytest.raises(RefusedToStart, match="refusing to listen on 0.0.0.0"):
            check_exposure("0.0.0.0", accounts)

        accounts.create_key()
        assert not accounts.only_default_keys()
        check_exposure("0.0.0.0", accounts)
        check_exposure("::", accounts)
    finally:
        db.close()


# -- settings from a file, the environment and the command line -------------------------


def test_a_config_file_sets_the_port(tmp_path: Path) -> None:
    port = free_port()
    config = tmp_path / "custom.toml"
    config.write_text(f"port = {port}\n")
    up = Up(tmp_path, port, "--config", str(config), "--data-dir", str(tmp_path / "data"),
            env=clean_env())
    try:
        up.wait_healthy()
    finally:
        assert up.stop() == 0


def test_the_data_dirs_own_file_sets_the_port(tmp_path: Path) -> None:
    port = free_port()
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "nubes.toml").write_text(f"port = {port}\n")
    up = Up(tmp_path, port, "--data-dir", str(tmp_path / "data"), env=clean_env())
    try:
        up.wait_healthy()
    finally:
        assert up.stop() == 0


def test_env_beats_the_file_and_the_flag_beats_env(tmp_path: Path) -> None:
    file_port, env_port, flag_port = free_port(), free_port(), free_port()
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "nubes.toml").write_text(f"port = {file_port}\n")
    data = ("--data-dir", str(tmp_path / "data"))

    from_env = Up(tmp_path, env_port, *data, env=clean_env(NUBES_PORT=str(env_port)))
    try:
        from_env.wait_healthy()
        assert health(f"http://127.0.0.1:{file_port}") is None
    finally:
        assert from_env.stop() == 0

    from_flag = Up(tmp_path, flag_port, *data, "--port", str(flag_port),
                   env=clean_env(NUBES_PORT=str(env_port)))
    try:
        from_flag.wait_healthy()
        assert health(f"http://127.0.0.1:{env_port}") is None
    finally:
        assert from_flag.stop() == 0


def test_a_bad_setting_stops_up_with_a_clear_message(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "nubes.toml").write_text("prot = 4566\n")
    done = nubes("up", "--data-dir", str(tmp_path / "data"))
    assert done.returncode == 2
    assert "unknown setting 'prot'" in done.stderr
    assert "Traceback" not in done.stderr

    done = nubes("up", "--data-dir", str(tmp_path / "other"),
                 env=clean_env(NUBES_PORT="not-a-port"))
    assert done.returncode == 2
    assert "NUBES_PORT: port: expected a port number" in done.stderr
