"""Binding: a raw tree checked against the request's names and values, and resolved.

One walk, in the order the text is written, resolves ``#name`` placeholders and notes the
first error of each category; the categories are then raised in AWS's order (as DynamoDB
reports them, and as dynalite's tests against DynamoDB record them): unknown function,
misused function, reserved word, and then the first of: an undefined name or value, a
wrong number of operands, a non-distinct operand, a wrong operand type.
"""

from __future__ import annotations

from .ast import (
    And,
    Arith,
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
    Value,
)
from .errors import ExpressionKind, format_path, invalid, operand_count, operand_type
from .names import ExpressionContext
from .reserved import is_reserved
from .values import ALL_TYPES, AttributeValue, describe, sort_key, type_of

CONDITION_FUNCTIONS = {
    "attribute_exists": 1,
    "attribute_not_exists": 1,
    "attribute_type": 2,
    "begins_with": 2,
    "contains": 2,
    "size": 1,
}
UPDATE_FUNCTIONS = {"if_not_exists": 2, "list_append": 2}
MAX_IN_OPERANDS = 100
RESERVED_MESSAGE = "Attribute name is a reserved keyword; reserved keyword: "
MISUSED_MESSAGE = "The function is not allowed to be used this way in an expression; function: "
ORDER = ("unknown", "misused", "reserved", "undefined", "count", "distinct", "type")


