"""API Gateway's state in SQLite: one JSON document per object.

A REST API is one document holding its whole tree (resources, methods, integrations,
authorizers, models), so a deployment is a copy of it taken in one read, and a change
is a read-modify-write in one transaction. Other kinds (deployments and stages under an
API, API keys, usage plans, the keys of a plan) are documents of their own, keyed by
(kind, parent, id). Ids are unique across accounts: the data plane finds an API by the
id in its host name alone. ``lookup`` indexes what the data plane searches by (an API
key's value). Quota usage is counted per (plan, key, period) in ``apigw_usage``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nubes.storage.sqlite import Database

MIGRATIONS = [
    """
    CREATE TABLE apigw_docs (
        kind TEXT NOT NULL, parent TEXT NOT NULL, id TEXT NOT NULL,
        account TEXT NOT NULL, region TEXT NOT NULL, lookup TEXT,
        created REAL NOT NULL, doc TEXT NOT NULL,
        PRIMARY KEY (kind, parent, id));
    CREATE INDEX apigw_docs_owner ON apigw_docs (kind, account, region, created);
    CREATE UNIQUE INDEX apigw_docs_lookup ON apigw_docs (kind, lookup)
        WHERE lookup IS NOT NULL;
    CREATE TABLE apigw_usage (
        plan TEXT NOT NULL, key TEXT NOT NULL, period TEXT NOT NULL,
        used INTEGER NOT NULL, PRIMARY KEY (plan, key, period))
    """,
]

Doc = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Owner:
    account: str
    region: str


class Conflict(Exception):
    """A document with that key, or that lookup value, exists already."""


class ApiGatewayStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        db.migrate("apigateway", MIGRATIONS)

    def insert(self, kind: str, parent: str, doc_id: str, owner: Owner, doc: Doc,
               created: float, lookup: str | None = None) -> None:
        """Write a new document; ``Conflict`` if its key or lookup value is taken."""
        try:
            self.db.execute(
                "INSERT INTO apigw_docs (kind, parent, id, account, region, lookup, created,"
                " doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (kind, parent, doc_id, owner.account, owner.region, lookup, created,
                 json.dumps(doc)))
        except sqlite3.IntegrityError as error:
            raise Conflict() from error

    def get(self, kind: str, parent: str, doc_id: str, owner: Owner | None = None
            ) -> Doc | None:
        """A document, if it exists (and belongs to ``owner`` when given)."""
        row = self.db.query_one(
            "SELECT account, region, doc FROM apigw_docs WHERE kind = ? AND parent = ?"
            " AND id = ?", (kind, parent, doc_id))
        if row is None:
            return None
        if owner is not None and (row["account"], row["region"]) != (owner.account,
                                                                      owner.region):
            return None
        doc: Doc = json.loads(row["doc"])
        return doc

    def owner_of(self, kind: str, parent: str, doc_id: str) -> Owner | None:
        row = self.db.query_one(
            "SELECT account, region FROM apigw_docs WHERE kind = ? AND parent = ?"
            " AND id = ?", (kind, parent, doc_id))
        return Owner(row["account"], row["region"]) if row else None

    def by_lookup(self, kind: str, lookup: str) -> tuple[Owner, Doc] | None:
        row = self.db.query_one(
            "SELECT account, region, doc FROM apigw_docs WHERE kind = ? AND lookup = ?",
            (kind, lookup))
        if row is None:
            return None
        return Owner(row["account"], row["region"]), json.loads(row["doc"])

    def list_docs(self, kind: str, owner: Owner, parent: str | None = None) -> list[Doc]:
        """Documents of a kind, oldest first (under ``parent`` when given)."""
        sql = ("SELECT doc FROM apigw_docs WHERE kind = ? AND account = ? AND region = ?")
        params: list[Any] = [kind, owner.account, owner.region]
        if parent is not None:
            sql += " AND parent = ?"
            params.append(parent)
        rows = self.db.query(sql + " ORDER BY created, id", params)
        return [json.loads(row["doc"]) for row in rows]

    def update(self, kind: str, parent: str, doc_id: str, change: Callable[[Doc], Doc],
               lookup: str | None = None) -> Doc | None:
        """Apply ``change`` to a document in one transaction; the new document, or None
        if there is none. ``change`` may raise to abandon the update."""
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT doc FROM apigw_docs WHERE kind = ? AND parent = ? AND id = ?",
                (kind, parent, doc_id)).fetchone()
            if row is None:
                return None
            doc = change(json.loads(row[0]))
            sql = "UPDATE apigw_docs SET doc = ?"
            params: list[Any] = [json.dumps(doc)]
            if lookup is not None:
                sql += ", lookup = ?"
                params.append(lookup)
            try:
                conn.execute(sql + " WHERE kind = ? AND parent = ? AND id = ?",
                             [*params, kind, parent, doc_id])
            except sqlite3.IntegrityError as error:
                raise Conflict() from error
        return doc

    def delete(self, kind: str, parent: str, doc_id: str) -> bool:
        """Delete a document and the documents under it (their parent is its id)."""
        with self.db.transaction() as conn:
            gone = conn.execute("DELETE FROM apigw_docs WHERE kind = ? AND parent = ?"
                                " AND id = ?", (kind, parent, doc_id)).rowcount
            if gone:
                conn.execute("DELETE FROM apigw_docs WHERE parent = ? AND kind != ?",
                             (doc_id, kind))
        return bool(gone)

    def delete_children(self, kind: str, doc_id: str) -> None:
        """Delete documents of ``kind`` whose id is ``doc_id`` under any parent."""
        self.db.execute("DELETE FROM apigw_docs WHERE kind = ? AND id = ?", (kind, doc_id))

    def parents_of(self, kind: str, doc_id: str) -> list[str]:
        rows = self.db.query("SELECT parent FROM apigw_docs WHERE kind = ? AND id = ?",
                             (kind, doc_id))
        return [row["parent"] for row in rows]

    # -- quota usage --------------------------------------------------------------------

    def use(self, plan: str, key: str, day: str, period: str | None, limit: int) -> bool:
        """Count one request on its day and against the quota's ``period`` (if any);
        False (nothing counted) when the quota is used up. Days are ``day:YYYY-MM-DD``."""
        with self.db.transaction() as conn:
            if period is not None:
                row = conn.execute("SELECT used FROM apigw_usage WHERE plan = ? AND key = ?"
                                   " AND period = ?", (plan, key, period)).fetchone()
                if (row[0] if row else 0) >= limit:
                    return False
            for counted in (day, period) if period is not None else (day,):
                conn.execute("INSERT INTO apigw_usage (plan, key, period, used) VALUES"
                             " (?, ?, ?, 1) ON CONFLICT (plan, key, period) DO UPDATE SET"
                             " used = used + 1", (plan, key, counted))
        return True

    def days_used(self, plan: str, first: str, last: str) -> dict[str, dict[str, int]]:
        """Requests per key and day (``YYYY-MM-DD``) of a plan, from ``first`` to ``last``."""
        rows = self.db.query(
            "SELECT key, period, used FROM apigw_usage WHERE plan = ? AND period >= ?"
            " AND period <= ?", (plan, "day:" + first, "day:" + last))
        out: dict[str, dict[str, int]] = {}
        for row in rows:
            out.setdefault(row["key"], {})[row["period"][4:]] = int(row["used"])
        return out

    def used(self, plan: str, key: str, period: str) -> int:
        row = self.db.query_one("SELECT used FROM apigw_usage WHERE plan = ? AND key = ?"
                                " AND period = ?", (plan, key, period))
        return int(row["used"]) if row else 0
