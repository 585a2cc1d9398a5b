"""Deployment packages (function code and layers): checked, kept, extracted, shared.

A package is known by the hex SHA-256 of its zip. The zip is kept in the blob store (for
GetFunction's download link) and extracted once into ``<root>/<sha256>/``, read-only, shared
by every version and layer with the same bytes, and removed when nothing references it.
Extraction refuses absolute names, ``..`` components and symlinks pointing outside the
package, so a zip cannot write or expose anything beyond its own directory.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import io
import os
import secrets
import shutil
import stat
import time
import uuid
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol

from nubes.services.lambda_ import exceptions as exc
from nubes.services.lambda_.models import MAX_UNZIPPED
from nubes.storage.blobs import BlobStore, BlobStream
from nubes.storage.sqlite import Database

MIGRATIONS = [
    """
    CREATE TABLE lambda_code (
        sha TEXT PRIMARY KEY, blob_id TEXT NOT NULL, size INTEGER NOT NULL,
        unzipped INTEGER NOT NULL
    );
    CREATE TABLE lambda_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)
    """,
]
UNZIP_FAILED = "Could not unzip uploaded file. Please check your file, then try to upload again."
LINK_LIFETIME = 600  # seconds a Code.Location link stays valid, as on AWS


class CodeNotFound(Exception):
    """The S3 object a package was to be read from is missing (S3's code and message)."""

    def __init__(self, s3_code: str, s3_message: str) -> None:
        super().__init__(s3_message)
        self.s3_code = s3_code
        self.s3_message = s3_message


class CodeSource(Protocol):
    """Where Code.S3Bucket/S3Key packages come from: Nubes S3, in the caller's account."""

    def fetch(self, account_id: str, bucket: str, key: str, version_id: str | None
              ) -> bytes:
        """The object's bytes; raises CodeNotFound."""
        ...


@dataclass(frozen=True, slots=True)
class Package:
    sha: str  # hex SHA-256 of the zip
    size: int
    unzipped: int
    data: bytes

    @property
    def sha_b64(self) -> str:
        return base64.b64encode(bytes.fromhex(self.sha)).decode()


def read_package(data: bytes) -> Package:
    """Check a zip as Lambda does before accepting it; nothing is written."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            for info in infos:
                _check_entry(archive, info)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as error:
        raise exc.InvalidParameterValue(UNZIP_FAILED) from error
    unzipped = sum(info.file_size for info in infos)
    if unzipped > MAX_UNZIPPED:
        raise exc.InvalidParameterValue(
            f"Unzipped size must be smaller than {MAX_UNZIPPED} bytes")
    return Package(hashlib.sha256(data).hexdigest(), len(data), unzipped, data)


def _is_link(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def _safe_parts(name: str) -> tuple[str, ...]:
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        raise exc.InvalidParameterValue(UNZIP_FAILED)
    return tuple(part for part in path.parts if part not in ("", "."))


def _check_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    parts = _safe_parts(info.filename)
    if _is_link(info):
        target = archive.read(info).decode("utf-8", "replace")
        if target.startswith("/"):
            raise exc.InvalidParameterValue(UNZIP_FAILED)
        depth = len(parts) - 1
        for part in PurePosixPath(target).parts:
            depth += -1 if part == ".." else (0 if part == "." else 1)
            if depth < 0:
                raise exc.InvalidParameterValue(UNZIP_FAILED)


class CodeStore:
    """Packages by digest: the zip as a blob, the extracted tree under ``root``."""

    def __init__(self, db: Database, blobs: BlobStore, root: Path) -> None:
        self.db = db
        self.blobs = blobs
        self.root = root
        db.migrate("lambda_code", MIGRATIONS)
        root.mkdir(parents=True, exist_ok=True)
        for leftover in root.glob(".tmp-*"):
            _remove_tree(leftover)
        self._collect_orphans()
        self._locks: dict[str, asyncio.Lock] = {}
        self._ready: set[str] = set()
        self._secret = self._link_secret()

    def _collect_orphans(self) -> None:
        """Blobs no package row names: a crash between blob and row (at start-up only)."""
        known = {row[0] for row in self.db.query("SELECT blob_id FROM lambda_code")}
        self.blobs.delete_many([b for b in self.blobs.ids() if b not in known])

    def save(self, package: Package) -> None:
        """Keep the zip (once per digest)."""
        if self.size(package.sha) is not None:
            return
        info = self.blobs.write_bytes(package.data)
        changed = self.db.execute(
            "INSERT OR IGNORE INTO lambda_code (sha, blob_id, size, unzipped)"
            " VALUES (?, ?, ?, ?)", (package.sha, info.id, package.size, package.unzipped))
        if not changed:
            self.blobs.delete(info.id)

    def size(self, sha: str) -> int | None:
        row = self.db.query_one("SELECT size FROM lambda_code WHERE sha = ?", (sha,))
        return int(row[0]) if row else None

    def zip_path(self, sha: str) -> Path | None:
        row = self.db.query_one("SELECT blob_id FROM lambda_code WHERE sha = ?", (sha,))
        return self.blobs.path(row[0]) if row else None

    def path(self, sha: str) -> Path:
        return self.root / sha

    async def ensure(self, sha: str) -> Path:
        """The extracted tree of a package, extracting it first if needed."""
        target = self.root / sha
        if sha in self._ready:
            return target
        lock = self._locks.setdefault(sha, asyncio.Lock())
        async with lock:
            if not target.is_dir():
                await asyncio.to_thread(self._extract, sha, target)
            self._ready.add(sha)
        self._locks.pop(sha, None)
        return target

    def _extract(self, sha: str, target: Path) -> None:
        zip_path = self.zip_path(sha)
        if zip_path is None:
            raise FileNotFoundError(f"no package {sha}")
        tmp = self.root / f".tmp-{uuid.uuid4().hex}"
        tmp.mkdir()
        try:
            with zipfile.ZipFile(zip_path) as archive:
                for info in archive.infolist():
                    _extract_entry(archive, info, tmp)
            _make_read_only(tmp)
            os.replace(tmp, target)
        except BaseException:
            _remove_tree(tmp)
            raise

    def collect(self, shas: Iterable[str], in_use: Callable[[str], bool]) -> None:
        """Remove the packages of ``shas`` nothing references any more."""
        for sha in set(shas):
            if in_use(sha):
                continue
            row = self.db.query_one("SELECT blob_id FROM lambda_code WHERE sha = ?", (sha,))
            self.db.execute("DELETE FROM lambda_code WHERE sha = ?", (sha,))
            self._ready.discard(sha)
            _remove_tree(self.root / sha)
            if row is not None:
                self.blobs.delete(row[0])

    # -- download links -----------------------------------------------------------------

    def _link_secret(self) -> str:
        row = self.db.query_one("SELECT value FROM lambda_meta WHERE key = 'link_secret'")
        if row is not None:
            return str(row[0])
        self.db.execute("INSERT OR IGNORE INTO lambda_meta (key, value) VALUES"
                        " ('link_secret', ?)", (secrets.token_hex(32),))
        return self._link_secret()

    def download_path(self, sha: str, now: float | None = None) -> str:
        """A path under /_nubes/ fetching the zip, signed and valid for ten minutes."""
        expires = int((now or time.time()) + LINK_LIFETIME)
        return f"/_nubes/lambda/code/{sha}?Expires={expires}&Signature={self._sign(sha, expires)}"

    def _sign(self, sha: str, expires: int) -> str:
        return hmac.new(self._secret.encode(), f"{sha}:{expires}".encode(),
                        "sha256").hexdigest()

    def open_download(self, sha: str, expires: str, signature: str
                      ) -> tuple[BlobStream, int] | None:
        """The zip a download link names (stream, size), if the link holds and is current."""
        if not expires.isdigit() or int(expires) < time.time():
            return None
        if not hmac.compare_digest(self._sign(sha, int(expires)), signature):
            return None
        row = self.db.query_one("SELECT blob_id, size FROM lambda_code WHERE sha = ?", (sha,))
        if row is None:
            return None
        return self.blobs.open_range(row[0], 0, row[1]), int(row[1])


def _extract_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, root: Path) -> None:
    parts = _safe_parts(info.filename)
    if not parts:
        return
    dest = root.joinpath(*parts)
    if info.is_dir():
        dest.mkdir(parents=True, exist_ok=True)
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    # Nothing is written through a symlink: each link target was checked relative to the
    # link's own place, which only holds if no directory on the way is itself a link.
    if dest.parent.resolve() != root.resolve().joinpath(*parts[:-1]) or os.path.lexists(dest):
        raise exc.InvalidParameterValue(UNZIP_FAILED)
    if _is_link(info):
        os.symlink(archive.read(info).decode(), dest)
        return
    with archive.open(info) as src, open(dest, "wb") as out:
        shutil.copyfileobj(src, out, 1024 * 1024)
    mode = (info.external_attr >> 16) & 0o777
    os.chmod(dest, 0o555 if mode & 0o111 else 0o444)


def _make_read_only(root: Path) -> None:
    for dirpath, _dirnames, _files in os.walk(root):
        os.chmod(dirpath, 0o555)


def _remove_tree(path: Path) -> None:
    if not path.exists():
        return
    for dirpath, _dirnames, _files in os.walk(path):
        os.chmod(dirpath, 0o755)
    shutil.rmtree(path, ignore_errors=True)
