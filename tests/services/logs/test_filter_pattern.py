"""The filter pattern language: lexer, parser and matcher, with property tests."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nubes.services.logs.delimited import split_fields
from nubes.services.logs.filter_pattern import (
    FilterPatternError,
    JsonPattern,
    MatchAll,
    TermPattern,
    parse,
    parse_selector,
    tokenize,
)

WORDS = st.text(alphabet=st.characters(categories=("L", "N"), max_codepoint=0x2FF),
                min_size=1, max_size=8)


def test_the_empty_pattern_matches_everything() -> None:
    assert isinstance(parse("   "), MatchAll)
    assert parse("").matches("anything")


@pytest.mark.parametrize(("pattern", "message", "expected"), [
    ("ERROR", "[ERROR] disk full", True),
    ("ERROR", "error: disk full", False),  # case-sensitive
    ("ERROR disk", "ERROR: disk full", True),
    ("ERROR disk", "ERROR: memory", False),
    ('"disk full"', "ERROR: disk full", True),
    ('"disk full"', "disk is full", False),
    ('"say \\"hi\\""', 'they say "hi"', True),
    ("?ERROR ?WARN", "WARN slow", True),
    ("?ERROR ?WARN", "INFO ok", False),
    ("ERROR -timeout", "ERROR timeout", False),
    ("ERROR -timeout", "ERROR refused", True),
    ("-DEBUG", "INFO x", True),
    ("-DEBUG", "DEBUG x", False),
    ("request ?200 ?201", "request 201", True),
    ("request ?200 ?201", "request 404", False),
])
def test_term_patterns(pattern: str, message: str, expected: bool) -> None:
    assert parse(pattern).matches(message) is expected


def test_terms_parse_into_their_roles() -> None:
    assert parse('a ?b -c "d e" -"f g"') == TermPattern(("a", "d e"), ("b",), ("c", "f g"))


@pytest.mark.parametrize(("pattern", "document", "expected"), [
    ('{ $.level = "ERROR" }', {"level": "ERROR"}, True),
    ('{ $.level = "ERROR" }', {"level": "error"}, False),
    ('{ $.level != "ERROR" }', {"level": "INFO"}, True),
    ("{ $.level != ERROR }", {}, False),  # no field, no match
    ('{ $.name = "ord*" }', {"name": "orders"}, True),
    ('{ $.name = "*ers" }', {"name": "orders"}, True),
    ('{ $.name = "o*s" }', {"name": "ordersx"}, False),
    ("{ $.ip = 10.0.* }", {"ip": "10.0.3.4"}, True),
    ("{ $.latency > 100 }", {"latency": 150}, True),
    ("{ $.latency > 100 }", {"latency": 100}, False),
    ("{ $.latency >= 100 }", {"latency": 100}, True),
    ("{ $.latency <= -1.5 }", {"latency": -2}, True),
    ("{ $.latency > 100 }", {"latency": "150"}, True),
    ("{ $.latency > 100 }", {"latency": "slow"}, False),
    ("{ $.code = 200 }", {"code": 200.0}, True),
    ("{ $.a.b[1].c = 2 }", {"a": {"b": [{}, {"c": 2}]}}, True),
    ("{ $.a[5] = 2 }", {"a": [2]}, False),
    ("{ $.user IS NULL }", {"user": None}, True),
    ("{ $.user IS NULL }", {}, False),
    ("{ $.ok IS TRUE }", {"ok": True}, True),
    ("{ $.ok IS TRUE }", {"ok": 1}, False),
    ("{ $.ok IS FALSE }", {"ok": False}, True),
    ("{ $.x EXISTS }", {"x": None}, True),
    ("{ $.x NOT EXISTS }", {"y": 1}, True),
    ("{ $.x NOT EXISTS }", {"x": 1}, False),
    ('{ $.a = 1 && $.b = "x" }', {"a": 1, "b": "x"}, True),
    ('{ $.a = 1 && $.b = "x" }', {"a": 1, "b": "y"}, False),
    ('{ $.a = 1 || $.b = "x" }', {"a": 2, "b": "x"}, True),
    ('{ ($.a = 1 || $.a = 2) && $.b NOT EXISTS }', {"a": 2}, True),
    ('{ $.a = 1 || $.a = 2 && $.b EXISTS }', {"a": 1}, True),  # && binds tighter
    ("{ $.msg = %time[d]? ?out% }", {"msg": "it timed out"}, True),
    ('{ $.flag = "true" }', {"flag": True}, True),
])
def test_json_patterns(pattern: str, document: object, expected: bool) -> None:
    assert parse(pattern).matches(json.dumps(document)) is expected


def test_json_patterns_match_only_json_documents() -> None:
    pattern = parse('{ $.level = "ERROR" }')
    assert isinstance(pattern, JsonPattern)
    assert not pattern.matches('level = "ERROR"')
    assert not pattern.matches('{"level": "ERROR"')


APACHE = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /a.html HTTP/1.0" 404 2326'


@pytest.mark.parametrize(("pattern", "expected"), [
    ("[ip, identity, user, timestamp, request, status, bytes]", True),
    ("[ip, identity, user, timestamp, request, status]", False),  # counts differ
    ("[ip, ..., status = 404, bytes]", True),
    ("[..., status = 4*, bytes > 1000]", True),
    ("[..., status = 5*, bytes > 1000]", False),
    ("[ip = 127.0.0.1, ...]", True),
    ('[ip, identity, user = "frank", ...]', True),
    ("[ip, identity, user, timestamp, request = *.html*, ...]", True),
    ("[..., status = 404 || status = 410, bytes]", True),
    ("[..., status != 404, bytes]", False),
    ("[ip, ..., timestamp = 10/Oct*, ..., bytes < 3000]", True),
])
def test_space_delimited_patterns(pattern: str, expected: bool) -> None:
    assert parse(pattern).matches(APACHE) is expected


def test_space_delimited_fields_group_quotes_and_brackets() -> None:
    assert split_fields(APACHE) == [
        "127.0.0.1", "-", "frank", "10/Oct/2000:13:25:15 -0700", "GET /a.html HTTP/1.0",
        "404", "2326"]


def test_regex_patterns() -> None:
    assert parse("%ERR[0-9]+%").matches("x ERR42 y")
    assert not parse("%^ERR%").matches("x ERR42")


@pytest.mark.parametrize("pattern", [
    '"unterminated', "?", "{ $.a = }", "{ $.a = 1", "{ a = 1 }", "{ $.a > abc }",
    "{ $.a IS MAYBE }", "{ $.a = 1 }}", "[a, b = ]", "[a, c = 1 && d = 2]", "[a b]",
    "%(%", "{ $.a = %(% }", "{ $.a = 1 && }", "{ ($.a = 1 }", "{ $.a[x] = 1 }",
])
def test_malformed_patterns_raise(pattern: str) -> None:
    with pytest.raises(FilterPatternError):
        parse(pattern)


def test_tokens_and_selectors() -> None:
    kinds = [token.kind for token in tokenize('{ $.a[0] >= 1 && $.b != "x" }')]
    assert kinds == ["{", "WORD", "OP", "WORD", "&&", "WORD", "OP", "STR", "}", "EOF"]
    assert parse_selector("$.a.b[2].c") == ("a", "b", 2, "c")
    assert parse_selector("$") == ()


# Properties ------------------------------------------------------------------------------


@given(term=st.text(min_size=1, max_size=10).filter(lambda t: '"' not in t and "\\" not in t),
       message=st.text(max_size=30))
def test_a_quoted_term_matches_exactly_the_messages_containing_it(term: str, message: str
                                                                 ) -> None:
    assert parse(f'"{term}"').matches(message) == (term in message)


@given(term=WORDS, message=st.text(max_size=30))
def test_exclusion_is_the_negation_of_a_term(term: str, message: str) -> None:
    assert parse(f"-{term}").matches(message) == (not parse(term).matches(message))


@given(terms=st.lists(WORDS, min_size=1, max_size=4), message=st.text(max_size=30))
def test_question_terms_match_when_any_does(terms: list[str], message: str) -> None:
    pattern = " ".join(f"?{term}" for term in terms)
    assert parse(pattern).matches(message) == any(term in message for term in terms)


@given(terms=st.lists(WORDS, min_size=1, max_size=4), message=st.text(max_size=30))
def test_plain_terms_match_when_all_do(terms: list[str], message: str) -> None:
    assert parse(" ".join(terms)).matches(message) == all(term in message for term in terms)


JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6),
                         st.text(max_size=10).filter(lambda t: "*" not in t))


@given(key=WORDS, value=st.text(max_size=10).filter(lambda t: "*" not in t),
       other=JSON_SCALARS)
def test_json_string_equality(key: str, value: str, other: object) -> None:
    pattern = parse(f"{{ $.{key} = {json.dumps(value)} }}")
    assert pattern.matches(json.dumps({key: value}))
    # Strings compare as text, numbers and booleans by their JSON text; null never equals.
    expected = other is not None and (
        other == value or (not isinstance(other, str) and json.dumps(other) == value))
    assert pattern.matches(json.dumps({key: other})) == expected


@given(key=WORDS, limit=st.integers(-1000, 1000), value=st.integers(-1000, 1000))
def test_json_numeric_comparisons(key: str, limit: int, value: int) -> None:
    message = json.dumps({key: value})
    assert parse(f"{{ $.{key} > {limit} }}").matches(message) == (value > limit)
    assert parse(f"{{ $.{key} <= {limit} }}").matches(message) == (value <= limit)
    assert parse(f"{{ $.{key} = {limit} }}").matches(message) == (value == limit)


@given(st.text(max_size=40))
def test_any_text_parses_or_raises_filter_pattern_error(text: str) -> None:
    try:
        pattern = parse(text)
    except FilterPatternError:
        return
    pattern.matches("some message")
    pattern.matches('{"a": 1}')
