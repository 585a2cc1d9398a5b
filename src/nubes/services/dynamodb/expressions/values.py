"""Attribute values in wire form, as the expressions see them: types, equality, order, size.

An attribute value is a one-member dict, ``{"S": "x"}``, ``{"N": "1.5"}`` and so on.
Numbers compare as ``decimal.Decimal`` (never float), strings by their UTF-8 bytes (which
is code-point order, Python's own ``str`` order) and binaries by bytes; sets compare as
sets, number sets numerically.
"""

from __future__ import annotations

from decimal import Context, Decimal
from typing import Any

AttributeValue = dict[str, Any]
Item = dict[str, AttributeValue]

SCALAR_ORDERED = frozenset({"S", "N", "B"})
SET_TYPES = frozenset({"SS", "NS", "BS"})
ALL_TYPES = ("B", "NULL", "SS", "BOOL", "L", "BS", "N", "NS", "S", "M")
# The type names AWS uses in update operand messages (ALLOWED_FOR_ADD_OPERAND).
LONG_TYPE_NAMES = {
    "S": "STRING",
    "N": "NUMBER",
    "B": "BINARY",
    "BOOL": "BOOLEAN",
    "NULL": "NULL",
    "L": "LIST",
    "M": "MAP",
    "SS": "STRING_SET",
    "NS": "NUMBER_SET",
    "BS": "BINARY_SET",
}
# DynamoDB numbers carry 38 significant digits.
NUMBER_CONTEXT = Context(prec=38)


def type_of(value: AttributeValue) -> str:
    """The type code of a value (``"S"``, ``"NS"``, ...)."""
    return next(iter(value))


def number(text: str) -> Decimal:
    return Decimal(text)


def format_number(value: Decimal) -> str:
    """A number as DynamoDB writes it: no exponent, no trailing zeros."""
    if value.is_zero():
        return "0"
    return format(value.normalize(NUMBER_CONTEXT), "f")


def as_bytes(value: Any) -> bytes:
    """A binary as bytes (values may still be base64 text if nothing decoded them)."""
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    return str(value).encode("utf-8")


def equal(a: AttributeValue, b: AttributeValue) -> bool:
    """DynamoDB's ``=``: same type and same value (sets as sets, numbers numerically)."""
    kind = type_of(a)
    if kind != type_of(b):
        return False
    x, y = a[kind], b[kind]
    if kind == "N":
        return bool(Decimal(x) == Decimal(y))
    if kind in SET_TYPES:
        return set_members(kind, x) == set_members(kind, y)
    if kind == "L":
        return len(x) == len(y) and all(equal(i, j) for i, j in zip(x, y, strict=True))
    if kind == "M":
        return x.keys() == y.keys() and all(equal(x[k], y[k]) for k in x)
    if kind == "B":
        return as_bytes(x) == as_bytes(y)
    return bool(x == y)


def set_members(kind: str, members: list[Any]) -> frozenset[Any]:
    """A set's members as comparable Python values."""
    if kind == "NS":
        return frozenset(Decimal(m) for m in members)
    if kind == "BS":
        return frozenset(as_bytes(m) for m in members)
    return frozenset(members)


def sort_key(value: AttributeValue) -> tuple[str, Any] | None:
    """A key ordering S, N and B values within their type; None for other types."""
    kind = type_of(value)
    if kind == "N":
        return ("N", Decimal(value["N"]))
    if kind == "S":
        return ("S", value["S"])
    if kind == "B":
        return ("B", as_bytes(value["B"]))
    return None


def size(value: AttributeValue) -> int | None:
    """``size()``: characters of a string, bytes of a binary, members of a collection."""
    kind = type_of(value)
    if kind in ("N", "BOOL", "NULL"):
        return None
    if kind == "B":
        return len(as_bytes(value["B"]))
    return len(value[kind])


def describe(value: AttributeValue) -> str:
    """A value as AWS prints it in messages: ``AttributeValue: {N:5}``."""
    kind = type_of(value)
    return f"AttributeValue: {{{kind}:{value[kind]}}}"
