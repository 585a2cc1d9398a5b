"""Asynchronous invocation configurations (PutFunctionEventInvokeConfig) in SQLite: one
row per function and qualifier ($LATEST, a version or an alias), its settings one JSON
document, removed with the function, version or alias it belongs to."""

from __future__ import annotations

import json
from dataclasses import dataclass

from nubes.storage.sqlite import Database

MIGRATIONS = [
    """
    CREATE TABLE lambda_invoke_configs (
        account_id TEXT NOT NULL, region TEXT NOT NULL, function TEXT NOT NULL,
        qualifier TEXT NOT NULL, data TEXT NOT NULL, last_modified REAL NOT NULL,
        PRIMARY KEY (account_id, region, function, qualifier)
    )
    """,
]

DEFAULT_RETRIES = 2  # AWS's, without a configuration
DEFAULT_MAX_AGE = 21600  # six hours


@dataclass(frozen=True, slots=True)
class InvokeConfig:
    """What becomes of a function's queued events: how often they are retried, how long
    they may wait, and where records of their results go (None: not set)."""

    qualifier: str = "$LATEST"
    max_retries: int | None = None
    max_age: int | None = None
    on_success: str | None = None
    on_failure: str | None = None
    last_modified: float = 0.0

    @property
    def retries(self) -> int:
        return DEFAULT_RETRIES if self.max_retries is None else self.max_retries

    @property
    def age_limit(self) -> int:
        return DEFAULT_MAX_AGE if self.max_age is None else self.max_age

    def dump(self) -> str:
        return json.dumps({"max_retries": self.max_retries, "max_age": self.max_age,
                           "on_success": self.on_success, "on_failure": self.on_failure})


class InvokeConfigStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        db.migrate("lambda_invoke_configs", MIGRATIONS)

    def put(self, account_id: str, region: str, function: str, config: InvokeConfig) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO lambda_invoke_configs (account_id, region, function,"
            " qualifier, data, last_modified) VALUES (?, ?, ?, ?, ?, ?)",
            (account_id, region, function, config.qualifier, config.dump(),
             config.last_modified))

    def get(self, account_id: str, region: str, function: str, qualifier: str
            ) -> InvokeConfig | None:
        row = self.db.query_one(
            "SELECT qualifier, data, last_modified FROM lambda_invoke_configs WHERE"
            " account_id = ? AND region = ? AND function = ? AND qualifier = ?",
            (account_id, region, function, qualifier))
        return _load(row[0], row[1], row[2]) if row is not None else None

    def list(self, account_id: str, region: str, function: str) -> list[InvokeConfig]:
        rows = self.db.query(
            "SELECT qualifier, data, last_modified FROM lambda_invoke_configs WHERE"
            " account_id = ? AND region = ? AND function = ? ORDER BY qualifier",
            (account_id, region, function))
        return [_load(row[0], row[1], row[2]) for row in rows]

    def delete(self, account_id: str, region: str, function: str,
               qualifier: str | None = None) -> bool:
        """Delete one qualifier's configuration, or (None) all of the function's."""
        if qualifier is None:
            return self.db.execute(
                "DELETE FROM lambda_invoke_configs WHERE account_id = ? AND region = ? AND"
                " function = ?", (account_id, region, function)) > 0
        return self.db.execute(
            "DELETE FROM lambda_invoke_configs WHERE account_id = ? AND region = ? AND"
            " function = ? AND qualifier = ?", (account_id, region, function, qualifier)) > 0


def _load(qualifier: str, document: str, last_modified: float) -> InvokeConfig:
    data = json.loads(document)
    return InvokeConfig(qualifier, data.get("max_retries"), data.get("max_age"),
                        data.get("on_success"), data.get("on_failure"), last_modified)
