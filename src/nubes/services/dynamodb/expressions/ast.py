"""The syntax trees of the expression languages: immutable, hashable, cacheable.

The parser builds *raw* trees, where a path element is the text written (``a`` or the
placeholder ``#a``) and a value is its placeholder (``:v``): a raw tree depends on the
expression text alone, so a parse can be cached by text. Binding (``bind.py``) checks a
raw tree against a request's ExpressionAttributeNames/Values and gives the *resolved*
tree of the same classes, where every path element is an attribute name.
"""

from __future__ import annotations

from dataclasses import dataclass

PathElement = str | int


@dataclass(frozen=True, slots=True)
class Path:
    """A document path: map keys (str) and list indexes (int)."""

    elements: tuple[PathElement, ...]


@dataclass(frozen=True, slots=True)
class Value:
    """An ExpressionAttributeValues placeholder, ``:v``."""

    name: str


@dataclass(frozen=True, slots=True)
class Call:
    """A function call; which functions are allowed where is checked when binding."""

    name: str
    args: tuple[Operand, ...]


@dataclass(frozen=True, slots=True)
class Arith:
    """``a + b`` or ``a - b`` in an update's SET."""

    op: str
    left: Operand
    right: Operand


Operand = Path | Value | Call | Arith


@dataclass(frozen=True, slots=True)
class Compare:
    op: str  # = <> < <= > >=
    left: Operand
    right: Operand


@dataclass(frozen=True, slots=True)
class Between:
    operand: Operand
    low: Operand
    high: Operand


@dataclass(frozen=True, slots=True)
class In:
    operand: Operand
    options: tuple[Operand, ...]


@dataclass(frozen=True, slots=True)
class And:
    left: Condition
    right: Condition


@dataclass(frozen=True, slots=True)
class Or:
    left: Condition
    right: Condition


@dataclass(frozen=True, slots=True)
class Not:
    operand: Condition


Condition = Compare | Between | In | And | Or | Not | Call


@dataclass(frozen=True, slots=True)
class UpdateAction:
    """One action of an update: SET path = value, REMOVE path, ADD/DELETE path value."""

    clause: str  # SET, REMOVE, ADD, DELETE
    path: Path
    value: Operand | None


@dataclass(frozen=True, slots=True)
class UpdateTree:
    actions: tuple[UpdateAction, ...]


@dataclass(frozen=True, slots=True)
class ProjectionTree:
    paths: tuple[Path, ...]


def path_text(path: Path) -> str:
    """A path written back as expression text (raw elements are written as they are)."""
    out: list[str] = []
    for element in path.elements:
        if isinstance(element, int):
            out.append(f"[{element}]")
        else:
            out.append(f".{element}" if out else element)
    return "".join(out)


def operand_text(operand: Operand) -> str:
    if isinstance(operand, Path):
        return path_text(operand)
    if isinstance(operand, Value):
        return operand.name
    if isinstance(operand, Call):
        return f"{operand.name}({', '.join(operand_text(a) for a in operand.args)})"
    return f"{operand_text(operand.left)} {operand.op} {operand_text(operand.right)}"


def condition_text(node: Condition) -> str:
    """A condition written back as text, fully parenthesised where precedence matters."""
    if isinstance(node, Compare):
        return f"{operand_text(node.left)} {node.op} {operand_text(node.right)}"
    if isinstance(node, Between):
        parts = (operand_text(node.operand), operand_text(node.low), operand_text(node.high))
        return "{} BETWEEN {} AND {}".format(*parts)
    if isinstance(node, In):
        options = ", ".join(operand_text(o) for o in node.options)
        return f"{operand_text(node.operand)} IN ({options})"
    if isinstance(node, And | Or):
        word = "AND" if isinstance(node, And) else "OR"
        return f"({condition_text(node.left)}) {word} ({condition_text(node.right)})"
    if isinstance(node, Not):
        return f"NOT ({condition_text(node.operand)})"
    return operand_text(node)


def update_text(tree: UpdateTree) -> str:
    clauses: dict[str, list[str]] = {}
    for action in tree.actions:
        target = path_text(action.path)
        if action.value is None:
            clauses.setdefault(action.clause, []).append(target)
        elif action.clause == "SET":
            clauses.setdefault("SET", []).append(f"{target} = {operand_text(action.value)}")
        else:
            clauses.setdefault(action.clause, []).append(f"{target} {operand_text(action.value)}")
    return " ".join(f"{clause} {', '.join(items)}" for clause, items in clauses.items())
