"""Deployment packages without a server: checks, safe extraction, sharing, removal."""

from __future__ import annotations

import asyncio
import io
import os
import zipfile
from pathlib import Path

import pytest

from nubes.services.lambda_ import exceptions as exc
from nubes.services.lambda_.code import CodeStore, read_package
from nubes.storage.blobs import BlobStore
from nubes.storage.sqlite import Database
from tests.services.lambda_.conftest import make_zip


@pytest.fixture
def store(tmp_path: Path) -> CodeStore:
    db = Database(tmp_path / "nubes.db")
    return CodeStore(db, BlobStore(tmp_path / "blobs"), tmp_path / "code")


def test_extracts_read_only_and_shares(store: CodeStore) -> None:
    package = read_package(make_zip({"app.py": "x = 1\n", "bin/bootstrap": "#!/bin/sh\n"},
                                    links={"lib/app.py": "../app.py"}))
    store.save(package)
    store.save(package)  # the same bytes are kept once
    root = asyncio.run(store.ensure(package.sha))
    assert root == store.root / package.sha
    assert (root / "app.py").read_text() == "x = 1\n"
    assert os.access(root / "bin" / "bootstrap", os.X_OK)
    assert (root / "lib" / "app.py").read_text() == "x = 1\n"
    assert not (root / "app.py").stat().st_mode & 0o222
    store.collect([package.sha], lambda sha: True)
    assert root.exists()
    store.collect([package.sha], lambda sha: False)
    assert not root.exists() and store.size(package.sha) is None


@pytest.mark.parametrize("files,links", [
    ({"../x.py": "x"}, {}),
    ({"/etc/x": "x"}, {}),
    ({"a/../../x": "x"}, {}),
    ({"C:/x": "x"}, {}),
    ({}, {"out": "../../etc/passwd"}),
    ({}, {"abs": "/etc"}),
    ({}, {"deep/out": "../../x"}),
])
def test_refuses_escapes(files: dict[str, str], links: dict[str, str]) -> None:
    with pytest.raises(exc.InvalidParameterValue):
        read_package(make_zip(files, links=links))


def test_no_write_through_a_symlinked_directory(store: CodeStore) -> None:
    # "d" -> "." passes the textual check; writing "d/x" through it must not.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        link = zipfile.ZipInfo("d")
        link.external_attr = 0o120777 << 16
        archive.writestr(link, ".")
        archive.writestr("d/x", "x")
    package = read_package(buffer.getvalue())
    store.save(package)
    with pytest.raises(exc.InvalidParameterValue):
        asyncio.run(store.ensure(package.sha))
    assert not list(store.root.glob(".tmp-*"))


def test_unzipped_limit() -> None:
    huge = make_zip({"zeros.bin": b"\0" * (251 * 1024 * 1024)})
    with pytest.raises(exc.InvalidParameterValue, match="Unzipped size must be smaller"):
        read_package(huge)


def test_download_links_are_signed_and_expire(store: CodeStore) -> None:
    package = read_package(make_zip({"a.py": "a"}))
    store.save(package)
    path = store.download_path(package.sha)
    query = dict(part.split("=") for part in path.split("?")[1].split("&"))
    assert store.open_download(package.sha, query["Expires"], query["Signature"]) is not None
    assert store.open_download(package.sha, query["Expires"], "0" * 64) is None
    old = store.download_path(package.sha, now=1.0).split("?")[1]
    expired = dict(part.split("=") for part in old.split("&"))
    assert store.open_download(package.sha, expired["Expires"], expired["Signature"]) is None
