"""S3 metadata in SQLite: buckets and object versions (multipart uploads live in
``upload_store``). Keys are TEXT under SQLite's BINARY collation, which compares UTF-8
bytes: S3's key order. Every listing is an index range read.

Writes that replace or remove blobs return the ids of the blobs no longer referenced;
the caller deletes them after the commit, so a crash can only leave orphans behind.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from nubes.services.s3 import exceptions as exc
from nubes.services.s3.models import NULL_VERSION, Bucket, ObjectVersion, Versioning
from nubes.storage.sqlite import Database

MIGRATIONS = [
    """
    CREATE TABLE s3_buckets (
        name TEXT PRIMARY KEY,
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        created REAL NOT NULL,
        versioning TEXT NOT NULL DEFAULT '',
        tags TEXT, cors TEXT, notification TEXT
    );
    CREATE INDEX s3_buckets_account ON s3_buckets (account_id, name);
    CREATE TABLE s3_objects (
        id INTEGER PRIMARY KEY,
        bucket TEXT NOT NULL,
        key TEXT NOT NULL,
        version_id TEXT NOT NULL,
        is_latest INTEGER NOT NULL,
        delete_marker INTEGER NOT NULL,
        blob_id TEXT,
        size INTEGER NOT NULL,
        etag TEXT NOT NULL,
        last_modified REAL NOT NULL,
        content_type TEXT NOT NULL,
        storage_class TEXT NOT NULL,
        attrs TEXT
    );
    CREATE UNIQUE INDEX s3_objects_key ON s3_objects (bucket, key, id);
    CREATE INDEX s3_objects_live ON s3_objects (bucket, key)
        WHERE is_latest = 1 AND delete_marker = 0;
    CREATE TABLE s3_uploads (
        id INTEGER PRIMARY KEY,
        upload_id TEXT NOT NULL UNIQUE,
        bucket TEXT NOT NULL,
        key TEXT NOT NULL,
        initiated REAL NOT NULL,
        attrs TEXT NOT NULL
    );
    CREATE INDEX s3_uploads_key ON s3_uploads (bucket, key, id);
    CREATE TABLE s3_parts (
        upload_id TEXT NOT NULL,
        part_number INTEGER NOT NULL,
        blob_id TEXT NOT NULL,
        size INTEGER NOT NULL,
        etag TEXT NOT NULL,
        last_modified REAL NOT NULL,
        checksums TEXT,
        PRIMARY KEY (upload_id, part_number)
    ) WITHOUT ROWID
    """,
    # Object Ownership: '' once DeleteBucketOwnershipControls removed the setting.
    """
    ALTER TABLE s3_buckets ADD COLUMN ownership TEXT NOT NULL DEFAULT 'BucketOwnerEnforced'
    """,
]

_COLUMNS = (
    "id, bucket, key, version_id, is_latest, delete_marker, blob_id, size, etag, "
    "last_modified, content_type, storage_class, attrs"
)
_ATTRS = ("headers", "metadata", "tags", "parts", "checksums")
# Decides, inside the write transaction, whether a write may go ahead given the current
# version of the key (conditional writes); raises to refuse.
WriteCheck = Callable[[ObjectVersion | None], None]
# Runs inside the write transaction once the version is written (or removed), so what it
# writes (event notifications) commits with the change or not at all.
AfterWrite = Callable[[sqlite3.Connection, ObjectVersion], None]


def new_version_id() -> str:
    return uuid.uuid4().hex


def _to_version(row: sqlite3.Row) -> ObjectVersion:
    attrs = json.loads(row[12]) if row[12] else {}
    return ObjectVersion(
        bucket=row[1],
        key=row[2],
        version_id=row[3],
        is_latest=bool(row[4]),
        delete_marker=bool(row[5]),
        blob_id=row[6],
        size=row[7],
        etag=row[8],
        last_modified=row[9],
        content_type=row[10],
        storage_class=row[11],
        row_id=row[0],
        **{name: attrs[name] for name in _ATTRS if name in attrs},
    )


def _attrs(version: ObjectVersion) -> str | None:
    attrs = {name: getattr(version, name) for name in _ATTRS if getattr(version, name)}
    return json.dumps(attrs, separators=(",", ":")) if attrs else None


def _to_bucket(row: sqlite3.Row) -> Bucket:
    return Bucket(row[0], row[1], row[2], row[3], Versioning(row[4]))


class S3Store:
    """Buckets and object versions of every account, in one Database."""

    def __init__(self, db: Database) -> None:
        self.db = db
        db.migrate("s3", MIGRATIONS)

    # -- buckets ------------------------------------------------------------------------

    def get_bucket(self, name: str) -> Bucket | None:
        row = self.db.query_one(
            "SELECT name, account_id, region, created, versioning FROM s3_buckets "
            "WHERE name = ?", (name,)
        )
        return _to_bucket(row) if row else None

    def create_bucket(self, bucket: Bucket, ownership: str = "BucketOwnerEnforced") -> Bucket:
        """Insert ``bucket`` (with its Object Ownership setting), or return the bucket that
        already has its name."""
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT name, account_id, region, created, versioning FROM s3_buckets "
                "WHERE name = ?", (bucket.name,)
            ).fetchone()
            if row:
                return _to_bucket(row)
            conn.execute(
                "INSERT INTO s3_buckets (name, account_id, region, created, versioning, "
                "ownership) VALUES (?, ?, ?, ?, ?, ?)",
                (bucket.name, bucket.account_id, bucket.region, bucket.created,
                 bucket.versioning.value, ownership),
            )
        return bucket

    def delete_bucket(self, name: str) -> list[str]:
        """Delete an empty bucket, aborting its multipart uploads; returns their blobs."""
        with self.db.transaction() as conn:
            if conn.execute("SELECT 1 FROM s3_objects WHERE bucket = ? LIMIT 1",
                            (name,)).fetchone():
                raise exc.BucketNotEmpty(fields={"BucketName": name})
            rows = conn.execute(
                "DELETE FROM s3_parts WHERE upload_id IN (SELECT upload_id FROM s3_uploads "
                "WHERE bucket = ?) RETURNING blob_id", (name,)
            ).fetchall()
            conn.execute("DELETE FROM s3_uploads WHERE bucket = ?", (name,))
            conn.execute("DELETE FROM s3_buckets WHERE name = ?", (name,))
            return [row[0] for row in rows]

    def list_buckets(self, account_id: str) -> list[Bucket]:
        rows = self.db.query(
            "SELECT name, account_id, region, created, versioning FROM s3_buckets "
            "WHERE account_id = ? ORDER BY name", (account_id,)
        )
        return [_to_bucket(row) for row in rows]

    def set_versioning(self, name: str, state: Versioning) -> None:
        self.db.execute("UPDATE s3_buckets SET versioning = ? WHERE name = ?",
                        (state.value, name))

    def get_ownership(self, name: str) -> str:
        """A bucket's Object Ownership setting ('' when none is set)."""
        row = self.db.query_one("SELECT ownership FROM s3_buckets WHERE name = ?", (name,))
        if row is None:
            raise exc.NoSuchBucket(fields={"BucketName": name})
        return str(row[0])

    def set_ownership(self, name: str, ownership: str) -> None:
        self.db.execute("UPDATE s3_buckets SET ownership = ? WHERE name = ?", (ownership, name))

    def get_config(self, name: str, column: str) -> Any:
        """A JSON configuration column of a bucket (tags, cors, notification), or None."""
        assert column in ("tags", "cors", "notification")
        row = self.db.query_one(f"SELECT {column} FROM s3_buckets WHERE name = ?", (name,))
        return json.loads(row[0]) if row and row[0] is not None else None

    def set_config(self, name: str, column: str, value: Any) -> None:
        assert column in ("tags", "cors", "notification")
        data = None if value is None else json.dumps(value, separators=(",", ":"))
        self.db.execute(f"UPDATE s3_buckets SET {column} = ? WHERE name = ?", (data, name))

    # -- object versions ----------------------------------------------------------------

    def latest(self, bucket: str, key: str) -> ObjectVersion | None:
        row = self.db.query_one(
            f"SELECT {_COLUMNS} FROM s3_objects WHERE bucket = ? AND key = ? "
            "ORDER BY id DESC LIMIT 1", (bucket, key)
        )
        return _to_version(row) if row else None

    def version(self, bucket: str, key: str, version_id: str) -> ObjectVersion | None:
        row = self.db.query_one(
            f"SELECT {_COLUMNS} FROM s3_objects WHERE bucket = ? AND key = ? "
            "AND version_id = ?", (bucket, key, version_id)
        )
        return _to_version(row) if row else None

    def put(self, version: ObjectVersion, check: WriteCheck | None = None,
            after: AfterWrite | None = None) -> list[str]:
        """Make ``version`` the latest of its key, as the bucket's versioning state says
        (its ``version_id`` is set here); returns blob ids no longer referenced."""
        with self.db.transaction() as conn:
            state = bucket_versioning(conn, version.bucket)
            if check is not None:
                check(latest_version(conn, version.bucket, version.key))
            garbage = insert_latest(conn, version, state)
            if after is not None:
                after(conn, version)
            return garbage

    def delete(self, bucket: str, key: str, after: AfterWrite | None = None
               ) -> tuple[ObjectVersion | None, list[str]]:
        """DeleteObject without a version: remove, or add a delete marker when versioned.
        Returns the delete marker added (if any) and the blob ids to delete. ``after``
        sees the marker, or the removed "null" version."""
        with self.db.transaction() as conn:
            state = bucket_versioning(conn, bucket)
            if state is Versioning.UNVERSIONED:
                rows = conn.execute(
                    "DELETE FROM s3_objects WHERE bucket = ? AND key = ? RETURNING blob_id",
                    (bucket, key),
                ).fetchall()
                if after is not None:
                    after(conn, ObjectVersion(bucket, key, NULL_VERSION, _now()))
                return None, [r[0] for r in rows if r[0]]
            marker = ObjectVersion(bucket, key, "", _now(), delete_marker=True, etag="")
            garbage = insert_latest(conn, marker, state)
            if after is not None:
                after(conn, marker)
            return marker, garbage

    def delete_version(self, bucket: str, key: str, version_id: str,
                       after: AfterWrite | None = None
                       ) -> tuple[ObjectVersion | None, list[str]]:
        """Remove one version for good; the next newest becomes the latest. ``after``
        sees the version named, removed (as a plain version, even a delete marker)."""
        with self.db.transaction() as conn:
            bucket_versioning(conn, bucket)
            row = conn.execute(
                f"DELETE FROM s3_objects WHERE bucket = ? AND key = ? AND version_id = ? "
                f"RETURNING {_COLUMNS}", (bucket, key, version_id)
            ).fetchone()
            if after is not None:
                after(conn, ObjectVersion(bucket, key, version_id, _now()))
            if row is None:
                return None, []
            removed = _to_version(row)
            if removed.is_latest:
                conn.execute(
                    "UPDATE s3_objects SET is_latest = 1 WHERE id = (SELECT id FROM s3_objects"
                    " WHERE bucket = ? AND key = ? ORDER BY id DESC LIMIT 1)", (bucket, key)
                )
            return removed, [removed.blob_id] if removed.blob_id else []

    def set_tags(self, bucket: str, key: str, version_id: str | None,
                 tags: dict[str, str]) -> ObjectVersion:
        """Replace the tags of a version (the latest when ``version_id`` is None)."""
        with self.db.transaction() as conn:
            found = _find(conn, bucket, key, version_id)
            found.tags = tags
            conn.execute("UPDATE s3_objects SET attrs = ? WHERE id = ?",
                         (_attrs(found), found.row_id))
            return found

    # -- listing ------------------------------------------------------------------------

    def scan_live(self, bucket: str, batch: int) -> Callable[[str, str | None],
                                                             Iterator[ObjectVersion]]:
        """A paging scan over the latest non-deleted version of each key."""

        def scan(start: str, below: str | None) -> Iterator[ObjectVersion]:
            bound = "AND key < ? " if below is not None else ""
            sql = (
                f"SELECT {_COLUMNS} FROM s3_objects WHERE bucket = ? AND key >= ? {bound}"
                "AND is_latest = 1 AND delete_marker = 0 ORDER BY key LIMIT ?"
            )
            while True:
                args = (bucket, start, below, batch) if below is not None else (
                    bucket, start, batch)
                rows = self.db.query(sql, args)
                for row in rows:
                    yield _to_version(row)
                if len(rows) < batch:
                    return
                start = rows[-1][2] + "\x00"

        return scan

    def scan_versions(self, bucket: str, batch: int, *, after_id: tuple[str, int] | None
                      ) -> Callable[[str, str | None], Iterator[ObjectVersion]]:
        """A paging scan over every version, by key then newest first. ``after_id`` =
        (key, row id) resumes inside one key's versions (a VersionIdMarker)."""

        def scan(start: str, below: str | None) -> Iterator[ObjectVersion]:
            table = KeyedTable("s3_objects", _COLUMNS, newest_first=True, key_index=2)
            rows = keyed_scan(self.db, table, bucket, batch, after_id, start, below)
            return map(_to_version, rows)

        return scan

    def referenced_blobs(self) -> set[str]:
        rows = self.db.query(
            "SELECT blob_id FROM s3_objects WHERE blob_id IS NOT NULL "
            "UNION SELECT blob_id FROM s3_parts"
        )
        return {row[0] for row in rows}


