"""DynamoDB attribute values in their wire form: validation, numbers, sizes, key encoding.

An attribute value is a one-member dict (``{"S": "x"}``, ``{"N": "1.5"}``, ``{"B": b"..."}``,
``{"SS": [...]}``, ``{"NS": [...]}``, ``{"BS": [...]}``, ``{"BOOL": True}``,
``{"NULL": True}``, ``{"L": [...]}``, ``{"M": {...}}``); an item maps attribute names to
them. Numbers are decimal text, never floats: ``normalize_number`` turns any accepted
spelling into the text DynamoDB returns ("1.50" -> "1.5", "1e3" -> "1000", "-0" -> "0").

Every violation raises ``ValidationError`` (ValidationException) with AWS's wording.
``encode_key`` turns a key value into bytes whose order is DynamoDB's order for that
type (UTF-8 bytes for S, raw bytes for B, numeric for N): the store sorts by them.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping
from decimal import Context, Decimal
from typing import Any

from nubes.errors import ValidationError

AttributeValue = dict[str, Any]
Item = dict[str, AttributeValue]

MAX_ITEM_SIZE = 400 * 1024
MAX_PARTITION_KEY_SIZE = 2048
MAX_SORT_KEY_SIZE = 1024
MAX_DIGITS = 38
# Adjusted exponent (of the first significant digit): 1E-130 .. 9.99...E+125.
MIN_EXPONENT = -130
MAX_EXPONENT = 125

INVALID = "One or more parameter values were invalid: "
NOT_VALID = "One or more parameter values are not valid. "
NOT_NUMERIC = "The parameter cannot be converted to a numeric value"
TOO_MANY_DIGITS = "Attempting to store more than 38 significant digits in a Number"
OVERFLOW = (
    "Number overflow. Attempting to store a number with magnitude larger than supported range"
)
UNDERFLOW = (
    "Number underflow. Attempting to store a number with magnitude smaller than supported range"
)
EMPTY_VALUE = (
    "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
)
MANY_TYPES = (
    "Supplied AttributeValue has more than one datatypes set, "
    "must contain exactly one of the supported datatypes"
)
ITEM_TOO_LARGE = "Item size has exceeded the maximum allowed size"
KEY_TYPES = ("S", "N", "B")
TYPES = frozenset({"S", "N", "B", "SS", "NS", "BS", "BOOL", "NULL", "L", "M"})

# What BigDecimal (DynamoDB's parser) accepts: no spaces, underscores, "Infinity" or "NaN".
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


# -- numbers ------------------------------------------------------------------------------


def _digits(text: str) -> tuple[int, str, int]:
    """(sign, significant digits, adjusted exponent) of a number, validated; "0" for zero."""
    if not isinstance(text, str) or not _NUMBER.fullmatch(text):
        raise ValidationError(f"{NOT_NUMERIC}: {text}")
    sign, digit_tuple, exponent = Decimal(text).as_tuple()
    assert isinstance(exponent, int)
    digits = "".join(map(str, digit_tuple)).lstrip("0")
    if not digits:
        return 0, "0", 0
    stripped = digits.rstrip("0")
    exponent += len(digits) - len(stripped)
    adjusted = exponent + len(stripped) - 1
    if adjusted > MAX_EXPONENT:
        raise ValidationError(OVERFLOW)
    if adjusted < MIN_EXPONENT:
        raise ValidationError(UNDERFLOW)
    if len(stripped) > MAX_DIGITS:
        raise ValidationError(TOO_MANY_DIGITS)
    return (-1 if sign else 1), stripped, adjusted


def _format(sign: int, digits: str, adjusted: int) -> str:
    if sign == 0:
        return "0"
    point = adjusted + 1  # digits before the decimal point
    if point >= len(digits):
        body = digits + "0" * (point - len(digits))
    elif point > 0:
        body = f"{digits[:point]}.{digits[point:]}"
    else:
        body = "0." + "0" * -point + digits
    return "-" + body if sign < 0 else body


def normalize_number(text: str) -> str:
    """Validate a number's text and return it as DynamoDB returns it (no exponent, no
    insignificant zeros)."""
    return _format(*_digits(text))


def to_decimal(text: str) -> Decimal:
    """The exact value of a (valid) number's text."""
    return Decimal(text)


