"""Opaque page tokens: the sort key of the last item returned, in URL-safe base64 JSON."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence

from nubes.services.logs import exceptions as exc

Key = tuple[int | str, ...]


def encode(key: Sequence[int | str]) -> str:
    raw = json.dumps(list(key), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(token: str, types: Sequence[type]) -> Key:
    """The key a token carries, checked against the types expected; a bad token is
    AWS's InvalidParameterException."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError):
        raise exc.invalid_token() from None
    if (not isinstance(values, list) or len(values) != len(types)
            or not all(type(value) is kind for value, kind in zip(values, types, strict=True))):
        raise exc.invalid_token()
    return tuple(values)
