"""Function URL configurations in SQLite: one row per function and qualifier ("" for the
unqualified function, or an alias name), found by function or by the URL's id.

A configuration goes with its function or alias. Those rows are deleted by the Lambda
store, so two triggers delete the URL in the same transaction. They are created at open
(``IF NOT EXISTS``) rather than in a migration, because the migration runner splits its
scripts at semicolons and a trigger's body holds one. An alias's update rewrites its row
with ``INSERT OR REPLACE``, which fires no delete trigger (``recursive_triggers`` is
off), so only a real deletion takes the URL with it.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import string
from dataclasses import dataclass, replace
from typing import Any

from nubes.storage.sqlite import Database

MIGRATIONS = [
    """
    CREATE TABLE lambda_function_urls (
        account_id TEXT NOT NULL, region TEXT NOT NULL, function TEXT NOT NULL,
        qualifier TEXT NOT NULL, url_id TEXT NOT NULL UNIQUE, auth_type TEXT NOT NULL,
        invoke_mode TEXT NOT NULL, cors TEXT, created REAL NOT NULL, modified REAL NOT NULL,
        PRIMARY KEY (account_id, region, function, qualifier)
    )
    """,
]

_TRIGGERS = (
    """
    CREATE TRIGGER IF NOT EXISTS lambda_function_urls_function AFTER DELETE
    ON lambda_functions BEGIN
        DELETE FROM lambda_function_urls WHERE account_id = OLD.account_id
        AND region = OLD.region AND function = OLD.name;
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS lambda_function_urls_alias AFTER DELETE
    ON lambda_aliases BEGIN
        DELETE FROM lambda_function_urls WHERE account_id = OLD.account_id
        AND region = OLD.region AND function = OLD.function AND qualifier = OLD.name;
    END
    """,
)

_ID_ALPHABET = string.ascii_lowercase + string.digits
URL_ID_LENGTH = 32  # as AWS's: 32 lower-case letters and digits


def new_url_id() -> str:
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(URL_ID_LENGTH))


@dataclass(frozen=True, slots=True)
class FunctionUrl:
    """A function URL's configuration; ``qualifier`` is "" for the unqualified function."""

    account_id: str
    region: str
    function: str
    qualifier: str
    url_id: str
    auth_type: str
    invoke_mode: str
    cors: dict[str, Any] | None
    created: float
    modified: float

    def updated(self, changes: dict[str, Any], now: float) -> FunctionUrl:
        return replace(self, **changes, modified=now)


class FunctionUrlStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        db.migrate("lambda_function_urls", MIGRATIONS)
        for trigger in _TRIGGERS:  # the Lambda store's tables exist: it opened first
            db.execute(trigger)

    def create(self, url: FunctionUrl) -> bool:
        """Insert a configuration; False if the function and qualifier have one. A clash
        of ids (1 in 36^32) is retried with a new id."""
        while True:
            try:
                self._write("INSERT", url)
            except sqlite3.IntegrityError as error:
                if "url_id" not in str(error):
                    return False
                url = replace(url, url_id=new_url_id())
            else:
                return True

    def put(self, url: FunctionUrl) -> None:
        self._write("INSERT OR REPLACE", url)

    def _write(self, verb: str, url: FunctionUrl) -> None:
        self.db.execute(
            f"{verb} INTO lambda_function_urls (account_id, region, function, qualifier,"
            " url_id, auth_type, invoke_mode, cors, created, modified)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (url.account_id, url.region, url.function, url.qualifier, url.url_id,
             url.auth_type, url.invoke_mode,
             json.dumps(url.cors) if url.cors is not None else None, url.created,
             url.modified))

    def get(self, account_id: str, region: str, function: str, qualifier: str
            ) -> FunctionUrl | None:
        row = self.db.query_one(
            "SELECT * FROM lambda_function_urls WHERE account_id = ? AND region = ? AND"
            " function = ? AND qualifier = ?", (account_id, region, function, qualifier))
        return _load(row) if row is not None else None

    def by_id(self, url_id: str) -> FunctionUrl | None:
        row = self.db.query_one("SELECT * FROM lambda_function_urls WHERE url_id = ?",
                                (url_id,))
        return _load(row) if row is not None else None

    def list(self, account_id: str, region: str, function: str) -> list[FunctionUrl]:
        rows = self.db.query(
            "SELECT * FROM lambda_function_urls WHERE account_id = ? AND region = ? AND"
            " function = ? ORDER BY qualifier", (account_id, region, function))
        return [_load(row) for row in rows]

    def delete(self, account_id: str, region: str, function: str, qualifier: str) -> bool:
        return self.db.execute(
            "DELETE FROM lambda_function_urls WHERE account_id = ? AND region = ? AND"
            " function = ? AND qualifier = ?", (account_id, region, function, qualifier)) > 0


def _load(row: sqlite3.Row) -> FunctionUrl:
    return FunctionUrl(row["account_id"], row["region"], row["function"], row["qualifier"],
                       row["url_id"], row["auth_type"], row["invoke_mode"],
                       json.loads(row["cors"]) if row["cors"] is not None else None,
                       row["created"], row["modified"])
