"""Attribute values: AWS's validation messages, number normalisation, item sizes, and the
order of the key encoding."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nubes.errors import ValidationError
from nubes.services.dynamodb import types
from nubes.services.dynamodb.types import (
    add_numbers,
    check_item_key,
    check_item_size,
    check_key,
    encode_key,
    encode_number,
    item_size,
    normalize_number,
    validate_item,
    validate_value,
)

INVALID = "One or more parameter values were invalid: "


def message(value: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        validate_value(value)
    return caught.value.message


@pytest.mark.parametrize(("text", "expected"), [
    ("1.50", "1.5"), ("1e3", "1000"), ("-0", "0"), ("0.000", "0"), ("+.5", "0.5"),
    ("5.", "5"), ("-12.3400", "-12.34"), ("1E-3", "0.001"), ("00012", "12"),
    ("1.2345E+2", "123.45"), ("1E-130", "0." + "0" * 129 + "1"),
    ("9.9999999999999999999999999999999999999E+125", "9" * 38 + "0" * 88),
])
def test_numbers_are_normalized(text: str, expected: str) -> None:
    assert normalize_number(text) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ({"N": "x"}, "The parameter cannot be converted to a numeric value: x"),
    ({"N": ""}, "The parameter cannot be converted to a numeric value: "),
    ({"N": "1_000"}, "The parameter cannot be converted to a numeric value: 1_000"),
    ({"N": "Infinity"}, "The parameter cannot be converted to a numeric value: Infinity"),
    ({"N": "1" * 39}, "Attempting to store more than 38 significant digits in a Number"),
    ({"N": "-1." + "2" * 38}, "Attempting to store more than 38 significant digits in a Number"),
    ({"N": "1e126"}, types.OVERFLOW),
    ({"N": "-1e126"}, types.OVERFLOW),
    ({"N": "1e-131"}, types.UNDERFLOW),
    ({"NS": ["1", "b"]}, "The parameter cannot be converted to a numeric value: b"),
    ({}, types.EMPTY_VALUE),
    ({"S": "a", "N": "1"}, types.MANY_TYPES),
    ({"S": "a", "N": "b"}, "The parameter cannot be converted to a numeric value: b"),
    ({"NULL": False}, INVALID + "Null attribute value types must have the value of true"),
    ({"SS": []}, INVALID + "An string set  may not be empty"),
    ({"NS": []}, INVALID + "An number set  may not be empty"),
    ({"BS": []}, INVALID + "Binary sets should not be empty"),
    ({"SS": ["a", "a"]}, INVALID + "Input collection [a, a] contains duplicates."),
    ({"NS": ["1", "1.0"]}, INVALID + "Input collection contains duplicates"),
    ({"BS": [b"b", b"b"]},
     INVALID + "Input collection [Yg==, Yg==]of type BS contains duplicates."),
    ({"L": [{"M": {"x": {"SS": []}}}]}, INVALID + "An string set  may not be empty"),
])
def test_invalid_values_get_aws_messages(value: Any, expected: str) -> None:
    assert message(value) == expected


def test_valid_values_are_normalized_deeply() -> None:
    item = validate_item({
        "a": {"S": ""}, "b": {"B": b""}, "n": {"N": "1.50"}, "ns": {"NS": ["1e1", "2"]},
        "l": {"L": [{"N": "-0"}, {"NULL": True}]}, "m": {"M": {"x": {"N": "01"}}},
        "ss": {"SS": ["", "x"]}, "t": {"BOOL": False},
    })
    assert item["n"] == {"N": "1.5"}
    assert item["ns"] == {"NS": ["10", "2"]}
    assert item["l"] == {"L": [{"N": "0"}, {"NULL": True}]}
    assert item["m"] == {"M": {"x": {"N": "1"}}}
    assert item["a"] == {"S": ""} and item["b"] == {"B": b""}


def test_arithmetic_is_exact_and_bounded() -> None:
    assert add_numbers("0.1", "0.2") == "0.3"
    assert add_numbers("1" + "0" * 37, "1") == "1" + "0" * 36 + "1"
    with pytest.raises(ValidationError, match="38 significant digits"):
        add_numbers("1" + "0" * 38, "1")
    with pytest.raises(ValidationError, match="overflow"):
        add_numbers("9.9999999999999999999999999999999999999E+125", "1E+125")


# -- keys ---------------------------------------------------------------------------------


def key_error(item: Any, name: str = "k", kind: str = "S", *, sort_key: bool = False) -> str:
    with pytest.raises(ValidationError) as caught:
        check_item_key(item, name, kind, sort_key=sort_key)
    return caught.value.message


def test_key_attribute_errors() -> None:
    assert key_error({}) == INVALID + "Missing the key k in the item"
    assert key_error({"k": {"N": "1"}}) == (
        INVALID + "Type mismatch for key k expected: S actual: N")
    assert key_error({"k": {"S": ""}}) == (
        "One or more parameter values are not valid. The AttributeValue for a key attribute "
        "cannot contain an empty string value. Key: k")
    assert key_error({"k": {"B": b""}}, kind="B").endswith("empty binary value. Key: k")
    assert key_error({"k": {"S": "a" * 2049}}) == (
        INVALID + "Size of hashkey has exceeded the maximum size limit of2048 bytes")
    assert key_error({"k": {"S": "a" * 1025}}, sort_key=True) == (
        INVALID + "Aggregated size of all range keys has exceeded the size limit of 1024 bytes")
    check_item_key({"k": {"S": "a" * 2048}}, "k", "S", sort_key=False)
    check_item_key({"k": {"S": "a" * 1024}}, "k", "S", sort_key=True)


def test_key_parameter_must_match_schema() -> None:
    schema = [("p", "S"), ("s", "N")]
    assert check_key({"p": {"S": "a"}, "s": {"N": "1"}}, schema) == [b"a", encode_number("1")]
    for key in ({"p": {"S": "a"}}, {"p": {"S": "a"}, "s": {"S": "1"}},
                {"p": {"S": "a"}, "s": {"N": "1"}, "x": {"S": "y"}}):
        with pytest.raises(ValidationError, match="does not match the schema"):
            check_key(key, schema)


# -- sizes --------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "size"), [
    ({"S": "abc"}, 3), ({"S": "é"}, 2), ({"B": b"\x00\x01"}, 2), ({"BOOL": True}, 1),
    ({"NULL": True}, 1), ({"N": "0"}, 1), ({"N": "1"}, 2), ({"N": "12"}, 2),
    ({"N": "1.2"}, 3), ({"N": "-1"}, 3), ({"N": "1" * 38}, 20), ({"N": "11111"}, 4),
    ({"SS": ["ab", "c"]}, 3), ({"L": [{"S": "ab"}, {"N": "1"}]}, 3 + 1 + 2 + 1 + 2),
    ({"M": {"ab": {"S": "c"}}}, 3 + 1 + 2 + 1), ({"L": []}, 3), ({"M": {}}, 3),
])
def test_value_sizes_follow_aws(value: Any, size: int) -> None:
    assert item_size({"": value}) == size


def test_item_size_limit() -> None:
    limit = 400 * 1024
    assert check_item_size({"a": {"S": "x" * (limit - 1)}}) == limit
    with pytest.raises(ValidationError) as caught:
        check_item_size({"a": {"S": "x" * limit}})
    assert caught.value.message == "Item size has exceeded the maximum allowed size"


# -- the order of encoded keys ------------------------------------------------------------

_digits = st.integers(min_value=0, max_value=10**38 - 1)
_numbers = st.one_of(
    # Decimal("dE±e") is exact (scaleb would round to the context's 28 digits).
    st.builds(lambda d, e: Decimal(f"{d}E{e}"), _digits, st.integers(-130, 88)),
    st.builds(lambda d, e: Decimal(f"-{d}E{e}"), _digits, st.integers(-130, 88)),
    st.sampled_from([Decimal(0), Decimal("1E-130"), Decimal("-1E-130"),
                     Decimal("9" * 38 + "E+88"), Decimal("-" + "9" * 38 + "E+88")]),
).filter(lambda d: d == 0 or -130 <= d.adjusted() <= 125)


@given(_numbers, _numbers)
def test_number_encoding_orders_as_decimals(left: Decimal, right: Decimal) -> None:
    a, b = encode_number(str(left)), encode_number(str(right))
    assert (a < b) == (left < right)
    assert (a == b) == (left == right)


_text = st.text(st.characters(exclude_categories=["Cs"]))


@given(_text, _text)
def test_string_encoding_orders_by_code_point(left: str, right: str) -> None:
    # DynamoDB orders strings by UTF-8 bytes, which is code point order.
    assert (encode_key({"S": left}) < encode_key({"S": right})) == (left < right)


def test_number_encoding_examples() -> None:
    ordered = ["-1e125", "-100", "-12.5", "-12.34", "-12.3", "-1", "-0.001", "0", "1E-130",
               "0.001", "1", "1.5", "12", "12.01", "100", "9" * 38 + "E+88"]
    encoded = [encode_number(text) for text in ordered]
    assert encoded == sorted(encoded)
    assert len(set(encoded)) == len(encoded)
    assert encode_number("1.50") == encode_number("1.5") == encode_number("15e-1")
