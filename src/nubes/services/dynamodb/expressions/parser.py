"""Recursive-descent parsers of condition, key condition and projection expressions.

Grammar (keywords case-insensitive; function names are checked when binding)::

    condition  := or
    or         := and (OR and)*
    and        := not (AND not)*
    not        := NOT not | comparison
    comparison := unit [comparator unit | BETWEEN unit AND unit | IN '(' unit (',' unit)* ')']
    unit       := '(' or ')' | IDENT '(' unit (',' unit)* ')' | path | :value
    path       := (IDENT | #name) ('.' (IDENT | #name) | '[' NUMBER ']')*
    projection := path (',' path)*

A parenthesised unit may be an operand (``(a) BETWEEN (b) AND (c)`` is valid DynamoDB), so
``unit`` returns either; where a condition is required, a bare path or value is a syntax
error at the token after it. ``((x))`` is AWS's "redundant parentheses" error, reported
only when the whole text parses.
"""

from __future__ import annotations

from typing import NoReturn

from .ast import (
    And,
    Between,
    Call,
    Compare,
    Condition,
    In,
    Not,
    Operand,
    Or,
    Path,
    PathElement,
    ProjectionTree,
    Value,
)
from .errors import ExpressionKind, empty_expression, invalid, syntax_error
from .errors import too_large as too_large_error
from .lexer import Token, TokenType, near, tokenize

MAX_EXPRESSION_BYTES = 4096
COMPARATORS = frozenset({"=", "<>", "<", "<=", ">", ">="})
KEYWORDS = frozenset({"AND", "OR", "NOT", "BETWEEN", "IN"})


def check_size(text: str, kind: ExpressionKind) -> None:
    """AWS's limits on an expression's text: not empty, at most 4 KB."""
    if not text:
        raise empty_expression(kind)
    size = len(text.encode("utf-8"))
    if size > MAX_EXPRESSION_BYTES:
        raise too_large_error(kind, size)


