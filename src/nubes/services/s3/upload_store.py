"""Multipart uploads and their parts in SQLite (tables created by ``store.MIGRATIONS``)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator

from nubes.services.s3 import exceptions as exc
from nubes.services.s3.models import ObjectVersion, Part, Upload
from nubes.services.s3.store import (
    AfterWrite,
    KeyedTable,
    WriteCheck,
    bucket_versioning,
    insert_latest,
    keyed_scan,
    latest_version,
)
from nubes.storage.sqlite import Database

_UPLOAD_COLUMNS = "id, upload_id, bucket, key, initiated, attrs"
_PART_COLUMNS = "part_number, blob_id, size, etag, last_modified, checksums"


def _to_upload(row: sqlite3.Row) -> Upload:
    attrs = json.loads(row[5])
    template = ObjectVersion(
        bucket=row[2],
        key=row[3],
        version_id="",
        last_modified=row[4],
        content_type=attrs.get("content_type", ""),
        storage_class=attrs.get("storage_class", "STANDARD"),
        headers=attrs.get("headers", {}),
        metadata=attrs.get("metadata", {}),
        tags=attrs.get("tags", {}),
    )
    return Upload(row[1], row[2], row[3], row[4], template, attrs.get("checksum"), row[0])


def _to_part(row: sqlite3.Row) -> Part:
    return Part(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]) if row[5] else {})


class UploadStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, upload: Upload) -> None:
        t = upload.template
        attrs = {
            "content_type": t.content_type,
            "storage_class": t.storage_class,
            "headers": t.headers,
            "metadata": t.metadata,
            "tags": t.tags,
            "checksum": upload.checksum_algorithm,
        }
        with self.db.transaction() as conn:
            bucket_versioning(conn, upload.bucket)
            upload.row_id = conn.execute(
                "INSERT INTO s3_uploads (upload_id, bucket, key, initiated, attrs) "
                "VALUES (?, ?, ?, ?, ?) RETURNING id",
                (upload.upload_id, upload.bucket, upload.key, upload.initiated,
                 json.dumps(attrs, separators=(",", ":"))),
            ).fetchone()[0]

    def get(self, bucket: str, key: str, upload_id: str) -> Upload:
        row = self.db.query_one(
            f"SELECT {_UPLOAD_COLUMNS} FROM s3_uploads WHERE upload_id = ?", (upload_id,)
        )
        if row is None or row[2] != bucket or row[3] != key:
            raise exc.NoSuchUpload(fields={"UploadId": upload_id})
        return _to_upload(row)

    def put_part(self, upload_id: str, part: Part) -> list[str]:
        """Record a part (replacing one with its number); returns blob ids to delete."""
        with self.db.transaction() as conn:
            if not conn.execute("SELECT 1 FROM s3_uploads WHERE upload_id = ?",
                                (upload_id,)).fetchone():
                raise exc.NoSuchUpload(fields={"UploadId": upload_id})
            old = conn.execute(
                "SELECT blob_id FROM s3_parts WHERE upload_id = ? AND part_number = ?",
                (upload_id, part.number),
            ).fetchone()
            conn.execute(
                "INSERT OR REPLACE INTO s3_parts (upload_id, part_number, blob_id, size, etag,"
                " last_modified, checksums) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (upload_id, part.number, part.blob_id, part.size, part.etag,
                 part.last_modified, json.dumps(part.checksums) if part.checksums else None),
            )
            return [old[0]] if old else []

    def parts(self, upload_id: str, after: int = 0, limit: int = 10_001) -> list[Part]:
        rows = self.db.query(
            f"SELECT {_PART_COLUMNS} FROM s3_parts WHERE upload_id = ? AND part_number > ? "
            "ORDER BY part_number LIMIT ?", (upload_id, after, limit)
        )
        return [_to_part(row) for row in rows]

    def complete(self, upload: Upload, version: ObjectVersion,
                 check: WriteCheck | None = None, after: AfterWrite | None = None
                 ) -> list[str]:
        """Turn the upload into ``version`` atomically; returns blob ids to delete (every
        part, and whatever the new version replaced)."""
        with self.db.transaction() as conn:
            state = bucket_versioning(conn, upload.bucket)
            parts = conn.execute(
                "DELETE FROM s3_parts WHERE upload_id = ? RETURNING blob_id",
                (upload.upload_id,),
            ).fetchall()
            if not conn.execute("DELETE FROM s3_uploads WHERE upload_id = ? RETURNING id",
                                (upload.upload_id,)).fetchone():
                raise exc.NoSuchUpload(fields={"UploadId": upload.upload_id})
            if check is not None:
                check(latest_version(conn, version.bucket, version.key))
            garbage = insert_latest(conn, version, state)
            if after is not None:
                after(conn, version)
            return garbage + [row[0] for row in parts]

    def abort(self, bucket: str, key: str, upload_id: str) -> list[str]:
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT bucket, key FROM s3_uploads WHERE upload_id = ?", (upload_id,)
            ).fetchone()
            if row is None or tuple(row) != (bucket, key):
                raise exc.NoSuchUpload(fields={"UploadId": upload_id})
            conn.execute("DELETE FROM s3_uploads WHERE upload_id = ?", (upload_id,))
            rows = conn.execute("DELETE FROM s3_parts WHERE upload_id = ? RETURNING blob_id",
                                (upload_id,)).fetchall()
            return [r[0] for r in rows]

    def scan(self, bucket: str, batch: int, *, after: tuple[str, int] | None
             ) -> Callable[[str, str | None], Iterator[Upload]]:
        """A paging scan over uploads by key, then initiation; ``after`` = (key, row id)
        resumes within a key (an UploadIdMarker)."""

        def scan(start: str, below: str | None) -> Iterator[Upload]:
            table = KeyedTable("s3_uploads", _UPLOAD_COLUMNS, newest_first=False, key_index=3)
            return map(_to_upload, keyed_scan(self.db, table, bucket, batch, after, start, below))

        return scan

    def upload_row_id(self, upload_id: str) -> int | None:
        row = self.db.query_one("SELECT id FROM s3_uploads WHERE upload_id = ?", (upload_id,))
        return int(row[0]) if row else None

    def has_uploads(self, bucket: str) -> bool:
        return self.db.query_one("SELECT 1 FROM s3_uploads WHERE bucket = ? LIMIT 1",
                                 (bucket,)) is not None