def _now() -> float:
    return round(time.time(), 3)


def notification_in(conn: sqlite3.Connection, bucket: str) -> dict[str, Any]:
    """A bucket's notification configuration, read inside a write transaction."""
    row = conn.execute("SELECT notification FROM s3_buckets WHERE name = ?",
                       (bucket,)).fetchone()
    found: dict[str, Any] = json.loads(row[0]) if row and row[0] else {}
    return found


def bucket_versioning(conn: sqlite3.Connection, bucket: str) -> Versioning:
    row = conn.execute("SELECT versioning FROM s3_buckets WHERE name = ?", (bucket,)).fetchone()
    if row is None:
        raise exc.NoSuchBucket(fields={"BucketName": bucket})
    return Versioning(row[0])


def latest_version(conn: sqlite3.Connection, bucket: str, key: str) -> ObjectVersion | None:
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM s3_objects WHERE bucket = ? AND key = ? "
        "ORDER BY id DESC LIMIT 1", (bucket, key)
    ).fetchone()
    return _to_version(row) if row else None


def _find(conn: sqlite3.Connection, bucket: str, key: str, version_id: str | None
          ) -> ObjectVersion:
    """The version named (or the latest), refusing delete markers as S3 does."""
    if version_id is None:
        found = latest_version(conn, bucket, key)
        if found is None or found.delete_marker:
            raise exc.NoSuchKey(fields={"Key": key})
        return found
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM s3_objects WHERE bucket = ? AND key = ? AND version_id = ?",
        (bucket, key, version_id),
    ).fetchone()
    if row is None:
        raise exc.NoSuchVersion(fields={"Key": key, "VersionId": version_id})
    found = _to_version(row)
    if found.delete_marker:
        raise exc.MethodNotAllowed(
            headers={"x-amz-delete-marker": "true"},
            fields={"Method": "PUT", "ResourceType": "DeleteMarker"},
        )
    return found


