"""The lexer shared by every expression language: text to a tuple of tokens.

Tokens are identifiers (``a``, ``AND``, ``begins_with``; keywords are identifiers the
parser compares case-insensitively), ``#name`` and ``:value`` placeholders, list-index
numbers, and punctuation. A character that starts no token becomes a one-character
``error`` token, so the parser reports it as AWS does: as the token of a syntax error.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class TokenType(StrEnum):
    IDENT = "ident"
    NAME = "name"  # #placeholder
    VALUE = "value"  # :placeholder
    NUMBER = "number"
    PUNCT = "punct"
    ERROR = "error"
    EOF = "eof"


@dataclass(frozen=True, slots=True)
class Token:
    type: TokenType
    text: str
    start: int
    end: int


_WORD_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_DIGITS = frozenset("0123456789")
_WORD = _WORD_START | _DIGITS
_TWO_CHAR = frozenset({"<>", "<=", ">="})
_ONE_CHAR = frozenset("=<>()[],.+-")
_SPACE = frozenset(" \t\r\n")


def tokenize(text: str) -> tuple[Token, ...]:
    """Split an expression into tokens, ending with one EOF token."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char in _SPACE:
            i += 1
            continue
        end = _token_end(text, i)
        tokens.append(Token(_token_type(text, i, end), text[i:end], i, end))
        i = end
    tokens.append(Token(TokenType.EOF, "<EOF>", n, n))
    return tuple(tokens)


def _token_end(text: str, i: int) -> int:
    char = text[i]
    if char in _WORD_START or char in _DIGITS:
        chars = _WORD if char in _WORD_START else _DIGITS
        return _scan(text, i + 1, chars)
    if char in "#:":
        end = _scan(text, i + 1, _WORD)
        return end if end > i + 1 else i + 1
    if text[i : i + 2] in _TWO_CHAR:
        return i + 2
    return i + 1


def _scan(text: str, i: int, chars: frozenset[str]) -> int:
    n = len(text)
    while i < n and text[i] in chars:
        i += 1
    return i


def _token_type(text: str, start: int, end: int) -> TokenType:
    char = text[start]
    if char in _WORD_START:
        return TokenType.IDENT
    if char in _DIGITS:
        return TokenType.NUMBER
    if char in "#:":
        if end == start + 1:
            return TokenType.ERROR
        return TokenType.NAME if char == "#" else TokenType.VALUE
    if text[start:end] in _TWO_CHAR or char in _ONE_CHAR:
        return TokenType.PUNCT
    return TokenType.ERROR


def near(text: str, tokens: tuple[Token, ...], index: int) -> str:
    """AWS's ``near`` of a syntax error: the bad token with its neighbours, as written."""
    first = tokens[index - 1] if index > 0 else tokens[index]
    last = tokens[index + 1] if index + 1 < len(tokens) else tokens[index]
    span = text[first.start : max(last.end, tokens[index].end)]
    return span.rstrip() if last.type is TokenType.EOF else span