def from_decimal(value: Decimal) -> str:
    """A computed number (e.g. SET a = a + :b) as DynamoDB stores it, or the error it
    gives when the result does not fit (range, 38 digits)."""
    if not value.is_finite():
        raise ValidationError(OVERFLOW)
    return normalize_number(f"{value:E}" if value else "0")


def add_numbers(left: str, right: str) -> str:
    """left + right, exactly, as a stored number."""
    return from_decimal(_EXACT.add(Decimal(left), Decimal(right)))


def subtract_numbers(left: str, right: str) -> str:
    """left - right, exactly, as a stored number."""
    return from_decimal(_EXACT.subtract(Decimal(left), Decimal(right)))


# Enough precision that a sum of two valid numbers is exact (exponents span ~256 digits);
# a Context is only read here, never changed.
_EXACT = Context(prec=400, Emax=999_999, Emin=-999_999)


# -- validation ---------------------------------------------------------------------------


def validate_item(item: Mapping[str, Any]) -> Item:
    """A request's item (or key, or expression value map) validated, numbers normalized."""
    return {name: validate_value(value) for name, value in item.items()}


def validate_value(value: Any) -> AttributeValue:
    """One attribute value validated; the returned copy has its numbers normalized."""
    if not isinstance(value, dict) or not value:
        raise ValidationError(EMPTY_VALUE)
    if len(value) > 1:
        _check_each_member(value)
        raise ValidationError(MANY_TYPES)
    ((kind, data),) = value.items()
    if kind == "S" or kind == "B" or kind == "BOOL":
        return value
    if kind == "N":
        return {"N": normalize_number(data)}
    if kind == "NULL":
        if data is not True:
            raise ValidationError(
                INVALID + "Null attribute value types must have the value of true")
        return value
    if kind == "L":
        return {"L": [validate_value(element) for element in data]}
    if kind == "M":
        return {"M": validate_item(data)}
    if kind in ("SS", "NS", "BS"):
        return _validate_set(kind, data)
    raise ValidationError(EMPTY_VALUE)


def _check_each_member(value: dict[str, Any]) -> None:
    """With several types set, AWS still reports an invalid member first (as a number)."""
    for kind, data in value.items():
        if kind in TYPES:
            validate_value({kind: data})


def _validate_set(kind: str, members: list[Any]) -> AttributeValue:
    if not members:
        raise ValidationError(INVALID + _EMPTY_SET[kind])
    if kind == "NS":
        normalized = [normalize_number(member) for member in members]
        if len(set(normalized)) != len(normalized):
            raise ValidationError(INVALID + "Input collection contains duplicates")
        return {"NS": normalized}
    if len(set(members)) != len(members):
        raise ValidationError(INVALID + _duplicates(kind, members))
    return {kind: members}


_EMPTY_SET = {
    "SS": "An string set  may not be empty",
    "NS": "An number set  may not be empty",
    "BS": "Binary sets should not be empty",
}


def _duplicates(kind: str, members: list[Any]) -> str:
    if kind == "BS":
        shown = ", ".join(base64.b64encode(member).decode("ascii") for member in members)
        return f"Input collection [{shown}]of type BS contains duplicates."
    return f"Input collection [{', '.join(members)}] contains duplicates."


def value_type(value: AttributeValue) -> str:
    """The type descriptor of a (valid) attribute value: "S", "N", "M", ..."""
    return next(iter(value))


# -- keys ---------------------------------------------------------------------------------


def check_item_key(item: Item, name: str, expected: str, *, sort_key: bool) -> bytes:
    """Validate an item's (PutItem's) key attribute; returns its encoding."""
    value = item.get(name)
    if value is None:
        raise ValidationError(f"{INVALID}Missing the key {name} in the item")
    actual = value_type(value)
    if actual != expected:
        raise ValidationError(
            f"{INVALID}Type mismatch for key {name} expected: {expected} actual: {actual}"
        )
    return _checked_key(name, value, actual, sort_key=sort_key)


def check_key(key: Item, schema: Iterable[tuple[str, str]]) -> list[bytes]:
    """Validate a Key parameter against ((name, type), ...) of the key schema (partition
    first); returns the encodings in schema order."""
    names = list(schema)
    if len(key) != len(names):
        raise ValidationError("The provided key element does not match the schema")
    encoded = []
    for position, (name, expected) in enumerate(names):
        value = key.get(name)
        if value is None or value_type(value) != expected:
            raise ValidationError("The provided key element does not match the schema")
        encoded.append(_checked_key(name, value, expected, sort_key=position > 0))
    return encoded


