"""HTTP APIs' state in SQLite: one JSON document per API.

An API's document holds all of it (routes, integrations, authorizers, stages,
deployments with their snapshots, tags), so a deployment is a copy taken in one read
and a change is one read-modify-write transaction. The data plane finds an API by its id
alone (the host name carries no account), so ids are unique across accounts, and across
REST APIs too (``FrontDoors.new_id``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from nubes.storage.sqlite import Database

MIGRATIONS = [
    """
    CREATE TABLE apigwv2_apis (
        id TEXT PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL,
        created REAL NOT NULL, doc TEXT NOT NULL);
    CREATE INDEX apigwv2_apis_owner ON apigwv2_apis (account, region, created)
    """,
]

Doc = dict[str, Any]


class HttpApiStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        db.migrate("apigatewayv2", MIGRATIONS)
        self._cache: dict[str, tuple[str, str, Doc]] = {}  # id -> (account, region, doc)

    def insert(self, api_id: str, account: str, region: str, created: float, doc: Doc) -> None:
        self.db.execute(
            "INSERT INTO apigwv2_apis (id, account, region, created, doc) VALUES (?, ?, ?, ?, ?)",
            (api_id, account, region, created, json.dumps(doc)))
        self._cache.pop(api_id, None)

    def get(self, api_id: str) -> tuple[str, str, Doc] | None:
        """(account, region, document) of an API, whoever owns it."""
        found = self._cache.get(api_id)
        if found is not None:
            return found
        row = self.db.query_one("SELECT account, region, doc FROM apigwv2_apis WHERE id = ?",
                                (api_id,))
        if row is None:
            return None
        found = (row["account"], row["region"], json.loads(row["doc"]))
        self._cache[api_id] = found
        return found

    def exists(self, api_id: str) -> bool:
        return self.get(api_id) is not None

    def update(self, api_id: str, change: Callable[[Doc], Any]) -> Doc | None:
        """Apply ``change`` (which edits the document in place) in one transaction."""
        with self.db.transaction() as conn:
            row = conn.execute("SELECT doc FROM apigwv2_apis WHERE id = ?", (api_id,)).fetchone()
            if row is None:
                return None
            doc: Doc = json.loads(row["doc"])
            change(doc)
            conn.execute("UPDATE apigwv2_apis SET doc = ? WHERE id = ?",
                         (json.dumps(doc), api_id))
        self._cache.pop(api_id, None)
        return doc

    def delete(self, api_id: str) -> bool:
        self._cache.pop(api_id, None)
        return self.db.execute("DELETE FROM apigwv2_apis WHERE id = ?", (api_id,)) > 0

    def owned(self, account: str, region: str) -> Iterator[Doc]:
        for row in self.db.query(
                "SELECT doc FROM apigwv2_apis WHERE account = ? AND region = ?"
                " ORDER BY created, id", (account, region)):
            yield json.loads(row["doc"])
