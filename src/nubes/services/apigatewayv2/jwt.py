"""JWT authorizers: a token checked as API Gateway checks it.

The token (the identity source's value, a leading ``Bearer `` dropped) must be a JWS
signed with an RSA algorithm (RS256/RS384/RS512: API Gateway takes no other) by the key
its header's ``kid`` names in the issuer's JWKS, found
at ``<issuer>/.well-known/openid-configuration`` -> ``jwks_uri`` and kept (fetched again
when a token names a key id it does not hold, at most once per ``refetch_s``). Its
``iss`` must be the configured issuer, its ``aud`` (or, without ``aud``, its
``client_id``) one of the configured audiences, ``exp`` in the future and ``nbf`` (when
present) in the past. Any failure is 401 ``Unauthorized``; a route's scopes missing
from the token's ``scope``/``scp`` is 403 ``Forbidden``.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512}
_FETCH_TIMEOUT_S = 1.5  # API Gateway gives the JWKS endpoint 1,500 ms


class InvalidToken(Exception):
    """The token is malformed, not valid now, or not signed by the issuer (the message
    is the ``error_description`` of the answer's ``www-authenticate`` header)."""


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _int(text: str) -> int:
    return int.from_bytes(_b64(text), "big")


def public_key(jwk: Mapping[str, Any]) -> rsa.RSAPublicKey:
    if jwk.get("kty") != "RSA":
        raise InvalidToken("the key is not an RSA key")
    try:
        return rsa.RSAPublicNumbers(_int(jwk["e"]), _int(jwk["n"])).public_key()
    except (KeyError, ValueError, TypeError):
        raise InvalidToken("malformed key") from None


def _fetch_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=_FETCH_TIMEOUT_S) as response:  # noqa: S310
        return json.load(response)


@dataclass
class _Keys:
    keys: dict[str, dict[str, Any]] = field(default_factory=dict)
    fetched_at: float = float("-inf")


class JwksCache:
    """The issuers' signing keys, fetched on first use and again on an unknown key id."""

    def __init__(self, refetch_s: float = 60.0, fetch: Callable[[str], Any] = _fetch_json,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.refetch_s = refetch_s
        self.fetch = fetch
        self.clock = clock
        self._issuers: dict[str, _Keys] = {}

    async def key(self, issuer: str, kid: str) -> dict[str, Any]:
        held = self._issuers.setdefault(issuer, _Keys())
        found = held.keys.get(kid)
        if found is None and self.clock() - held.fetched_at >= self.refetch_s:
            held.fetched_at = self.clock()
            try:
                held.keys = await asyncio.to_thread(self._load, issuer)
            except (OSError, ValueError, KeyError, TypeError) as error:
                raise InvalidToken(f"cannot fetch the issuer's keys: {error}") from None
            found = held.keys.get(kid)
        if found is None:
            raise InvalidToken("no key of the issuer matches the token")
        return found

    def _load(self, issuer: str) -> dict[str, dict[str, Any]]:
        config = self.fetch(issuer.rstrip("/") + "/.well-known/openid-configuration")
        jwks = self.fetch(config["jwks_uri"])
        keys: dict[str, dict[str, Any]] = {}
        for jwk in jwks.get("keys", []):
            if isinstance(jwk, dict) and jwk.get("use", "sig") == "sig" and "kid" in jwk:
                keys[str(jwk["kid"])] = jwk
        return keys


def _verify(jwk: Mapping[str, Any], alg: str, signed: bytes, signature: bytes) -> None:
    bits = alg[2:] if alg.startswith("RS") else ""
    if bits not in _HASHES:
        raise InvalidToken(f"unsupported algorithm {alg}")
    try:
        public_key(jwk).verify(signature, signed, padding.PKCS1v15(), _HASHES[bits]())
    except InvalidSignature:
        raise InvalidToken("the token signature is invalid") from None


async def validate(token: str, issuer: str, audiences: Sequence[str], jwks: JwksCache,
                   now: float | None = None) -> dict[str, Any]:
    """The token's claims, once it is valid for this issuer and audience."""
    if token[:7].lower() == "bearer ":
        token = token[7:].strip()
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidToken("the token is not a valid JWT")
    try:
        header = json.loads(_b64(parts[0]))
        claims = json.loads(_b64(parts[1]))
        signature = _b64(parts[2])
    except (ValueError, UnicodeDecodeError):
        raise InvalidToken("the token is not a valid JWT") from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise InvalidToken("the token is not a valid JWT")
    alg = str(header.get("alg", ""))
    kid = header.get("kid")
    if not isinstance(kid, str):
        raise InvalidToken("the token names no key (kid)")
    jwk = await jwks.key(issuer, kid)
    _verify(jwk, alg, f"{parts[0]}.{parts[1]}".encode(), signature)
    moment = time.time() if now is None else now
    if claims.get("iss") != issuer:
        raise InvalidToken("the token does not have a valid issuer")
    audience = claims.get("aud", claims.get("client_id"))
    held = audience if isinstance(audience, list) else [audience]
    if not any(a in audiences for a in held if isinstance(a, str)):
        raise InvalidToken("the token does not have a valid audience")
    exp = claims.get("exp")
    if not isinstance(exp, (int, float)) or exp <= moment:
        raise InvalidToken("the token has expired")
    nbf = claims.get("nbf")
    if isinstance(nbf, (int, float)) and nbf > moment:
        raise InvalidToken("the token is not valid yet")
    return claims


def scopes_of(claims: Mapping[str, Any]) -> list[str]:
    value = claims.get("scope", claims.get("scp"))
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [str(v) for v in value]
    return []


def claims_for_event(claims: Mapping[str, Any]) -> dict[str, str]:
    """Claims as the event shows them: strings (a list as ``[a b]``)."""
    out: dict[str, str] = {}
    for key, value in claims.items():
        if isinstance(value, str):
            out[key] = value
        elif isinstance(value, list):
            out[key] = "[" + " ".join(str(v) for v in value) + "]"
        elif isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, (int, float)):
            out[key] = str(value)
        else:
            out[key] = json.dumps(value)
    return out