def insert_latest(conn: sqlite3.Connection, version: ObjectVersion, state: Versioning
                  ) -> list[str]:
    """Insert ``version`` as the latest of its key; returns blob ids no longer referenced."""
    garbage: list[str] = []
    if state is Versioning.ENABLED:
        version.version_id = new_version_id()
    else:
        # Unversioned and suspended buckets keep one "null" version, replaced in place.
        version.version_id = NULL_VERSION
        garbage = [
            row[0] for row in conn.execute(
                "DELETE FROM s3_objects WHERE bucket = ? AND key = ? AND version_id = 'null' "
                "RETURNING blob_id", (version.bucket, version.key)
            ) if row[0]
        ]
    if state is not Versioning.UNVERSIONED:
        conn.execute(
            "UPDATE s3_objects SET is_latest = 0 WHERE bucket = ? AND key = ? AND is_latest = 1",
            (version.bucket, version.key),
        )
    version.is_latest = True
    version.row_id = conn.execute(
        "INSERT INTO s3_objects (bucket, key, version_id, is_latest, delete_marker, blob_id, "
        "size, etag, last_modified, content_type, storage_class, attrs) "
        "VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (version.bucket, version.key, version.version_id, int(version.delete_marker),
         version.blob_id, version.size, version.etag, version.last_modified,
         version.content_type, version.storage_class, _attrs(version)),
    ).fetchone()[0]
    return garbage


