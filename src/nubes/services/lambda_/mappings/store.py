"""Mappings and their work in SQLite.

``lambda_mappings`` holds each mapping (its settings as JSON, with the columns lists
filter on). ``lambda_mapping_work`` holds one row per unit of polling work: a shard of a
stream (with its checkpoint, the position of the last record processed) or one of an SQS
mapping's pollers. A process works on a unit only while it holds the unit's lease in this
table (``owner``, ``lease_until``), so two processes sharing the database never poll the
same shard, and a dead process's units are taken over once its leases expire. The
checkpoint only moves while its owner's lease holds.
"""

from __future__ import annotations

import json
import time

from nubes.services.lambda_.mappings.models import Mapping
from nubes.storage.sqlite import Database

MIGRATIONS = [
    """
    CREATE TABLE lambda_mappings (
        uuid TEXT PRIMARY KEY,
        account_id TEXT NOT NULL, region TEXT NOT NULL,
        function_arn TEXT NOT NULL, source_arn TEXT NOT NULL,
        config TEXT NOT NULL
    );
    CREATE INDEX lambda_mappings_source ON lambda_mappings (account_id, region, source_arn);
    CREATE TABLE lambda_mapping_work (
        uuid TEXT NOT NULL, unit TEXT NOT NULL,
        checkpoint INTEGER,
        owner TEXT NOT NULL DEFAULT '', lease_until REAL NOT NULL DEFAULT 0,
        PRIMARY KEY (uuid, unit)
    )
    """,
]


class MappingStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        db.migrate("lambda_mappings", MIGRATIONS)

    # -- mappings -----------------------------------------------------------------------

    def put(self, mapping: Mapping) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO lambda_mappings (uuid, account_id, region, function_arn,"
            " source_arn, config) VALUES (?, ?, ?, ?, ?, ?)",
            (mapping.uuid, mapping.account_id, mapping.region, mapping.function_arn,
             mapping.source_arn, json.dumps(mapping.to_json())))

    def get(self, uuid: str) -> Mapping | None:
        row = self.db.query_one("SELECT config FROM lambda_mappings WHERE uuid = ?", (uuid,))
        return Mapping.from_json(json.loads(row[0])) if row else None

    def find(self, account_id: str, region: str, source_arn: str | None = None
             ) -> list[Mapping]:
        """The mappings of an account and region (of one source), in a stable order."""
        sql = "SELECT config FROM lambda_mappings WHERE account_id = ? AND region = ?"
        args: tuple[str, ...] = (account_id, region)
        if source_arn is not None:
            sql += " AND source_arn = ?"
            args += (source_arn,)
        rows = self.db.query(sql + " ORDER BY uuid", args)
        return [Mapping.from_json(json.loads(row[0])) for row in rows]

    def all(self) -> list[Mapping]:
        rows = self.db.query("SELECT config FROM lambda_mappings ORDER BY uuid")
        return [Mapping.from_json(json.loads(row[0])) for row in rows]

    def delete(self, uuid: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM lambda_mapping_work WHERE uuid = ?", (uuid,))
            conn.execute("DELETE FROM lambda_mappings WHERE uuid = ?", (uuid,))

    # -- units of work ------------------------------------------------------------------

    def units(self, uuid: str) -> dict[str, int | None]:
        """The units of a mapping and their checkpoints."""
        rows = self.db.query(
            "SELECT unit, checkpoint FROM lambda_mapping_work WHERE uuid = ?", (uuid,))
        return {row[0]: row[1] for row in rows}

    def add_unit(self, uuid: str, unit: str, checkpoint: int | None) -> None:
        """Add a unit unless it exists (an existing checkpoint is kept)."""
        self.db.execute(
            "INSERT OR IGNORE INTO lambda_mapping_work (uuid, unit, checkpoint)"
            " VALUES (?, ?, ?)", (uuid, unit, checkpoint))

    def claim(self, uuid: str, unit: str, owner: str, lease_s: float,
              now: float | None = None) -> bool:
        """Take (or renew) the lease on a unit; False if another owner's lease holds."""
        now = time.time() if now is None else now
        return bool(self.db.execute(
            "UPDATE lambda_mapping_work SET owner = ?, lease_until = ? WHERE uuid = ?"
            " AND unit = ? AND (owner = ? OR lease_until <= ?)",
            (owner, now + lease_s, uuid, unit, owner, now)))

    def release(self, uuid: str, unit: str, owner: str) -> None:
        self.db.execute(
            "UPDATE lambda_mapping_work SET lease_until = 0 WHERE uuid = ? AND unit = ?"
            " AND owner = ?", (uuid, unit, owner))

    def checkpoint(self, uuid: str, unit: str) -> int | None:
        row = self.db.query_one(
            "SELECT checkpoint FROM lambda_mapping_work WHERE uuid = ? AND unit = ?",
            (uuid, unit))
        return int(row[0]) if row and row[0] is not None else None

    def advance(self, uuid: str, unit: str, owner: str, checkpoint: int) -> bool:
        """Move a unit's checkpoint forward; False if ``owner`` lost the lease."""
        return bool(self.db.execute(
            "UPDATE lambda_mapping_work SET checkpoint = MAX(COALESCE(checkpoint, 0), ?)"
            " WHERE uuid = ? AND unit = ? AND owner = ? AND lease_until > ?",
            (checkpoint, uuid, unit, owner, time.time())))

    # -- fields changed in the background (never overwriting a user's update) ----------

    def set_state(self, uuid: str, old: str, new: str) -> bool:
        """Move a mapping from state ``old`` to ``new``; False if it was not in ``old``."""
        return bool(self.db.execute(
            "UPDATE lambda_mappings SET config = json_set(config, '$.state', ?)"
            " WHERE uuid = ? AND json_extract(config, '$.state') = ?", (new, uuid, old)))

    def set_result(self, uuid: str, result: str) -> None:
        self.db.execute(
            "UPDATE lambda_mappings SET config = json_set(config, '$.last_result', ?)"
            " WHERE uuid = ?", (result, uuid))