class Parser:
    """Token navigation and the grammar shared by all expression languages."""

    def __init__(self, text: str, kind: ExpressionKind) -> None:
        check_size(text, kind)
        self.text = text
        self.kind = kind
        self.tokens = tokenize(text)
        self.pos = 0
        self.redundant_parens = False
        self._last_group: tuple[int, int] = (-1, -1)

    # -- navigation --------------------------------------------------------------------

    @property
    def token(self) -> Token:
        return self.tokens[self.pos]

    def peek(self, offset: int = 1) -> Token:
        return self.tokens[min(self.pos + offset, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.pos]
        if token.type is not TokenType.EOF:
            self.pos += 1
        return token

    def is_punct(self, text: str) -> bool:
        return self.token.type is TokenType.PUNCT and self.token.text == text

    def is_keyword(self, word: str) -> bool:
        return self.token.type is TokenType.IDENT and self.token.text.upper() == word

    def expect_punct(self, text: str) -> None:
        if not self.is_punct(text):
            self.fail()
        self.advance()

    def fail(self) -> NoReturn:
        """A syntax error at the current token."""
        token = self.token
        raise syntax_error(self.kind, token.text, near(self.text, self.tokens, self.pos))

    def finish(self) -> None:
        if self.token.type is not TokenType.EOF:
            self.fail()
        if self.redundant_parens:
            raise invalid(self.kind, "The expression has redundant parentheses;")

    # -- paths and operands ------------------------------------------------------------

    def path(self) -> Path:
        elements: list[PathElement] = [self._path_name()]
        while True:
            if self.is_punct("."):
                self.advance()
                elements.append(self._path_name())
            elif self.is_punct("["):
                self.advance()
                if self.token.type is not TokenType.NUMBER:
                    self.fail()
                elements.append(int(self.advance().text))
                self.expect_punct("]")
            else:
                return Path(tuple(elements))

    def _path_name(self) -> str:
        token = self.token
        if token.type is TokenType.NAME:
            return self.advance().text
        if token.type is TokenType.IDENT and token.text.upper() not in KEYWORDS:
            return self.advance().text
        self.fail()

    def call_args(self) -> tuple[Operand, ...]:
        """``'(' operand (',' operand)* ')'``, the current token being the '('."""
        self.expect_punct("(")
        args = [self.operand()]
        while self.is_punct(","):
            self.advance()
            args.append(self.operand())
        self.expect_punct(")")
        return tuple(args)

    def operand(self) -> Operand:
        """An operand of a condition: a unit that is not a condition."""
        return self._as_operand(self.unit())

    # -- conditions --------------------------------------------------------------------

    def condition(self) -> Condition:
        node = self.or_()
        return self.require_condition(node)

    def require_condition(self, node: Condition | Operand) -> Condition:
        """Where a condition is required, a bare path or value is a syntax error."""
        if isinstance(node, Path | Value):
            self.fail()
        if isinstance(node, Call | Compare | Between | In | And | Or | Not):
            return node
        self.fail()

    def or_(self) -> Condition | Operand:
        node = self.and_()
        while self.is_keyword("OR"):
            left = self.require_condition(node)
            self.advance()
            node = Or(left, self.require_condition(self.and_()))
        return node

    def and_(self) -> Condition | Operand:
        node = self.not_()
        while self.is_keyword("AND"):
            left = self.require_condition(node)
            self.advance()
            node = And(left, self.require_condition(self.not_()))
        return node

    def not_(self) -> Condition | Operand:
        if self.is_keyword("NOT"):
            self.advance()
            return Not(self.require_condition(self.not_()))
        return self.comparison()

    def comparison(self) -> Condition | Operand:
        left = self.unit()
        if self.token.type is TokenType.PUNCT and self.token.text in COMPARATORS:
            left_operand = self._as_operand(left)
            op = self.advance().text
            return Compare(op, left_operand, self.operand())
        if self.is_keyword("BETWEEN"):
            left_operand = self._as_operand(left)
            self.advance()
            low = self.operand()
            if not self.is_keyword("AND"):
                self.fail()
            self.advance()
            return Between(left_operand, low, self.operand())
        if self.is_keyword("IN"):
            left_operand = self._as_operand(left)
            self.advance()
            return In(left_operand, self.call_args())
        return left

    def _as_operand(self, node: Condition | Operand) -> Operand:
        if isinstance(node, Compare | Between | In | And | Or | Not):
            self.fail()
        return node

    def unit(self) -> Condition | Operand:
        token = self.token
        if self.is_punct("("):
            return self.group()
        if token.type is TokenType.VALUE:
            return Value(self.advance().text)
        if token.type is TokenType.IDENT and self.peek().text == "(":
            if self.peek().type is TokenType.PUNCT:
                name = self.advance().text
                return Call(name, self.call_args())
        return self.path()

    def group(self) -> Condition | Operand:
        open_index = self.pos
        self.advance()
        inner_start = self.pos
        node = self.or_()
        if self._last_group == (inner_start, self.pos):
            self.redundant_parens = True
        self.expect_punct(")")
        self._last_group = (open_index, self.pos)
        return node


def parse_condition_tree(text: str, kind: ExpressionKind) -> Condition:
    """Parse a condition, filter or key condition expression to its raw tree."""
    parser = Parser(text, kind)
    node = parser.condition()
    parser.finish()
    return node


def parse_projection_tree(text: str) -> ProjectionTree:
    """Parse a projection expression to its raw tree."""
    parser = Parser(text, ExpressionKind.PROJECTION)
    paths = [parser.path()]
    while parser.is_punct(","):
        parser.advance()
        paths.append(parser.path())
    parser.finish()
    return ProjectionTree(tuple(paths))


__all__ = ["Parser", "parse_condition_tree", "parse_projection_tree"]