def _checked_key(name: str, value: AttributeValue, kind: str, *, sort_key: bool) -> bytes:
    data = value[kind]
    if kind != "N" and not data:
        what = "string" if kind == "S" else "binary"
        raise ValidationError(
            f"{NOT_VALID}The AttributeValue for a key attribute cannot contain an empty "
            f"{what} value. Key: {name}"
        )
    size = _scalar_size(kind, data)
    if sort_key and size > MAX_SORT_KEY_SIZE:
        raise ValidationError(
            INVALID + "Aggregated size of all range keys has exceeded the size limit of 1024 bytes"
        )
    if not sort_key and size > MAX_PARTITION_KEY_SIZE:
        raise ValidationError(
            INVALID + "Size of hashkey has exceeded the maximum size limit of2048 bytes"
        )
    return encode_key(value)


def encode_key(value: AttributeValue) -> bytes:
    """The order-preserving encoding of a key value (S, N or B)."""
    ((kind, data),) = value.items()
    if kind == "S":
        encoded: bytes = data.encode("utf-8")
        return encoded
    if kind == "N":
        return encode_number(data)
    if kind == "B":
        return bytes(data)
    raise ValueError(f"not a key type: {kind}")


def encode_number(text: str) -> bytes:
    """Bytes whose memcmp order is the numeric order of valid numbers.

    Layout: a class byte (1 negative, 2 zero, 3 positive); then, with the value written
    0.d1d2... x 10^E, the exponent E as one byte (E + 129 spans 0..255 over the valid
    range), then the digits in base-100 pairs (the last padded with a 0). Negatives invert
    the exponent and the pairs, and end with 0xFF so that a longer digit string (a more
    negative number) sorts first. Trailing zeros are never encoded, so equal numbers have
    equal bytes.
    """
    sign, digits, adjusted = _digits(text)
    if sign == 0:
        return b"\x02"
    if len(digits) % 2:
        digits += "0"
    pairs = [int(digits[i : i + 2]) for i in range(0, len(digits), 2)]
    exponent = adjusted - MIN_EXPONENT  # E + 129 with E = adjusted + 1: 0..255
    if sign > 0:
        return bytes((3, exponent, *pairs))
    return bytes((1, 255 - exponent, *(99 - pair for pair in pairs), 255))


# -- sizes --------------------------------------------------------------------------------


def item_size(item: Mapping[str, AttributeValue]) -> int:
    """An item's size as DynamoDB counts it against the 400 KB limit and capacity."""
    return sum(len(name.encode("utf-8")) + value_size(value) for name, value in item.items())


def check_item_size(item: Mapping[str, AttributeValue]) -> int:
    """The item's size, or the ValidationException for an item over 400 KB."""
    size = item_size(item)
    if size > MAX_ITEM_SIZE:
        raise ValidationError(ITEM_TOO_LARGE)
    return size


def value_size(value: AttributeValue) -> int:
    ((kind, data),) = value.items()
    if kind in ("S", "N", "B"):
        return _scalar_size(kind, data)
    if kind == "BOOL" or kind == "NULL":
        return 1
    if kind == "L":
        return 3 + sum(1 + value_size(element) for element in data)
    if kind == "M":
        return 3 + len(data) + item_size(data)
    member_kind = kind[0]
    return sum(_scalar_size(member_kind, member) for member in data)


def _scalar_size(kind: str, data: Any) -> int:
    if kind == "S":
        return len(data.encode("utf-8")) if not data.isascii() else len(data)
    if kind == "B":
        return len(data)
    return number_size(data)


def number_size(text: str) -> int:
    """Bytes DynamoDB stores a number in: base-100 digit pairs aligned on the exponent,
    one more byte for the exponent, one for a negative sign."""
    sign, digits, adjusted = _digits(text)
    if sign == 0:
        return 1
    count = len(digits)
    pairs = (count + 1) // 2
    unaligned = count % 2 == 0 and adjusted % 2 == 0
    return 1 + pairs + (1 if unaligned else 0) + (1 if sign < 0 else 0)
