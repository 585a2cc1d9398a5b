"""CloudWatch Logs filter patterns: lexer, parser and the compiled matchers.

``parse(text)`` returns a ``Pattern`` whose ``matches(message)`` says whether a log event
matches. The four forms AWS documents:

- terms: ``ERROR "timed out" ?WARN ?FATAL -debug``: every plain term must occur, at least
  one ``?`` term when there are any, and no ``-`` term (case-sensitive substrings);
- regex: ``%ERROR [0-9]+%`` searched in the message;
- JSON: ``{ $.level = "ERROR" && ($.latency > 100 || $.user IS NULL) }`` on messages that
  are JSON documents (comparisons, ``*`` wildcards, ``IS NULL/TRUE/FALSE``, ``EXISTS``,
  ``NOT EXISTS``);
- space-delimited: ``[ip, user, ..., status = 5*, bytes > 1000]`` binding the message's
  whitespace-separated fields (``"..."`` and ``[...]`` group a field) to names, ``...``
  standing for any number of fields.

A malformed pattern raises ``FilterPatternError``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from nubes.services.logs.delimited import DelimitedPattern, Field
from nubes.services.logs.filter_expr import (
    OPERATORS,
    ORDERING,
    And,
    Check,
    CheckKind,
    Compare,
    Expr,
    Or,
    Path,
    Value,
    ValueKind,
    as_number,
    json_resolver,
)


class FilterPatternError(ValueError):
    """The pattern is not valid filter pattern syntax."""


class Pattern(Protocol):
    def matches(self, message: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class MatchAll:
    def matches(self, message: str) -> bool:
        return True


@dataclass(frozen=True, slots=True)
class TermPattern:
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()  # ?terms: at least one must occur, if any are given
    excluded: tuple[str, ...] = ()

    def matches(self, message: str) -> bool:
        return (all(term in message for term in self.required)
                and (not self.optional or any(term in message for term in self.optional))
                and not any(term in message for term in self.excluded))


@dataclass(frozen=True, slots=True)
class RegexPattern:
    regex: re.Pattern[str]

    def matches(self, message: str) -> bool:
        return self.regex.search(message) is not None


@dataclass(frozen=True, slots=True)
class JsonPattern:
    expr: Expr

    def matches(self, message: str) -> bool:
        if not message.lstrip().startswith(("{", "[")):
            return False  # cheap refusal before parsing: only JSON documents can match
        try:
            document = json.loads(message)
        except ValueError:
            return False
        return self.expr.evaluate(json_resolver(document))


def parse(text: str) -> Pattern:
    """Compile a filter pattern; the empty pattern matches every event."""
    stripped = text.strip()
    if not stripped:
        return MatchAll()
    if stripped.startswith("{"):
        return _Parser(stripped).json_pattern()
    if stripped.startswith("["):
        return _Parser(stripped).delimited_pattern()
    if len(stripped) > 1 and stripped.startswith("%") and stripped.endswith("%"):
        return RegexPattern(_compile_regex(stripped[1:-1]))
    return _term_pattern(stripped)


def _compile_regex(source: str) -> re.Pattern[str]:
    try:
        return re.compile(source)
    except re.error as error:
        raise FilterPatternError(f"invalid regular expression: {error}") from None


# Terms -----------------------------------------------------------------------------------


def _term_pattern(text: str) -> TermPattern:
    required: list[str] = []
    optional: list[str] = []
    excluded: list[str] = []
    for prefix, term in _terms(text):
        {"?": optional, "-": excluded, "": required}[prefix].append(term)
    return TermPattern(tuple(required), tuple(optional), tuple(excluded))


def _terms(text: str) -> Iterator[tuple[str, str]]:
    """(prefix, term) pairs: prefix is '?', '-' or ''; quoted terms may hold spaces."""
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        prefix = text[i] if text[i] in "?-" else ""
        i += len(prefix)
        if prefix and (i == n or text[i].isspace()):
            raise FilterPatternError(f"a term must follow {prefix!r}")
        if text[i] == '"':
            term, i = _quoted(text, i)
        else:
            end = i
            while end < n and not text[end].isspace():
                end += 1
            term, i = text[i:end], end
        if term:
            yield prefix, term


_LENIENT_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


def _quoted(text: str, start: int) -> tuple[str, int]:
    """The string quoted at ``text[start]`` and the index after it. Escapes are JSON's
    (``\\n``, ``\\u0041``, ...); in a string JSON refuses, ``\\x`` stands for ``x``."""
    i = start + 1
    while i < len(text) and text[i] != '"':
        i += 2 if text[i] == "\\" else 1
    if i >= len(text):
        raise FilterPatternError("unterminated quoted string")
    body = text[start + 1:i]
    try:
        value = json.loads(f'"{body}"')
    except ValueError:
        value = _LENIENT_ESCAPE.sub(r"\1", body)
    return str(value), i + 1


# Structured patterns: tokens -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # punctuation itself, "OP", "STR", "REGEX", "WORD" or "EOF"
    text: str
    pos: int


_PUNCTUATION = "{}[](),"
_WORD_STOP = set(_PUNCTUATION + '=!<>&|"%') | {" ", "\t", "\n", "\r"}
_SELECTOR_STOP = _WORD_STOP - {"[", "]"}


def tokenize(text: str) -> list[Token]:
    """The tokens of a JSON or space-delimited pattern, ending with an EOF token."""
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            i += 1
        elif char in _PUNCTUATION:
            tokens.append(Token(char, char, i))
            i += 1
        else:
            token, i = _token_at(text, i)
            tokens.append(token)
    tokens.append(Token("EOF", "", len(text)))
    return tokens


def _token_at(text: str, i: int) -> tuple[Token, int]:
    char, pair = text[i], text[i:i + 2]
    if pair in ("&&", "||"):
        return Token(pair, pair, i), i + 2
    if pair in ("!=", "<=", ">="):
        return Token("OP", pair, i), i + 2
    if char in "=<>":
        return Token("OP", char, i), i + 1
    if char == '"':
        value, end = _quoted(text, i)
        return Token("STR", value, i), end
    if char == "%":
        end = text.find("%", i + 1)
        if end < 0:
            raise FilterPatternError(f"unterminated regular expression at {i}")
        return Token("REGEX", text[i + 1:end], i), end + 1
    stop = _SELECTOR_STOP if char == "$" else _WORD_STOP
    end = i
    while end < len(text) and text[end] not in stop:
        end += 1
    if end == i:
        raise FilterPatternError(f"unexpected {char!r} at {i}")
    return Token("WORD", text[i:end], i), end


_STEP = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]")


def parse_selector(text: str) -> Path:
    """``$.a.b[0]`` as the path ``("a", "b", 0)``."""
    if not text.startswith("$"):
        raise FilterPatternError(f"a JSON selector starts with '$': {text!r}")
    steps: list[str | int] = []
    i = 1
    while i < len(text):
        match = _STEP.match(text, i)
        if not match:
            raise FilterPatternError(f"invalid JSON selector {text!r}")
        steps.append(match.group(1) if match.group(1) is not None else int(match.group(2)))
        i = match.end()
    return tuple(steps)


# Structured patterns: parser -------------------------------------------------------------


class _Parser:
    """Recursive descent over the tokens of one JSON or space-delimited pattern."""

    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.i = 0

    def peek(self) -> Token:
        return self.tokens[self.i]

    def take(self, kind: str) -> Token:
        token = self.tokens[self.i]
        if token.kind != kind:
            found = token.text or "end of pattern"
            raise FilterPatternError(f"expected {kind!r} at {token.pos}, found {found!r}")
        self.i += 1
        return token

    def json_pattern(self) -> JsonPattern:
        self.take("{")
        expr = self.or_expr(self.json_term)
        self.take("}")
        self.take("EOF")
        return JsonPattern(expr)

    def delimited_pattern(self) -> DelimitedPattern:
        self.take("[")
        fields: list[Field] = []
        conditions: list[Expr] = []
        while True:
            field, condition = self.delimited_field()
            fields.append(field)
            if condition is not None:
                conditions.append(condition)
            if self.peek().kind != ",":
                break
            self.take(",")
        self.take("]")
        self.take("EOF")
        try:
            return DelimitedPattern.build(fields, conditions)
        except ValueError as error:
            raise FilterPatternError(str(error)) from None

    def delimited_field(self) -> tuple[Field, Expr | None]:
        name = self.take("WORD").text
        if name == "...":
            return Field(name, ellipsis=True), None
        if self.peek().kind not in ("OP", "&&", "||"):
            return Field(name), None
        self.i -= 1  # the name is the left side of the field's first comparison
        return Field(name), self.or_expr(self.delimited_term)

    def or_expr(self, term: Callable[[], Expr]) -> Expr:
        items = [self.and_expr(term)]
        while self.peek().kind == "||":
            self.take("||")
            items.append(self.and_expr(term))
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_expr(self, term: Callable[[], Expr]) -> Expr:
        items = [self.group(term)]
        while self.peek().kind == "&&":
            self.take("&&")
            items.append(self.group(term))
        return items[0] if len(items) == 1 else And(tuple(items))

    def group(self, term: Callable[[], Expr]) -> Expr:
        if self.peek().kind != "(":
            return term()
        self.take("(")
        expr = self.or_expr(term)
        self.take(")")
        return expr

    def json_term(self) -> Expr:
        path = parse_selector(self.take("WORD").text)
        token = self.peek()
        if token.kind == "WORD":
            return Check(path, self.check_kind())
        return self.comparison(path)

    def delimited_term(self) -> Expr:
        return self.comparison((self.take("WORD").text,))

    def check_kind(self) -> CheckKind:
        words = [self.take("WORD").text]
        if words[0] in ("IS", "NOT"):
            words.append(self.take("WORD").text)
        try:
            return CheckKind(" ".join(words))
        except ValueError:
            raise FilterPatternError(f"unknown check {' '.join(words)!r}") from None

    def comparison(self, path: Path) -> Compare:
        op = self.take("OP").text
        value = self.value()
        if op in ORDERING and value.kind is not ValueKind.NUMBER:
            raise FilterPatternError(f"{op} needs a number, not {value.text!r}")
        if op not in OPERATORS:
            raise FilterPatternError(f"unknown operator {op!r}")
        return Compare(path, op, value)

    def value(self) -> Value:
        token = self.peek()
        if token.kind == "STR":
            self.i += 1
            return Value(token.text, ValueKind.STRING)
        if token.kind == "REGEX":
            self.i += 1
            _compile_regex(token.text)
            return Value(token.text, ValueKind.REGEX)
        text = self.take("WORD").text
        if "*" not in text and as_number(text) is not None:
            return Value(text, ValueKind.NUMBER)
        return Value(text, ValueKind.STRING)
