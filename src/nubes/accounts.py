"""Accounts and their access keys: who a signed request comes from.

An access key maps to one account (a 12-digit id); every resource lives under
(account, region). Keys are kept in the metadata database, so a key made by the
``nubes keys create`` command is seen by a running server: a lookup that misses the
in-memory cache reads the database again before saying the key does not exist.
"""

from __future__ import annotations

import base64
import re
import secrets
import sqlite3
import string
from dataclasses import dataclass, field
from datetime import UTC, datetime

from nubes.errors import NubesError
from nubes.storage.sqlite import Database

DEFAULT_ACCESS_KEY = "test"
DEFAULT_SECRET_KEY = "test"
DEFAULT_ACCOUNT_ID = "000000000000"

_ACCOUNT_ID = re.compile(r"[0-9]{12}")
# '/' and ',' would break the Credential= element of a SigV4 Authorization header.
_ACCESS_KEY = re.compile(r"[A-Za-z0-9._-]{1,128}")
_SECRET_KEY = re.compile(r"[\x21-\x7e]{1,128}")  # printable ASCII, no spaces
_KEY_ALPHABET = string.ascii_uppercase + string.digits

_MIGRATIONS = [
    """
    CREATE TABLE accounts (
        account_id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL
    );
    CREATE TABLE access_keys (
        access_key TEXT PRIMARY KEY,
        secret_key TEXT NOT NULL,
        account_id TEXT NOT NULL REFERENCES accounts (account_id),
        created_at TEXT NOT NULL
    );
    CREATE INDEX access_keys_by_account ON access_keys (account_id)
    """,
]


class AccountError(NubesError):
    """A key or account that cannot be created as asked."""


class InvalidAccountId(AccountError):
    """An account id that is not 12 digits."""


class InvalidKey(AccountError):
    """An access key or secret key of characters or length AWS clients cannot send."""


class DuplicateAccessKey(AccountError):
    """An access key that already exists (in any account)."""


@dataclass(frozen=True, slots=True)
class Credentials:
    access_key: str
    secret_key: str = field(repr=False)  # never logged by accident
    account_id: str


DEFAULT_CREDENTIALS = Credentials(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, DEFAULT_ACCOUNT_ID)


class AccountStore:
    """The access keys of every account, cached in memory, persisted in the database."""

    def __init__(self, db: Database) -> None:
        self._db = db
        db.migrate("accounts", _MIGRATIONS)
        self._cache: dict[str, Credentials] = {}

    def ensure_default(self) -> None:
        """Create the well-known key "test"/"test" of account 000000000000 if absent."""
        if self.get(DEFAULT_ACCESS_KEY) is None:
            try:
                self.create_key(DEFAULT_ACCOUNT_ID, DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)
            except DuplicateAccessKey:  # another process made it first
                pass

    def create_key(
        self,
        account_id: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
    ) -> Credentials:
        """A new key: for ``account_id`` (a new account when None); generates what is not given."""
        if account_id is not None and not _ACCOUNT_ID.fullmatch(account_id):
            raise InvalidAccountId(f"account id must be 12 digits, got {account_id!r}")
        if access_key is not None and not _ACCESS_KEY.fullmatch(access_key):
            raise InvalidKey("access key must be 1 to 128 letters, digits, '.', '_' or '-'")
        if secret_key is not None and not _SECRET_KEY.fullmatch(secret_key):
            raise InvalidKey("secret key must be 1 to 128 printable ASCII characters, no spaces")
        creds = Credentials(
            access_key=access_key or _new_access_key(),
            secret_key=secret_key or _new_secret_key(),
            account_id=account_id or "",
        )
        creds = self._insert(creds)
        self._cache[creds.access_key] = creds
        return creds

    def get(self, access_key: str) -> Credentials | None:
        """The credentials of ``access_key``, or None if no account has it."""
        creds = self._cache.get(access_key)
        if creds is None:
            creds = self._load(access_key)
            if creds is not None:
                self._cache[access_key] = creds
        return creds

    def list_keys(self) -> list[Credentials]:
        rows = self._db.query(
            "SELECT access_key, secret_key, account_id FROM access_keys"
            " ORDER BY account_id, created_at, access_key"
        )
        return [Credentials(row[0], row[1], row[2]) for row in rows]

    def only_default_keys(self) -> bool:
        """True while no key but the default "test" key exists (then: loopback only)."""
        rows = self._db.query("SELECT access_key, secret_key, account_id FROM access_keys LIMIT 2")
        return all(Credentials(row[0], row[1], row[2]) == DEFAULT_CREDENTIALS for row in rows)

    def _load(self, access_key: str) -> Credentials | None:
        row = self._db.query_one(
            "SELECT access_key, secret_key, account_id FROM access_keys WHERE access_key = ?",
            (access_key,),
        )
        return Credentials(row[0], row[1], row[2]) if row is not None else None

    def _insert(self, creds: Credentials) -> Credentials:
        now = datetime.now(UTC).isoformat()
        try:
            with self._db.transaction() as conn:
                account_id = creds.account_id or _unused_account_id(conn)
                conn.execute(
                    "INSERT OR IGNORE INTO accounts (account_id, created_at) VALUES (?, ?)",
                    (account_id, now),
                )
                conn.execute(
                    "INSERT INTO access_keys (access_key, secret_key, account_id, created_at)"
                    " VALUES (?, ?, ?, ?)",
                    (creds.access_key, creds.secret_key, account_id, now),
                )
        except sqlite3.IntegrityError as error:
            raise DuplicateAccessKey(f"access key {creds.access_key!r} already exists") from error
        return Credentials(creds.access_key, creds.secret_key, account_id)


def _unused_account_id(conn: sqlite3.Connection) -> str:
    while True:
        candidate = "".join(secrets.choice(string.digits) for _ in range(12))
        taken = conn.execute("SELECT 1 FROM accounts WHERE account_id = ?", (candidate,))
        if candidate != DEFAULT_ACCOUNT_ID and taken.fetchone() is None:
            return candidate


def _new_access_key() -> str:
    """Like AWS's long-term keys: "AKIA" and 16 upper-case letters or digits."""
    return "AKIA" + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(16))


def _new_secret_key() -> str:
    """40 characters of base64, like AWS's secret keys."""
    return base64.b64encode(secrets.token_bytes(30)).decode("ascii")
