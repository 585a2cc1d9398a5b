"""Seeded random values for botocore shapes, within what each protocol can represent.

Used by the round-trip tests: values go through botocore's client-side serializer and
our parser (requests), or our serializer and botocore's parser (responses). Exclusions,
each because the wire format cannot carry the value back unchanged:

- header values: printable ASCII without leading/trailing spaces (HTTP trims them);
  header lists non-empty (botocore omits empty ones) and, in responses, without commas
  or quotes (botocore's response parser splits on commas without unquoting);
- blob headers and header lists of timestamps are not generated (RFC 822 dates contain
  commas; no service we test has either);
- timestamps are whole seconds (RFC 822 and botocore's epoch serializer drop fractions);
- floats are exact binary fractions, so text and JSON forms round-trip exactly;
- no empty maps, nor empty flattened lists in XML, nor empty lists in rest query strings
  (all are sent as nothing at all), no empty query-protocol structures (likewise);
- strings in rest-xml requests have no carriage return (botocore does not escape it and
  XML parsers normalize it to a line feed); no XML-illegal control characters anywhere;
- no empty structure payloads (botocore sends "{}" for an absent rest-json payload);
- URI labels are non-empty; header-map (x-amz-meta-) keys are lower case, as HTTP
  servers hand them over;
- query-string map keys start with "zz" so they cannot collide with modeled keys.
"""

from __future__ import annotations

import random
import string
from datetime import UTC, datetime
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

_TEXT = string.ascii_letters + string.digits + " -_.~/%+&=?#:;,'\"<>!*()@$\n\té中"
_HEADER = string.ascii_letters + string.digits + " -_.~/%+&=?:;@"
_KEY = string.ascii_lowercase + string.digits + "-"
_FLOATS = (0.5, 1.25, -2.0, 3.0, 1024.75, 0.0)
MAX_DEPTH = 4


