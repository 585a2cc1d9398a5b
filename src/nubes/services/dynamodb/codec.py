"""The stored form of an item: compact JSON of its wire form.

JSON (not pickle or marshal) because the file must stay readable by any later Python and
by the PostgreSQL backend, and it costs a few microseconds per item. Binary values
(``B``, ``BS``) are not JSON: an item holding any is stored with a leading ``\\x01`` and
its bytes as base64 text, and only such items pay for the walk that restores them.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from nubes.services.dynamodb.types import AttributeValue, Item

_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_loads = json.JSONDecoder().decode
_BINARY = "\x01"


def encode_item(item: Item) -> str:
    try:
        return _dumps(item)
    except TypeError:
        return _BINARY + _dumps(_map_binary(item, _to_text))


def decode_item(text: str) -> Item:
    if text[:1] == _BINARY:
        return _map_binary(_loads(text[1:]), base64.b64decode)
    item: Item = _loads(text)
    return item


def _to_text(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _map_binary(item: dict[str, AttributeValue], convert: Any) -> Item:
    return {name: _map_value(value, convert) for name, value in item.items()}


def _map_value(value: AttributeValue, convert: Any) -> AttributeValue:
    ((kind, data),) = value.items()
    if kind == "B":
        return {"B": convert(data)}
    if kind == "BS":
        return {"BS": [convert(member) for member in data]}
    if kind == "L":
        return {"L": [_map_value(element, convert) for element in data]}
    if kind == "M":
        return {"M": _map_binary(data, convert)}
    return value
