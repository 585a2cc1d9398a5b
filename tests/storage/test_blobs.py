"""BlobStore on a temp directory: streaming writes, ranges, copies, deletes, temp cleanup."""

from __future__ import annotations

import asyncio
import hashlib
import os
from pathlib import Path

import pytest

from nubes.storage.blobs import CHUNK, SMALL, BlobNotFound, BlobStore


class Chunks:
    """A BodyStream over a list of chunks."""

    def __init__(self, *chunks: bytes) -> None:
        self._chunks = list(chunks)

    async def read(self) -> bytes:
        return self._chunks.pop(0) if self._chunks else b""


async def collect(stream: object) -> bytes:
    out = b""
    async for chunk in stream:  # type: ignore[attr-defined]
        out += chunk
    return out


@pytest.fixture
def store(tmp_path: Path) -> BlobStore:
    return BlobStore(tmp_path / "blobs")


def test_write_small_stream_hashes_and_reads_back(store: BlobStore) -> None:
    info = asyncio.run(store.write(Chunks(b"hello ", b"world")))
    assert info.size == 11
    assert info.md5 == hashlib.md5(b"hello world").hexdigest()
    assert info.checksums["CRC32"] == "DUoRhQ=="
    assert store.read_all(info.id) == b"hello world"
    assert asyncio.run(collect(store.open_range(info.id, 0, 11))) == b"hello world"


def test_write_large_stream_goes_through_temp_file(store: BlobStore) -> None:
    chunk = os.urandom(300 * 1024)
    chunks = [chunk] * 12  # ~3.5 MiB: several batches of SMALL
    assert len(chunk) * len(chunks) > 3 * SMALL
    info = asyncio.run(store.write(Chunks(*chunks), checksum="SHA256"))
    data = b"".join(chunks)
    assert info.size == len(data)
    assert info.md5 == hashlib.md5(data).hexdigest()
    assert "SHA256" in info.checksums
    assert asyncio.run(collect(store.open_range(info.id, 0, len(data)))) == data
    middle = asyncio.run(collect(store.open_range(info.id, CHUNK - 5, 3 * CHUNK + 7)))
    assert middle == data[CHUNK - 5 : 3 * CHUNK + 7]
    assert list((store.root / "tmp").iterdir()) == []


def test_blob_files_are_named_by_id_not_by_input(store: BlobStore) -> None:
    info = store.write_bytes(b"x")
    path = store.path(info.id)
    assert path.is_file() and path.name == info.id
    assert path.parent.parent == store.root
    with pytest.raises(BlobNotFound):
        store.path("../../etc/passwd")


def test_open_range_survives_delete(store: BlobStore) -> None:
    data = os.urandom(3 * CHUNK)
    info = store.write_bytes(data)
    stream = store.open_range(info.id, 0, len(data))
    store.delete(info.id)
    store.delete(info.id)  # idempotent
    assert asyncio.run(collect(stream)) == data
    with pytest.raises(BlobNotFound):
        store.open_range(info.id, 0, 1)


def test_concat_copy_range_and_link(store: BlobStore) -> None:
    a, b = store.write_bytes(b"abc" * 1000), store.write_bytes(b"xyz")
    joined = asyncio.run(store.concat([a.id, b.id]))
    assert joined.size == 3003
    assert store.read_all(joined.id) == b"abc" * 1000 + b"xyz"
    part = asyncio.run(store.copy_range(joined.id, 2998, 3003))
    assert store.read_all(part.id) == b"bcxyz"
    assert part.md5 == hashlib.md5(b"bcxyz").hexdigest()
    linked = store.link(b.id)
    store.delete(b.id)
    assert store.read_all(linked) == b"xyz"
    assert set(store.ids()) == {a.id, joined.id, part.id, linked}


def test_failed_write_leaves_no_temp_file(store: BlobStore) -> None:
    class Broken:
        def __init__(self) -> None:
            self.calls = 0

        async def read(self) -> bytes:
            self.calls += 1
            if self.calls > 5:
                raise ConnectionError("client went away")
            return b"x" * SMALL

    with pytest.raises(ConnectionError):
        asyncio.run(store.write(Broken()))
    assert list((store.root / "tmp").iterdir()) == []
    assert list(store.ids()) == []


def test_leftover_temp_files_are_removed_on_start(tmp_path: Path) -> None:
    BlobStore(tmp_path / "blobs")
    (tmp_path / "blobs" / "tmp" / "dead.tmp").write_bytes(b"partial")
    store = BlobStore(tmp_path / "blobs", fsync=True)
    assert list((tmp_path / "blobs" / "tmp").iterdir()) == []
    info = store.write_bytes(b"durable")  # fsync path
    assert store.read_all(info.id) == b"durable"


def test_empty_blob(store: BlobStore) -> None:
    info = asyncio.run(store.write(Chunks()))
    assert info.size == 0 and info.md5 == hashlib.md5(b"").hexdigest()
    assert asyncio.run(collect(store.open_range(info.id, 0, 0))) == b""