class Binder:
    """Resolves one raw tree; ``raise_first`` reports what it found, in AWS's order."""

    def __init__(self, ctx: ExpressionContext, kind: ExpressionKind) -> None:
        self.ctx = ctx
        self.kind = kind
        self.update = kind is ExpressionKind.UPDATE
        self.errors: dict[str, str] = {}

    def note(self, category: str, message: str) -> None:
        self.errors.setdefault(category, message)

    def raise_first(self) -> None:
        for category in ORDER:
            if category in self.errors:
                raise invalid(self.kind, self.errors[category])

    # -- operands ----------------------------------------------------------------------

    def path(self, path: Path) -> Path:
        return Path(tuple(self._element(e) for e in path.elements))

    def _element(self, element: PathElement) -> PathElement:
        if isinstance(element, int):
            return element
        if not element.startswith("#"):
            if is_reserved(element):
                self.note("reserved", f"{RESERVED_MESSAGE}{element}")
            return element
        name = self.ctx.lookup_name(element)
        if name is None:
            self.note(
                "undefined",
                "An expression attribute name used in the document path is not defined; "
                f"attribute name: {element}",
            )
            return element
        return name

    def value(self, node: Value) -> AttributeValue | None:
        value = self.ctx.lookup_value(node.name)
        if value is None:
            self.note(
                "undefined",
                "An expression attribute value used in expression is not defined; "
                f"attribute value: {node.name}",
            )
        return value

    def operand(self, node: Operand) -> Operand:
        if isinstance(node, Path):
            return self.path(node)
        if isinstance(node, Value):
            self.value(node)
            return node
        if isinstance(node, Arith):
            return Arith(node.op, self.operand(node.left), self.operand(node.right))
        if self._known(node.name) and not self._is_operand_function(node.name):
            self.note("misused", MISUSED_MESSAGE + node.name)
        return self.call(node)

    def _is_operand_function(self, name: str) -> bool:
        return name in UPDATE_FUNCTIONS if self.update else name == "size"

    def _known(self, name: str) -> bool:
        allowed = UPDATE_FUNCTIONS if self.update else CONDITION_FUNCTIONS
        if name in allowed:
            return True
        other = CONDITION_FUNCTIONS if self.update else UPDATE_FUNCTIONS
        if name in other:
            where = "an update" if self.update else "a condition"
            self.note(
                "unknown", f"The function is not allowed in {where} expression; function: {name}"
            )
        else:
            self.note("unknown", f"Invalid function name; function: {name}")
        return False

    def static_type(self, node: Operand) -> str | None:
        """The type of an operand known before seeing the item, if any."""
        if isinstance(node, Value):
            value = (self.ctx.values or {}).get(node.name)
            return type_of(value) if value is not None else None
        if isinstance(node, Call) and node.name == "size":
            return "N"
        return None

    # -- functions ---------------------------------------------------------------------

    def call(self, node: Call) -> Call:
        args = tuple(self.operand(a) for a in node.args)
        resolved = Call(node.name, args)
        functions = UPDATE_FUNCTIONS if self.update else CONDITION_FUNCTIONS
        arity = functions.get(node.name)
        if arity is None:
            return resolved
        if arity != len(args):
            self.note("count", operand_count(node.name, len(args)))
            return resolved
        if arity == 2:
            self.distinct(node.name, args[0], args[1])
        self.check_function_types(resolved)
        return resolved

    def distinct(self, operator: str, first: Operand, second: Operand) -> None:
        if isinstance(first, Path) and first == second:
            self.note(
                "distinct",
                "The first operand must be distinct from the remaining operands for this "
                f"operator or function; operator: {operator}, first operand: "
                f"{format_path(first.elements)}",
            )

    def check_function_types(self, node: Call) -> None:
        name, args = node.name, node.args
        if name in ("attribute_exists", "attribute_not_exists", "if_not_exists"):
            if not isinstance(args[0], Path):
                self.note(
                    "type",
                    f"Operator or function requires a document path; operator or function: {name}",
                )
        elif name == "begins_with":
            for arg in args:
                kind = self.static_type(arg)
                if kind is not None and kind not in ("S", "B"):
                    self.note("type", operand_type(name, kind))
        elif name == "size":
            kind = self.static_type(args[0])
            if kind in ("N", "BOOL", "NULL"):
                self.note("type", operand_type(name, kind))
        elif name == "attribute_type":
            self.check_attribute_type(args[1])
        elif name == "list_append":
            for arg in args:
                kind = self.static_type(arg)
                if kind is not None and kind != "L":
                    self.note("type", operand_type(name, kind))

    def check_attribute_type(self, arg: Operand) -> None:
        kind = self.static_type(arg)
        if kind != "S":
            shown = kind or "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}"
            self.note("type", operand_type("attribute_type", shown))
            return
        assert isinstance(arg, Value)
        type_name = (self.ctx.values or {})[arg.name]["S"]
        if type_name not in ALL_TYPES:
            self.note(
                "type",
                f"Invalid attribute type name found; type: {type_name}, "
                "valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}",
            )

    # -- conditions --------------------------------------------------------------------

    def condition(self, node: Condition) -> Condition:
        if isinstance(node, And | Or):
            return type(node)(self.condition(node.left), self.condition(node.right))
        if isinstance(node, Not):
            return Not(self.condition(node.operand))
        if isinstance(node, Compare):
            left, right = self.operand(node.left), self.operand(node.right)
            self.distinct(node.op, left, right)
            return Compare(node.op, left, right)
        if isinstance(node, Between):
            return self.between(node)
        if isinstance(node, In):
            return self.in_(node)
        if node.name == "size":
            self.note("misused", MISUSED_MESSAGE + "size")
        elif not self._known(node.name):
            return node
        return self.call(node)

    def between(self, node: Between) -> Between:
        operand, low, high = (self.operand(n) for n in (node.operand, node.low, node.high))
        if isinstance(low, Value) and isinstance(high, Value):
            self.check_bounds(low, high)
        return Between(operand, low, high)

    def check_bounds(self, low: Value, high: Value) -> None:
        values = self.ctx.values or {}
        x, y = values.get(low.name), values.get(high.name)
        if x is None or y is None:
            return
        bounds = f"lower bound operand: {describe(x)}, upper bound operand: {describe(y)}"
        if type_of(x) != type_of(y):
            self.note(
                "type",
                "The BETWEEN operator requires same data type for lower and upper bounds; "
                + bounds,
            )
            return
        kx, ky = sort_key(x), sort_key(y)
        if kx is not None and ky is not None and kx > ky:
            self.note(
                "type",
                "The BETWEEN operator requires upper bound to be greater than or equal to "
                f"lower bound; {bounds}",
            )

    def in_(self, node: In) -> In:
        operand = self.operand(node.operand)
        options = tuple(self.operand(o) for o in node.options)
        if len(options) > MAX_IN_OPERANDS:
            self.note(
                "count",
                "The IN operator is provided with too many operands; "
                f"number of operands: {len(options)}",
            )
        return In(operand, options)


def bind_condition(node: Condition, ctx: ExpressionContext, kind: ExpressionKind) -> Condition:
    """Check a raw condition tree against the request, and resolve its names."""
    binder = Binder(ctx, kind)
    resolved = binder.condition(node)
    binder.raise_first()
    return resolved
