"""Large objects stream through the server: its memory stays far below the object's size."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest

from tests.server import NubesServer

MIB = 1024 * 1024
SIZE = 384 * MIB


def peak_rss(pid: int) -> int:
    """The process's high-water mark of resident memory, in bytes (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM in /proc status")


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_a_large_object_streams_in_and_out(nubes_server: NubesServer, s3: Any, bucket: str,
                                           tmp_path: Path) -> None:
    source = tmp_path / "large.bin"
    digest = hashlib.md5()
    with source.open("wb") as fh:
        block = os.urandom(MIB)
        for i in range(SIZE // MIB):
            chunk = block[i:] + block[:i]
            digest.update(chunk)
            fh.write(chunk)
    assert nubes_server.process is not None
    pid = nubes_server.process.pid
    before = peak_rss(pid)

    with source.open("rb") as fh:
        s3.put_object(Bucket=bucket, Key="large.bin", Body=fh)
    got = s3.get_object(Bucket=bucket, Key="large.bin")
    assert got["ContentLength"] == SIZE
    read_back = hashlib.md5()
    for chunk in got["Body"].iter_chunks(MIB):
        read_back.update(chunk)
    assert read_back.hexdigest() == digest.hexdigest()
    assert got["ETag"] == f'"{digest.hexdigest()}"'

    grown = peak_rss(pid) - before
    print(f"server peak RSS grew by {grown / MIB:.1f} MiB for a {SIZE // MIB} MiB object")
    assert grown < SIZE // 4, "the server held a large part of the object in memory"