class ShapeGen:
    """Random values for one protocol and direction ("input" or "output")."""

    def __init__(self, rng: random.Random, protocol: str, direction: str) -> None:
        self.rng = rng
        self.protocol = protocol
        self.direction = direction

    # -- top level -------------------------------------------------------------------

    def top(self, shape: StructureShape | None) -> dict[str, Any]:
        if shape is None:
            return {}
        out: dict[str, Any] = {}
        for name, member in shape.members.items():
            location = member.serialization.get("location")
            if not self._wanted(shape, name, member, 0):
                continue
            if name == shape.serialization.get("payload") and member.type_name == "blob":
                out[name] = self._text(string.ascii_letters).encode()  # botocore decodes it
                continue
            value = self._located(member, location)
            if value == {} and name == shape.serialization.get("payload"):
                continue  # an empty rest-json payload is "{}", as an absent one is
            if value is not None:
                out[name] = value
        return out

    def _located(self, member: Shape, location: str | None) -> Any:
        if member.serialization.get("hostLabel"):
            return self._word(string.ascii_lowercase)
        if location == "header":
            return self._header(member)
        if location == "headers":
            return {
                self._word(_KEY): self._text(_HEADER, strip=True)
                for _ in range(self.rng.randint(1, 2))
            }
        if location == "uri":
            return self._uri(member)
        if location == "querystring":
            return self._query(member)
        if location == "statusCode":
            return 200
        return self.value(member, 1)

    def _wanted(self, parent: StructureShape, name: str, member: Shape, depth: int) -> bool:
        if member.serialization.get("eventstream") or member.serialization.get("hostLabel"):
            return member.serialization.get("hostLabel", False) or False
        if member.serialization.get("location") == "header" and member.type_name == "blob":
            return False
        if name in parent.required_members or member.serialization.get("location") in _ALWAYS:
            return True
        return depth < MAX_DEPTH and self.rng.random() < 0.6

    # -- locations -------------------------------------------------------------------

    def _header(self, member: Shape) -> Any:
        if member.type_name == "list":
            return [self._header_scalar(member.member) for _ in range(self.rng.randint(1, 2))]
        if member.serialization.get("jsonvalue"):
            return {"a": [1, "b"], "c": True}
        return self._header_scalar(member)

    def _header_scalar(self, shape: Shape) -> Any:
        if shape.type_name == "string" and not shape.enum:
            alphabet = _HEADER.replace(",", "") if self.direction == "output" else _HEADER
            return self._text(alphabet, strip=True)
        return self.value(shape, MAX_DEPTH)

    def _uri(self, member: Shape) -> Any:
        if member.serialization.get("hostLabel"):
            return self._word(string.ascii_lowercase)
        if member.type_name == "string" and not member.enum:
            return "k" + self._text(_TEXT.replace("\n", "").replace("\t", ""))
        return self.value(member, MAX_DEPTH)

    def _query(self, member: Shape) -> Any:
        if isinstance(member, MapShape):
            if isinstance(member.value, ListShape):
                return {"zz" + self._word(_KEY): ["v1", "v2"]}
            return {"zz" + self._word(_KEY): self._text(_TEXT)}
        if isinstance(member, ListShape):
            return [self.value(member.member, MAX_DEPTH) for _ in range(self.rng.randint(1, 2))]
        return self.value(member, MAX_DEPTH)

    # -- values by type --------------------------------------------------------------

    def value(self, shape: Shape, depth: int) -> Any:
        if isinstance(shape, StructureShape):
            return self._structure(shape, depth)
        if isinstance(shape, ListShape):
            return self._list(shape, depth)
        if isinstance(shape, MapShape):
            return self._map(shape, depth)
        return self._scalar(shape)

    def _structure(self, shape: StructureShape, depth: int) -> Any:
        if shape.is_document_type:
            return {"doc": [1, "two", {"three": None}], "flag": False}
        if shape.is_tagged_union:
            return self._union(shape, depth)
        out: dict[str, Any] = {}
        for name, member in shape.members.items():
            if member.serialization.get("eventstream"):
                continue
            if self._wanted(shape, name, member, depth):
                out[name] = self.value(member, depth + 1)
        if not out and self.protocol == "query" and shape.members:
            name, member = next(iter(shape.members.items()))
            out[name] = self.value(member, MAX_DEPTH + 1)
        return out

    def _union(self, shape: StructureShape, depth: int) -> dict[str, Any]:
        names = list(shape.members)
        if depth >= MAX_DEPTH:
            scalars = [n for n in names if shape.members[n].type_name not in _COMPOUND]
            names = scalars or names
        name = self.rng.choice(names)
        return {name: self.value(shape.members[name], depth + 1)}

    def _list(self, shape: ListShape, depth: int) -> list[Any]:
        low = 1 if self._never_empty(shape) else 0
        high = low if depth >= MAX_DEPTH else 2
        return [self.value(shape.member, depth + 1) for _ in range(self.rng.randint(low, high))]

    def _never_empty(self, shape: Shape) -> bool:
        flattened = bool(shape.serialization.get("flattened"))
        return flattened and self.protocol in ("rest-xml", "query")

    def _map(self, shape: MapShape, depth: int) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for _ in range(1 if depth >= MAX_DEPTH else self.rng.randint(1, 2)):
            key = self._scalar(shape.key) if shape.key.enum else "k" + self._word(_KEY)
            out[key] = self.value(shape.value, depth + 1)
        return out

    def _scalar(self, shape: Shape) -> Any:
        type_name = shape.type_name
        rng = self.rng
        if type_name == "string":
            if shape.enum:
                return rng.choice(shape.enum)
            return self._text(self._alphabet())
        if type_name in ("integer", "long"):
            return rng.randint(0, 10**6 if type_name == "integer" else 2**40)
        if type_name in ("float", "double"):
            return rng.choice(_FLOATS)
        if type_name == "boolean":
            return rng.random() < 0.5
        if type_name == "timestamp":
            return datetime.fromtimestamp(rng.randint(0, 2 * 10**9), UTC)
        if type_name == "blob":
            return bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        raise AssertionError(f"no generator for {type_name}")

    def _alphabet(self) -> str:
        if self.protocol == "rest-xml" and self.direction == "input":
            return _TEXT
        return _TEXT + "\r"

    def _text(self, alphabet: str, *, strip: bool = False) -> str:
        chars = [self.rng.choice(alphabet) for _ in range(self.rng.randint(1, 10))]
        text = "".join(chars)
        return (text.strip() or "x") if strip else text

    def _word(self, alphabet: str) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(self.rng.randint(1, 6)))


_COMPOUND = ("structure", "list", "map")
# URI labels must be filled in; botocore always reports the status code.
_ALWAYS = ("uri", "statusCode")
