"""TransactWriteItems' ClientRequestToken, kept in the store for ten minutes.

A successful call with a token records (account, region, token), a digest of the request
and the response in ``dynamodb_client_tokens``, in the same SQLite transaction as its
writes. So a retry finds it even after a restart (``kill -9`` included) or on another
Nubes process sharing the store: the same token with the same request answers the recorded
response and writes nothing; the same token with another request is
IdempotentParameterMismatchException. A cancelled or refused call records nothing, so it
may be retried with its token. Expired rows are ignored, and deleted by ``sweep``.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nubes.services.dynamodb import exceptions as exc

TOKEN_SECONDS = 600.0

MIGRATION = """
    CREATE TABLE dynamodb_client_tokens (
        account TEXT NOT NULL, region TEXT NOT NULL, token TEXT NOT NULL,
        digest TEXT NOT NULL, response TEXT NOT NULL, expires REAL NOT NULL,
        PRIMARY KEY (account, region, token)
    ) WITHOUT ROWID;
    CREATE INDEX dynamodb_client_tokens_expires ON dynamodb_client_tokens (expires)
"""


def fingerprint(request: Any) -> str:
    """A digest of a request's content (bytes as hex), independent of key order."""
    text = json.dumps(request, sort_keys=True, default=lambda b: bytes(b).hex())
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ClientToken:
    """A request's ClientRequestToken, where it was used and what it was used with."""

    account: str
    region: str
    token: str
    digest: str

    @classmethod
    def of(cls, account: str, region: str, params: Mapping[str, Any]) -> ClientToken | None:
        """The token of a TransactWriteItems request, None when it has none."""
        token = params.get("ClientRequestToken")
        if token is None:
            return None
        digest = fingerprint({k: v for k, v in params.items() if k != "ClientRequestToken"})
        return cls(account, region, str(token), digest)


LOOKUP = ("SELECT digest, response FROM dynamodb_client_tokens WHERE account = ? AND "
          "region = ? AND token = ? AND expires > ?")


def lookup_args(token: ClientToken, now: float) -> tuple[str, str, str, float]:
    """The parameters of ``LOOKUP`` for this token at ``now``."""
    return token.account, token.region, token.token, now


def answer(row: Sequence[Any] | None, token: ClientToken) -> dict[str, Any] | None:
    """The recorded response in a ``LOOKUP`` row (None: unseen or expired), or the
    mismatch error when the token was used with another request."""
    if row is None:
        return None
    if row[0] != token.digest:
        raise exc.IdempotentParameterMismatchException(
            "One or more parameter values were invalid: The ClientRequestToken has "
            "already been used with a different request")
    response: dict[str, Any] = json.loads(row[1])
    return response


def replay(conn: sqlite3.Connection, token: ClientToken, now: float) -> dict[str, Any] | None:
    """``answer`` for this token, read in the caller's transaction."""
    return answer(conn.execute(LOOKUP, lookup_args(token, now)).fetchone(), token)


def record(conn: sqlite3.Connection, token: ClientToken, response: Mapping[str, Any],
           now: float) -> None:
    """Remember a successful call's response (replacing an expired use of the token)."""
    conn.execute(
        "INSERT OR REPLACE INTO dynamodb_client_tokens (account, region, token, digest, "
        "response, expires) VALUES (?, ?, ?, ?, ?, ?)",
        (token.account, token.region, token.token, token.digest, json.dumps(response),
         now + TOKEN_SECONDS))


def sweep(conn: sqlite3.Connection, now: float) -> int:
    """Delete the expired tokens; returns how many."""
    return conn.execute("DELETE FROM dynamodb_client_tokens WHERE expires <= ?",
                        (now,)).rowcount