@dataclass(frozen=True)
class KeyedTable:
    """A table of rows per (bucket, key) listed by key, then by row id."""

    name: str
    columns: str  # the first column is the row id
    newest_first: bool  # within one key: row ids descending (versions) or ascending
    key_index: int  # where the key is among the columns


def keyed_scan(db: Database, table: KeyedTable, bucket: str, batch: int,
               after: tuple[str, int] | None, start: str, below: str | None
               ) -> Iterator[sqlite3.Row]:
    """Rows from ``start`` (inclusive) to ``below`` (exclusive) in pages of ``batch``.

    ``after`` = (key, row id) resumes inside one key's rows (a version or upload marker).
    Each page is an index range read; nothing is held beyond one page.
    """
    op, order = ("<", "DESC") if table.newest_first else (">", "")
    resume = after if after and after[0] == start else None
    while True:
        if resume is not None:
            rows = db.query(
                f"SELECT {table.columns} FROM {table.name} WHERE bucket = ? AND key = ? "
                f"AND id {op} ? ORDER BY id {order} LIMIT ?", (bucket, *resume, batch))
            yield from rows
            if len(rows) == batch:
                resume = (resume[0], rows[-1][0])
                continue
            start, resume = resume[0] + "\x00", None
        bound = "AND key < ? " if below is not None else ""
        rows = db.query(
            f"SELECT {table.columns} FROM {table.name} WHERE bucket = ? AND key >= ? "
            f"{bound}ORDER BY key, id {order} LIMIT ?",
            (bucket, start, *((below,) if below is not None else ()), batch))
        yield from rows
        if len(rows) < batch:
            return
        resume = (rows[-1][table.key_index], rows[-1][0])
