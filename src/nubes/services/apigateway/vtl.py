"""The subset of Velocity (VTL) API Gateway's mapping templates use.

Supported: text with ``$ref`` / ``${ref}`` / ``$!ref`` references (property access,
method calls, ``[index]``); ``#set``, ``#if`` / ``#elseif`` / ``#else`` / ``#end``,
``#foreach`` (with ``$foreach.hasNext``, ``$foreach.index``, ``$foreach.count`` and
``$velocityCount``), ``##`` and ``#* *#`` comments; expressions with string (double
quotes interpolate), number, boolean, null, list (``[1, 2]``, ``[1..3]``) and map
literals, ``== != < > <= >=``, ``&& || !`` (and ``and or not``), ``+ - * / %``.
Values are Python's (dict, list, str, numbers); Java's methods on them that templates
use are mapped (``size``, ``get``, ``keySet``, ``containsKey``, ``put``, ``add``,
``isEmpty``, ``contains``, ``length``, ``substring``, ``indexOf``, ``replace``,
``replaceAll``, ``split``, ``startsWith``, ``endsWith``, ``toLowerCase``,
``toUpperCase``, ``trim``, ``equals``, ``matches``, ``toString``). Objects such as
``$input`` and ``$util`` are Python objects whose methods are called by name.
Not supported: macros, ``#include`` / ``#parse`` / ``#stop`` / ``#break``, and Java
methods beyond those. An unknown reference renders as written, as Velocity does
(``$!ref``: as nothing).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class TemplateError(Exception):
    """A template that cannot be parsed or evaluated."""


# -- nodes --------------------------------------------------------------------------------

@dataclass(slots=True)
class Text:
    text: str


@dataclass(slots=True)
class Ref:
    expr: Any  # an expression node
    silent: bool
    source: str  # the reference as written, rendered when it is undefined


@dataclass(slots=True)
class SetNode:
    target: Any  # a reference expression
    value: Any


@dataclass(slots=True)
class IfNode:
    branches: list[tuple[Any, list[Any]]]
    otherwise: list[Any] = field(default_factory=list)


@dataclass(slots=True)
class ForNode:
    name: str
    items: Any
    body: list[Any]


# Expression nodes are tuples: ("lit", v), ("var", name), ("attr", obj, name),
# ("call", obj, name, args), ("index", obj, key), ("list", items), ("range", a, b),
# ("map", pairs), ("str", parts), ("not", e), ("bin", op, a, b), ("neg", e).

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_TOKEN = re.compile(r"""\s*(?:
    (?P<num>\d+\.\d+|\d+) |
    (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*') |
    (?P<op>\.\.|==|!=|<=|>=|&&|\|\||[-+*/%<>!()\[\]{},:=.$]) |
    (?P<word>[A-Za-z_][A-Za-z0-9_-]*)
)""", re.VERBOSE)


class _Exprs:
    """A recursive-descent parser of one expression starting at ``pos`` in ``text``."""

    def __init__(self, text: str, pos: int) -> None:
        self.text, self.pos = text, pos

    def peek(self) -> tuple[str, str] | None:
        match = _TOKEN.match(self.text, self.pos)
        if not match or match.end() == match.start():
            return None
        kind = match.lastgroup or ""
        return kind, match.group(kind)

    def take(self) -> tuple[str, str]:
        match = _TOKEN.match(self.text, self.pos)
        if not match or match.lastgroup is None:
            raise TemplateError(f"unexpected input at {self.pos}")
        self.pos = match.end()
        return match.lastgroup, match.group(match.lastgroup)

    def expect(self, value: str) -> None:
        kind, got = self.take()
        if got != value:
            raise TemplateError(f"expected {value!r}, found {got!r}")

    def at(self, value: str) -> bool:
        token = self.peek()
        return token is not None and token[1] == value

    def expression(self) -> Any:
        return self.or_()

    def or_(self) -> Any:
        left = self.and_()
        while self.at("||") or self.at("or"):
            self.take()
            left = ("bin", "||", left, self.and_())
        return left

    def and_(self) -> Any:
        left = self.compare()
        while self.at("&&") or self.at("and"):
            self.take()
            left = ("bin", "&&", left, self.compare())
        return left

    def compare(self) -> Any:
        left = self.sum()
        token = self.peek()
        words = {"eq": "==", "ne": "!=", "lt": "<", "gt": ">", "le": "<=", "ge": ">="}
        if token and (token[1] in ("==", "!=", "<", ">", "<=", ">=") or token[1] in words):
            self.take()
            left = ("bin", words.get(token[1], token[1]), left, self.sum())
        return left

    def sum(self) -> Any:
        left = self.product()
        while self.at("+") or self.at("-"):
            op = self.take()[1]
            left = ("bin", op, left, self.product())
        return left

    def product(self) -> Any:
        left = self.unary()
        while self.at("*") or self.at("/") or self.at("%"):
            op = self.take()[1]
            left = ("bin", op, left, self.unary())
        return left

    def unary(self) -> Any:
        if self.at("!") or self.at("not"):
            self.take()
            return ("not", self.unary())
        if self.at("-"):
            self.take()
            return ("neg", self.unary())
        return self.primary()

    def primary(self) -> Any:
        kind, value = self.take()
        if kind == "num":
            return ("lit", float(value) if "." in value else int(value))
        if kind == "str":
            inner = value[1:-1]
            if value[0] == "'":
                return ("lit", inner.replace("\\'", "'"))
            return ("str", parse(inner.replace('\\"', '"')))
        if kind == "word":
            if value in ("true", "false"):
                return ("lit", value == "true")
            if value == "null":
                return ("lit", None)
            raise TemplateError(f"unexpected word {value!r}")
        if value == "(":
            inner = self.expression()
            self.expect(")")
            return inner
        if value == "[":
            return self.list_literal()
        if value == "{":
            return self.map_literal()
        if value == "$":
            return self.reference()
        raise TemplateError(f"unexpected {value!r}")

    def list_literal(self) -> Any:
        items: list[Any] = []
        if self.at("]"):
            self.take()
            return ("list", items)
        first = self.expression()
        if self.at(".."):
            self.take()
            last = self.expression()
            self.expect("]")
            return ("range", first, last)
        items.append(first)
        while self.at(","):
            self.take()
            items.append(self.expression())
        self.expect("]")
        return ("list", items)

    def map_literal(self) -> Any:
        pairs: list[tuple[Any, Any]] = []
        while not self.at("}"):
            key = self.expression()
            self.expect(":")
            pairs.append((key, self.expression()))
            if self.at(","):
                self.take()
        self.expect("}")
        return ("map", pairs)

    def reference(self) -> Any:
        """After ``$``: ``name`` or ``{name...}`` and its chain of accesses."""
        if self.text.startswith("!", self.pos):
            self.pos += 1
        braced = self.text.startswith("{", self.pos)
        if braced:
            self.pos += 1
        match = _IDENT.match(self.text, self.pos)
        if not match:
            raise TemplateError("a reference needs a name")
        self.pos = match.end()
        node: Any = ("var", match.group(0))
        node = self.accesses(node)
        if braced:
            self.expect("}")
        return node

    def accesses(self, node: Any) -> Any:
        while True:
            if self.text.startswith(".", self.pos) and _IDENT.match(self.text, self.pos + 1):
                name_match = _IDENT.match(self.text, self.pos + 1)
                assert name_match is not None
                self.pos = name_match.end()
                name = name_match.group(0)
                if self.text.startswith("(", self.pos):
                    self.pos += 1
                    args: list[Any] = []
                    while not self.at(")"):
                        args.append(self.expression())
                        if self.at(","):
                            self.take()
                    self.expect(")")
                    node = ("call", node, name, args)
                else:
                    node = ("attr", node, name)
            elif self.text.startswith("[", self.pos):
                self.pos += 1
                key = self.expression()
                self.expect("]")
                node = ("index", node, key)
            else:
                return node


# -- template parsing ---------------------------------------------------------------------

_DIRECTIVE = re.compile(r"#\{?(set|if|elseif|else|end|foreach)\}?")


def parse(template: str) -> list[Any]:
    nodes, pos, stop = _parse_block(template, 0, ())
    if stop is not None:
        raise TemplateError(f"unexpected #{stop}")
    return nodes


def _parse_block(text: str, pos: int, stops: tuple[str, ...]
                 ) -> tuple[list[Any], int, str | None]:
    """Nodes up to one of ``stops`` (``#else``, ``#end``...); (nodes, position after
    the stop, the stop) — the stop is None at the end of the text."""
    nodes: list[Any] = []
    buffer: list[str] = []

    def flush() -> None:
        if buffer:
            nodes.append(Text("".join(buffer)))
            buffer.clear()

    while pos < len(text):
        char = text[pos]
        if char == "#" and text.startswith("##", pos):
            end = text.find("\n", pos)
            pos = len(text) if end < 0 else end + 1
            continue
        if char == "#" and text.startswith("#*", pos):
            end = text.find("*#", pos + 2)
            pos = len(text) if end < 0 else end + 2
            continue
        if char == "#":
            match = _DIRECTIVE.match(text, pos)
            if match:
                word = match.group(1)
                if word in stops:
                    flush()
                    return nodes, _after_directive(text, match.end(), word), word
                if word in ("set", "if", "foreach"):
                    flush()
                    node, pos = _parse_directive(text, match.end(), word)
                    nodes.append(node)
                    continue
                raise TemplateError(f"unexpected #{word}")
        if char == "$":
            parsed = _parse_ref(text, pos)
            if parsed is not None:
                flush()
                nodes.append(parsed[0])
                pos = parsed[1]
                continue
        buffer.append(char)
        pos += 1
    flush()
    return nodes, pos, None


def _after_directive(text: str, pos: int, word: str) -> int:
    """Past a directive: Velocity 1.7 drops the newline right after one."""
    return pos + 1 if text.startswith("\n", pos) else pos


def _parse_ref(text: str, pos: int) -> tuple[Ref, int] | None:
    silent = text.startswith("$!", pos)
    start = pos + (2 if silent else 1)
    braced = text.startswith("{", start)
    name_at = start + 1 if braced else start
    if not _IDENT.match(text, name_at):
        return None
    parser = _Exprs(text, pos + 1)
    try:
        expr = parser.reference()
    except TemplateError:
        return None
    return Ref(expr, silent, text[pos:parser.pos]), parser.pos


def _parse_directive(text: str, pos: int, word: str) -> tuple[Any, int]:
    parser = _Exprs(text, pos)
    parser.expect("(")
    if word == "set":
        parser.expect("$")
        target = parser.reference()
        parser.expect("=")
        value = parser.expression()
        parser.expect(")")
        return SetNode(target, value), _after_directive(text, parser.pos, word)
    if word == "foreach":
        parser.expect("$")
        name_match = _IDENT.match(text, parser.pos)
        if not name_match:
            raise TemplateError("#foreach needs a variable")
        parser.pos = name_match.end()
        kind, value = parser.take()
        if value != "in":
            raise TemplateError("#foreach needs 'in'")
        items = parser.expression()
        parser.expect(")")
        body, end, stop = _parse_block(text, _after_directive(text, parser.pos, word),
                                       ("end",))
        if stop != "end":
            raise TemplateError("#foreach without #end")
        return ForNode(name_match.group(0), items, body), end
    condition = parser.expression()
    parser.expect(")")
    node = IfNode([])
    pos = _after_directive(text, parser.pos, word)
    while True:
        body, pos, stop = _parse_block(text, pos, ("elseif", "else", "end"))
        node.branches.append((condition, body))
        if stop == "end":
            return node, pos
        if stop == "else":
            otherwise, pos, stop = _parse_block(text, pos, ("end",))
            if stop != "end":
                raise TemplateError("#else without #end")
            node.otherwise = otherwise
            return node, pos
        if stop == "elseif":
            parser = _Exprs(text, pos)
            parser.expect("(")
            condition = parser.expression()
            parser.expect(")")
            pos = _after_directive(text, parser.pos, "elseif")
            continue
        raise TemplateError("#if without #end")


# -- evaluation ---------------------------------------------------------------------------

class Undefined(Exception):
    """A reference to nothing (rendered as written)."""


def render(template: str, variables: dict[str, Any]) -> str:
    """The template's output with ``variables`` (``input``, ``util``, ``context``...)."""
    out: list[str] = []
    scope = dict(variables)
    _run(parse(template), scope, out)
    return "".join(out)


def _run(nodes: list[Any], scope: dict[str, Any], out: list[str]) -> None:
    for node in nodes:
        if isinstance(node, Text):
            out.append(node.text)
        elif isinstance(node, Ref):
            try:
                value = _eval(node.expr, scope)
            except Undefined:
                value = None
            if value is None:
                out.append("" if node.silent else node.source)
            else:
                out.append(to_text(value))
        elif isinstance(node, SetNode):
            _assign(node.target, _eval_or_none(node.value, scope), scope)
        elif isinstance(node, IfNode):
            for condition, body in node.branches:
                if truthy(_eval_or_none(condition, scope)):
                    _run(body, scope, out)
                    break
            else:
                _run(node.otherwise, scope, out)
        elif isinstance(node, ForNode):
            _loop(node, scope, out)


_MISSING = object()


def _loop(node: ForNode, scope: dict[str, Any], out: list[str]) -> None:
    """One ``#foreach``; ``$foreach`` and ``$velocityCount`` are the innermost loop's,
    and an outer loop's come back when an inner one ends."""
    saved = {name: scope.get(name, _MISSING)
             for name in ("foreach", "velocityCount", node.name)}
    items = _iterable(_eval_or_none(node.items, scope))
    for index, item in enumerate(items):
        scope[node.name] = item
        scope["foreach"] = {"hasNext": index < len(items) - 1, "index": index,
                            "count": index + 1, "first": index == 0,
                            "last": index == len(items) - 1}
        scope["velocityCount"] = index + 1
        _run(node.body, scope, out)
    for name, value in saved.items():
        if name == node.name and value is _MISSING and items:
            continue  # Velocity leaves the loop variable at its last item
        if value is _MISSING:
            scope.pop(name, None)
        else:
            scope[name] = value


def _iterable(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _assign(target: Any, value: Any, scope: dict[str, Any]) -> None:
    if target[0] == "var":
        scope[target[1]] = value
    elif target[0] == "attr":
        holder = _eval(target[1], scope)
        if isinstance(holder, dict):
            holder[target[2]] = value
    elif target[0] == "index":
        holder = _eval(target[1], scope)
        key = _eval(target[2], scope)
        if isinstance(holder, (dict, list)):
            holder[key] = value


def _eval_or_none(expr: Any, scope: dict[str, Any]) -> Any:
    try:
        return _eval(expr, scope)
    except Undefined:
        return None


def _eval(expr: Any, scope: dict[str, Any]) -> Any:
    kind = expr[0]
    if kind == "lit":
        return expr[1]
    if kind == "var":
        if expr[1] not in scope:
            raise Undefined(expr[1])
        return scope[expr[1]]
    if kind == "str":
        out: list[str] = []
        _run(expr[1], scope, out)
        return "".join(out)
    if kind == "list":
        return [_eval_or_none(item, scope) for item in expr[1]]
    if kind == "range":
        first, last = int(_eval(expr[1], scope)), int(_eval(expr[2], scope))
        step = 1 if last >= first else -1
        return list(range(first, last + step, step))
    if kind == "map":
        return {_eval(k, scope): _eval_or_none(v, scope) for k, v in expr[1]}
    if kind == "not":
        return not truthy(_eval_or_none(expr[1], scope))
    if kind == "neg":
        return -_eval(expr[1], scope)
    if kind == "bin":
        return _binary(expr[1], expr[2], expr[3], scope)
    if kind == "attr":
        return _attribute(_eval(expr[1], scope), expr[2])
    if kind == "index":
        holder, key = _eval(expr[1], scope), _eval(expr[2], scope)
        try:
            return holder[key]
        except (KeyError, IndexError, TypeError) as error:
            raise Undefined(str(key)) from error
    if kind == "call":
        target = _eval(expr[1], scope)
        args = [_eval_or_none(arg, scope) for arg in expr[3]]
        return call_method(target, expr[2], args)
    raise TemplateError(f"unknown expression {kind}")


def _binary(op: str, left_expr: Any, right_expr: Any, scope: dict[str, Any]) -> Any:
    left = _eval_or_none(left_expr, scope)
    if op == "&&":
        return truthy(left) and truthy(_eval_or_none(right_expr, scope))
    if op == "||":
        return truthy(left) or truthy(_eval_or_none(right_expr, scope))
    right = _eval_or_none(right_expr, scope)
    if op == "==":
        return _equal(left, right)
    if op == "!=":
        return not _equal(left, right)
    if op == "+" and (isinstance(left, str) or isinstance(right, str)):
        return to_text(left) + to_text(right)
    try:
        operations: dict[str, Callable[[Any, Any], Any]] = {
            "<": lambda a, b: a < b, ">": lambda a, b: a > b, "<=": lambda a, b: a <= b,
            ">=": lambda a, b: a >= b, "+": lambda a, b: a + b, "-": lambda a, b: a - b,
            "*": lambda a, b: a * b, "%": lambda a, b: a % b,
            "/": lambda a, b: a // b if isinstance(a, int) and isinstance(b, int) else a / b}
        return operations[op](left, right)
    except (TypeError, ZeroDivisionError):
        return None


def _equal(left: Any, right: Any) -> bool:
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        return bool(left == right)
    if type(left) is not type(right) and left is not None and right is not None:
        return to_text(left) == to_text(right)
    return bool(left == right)


def truthy(value: Any) -> bool:
    """Velocity's truth: null and false are false; everything else is true."""
    return value is not None and value is not False


def _attribute(target: Any, name: str) -> Any:
    if isinstance(target, dict):
        if name in target:
            return target[name]
        raise Undefined(name)
    getter = getattr(target, "vtl_" + name, None)
    if getter is not None:
        return getter() if callable(getter) else getter
    getter = getattr(target, "vtl_get" + name[:1].upper() + name[1:], None)
    if callable(getter):
        return getter()
    raise Undefined(name)


def call_method(target: Any, name: str, args: list[Any]) -> Any:
    """``target.name(args)``: a Python object's ``vtl_<name>``, or Java's method on a
    map, list or string."""
    method = getattr(target, "vtl_" + name, None)
    if callable(method):
        return method(*args)
    if isinstance(target, dict):
        return _map_method(target, name, args)
    if isinstance(target, list):
        return _list_method(target, name, args)
    if isinstance(target, str):
        return _string_method(target, name, args)
    if name == "toString":
        return to_text(target)
    if name == "equals":
        return _equal(target, args[0])
    raise Undefined(name)


def _map_method(target: dict[str, Any], name: str, args: list[Any]) -> Any:
    if name == "get":
        return target.get(args[0])
    if name == "keySet":
        return list(target.keys())
    if name in ("values",):
        return list(target.values())
    if name == "entrySet":
        return [{"key": k, "value": v} for k, v in target.items()]
    if name == "size":
        return len(target)
    if name == "isEmpty":
        return not target
    if name == "containsKey":
        return args[0] in target
    if name == "put":
        previous = target.get(args[0])
        target[args[0]] = args[1]
        return previous
    if name == "remove":
        return target.pop(args[0], None)
    if name == "toString":
        return to_text(target)
    raise Undefined(name)


def _list_method(target: list[Any], name: str, args: list[Any]) -> Any:
    if name == "size":
        return len(target)
    if name == "get":
        return target[int(args[0])]
    if name == "isEmpty":
        return not target
    if name == "contains":
        return args[0] in target
    if name == "add":
        target.append(args[0])
        return True
    if name == "toString":
        return to_text(target)
    raise Undefined(name)


def _string_method(target: str, name: str, args: list[Any]) -> Any:
    simple: dict[str, Callable[[], Any]] = {
        "length": lambda: len(target), "size": lambda: len(target),
        "isEmpty": lambda: not target, "trim": target.strip,
        "toLowerCase": target.lower, "toUpperCase": target.upper,
        "toString": lambda: target}
    if name in simple:
        return simple[name]()
    first = to_text(args[0]) if args else ""
    if name == "contains":
        return first in target
    if name == "startsWith":
        return target.startswith(first)
    if name == "endsWith":
        return target.endswith(first)
    if name == "equals":
        return target == first
    if name == "equalsIgnoreCase":
        return target.lower() == first.lower()
    if name == "indexOf":
        return target.find(first)
    if name == "substring":
        return target[int(args[0]):int(args[1])] if len(args) > 1 else target[int(args[0]):]
    if name == "replace":
        return target.replace(first, to_text(args[1]))
    if name == "replaceAll":
        return re.sub(first, _java_replacement(to_text(args[1])), target)
    if name == "split":
        return re.split(first, target)
    if name == "matches":
        return re.fullmatch(first, target) is not None
    if name == "charAt":
        return target[int(args[0])]
    raise Undefined(name)


def _java_replacement(text: str) -> str:
    return re.sub(r"\$(\d)", r"\\\1", text)


def to_text(value: Any) -> str:
    """A value as Velocity writes it (Java's ``toString``)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return repr(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{to_text(k)}={to_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(to_text(v) for v in value) + "]"
    text = getattr(value, "vtl_toString", None)
    if callable(text):
        return str(text())
    return str(value)


def json_text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
