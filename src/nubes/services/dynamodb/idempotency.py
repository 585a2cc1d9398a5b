"""TransactWriteItems' ClientRequestToken: a token is good for ten minutes.

The same token with the same request answers the first call's result again without
writing; the same token with another request is IdempotentParameterMismatchException.
Kept in the provider's memory (a restart forgets tokens), bounded in size.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import OrderedDict
from typing import Any

from nubes.services.dynamodb import exceptions as exc

TOKEN_SECONDS = 600.0
MAX_TOKENS = 10_000


def fingerprint(request: Any) -> str:
    """A digest of a request's content (bytes as hex), independent of key order."""
    text = json.dumps(request, sort_keys=True, default=lambda b: bytes(b).hex())
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class TokenCache:
    """Tokens of one account -> (request fingerprint, result, when)."""

    def __init__(self) -> None:
        self._entries: OrderedDict[tuple[str, str], tuple[str, dict[str, Any], float]] = (
            OrderedDict())

    def replay(self, account: str, token: str, digest: str) -> dict[str, Any] | None:
        """The earlier result for this token, None if unseen, or the mismatch error."""
        self._expire()
        entry = self._entries.get((account, token))
        if entry is None:
            return None
        if entry[0] != digest:
            raise exc.IdempotentParameterMismatchException(
                "One or more parameter values were invalid: The ClientRequestToken has "
                "already been used with a different request")
        return entry[1]

    def record(self, account: str, token: str, digest: str, result: dict[str, Any]) -> None:
        self._entries[(account, token)] = (digest, result, time.monotonic())
        while len(self._entries) > MAX_TOKENS:
            self._entries.popitem(last=False)

    def _expire(self) -> None:
        cutoff = time.monotonic() - TOKEN_SECONDS
        while self._entries:
            oldest = next(iter(self._entries.values()))
            if oldest[2] >= cutoff:
                return
            self._entries.popitem(last=False)
