"""EventBridge event patterns: AWS's documented examples, the error cases, and properties
that tie each filter to its plain-Python meaning."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from nubes.events.patterns import PatternError, compile_pattern

EC2_EVENT: dict[str, Any] = {
    "version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2",
    "account": "111122223333", "time": "2017-12-22T18:43:48Z", "region": "us-west-1",
    "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
    "detail": {"instance-id": "i-1234567890abcdef0", "state": "terminated",
               "c-count": 5, "d-count": 0.5, "x-limit": 301.8, "source-ip": "10.0.0.123",
               "FileName": "image.PNG", "c": None, "empty": "", "flag": False,
               "list": ["a", "b", 3], "obj": {"inner": "v"}},
}


def matches(pattern: dict[str, Any] | str, event: dict[str, Any] = EC2_EVENT) -> bool:
    return compile_pattern(pattern).matches(event)


def detail(**fields: Any) -> dict[str, Any]:
    return {"detail": fields}


@pytest.mark.parametrize(("pattern", "expected"), [
    ({"source": ["aws.ec2"]}, True),
    ({"source": ["aws.s3", "aws.ec2"]}, True),
    ({"source": ["aws.s3"]}, False),
    ({"source": ["aws.ec2"], "detail-type": ["Other"]}, False),
    (detail(state=["terminated"]), True),
    (detail(state=["Terminated"]), False),
    (detail(**{"c-count": [5]}), True),
    (detail(**{"c-count": [5.0]}), True),
    (detail(**{"c-count": ["5"]}), False),
    (detail(c=[None]), True),
    (detail(missing=[None]), False),
    (detail(empty=[""]), True),
    (detail(flag=[False]), True),
    (detail(flag=[0]), False),
    (detail(list=["b"]), True),
    (detail(list=[3]), True),
    (detail(list=["z"]), False),
    ({"resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"]}, True),
    (detail(obj={"inner": ["v"]}), True),
    (detail(obj=["v"]), False),  # an object is not a leaf value
])
def test_exact_values(pattern: dict[str, Any], expected: bool) -> None:
    assert matches(pattern) is expected


@pytest.mark.parametrize(("pattern", "expected"), [
    ({"time": [{"prefix": "2017-12-22"}]}, True),
    ({"time": [{"prefix": "2018"}]}, False),
    ({"source": [{"prefix": {"equals-ignore-case": "AWS.E"}}]}, True),
    (detail(FileName=[{"suffix": ".PNG"}]), True),
    (detail(FileName=[{"suffix": ".png"}]), False),
    (detail(FileName=[{"suffix": {"equals-ignore-case": ".png"}}]), True),
    (detail(state=[{"equals-ignore-case": "TERMINATED"}]), True),
    (detail(state=[{"equals-ignore-case": "running"}]), False),
    (detail(**{"c-count": [{"prefix": "5"}]}), False),  # prefix applies to strings only
    (detail(FileName=[{"wildcard": "*.PNG"}]), True),
    (detail(FileName=[{"wildcard": "im*e.*"}]), True),
    (detail(FileName=[{"wildcard": "*.png"}]), False),
    (detail(FileName=[{"wildcard": "image.PNG"}]), True),
    (detail(**{"source-ip": [{"cidr": "10.0.0.0/24"}]}), True),
    (detail(**{"source-ip": [{"cidr": "10.0.1.0/24"}]}), False),
    (detail(state=[{"cidr": "10.0.0.0/8"}]), False),
])
def test_string_filters(pattern: dict[str, Any], expected: bool) -> None:
    assert matches(pattern) is expected


def test_cidr_ipv6() -> None:
    pattern = detail(ip=[{"cidr": "2001:db8::/32"}])
    assert matches(pattern, detail(ip="2001:db8::1"))
    assert not matches(pattern, detail(ip="2001:db9::1"))


@pytest.mark.parametrize(("pattern", "expected"), [
    (detail(state=[{"anything-but": "initializing"}]), True),
    (detail(state=[{"anything-but": "terminated"}]), False),
    (detail(state=[{"anything-but": ["stopped", "terminated"]}]), False),
    (detail(**{"x-limit": [{"anything-but": 123}]}), True),
    (detail(**{"x-limit": [{"anything-but": [301.8, 100]}]}), False),
    (detail(missing=[{"anything-but": "x"}]), False),  # needs a value
    (detail(state=[{"anything-but": {"prefix": "term"}}]), False),
    (detail(state=[{"anything-but": {"prefix": "init"}}]), True),
    (detail(FileName=[{"anything-but": {"suffix": ".PNG"}}]), False),
    (detail(FileName=[{"anything-but": {"suffix": ".jpg"}}]), True),
    (detail(state=[{"anything-but": {"equals-ignore-case": "TERMINATED"}}]), False),
    (detail(state=[{"anything-but": {"equals-ignore-case": ["a", "b"]}}]), True),
    (detail(FileName=[{"anything-but": {"wildcard": "*.PNG"}}]), False),
    (detail(FileName=[{"anything-but": {"wildcard": ["*.jpg", "*.gif"]}}]), True),
    (detail(list=[{"anything-but": ["a", "b"]}]), True),  # the 3 is not excluded
    (detail(**{"c-count": [{"anything-but": [5]}]}), False),
    (detail(state=[{"anything-but": [5]}]), False),  # a numeric anything-but takes numbers
    (detail(**{"c-count": [{"anything-but": ["x"]}]}), True),
    (detail(c=[{"anything-but": {"prefix": "x"}}]), True),
])
def test_anything_but(pattern: dict[str, Any], expected: bool) -> None:
    assert matches(pattern) is expected


@pytest.mark.parametrize(("pattern", "expected"), [
    (detail(**{"c-count": [{"numeric": [">", 0, "<=", 5]}]}), True),
    (detail(**{"c-count": [{"numeric": [">", 0, "<", 5]}]}), False),
    (detail(**{"d-count": [{"numeric": ["<", 10]}]}), True),
    (detail(**{"x-limit": [{"numeric": ["=", 301.8]}]}), True),
    (detail(**{"x-limit": [{"numeric": [">=", 302]}]}), False),
    (detail(state=[{"numeric": [">", 0]}]), False),  # strings are not numbers
    (detail(list=[{"numeric": [">", 2]}]), True),
])
def test_numeric(pattern: dict[str, Any], expected: bool) -> None:
    assert matches(pattern) is expected


@pytest.mark.parametrize(("pattern", "expected"), [
    (detail(state=[{"exists": True}]), True),
    (detail(state=[{"exists": False}]), False),
    (detail(missing=[{"exists": False}]), True),
    (detail(missing=[{"exists": True}]), False),
    (detail(c=[{"exists": True}]), True),  # null is a value
    (detail(obj=[{"exists": True}]), False),  # only leaves exist
    (detail(obj=[{"exists": False}]), True),
    ({"nothing": {"deeper": [{"exists": False}]}}, True),
    ({"nothing": {"deeper": [{"exists": True}]}}, False),
    (detail(missing=[{"exists": False}, "x"]), True),
])
def test_exists(pattern: dict[str, Any], expected: bool) -> None:
    assert matches(pattern) is expected


def test_or_combines_with_the_other_fields() -> None:
    pattern = {"source": ["aws.ec2"], "$or": [
        detail(state=["running"]), detail(**{"c-count": [{"numeric": [">", 4]}]})]}
    assert matches(pattern)
    assert not matches({**pattern, "source": ["aws.s3"]})
    assert not matches({"$or": [detail(state=["running"]), {"source": ["x"]}]})
    nested = detail(**{"$or": [{"state": ["running"]}, {"state": ["terminated"]}]})
    assert matches(nested)


def test_nested_arrays_of_objects_match_within_one_element() -> None:
    event = {"detail": {"items": [{"k": "a", "v": 1}, {"k": "b", "v": 2}]}}
    assert matches({"detail": {"items": {"k": ["a"], "v": [1]}}}, event)
    assert not matches({"detail": {"items": {"k": ["a"], "v": [2]}}}, event)


def test_pattern_text_is_accepted() -> None:
    assert matches(json.dumps({"source": ["aws.ec2"]}))


@pytest.mark.parametrize("pattern", [
    "not json", "[]", "{}", '{"source": "aws.ec2"}', '{"source": []}',
    '{"source": [["nested"]]}', '{"source": [{"unknown": 1}]}',
    '{"source": [{"prefix": 1}]}', '{"source": [{"suffix": ["a"]}]}',
    '{"source": [{"exists": "yes"}]}', '{"source": [{"numeric": [">"]}]}',
    '{"source": [{"numeric": ["!=", 1]}]}', '{"source": [{"numeric": [">", "1"]}]}',
    '{"source": [{"numeric": [">", 5, "<", 1]}]}',
    '{"source": [{"numeric": [">", 1, ">", 2]}]}',
    '{"source": [{"numeric": ["=", 1, "<", 2]}]}',
    '{"source": [{"anything-but": null}]}', '{"source": [{"anything-but": [true]}]}',
    '{"source": [{"anything-but": {"numeric": [">", 1]}}]}',
    '{"source": [{"wildcard": "a**b"}]}', '{"source": [{"wildcard": "a\\\\b"}]}',
    '{"source": [{"cidr": "10.0.0.300/24"}]}', '{"source": [{"prefix": "a", "suffix": "b"}]}',
    '{"$or": [{"source": ["a"]}]}', '{"$or": ["a", "b"]}', '{"$or": {"source": ["a"]}}',
    '{"source": [{"anything-but": ["a", 1]}]}', '{"source": [{"anything-but": []}]}',
    '{"source": [{"anything-but": {"prefix": ""}}]}',
    '{"source": [{"numeric": ["<", 5, ">", 1]}]}', '{"source": [{"numeric": [">", 1, "<"]}]}',
    '{"source": [{"numeric": [">", 1, "<", 5, "<", 6]}]}', '{"source": [{"numeric": []}]}',
    '{"source": [{"equals-ignore-case": 5}]}',
])
def test_invalid_patterns(pattern: str) -> None:
    with pytest.raises(PatternError) as caught:
        compile_pattern(pattern)
    assert caught.value.message.startswith("Event pattern is not valid. Reason: ")


def test_wildcard_escapes() -> None:
    assert matches(detail(v=[{"wildcard": "a\\*b"}]), detail(v="a*b"))
    assert not matches(detail(v=[{"wildcard": "a\\*b"}]), detail(v="axb"))
    assert matches(detail(v=[{"wildcard": "a\\\\b"}]), detail(v="a\\b"))


# -- properties -------------------------------------------------------------------------

texts = st.text(max_size=12)
numbers = st.integers(-10**6, 10**6) | st.floats(-1e6, 1e6, allow_nan=False)


@given(texts, texts)
def test_exact_string_is_equality(expected: str, value: str) -> None:
    assert matches(detail(v=[expected]), detail(v=value)) is (value == expected)


@given(texts, texts)
def test_prefix_and_suffix_are_startswith_and_endswith(part: str, value: str) -> None:
    assert matches(detail(v=[{"prefix": part}]), detail(v=value)) is value.startswith(part)
    assert matches(detail(v=[{"suffix": part}]), detail(v=value)) is value.endswith(part)


@given(texts, texts)
def test_anything_but_is_the_complement_of_exact(excluded: str, value: str) -> None:
    exact = matches(detail(v=[excluded]), detail(v=value))
    assert matches(detail(v=[{"anything-but": excluded}]), detail(v=value)) is not exact


@given(texts)
def test_escaped_wildcard_matches_only_its_text(value: str) -> None:
    escaped = value.replace("\\", "\\\\").replace("*", "\\*")
    assert matches(detail(v=[{"wildcard": escaped}]), detail(v=value))
    assert not matches(detail(v=[{"wildcard": escaped}]), detail(v=value + "x"))


@given(texts, texts, texts)
def test_wildcard_star_matches_any_middle(head: str, middle: str, tail: str) -> None:
    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace("*", "\\*")
    assert matches(detail(v=[{"wildcard": f"{esc(head)}*{esc(tail)}"}]),
                   detail(v=head + middle + tail))


@given(numbers, numbers, numbers)
def test_numeric_range_is_comparison(low: float, high: float, value: float) -> None:
    assume(low != high)
    low, high = min(low, high), max(low, high)
    pattern = detail(v=[{"numeric": [">", low, "<=", high]}])
    assert matches(pattern, detail(v=value)) is (low < value <= high)


@given(st.lists(texts, max_size=5), texts)
def test_an_array_matches_when_an_element_does(values: list[str], wanted: str) -> None:
    assert matches(detail(v=[wanted]), detail(v=values)) is (wanted in values)
