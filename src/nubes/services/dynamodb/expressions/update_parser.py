"""The update expression grammar, and binding of its trees to a request.

Grammar (clause keywords case-insensitive, each clause at most once, in any order)::

    update     := clause+
    clause     := SET set (',' set)* | REMOVE path (',' path)*
                | ADD path :value (',' path :value)* | DELETE path :value (',' ...)*
    set        := path '=' operand [('+' | '-') operand]
    operand    := path | :value | IDENT '(' operand (',' operand)* ')'
"""

from __future__ import annotations

from .ast import Arith, Call, Operand, UpdateAction, UpdateTree, Value
from .bind import Binder
from .errors import ExpressionKind, ValidationException, invalid, update_operand_type
from .lexer import TokenType
from .names import ExpressionContext
from .parser import Parser
from .paths import check_distinct_paths
from .values import LONG_TYPE_NAMES, SET_TYPES, type_of

CLAUSES = ("SET", "REMOVE", "ADD", "DELETE")


class UpdateParser(Parser):
    """Parser of update expressions (operands without parentheses, with ``+``/``-``)."""

    def __init__(self, text: str) -> None:
        super().__init__(text, ExpressionKind.UPDATE)

    def update(self) -> UpdateTree:
        actions: list[UpdateAction] = []
        seen: set[str] = set()
        while True:
            clause = self._clause_keyword()
            if clause in seen:
                raise invalid(
                    self.kind,
                    f'The "{clause}" section can only be used once in an update expression;',
                )
            seen.add(clause)
            actions.extend(self._clause_actions(clause))
            if self.token.type is TokenType.EOF:
                self.finish()
                return UpdateTree(tuple(actions))

    def _clause_keyword(self) -> str:
        if self.token.type is TokenType.IDENT and self.token.text.upper() in CLAUSES:
            return self.advance().text.upper()
        self.fail()

    def _clause_actions(self, clause: str) -> list[UpdateAction]:
        actions = [self._action(clause)]
        while self.is_punct(","):
            self.advance()
            actions.append(self._action(clause))
        return actions

    def _action(self, clause: str) -> UpdateAction:
        path = self.path()
        if clause == "REMOVE":
            return UpdateAction(clause, path, None)
        if clause == "SET":
            self.expect_punct("=")
            return UpdateAction(clause, path, self._set_value())
        if self.token.type is not TokenType.VALUE:
            self.fail()
        return UpdateAction(clause, path, Value(self.advance().text))

    def _set_value(self) -> Operand:
        left = self.operand()
        if self.is_punct("+") or self.is_punct("-"):
            op = self.advance().text
            return Arith(op, left, self.operand())
        return left

    def operand(self) -> Operand:
        token = self.token
        if token.type is TokenType.VALUE:
            return Value(self.advance().text)
        if token.type is TokenType.IDENT and self.peek().type is TokenType.PUNCT:
            if self.peek().text == "(":
                name = self.advance().text
                return Call(name, self.call_args())
        return self.path()


def parse_update_tree(text: str) -> UpdateTree:
    """Parse an update expression to its raw tree."""
    return UpdateParser(text).update()


def bind_update(tree: UpdateTree, ctx: ExpressionContext) -> UpdateTree:
    """Check a raw update tree against the request, and resolve its names."""
    binder = Binder(ctx, ExpressionKind.UPDATE)
    actions = tuple(_bind_action(binder, action) for action in tree.actions)
    binder.raise_first()
    for action in actions:
        error = _add_delete_error(binder, action)
        if error is not None:
            raise error
    check_distinct_paths((a.path.elements for a in actions), ExpressionKind.UPDATE)
    return UpdateTree(actions)


def _bind_action(binder: Binder, action: UpdateAction) -> UpdateAction:
    path = binder.path(action.path)
    if action.value is None:
        return UpdateAction(action.clause, path, None)
    return UpdateAction(action.clause, path, binder.operand(action.value))


def _add_delete_error(binder: Binder, action: UpdateAction) -> ValidationException | None:
    """ADD takes a number or a set, DELETE a set: checked before the item is read."""
    if action.clause not in ("ADD", "DELETE") or not isinstance(action.value, Value):
        return None
    attribute = (binder.ctx.values or {})[action.value.name]
    kind = type_of(attribute)
    if kind in SET_TYPES or (action.clause == "ADD" and kind == "N"):
        return None
    return update_operand_type(action.clause, LONG_TYPE_NAMES[kind])


__all__ = ["UpdateParser", "bind_update", "parse_update_tree"]
