"""Lambda metadata in SQLite: functions, their versions ($LATEST and published), aliases
and resource policies. A version's configuration and states are one JSON document; the
columns are what is looked up or summed."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from nubes.services.lambda_.arns import LATEST
from nubes.services.lambda_.models import Alias, FunctionVersion, State, UpdateStatus
from nubes.storage.sqlite import Database

MIGRATIONS = [
    """
    CREATE TABLE lambda_functions (
        account_id TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
        created REAL NOT NULL, tags TEXT NOT NULL DEFAULT '{}', reserved INTEGER,
        next_version INTEGER NOT NULL DEFAULT 1,
        PRIMARY KEY (account_id, region, name)
    );
    CREATE TABLE lambda_versions (
        account_id TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
        version TEXT NOT NULL, seq INTEGER NOT NULL, code_sha TEXT NOT NULL,
        code_size INTEGER NOT NULL, data TEXT NOT NULL,
        PRIMARY KEY (account_id, region, name, version)
    );
    CREATE INDEX lambda_versions_seq ON lambda_versions (account_id, region, name, seq);
    CREATE INDEX lambda_versions_code ON lambda_versions (code_sha);
    CREATE TABLE lambda_aliases (
        account_id TEXT NOT NULL, region TEXT NOT NULL, function TEXT NOT NULL,
        name TEXT NOT NULL, data TEXT NOT NULL,
        PRIMARY KEY (account_id, region, function, name)
    );
    CREATE TABLE lambda_policies (
        account_id TEXT NOT NULL, region TEXT NOT NULL, function TEXT NOT NULL,
        qualifier TEXT NOT NULL, statements TEXT NOT NULL,
        PRIMARY KEY (account_id, region, function, qualifier)
    )
    """,
]

_KEY_FIELDS = ("account_id", "region", "name", "version", "code_sha", "code_size")


@dataclass(frozen=True, slots=True)
class FunctionRow:
    """What belongs to the function rather than to a version."""

    created: float
    tags: dict[str, str]
    reserved: int | None
    next_version: int


@dataclass(frozen=True, slots=True)
class VersionRow:
    """A version's columns as stored, and its function's reserved concurrency."""

    account_id: str
    region: str
    name: str
    version: str
    code_sha: str
    code_size: int
    data: str
    reserved: int | None

    def load(self) -> FunctionVersion:
        return _version(self.account_id, self.region, self.name, self.version, self.code_sha,
                        self.code_size, self.data)


def _seq(version: str) -> int:
    return 0 if version == LATEST else int(version)


def _dump(fv: FunctionVersion) -> str:
    data = {k: v for k, v in asdict(fv).items() if k not in _KEY_FIELDS}
    return json.dumps(data)


def _load(row: sqlite3.Row) -> FunctionVersion:
    return _version(row["account_id"], row["region"], row["name"], row["version"],
                    row["code_sha"], row["code_size"], row["data"])


def _version(account_id: str, region: str, name: str, version: str, code_sha: str,
             code_size: int, document: str) -> FunctionVersion:
    data = json.loads(document)
    data["state"] = State(data["state"])
    if data.get("update_status"):
        data["update_status"] = UpdateStatus(data["update_status"])
    return FunctionVersion(account_id=account_id, region=region, name=name, version=version,
                           code_sha=code_sha, code_size=code_size, **data)


def _load_alias(row: sqlite3.Row) -> Alias:
    return Alias(account_id=row["account_id"], region=row["region"],
                 function=row["function"], name=row["name"], **json.loads(row["data"]))


class LambdaStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        db.migrate("lambda", MIGRATIONS)

    # -- functions and versions ---------------------------------------------------------

    def create_function(self, fv: FunctionVersion, tags: dict[str, str]) -> bool:
        """Insert a new function with its $LATEST; False if the name is taken."""
        try:
            with self.db.transaction() as conn:
                conn.execute(
                    "INSERT INTO lambda_functions (account_id, region, name, created, tags)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (fv.account_id, fv.region, fv.name, time.time(), json.dumps(tags)))
                _put(conn, fv)
        except sqlite3.IntegrityError:
            return False
        return True

    def function(self, account_id: str, region: str, name: str) -> FunctionRow | None:
        row = self.db.query_one(
            "SELECT created, tags, reserved, next_version FROM lambda_functions"
            " WHERE account_id = ? AND region = ? AND name = ?", (account_id, region, name))
        if row is None:
            return None
        return FunctionRow(row["created"], json.loads(row["tags"]), row["reserved"],
                           row["next_version"])

    def version(self, account_id: str, region: str, name: str, version: str
                ) -> FunctionVersion | None:
        row = self.db.query_one(
            "SELECT * FROM lambda_versions WHERE account_id = ? AND region = ? AND name = ?"
            " AND version = ?", (account_id, region, name, version))
        return _load(row) if row is not None else None

    def version_row(self, account_id: str, region: str, name: str, version: str
                    ) -> VersionRow | None:
        """A version as stored, with its function's reserved concurrency, in one indexed
        read: equal rows mean nothing an invocation depends on has changed."""
        row = self.db.query_one(
            "SELECT v.account_id, v.region, v.name, v.version, v.code_sha, v.code_size,"
            " v.data, f.reserved FROM lambda_versions v JOIN lambda_functions f"
            " ON f.account_id = v.account_id AND f.region = v.region AND f.name = v.name"
            " WHERE v.account_id = ? AND v.region = ? AND v.name = ? AND v.version = ?",
            (account_id, region, name, version))
        return VersionRow(*row) if row is not None else None

    def put_version(self, fv: FunctionVersion) -> None:
        with self.db.transaction() as conn:
            _put(conn, fv)

    def versions(self, account_id: str, region: str, name: str) -> list[FunctionVersion]:
        """$LATEST first, then the published versions in order."""
        rows = self.db.query(
            "SELECT * FROM lambda_versions WHERE account_id = ? AND region = ? AND name = ?"
            " ORDER BY seq", (account_id, region, name))
        return [_load(row) for row in rows]

    def list_functions(self, account_id: str, region: str, after: tuple[str, int],
                       limit: int, all_versions: bool) -> list[FunctionVersion]:
        """Versions ordered by (name, seq) after the ``after`` position."""
        only_latest = "" if all_versions else " AND seq = 0"
        rows = self.db.query(
            "SELECT * FROM lambda_versions WHERE account_id = ? AND region = ?"
            f" AND (name, seq) > (?, ?){only_latest} ORDER BY name, seq LIMIT ?",
            (account_id, region, after[0], after[1], limit))
        return [_load(row) for row in rows]

    def publish(self, latest: FunctionVersion, description: str | None, now: float
                ) -> FunctionVersion:
        """A new version from $LATEST, or the last one if nothing changed since."""
        key = (latest.account_id, latest.region, latest.name)
        with self.db.transaction() as conn:
            last = conn.execute(
                "SELECT * FROM lambda_versions WHERE account_id = ? AND region = ? AND name = ?"
                " AND seq > 0 ORDER BY seq DESC LIMIT 1", key).fetchone()
            if last is not None and _load(last).fingerprint() == latest.fingerprint():
                return _load(last)
            number = conn.execute(
                "UPDATE lambda_functions SET next_version = next_version + 1 WHERE"
                " account_id = ? AND region = ? AND name = ? RETURNING next_version - 1",
                key).fetchone()[0]
            fv = latest.published(number, description, now)
            _put(conn, fv)
        return fv

    def delete_function(self, account_id: str, region: str, name: str) -> list[str]:
        """Delete a function whole; returns the code digests its versions used."""
        key = (account_id, region, name)
        with self.db.transaction() as conn:
            shas = [r[0] for r in conn.execute(
                "SELECT DISTINCT code_sha FROM lambda_versions WHERE account_id = ? AND"
                " region = ? AND name = ?", key)]
            for table, column in (("lambda_versions", "name"), ("lambda_functions", "name"),
                                  ("lambda_aliases", "function"),
                                  ("lambda_policies", "function")):
                conn.execute(f"DELETE FROM {table} WHERE account_id = ? AND region = ? AND"
                             f" {column} = ?", key)
        return shas

    def delete_version(self, fv: FunctionVersion) -> None:
        key = (fv.account_id, fv.region, fv.name)
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM lambda_versions WHERE account_id = ? AND region = ? AND"
                         " name = ? AND version = ?", (*key, fv.version))
            conn.execute("DELETE FROM lambda_policies WHERE account_id = ? AND region = ? AND"
                         " function = ? AND qualifier = ?", (*key, fv.version))

    def code_in_use(self, sha: str) -> bool:
        return self.db.query_one(
            "SELECT 1 FROM lambda_versions WHERE code_sha = ? LIMIT 1", (sha,)) is not None

    def pending_versions(self) -> list[FunctionVersion]:
        """Versions whose code was not ready when the process stopped."""
        rows = self.db.query("SELECT * FROM lambda_versions WHERE"
                             " json_extract(data, '$.state') = 'Pending' OR"
                             " json_extract(data, '$.update_status') = 'InProgress'")
        return [_load(row) for row in rows]

    # -- function-level attributes ------------------------------------------------------

    def set_tags(self, account_id: str, region: str, name: str, tags: dict[str, str]) -> None:
        self.db.execute("UPDATE lambda_functions SET tags = ? WHERE account_id = ? AND"
                        " region = ? AND name = ?", (json.dumps(tags), account_id, region, name))

    def set_reserved(self, account_id: str, region: str, name: str, value: int | None) -> None:
        self.db.execute("UPDATE lambda_functions SET reserved = ? WHERE account_id = ? AND"
                        " region = ? AND name = ?", (value, account_id, region, name))

    def reserved_total(self, account_id: str, region: str, excluding: str = "") -> int:
        row = self.db.query_one(
            "SELECT COALESCE(SUM(reserved), 0) FROM lambda_functions WHERE account_id = ? AND"
            " region = ? AND name != ?", (account_id, region, excluding))
        return int(row[0]) if row else 0

    def usage(self, account_id: str, region: str) -> tuple[int, int]:
        """(function count, total code size of the functions' versions)."""
        count = self.db.query_one("SELECT COUNT(*) FROM lambda_functions WHERE account_id = ?"
                                  " AND region = ?", (account_id, region))
        size = self.db.query_one("SELECT COALESCE(SUM(code_size), 0) FROM lambda_versions"
                                 " WHERE account_id = ? AND region = ?", (account_id, region))
        return int(count[0]) if count else 0, int(size[0]) if size else 0

    # -- aliases ------------------------------------------------------------------------

    def put_alias(self, alias: Alias, *, create: bool) -> bool:
        """Write an alias; with ``create``, False if it exists already."""
        data = json.dumps({"version": alias.version, "description": alias.description,
                           "weights": alias.weights, "revision_id": alias.revision_id})
        verb = "INSERT" if create else "INSERT OR REPLACE"
        try:
            self.db.execute(
                f"{verb} INTO lambda_aliases (account_id, region, function, name, data)"
                " VALUES (?, ?, ?, ?, ?)",
                (alias.account_id, alias.region, alias.function, alias.name, data))
        except sqlite3.IntegrityError:
            return False
        return True

    def alias(self, account_id: str, region: str, function: str, name: str) -> Alias | None:
        row = self.db.query_one(
            "SELECT * FROM lambda_aliases WHERE account_id = ? AND region = ? AND function = ?"
            " AND name = ?", (account_id, region, function, name))
        return _load_alias(row) if row is not None else None

    def aliases(self, account_id: str, region: str, function: str) -> list[Alias]:
        rows = self.db.query(
            "SELECT * FROM lambda_aliases WHERE account_id = ? AND region = ? AND function = ?"
            " ORDER BY name", (account_id, region, function))
        return [_load_alias(row) for row in rows]

    def delete_alias(self, alias: Alias) -> None:
        key = (alias.account_id, alias.region, alias.function)
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM lambda_aliases WHERE account_id = ? AND region = ? AND"
                         " function = ? AND name = ?", (*key, alias.name))
            conn.execute("DELETE FROM lambda_policies WHERE account_id = ? AND region = ? AND"
                         " function = ? AND qualifier = ?", (*key, alias.name))

    # -- resource policies --------------------------------------------------------------

    def statements(self, account_id: str, region: str, function: str, qualifier: str
                   ) -> list[dict[str, Any]]:
        row = self.db.query_one(
            "SELECT statements FROM lambda_policies WHERE account_id = ? AND region = ? AND"
            " function = ? AND qualifier = ?", (account_id, region, function, qualifier))
        statements: list[dict[str, Any]] = json.loads(row[0]) if row else []
        return statements

    def set_statements(self, account_id: str, region: str, function: str, qualifier: str,
                       statements: list[dict[str, Any]]) -> None:
        key = (account_id, region, function, qualifier)
        if statements:
            self.db.execute(
                "INSERT OR REPLACE INTO lambda_policies (account_id, region, function,"
                " qualifier, statements) VALUES (?, ?, ?, ?, ?)", (*key, json.dumps(statements)))
        else:
            self.db.execute("DELETE FROM lambda_policies WHERE account_id = ? AND region = ?"
                            " AND function = ? AND qualifier = ?", key)


def unreserved_limit(db: Database, account_concurrency: int) -> Callable[[str], int]:
    """For the invoker: an account's concurrency left to functions without a reservation."""

    def limit(account_id: str) -> int:
        row = db.query_one("SELECT COALESCE(SUM(reserved), 0) FROM lambda_functions"
                           " WHERE account_id = ?", (account_id,))
        return account_concurrency - (int(row[0]) if row else 0)

    return limit


def _put(conn: sqlite3.Connection, fv: FunctionVersion) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO lambda_versions (account_id, region, name, version, seq,"
        " code_sha, code_size, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (fv.account_id, fv.region, fv.name, fv.version, _seq(fv.version), fv.code_sha,
         fv.code_size, _dump(fv)))
