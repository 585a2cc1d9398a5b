"""Durability: whatever Nubes acknowledged survives ``kill -9`` of the server, whole.

Clients write objects (small, medium, multipart) as fast as they can; the server is
killed mid-stream and restarted on the same data directory. Every write a client saw
succeed must be there with the same bytes; a write that was cut off may be missing but
never partial; and the crash leaves no temp files behind once the server is back.
"""

from __future__ import annotations

import hashlib
import io
import random
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from boto3.s3.transfer import TransferConfig
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from tests.server import NubesServer

pytestmark = pytest.mark.slow

BUCKET = "durable"
KIB, MIB = 1024, 1024 * 1024
WRITERS = 6
WRITE_FOR = 1.5  # seconds of writing before the kill
PART = 5 * MIB
MULTIPART = TransferConfig(multipart_threshold=PART, multipart_chunksize=PART,
                           max_concurrency=2)


def client(server: NubesServer) -> Any:
    """An S3 client that never retries: a call that returned was answered by the server."""
    session = boto3.session.Session()
    return session.client(
        "s3", endpoint_url=server.endpoint, region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30),
    )


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


@dataclass
class Ledger:
    """What the writers tried and what the server acknowledged, key -> md5."""

    attempted: dict[str, str] = field(default_factory=dict)
    acknowledged: dict[str, str] = field(default_factory=dict)
    multipart: set[str] = field(default_factory=set)
    unexpected: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def writer(server: NubesServer, number: int, ledger: Ledger, killed: threading.Event) -> None:
    """PUT objects until the server dies; the first writer opens with a multipart upload."""
    s3 = client(server)
    rng = random.Random(number)
    for n in range(100_000):
        roll = rng.random()
        multipart = (number == 0 and n == 0) or roll < 0.03
        size = 2 * PART + 7 if multipart else (300 * KIB + n if roll < 0.4 else KIB)
        data = rng.randbytes(size)
        key = f"w{number}/{n:05d}-{size}"
        with ledger.lock:
            ledger.attempted[key] = md5(data)
            if multipart:
                ledger.multipart.add(key)
        try:
            if multipart:
                s3.upload_fileobj(io.BytesIO(data), BUCKET, key, Config=MULTIPART)
            else:
                s3.put_object(Bucket=BUCKET, Key=key, Body=data)
        except Exception as error:  # the kill cuts calls off with assorted errors
            if not killed.is_set():
                ledger.unexpected.append(f"{key}: {error!r}")
            return
        with ledger.lock:
            ledger.acknowledged[key] = md5(data)


def stalled_upload(server: NubesServer, key: str) -> socket.socket:
    """A signed 4 MiB PUT of which only the first 2 MiB are sent: the server has begun
    writing it to a temp file when this returns."""
    body = random.Random(key).randbytes(4 * MIB)
    request = AWSRequest(method="PUT", url=f"{server.endpoint}/{BUCKET}/{key}", data=body)
    S3SigV4Auth(Credentials("test", "test"), "s3", "us-east-1").add_auth(request)
    prepared = request.prepare()
    headers = {"Host": f"127.0.0.1:{server.port}", **dict(prepared.headers)}
    head = f"PUT /{BUCKET}/{key} HTTP/1.1\r\n" + "".join(
        f"{name}: {value if isinstance(value, str) else value.decode()}\r\n"
        for name, value in headers.items()
    )
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    sock.sendall(head.encode() + b"\r\n" + body[: 2 * MIB])
    deadline = time.monotonic() + 10
    while not temp_files(server.data_dir) and time.monotonic() < deadline:
        time.sleep(0.01)
    return sock


def write_until_killed(server: NubesServer) -> Ledger:
    ledger, killed = Ledger(), threading.Event()
    threads = [threading.Thread(target=writer, args=(server, i, ledger, killed), daemon=True)
               for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    time.sleep(WRITE_FOR)
    killed.set()
    server.kill()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a writer hung after the kill"
    return ledger


def listed_keys(s3: Any) -> dict[str, int]:
    keys: dict[str, int] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        keys.update({item["Key"]: item["Size"] for item in page.get("Contents", [])})
    return keys


def body_md5(s3: Any, key: str) -> str | None:
    try:
        return md5(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())
    except ClientError as error:
        assert error.response["Error"]["Code"] == "NoSuchKey", error.response
        return None


def temp_files(data_dir: Path) -> list[Path]:
    """Files a write in flight leaves: blobs.py writes ``blobs/tmp/<id>.tmp`` and renames."""
    tmp = data_dir / "blobs" / "tmp"
    leftovers = list(tmp.iterdir()) if tmp.exists() else []
    return leftovers + [p for p in data_dir.rglob("*.tmp") if p not in leftovers]


def test_acknowledged_writes_survive_kill_9(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    server = NubesServer(data_dir).start()
    s3 = client(server)
    s3.create_bucket(Bucket=BUCKET)
    s3.create_bucket(Bucket="made-before-the-kill")
    s3.put_object(Bucket=BUCKET, Key="deleted-before-the-kill", Body=b"gone")
    s3.delete_object(Bucket=BUCKET, Key="deleted-before-the-kill")
    s3.put_object(Bucket=BUCKET, Key="overwritten", Body=b"first")
    s3.put_object(Bucket=BUCKET, Key="overwritten", Body=b"second")

    stalled = stalled_upload(server, "never-finished")
    assert temp_files(data_dir), "the stalled upload should be in a temp file by now"
    ledger = write_until_killed(server)
    stalled.close()
    assert ledger.unexpected == []
    assert ledger.acknowledged, "no write was acknowledged before the kill"
    cut_off = set(ledger.attempted) - set(ledger.acknowledged)
    print(f"\n{len(ledger.acknowledged)} writes acknowledged before kill -9 "
          f"({len(ledger.multipart & set(ledger.acknowledged))} multipart), "
          f"{len(cut_off)} cut off; {len(temp_files(data_dir))} temp files left by the crash")

    with NubesServer(data_dir) as restarted:
        assert restarted.healthy()
        s3 = client(restarted)
        assert temp_files(data_dir) == []

        listed = listed_keys(s3)
        missing = set(ledger.acknowledged) - set(listed)
        assert not missing, f"acknowledged but not listed: {sorted(missing)}"
        for key, digest in ledger.acknowledged.items():
            assert body_md5(s3, key) == digest, f"{key} changed across the crash"

        for key in cut_off:
            found = body_md5(s3, key)
            assert found in (None, ledger.attempted[key]), f"{key} is partial"
            assert (found is not None) == (key in listed), f"{key}: listing and GET disagree"
        assert set(listed) <= set(ledger.attempted) | {"overwritten"}

        buckets = {b["Name"] for b in s3.list_buckets()["Buckets"]}
        assert {BUCKET, "made-before-the-kill"} <= buckets
        assert body_md5(s3, "deleted-before-the-kill") is None
        assert body_md5(s3, "never-finished") is None
        assert s3.get_object(Bucket=BUCKET, Key="overwritten")["Body"].read() == b"second"

        # Still fully working after the crash: a new write and read.
        s3.put_object(Bucket=BUCKET, Key="after-restart", Body=b"fine")
        assert s3.get_object(Bucket=BUCKET, Key="after-restart")["Body"].read() == b"fine"
    assert "Traceback" not in restarted.log()
