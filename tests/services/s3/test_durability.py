"""Crash leftovers: orphan blobs are collected at start-up; committed objects survive."""

from __future__ import annotations

import asyncio
from pathlib import Path

from nubes.protocol.http import Request
from nubes.services.base import RequestContext
from nubes.services.s3.provider import S3Provider
from nubes.storage.blobs import BlobStore
from nubes.storage.sqlite import Database


class Body:
    def __init__(self, data: bytes) -> None:
        self._chunks = [data]

    async def read(self) -> bytes:
        return self._chunks.pop() if self._chunks else b""


def ctx() -> RequestContext:
    return RequestContext(Request("PUT", "/", "", {}), "req", "s3")


async def read(provider: S3Provider, key: str) -> bytes:
    out = provider.get_object(ctx(), {"Bucket": "durable", "Key": key})
    return b"".join([chunk async for chunk in out["Body"]])


def test_orphans_are_collected_and_objects_survive(tmp_path: Path) -> None:
    db = Database(tmp_path / "nubes.db")
    provider = S3Provider(db, BlobStore(tmp_path / "blobs"))
    provider.create_bucket(ctx(), {"Bucket": "durable"})
    asyncio.run(provider.put_object(ctx(), {"Bucket": "durable", "Key": "k",
                                            "Body": Body(b"kept")}))
    # A crash between blob rename and commit leaves a blob no row references.
    orphan = provider.blobs.write_bytes(b"orphan").id
    (tmp_path / "blobs" / "tmp" / "half-written.tmp").write_bytes(b"...")
    db.close()

    restarted = S3Provider(Database(tmp_path / "nubes.db"), BlobStore(tmp_path / "blobs"))
    assert orphan not in set(restarted.blobs.ids())
    assert list((tmp_path / "blobs" / "tmp").iterdir()) == []
    assert asyncio.run(read(restarted, "k")) == b"kept"


def test_overwrite_removes_the_old_blob(tmp_path: Path) -> None:
    provider = S3Provider(Database(tmp_path / "nubes.db"), BlobStore(tmp_path / "blobs"))
    provider.create_bucket(ctx(), {"Bucket": "durable"})
    for data in (b"one", b"two"):
        asyncio.run(provider.put_object(ctx(), {"Bucket": "durable", "Key": "k",
                                                "Body": Body(data)}))
    assert len(list(provider.blobs.ids())) == 1
    provider.delete_object(ctx(), {"Bucket": "durable", "Key": "k"})
    assert list(provider.blobs.ids()) == []
