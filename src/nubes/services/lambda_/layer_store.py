"""Layer versions in SQLite. Version numbers are never reused, even after a delete."""

from __future__ import annotations

import json
import sqlite3

from nubes.services.lambda_.models import LayerVersion
from nubes.storage.sqlite import Database

MIGRATIONS = [
    """
    CREATE TABLE lambda_layers (
        account_id TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
        next_version INTEGER NOT NULL,
        PRIMARY KEY (account_id, region, name)
    );
    CREATE TABLE lambda_layer_versions (
        account_id TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
        version INTEGER NOT NULL, code_sha TEXT NOT NULL, code_size INTEGER NOT NULL,
        created REAL NOT NULL, attrs TEXT NOT NULL,
        PRIMARY KEY (account_id, region, name, version)
    );
    CREATE INDEX lambda_layer_versions_code ON lambda_layer_versions (code_sha)
    """,
]


def _load(row: sqlite3.Row) -> LayerVersion:
    return LayerVersion(row["account_id"], row["region"], row["name"], row["version"],
                        row["code_sha"], row["code_size"], row["created"],
                        json.loads(row["attrs"]))


class LayerStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        db.migrate("lambda_layers", MIGRATIONS)

    def publish(self, layer: LayerVersion) -> LayerVersion:
        """Store a new version of a layer; its number is assigned here."""
        key = (layer.account_id, layer.region, layer.name)
        with self.db.transaction() as conn:
            conn.execute("INSERT OR IGNORE INTO lambda_layers (account_id, region, name,"
                         " next_version) VALUES (?, ?, ?, 1)", key)
            number = conn.execute(
                "UPDATE lambda_layers SET next_version = next_version + 1 WHERE account_id = ?"
                " AND region = ? AND name = ? RETURNING next_version - 1", key).fetchone()[0]
            conn.execute(
                "INSERT INTO lambda_layer_versions (account_id, region, name, version,"
                " code_sha, code_size, created, attrs) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (*key, number, layer.code_sha, layer.code_size, layer.created,
                 json.dumps(layer.attrs)))
        layer.version = number
        return layer

    def get(self, account_id: str, region: str, name: str, version: int
            ) -> LayerVersion | None:
        row = self.db.query_one(
            "SELECT * FROM lambda_layer_versions WHERE account_id = ? AND region = ? AND"
            " name = ? AND version = ?", (account_id, region, name, version))
        return _load(row) if row is not None else None

    def versions(self, account_id: str, region: str, name: str) -> list[LayerVersion]:
        """Newest first, as ListLayerVersions answers."""
        rows = self.db.query(
            "SELECT * FROM lambda_layer_versions WHERE account_id = ? AND region = ? AND"
            " name = ? ORDER BY version DESC", (account_id, region, name))
        return [_load(row) for row in rows]

    def names(self, account_id: str, region: str) -> list[str]:
        rows = self.db.query(
            "SELECT DISTINCT name FROM lambda_layer_versions WHERE account_id = ? AND"
            " region = ? ORDER BY name", (account_id, region))
        return [row[0] for row in rows]

    def delete(self, layer: LayerVersion) -> None:
        self.db.execute(
            "DELETE FROM lambda_layer_versions WHERE account_id = ? AND region = ? AND"
            " name = ? AND version = ?",
            (layer.account_id, layer.region, layer.name, layer.version))

    def code_in_use(self, sha: str) -> bool:
        return self.db.query_one(
            "SELECT 1 FROM lambda_layer_versions WHERE code_sha = ? LIMIT 1",
            (sha,)) is not None

    def total_size(self, account_id: str, region: str) -> int:
        row = self.db.query_one(
            "SELECT COALESCE(SUM(code_size), 0) FROM lambda_layer_versions WHERE"
            " account_id = ? AND region = ?", (account_id, region))
        return int(row[0]) if row else 0
