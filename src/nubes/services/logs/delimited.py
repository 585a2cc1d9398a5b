"""Space-delimited filter patterns: binding a message's fields to the pattern's names.

A message is split at whitespace; a field that starts with ``"`` runs to the closing
quote and one that starts with ``[`` to the closing bracket (both without their
delimiters). The pattern's fields bind one message field each, except ``...`` which binds
any number (zero included); without ``...`` the counts must be equal. The conditions are
evaluated on the first binding that satisfies them all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from nubes.services.logs.filter_expr import MISSING, And, Expr, Path, expression_paths


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    ellipsis: bool = False


def split_fields(message: str) -> list[str]:
    """The whitespace-separated fields of a message, quotes and brackets grouping."""
    fields: list[str] = []
    i, n = 0, len(message)
    while i < n:
        if message[i].isspace():
            i += 1
            continue
        closer = {'"': '"', "[": "]"}.get(message[i])
        if closer is not None:
            end = message.find(closer, i + 1)
            if end >= 0:
                fields.append(message[i + 1:end])
                i = end + 1
                continue
        end = i
        while end < n and not message[end].isspace():
            end += 1
        fields.append(message[i:end])
        i = end
    return fields


@dataclass(frozen=True, slots=True)
class DelimitedPattern:
    fields: tuple[Field, ...]
    condition: Expr | None

    @classmethod
    def build(cls, fields: Sequence[Field], conditions: Sequence[Expr]) -> DelimitedPattern:
        """The pattern, once every name its conditions use is a field's name."""
        names = {field.name for field in fields if not field.ellipsis}
        condition = (None if not conditions
                     else conditions[0] if len(conditions) == 1 else And(tuple(conditions)))
        for path in expression_paths(condition) if condition is not None else []:
            if path[0] not in names:
                raise ValueError(f"the condition names no field of the pattern: {path[0]!r}")
        return cls(tuple(fields), condition)

    def matches(self, message: str) -> bool:
        values = split_fields(message)
        return self._bind(0, 0, values, {})

    def _bind(self, fi: int, vi: int, values: list[str], bound: dict[str, str]) -> bool:
        if fi == len(self.fields):
            return vi == len(values) and self._holds(bound)
        field = self.fields[fi]
        if field.ellipsis:
            return any(self._bind(fi + 1, start, values, bound)
                       for start in range(vi, len(values) + 1))
        if vi == len(values):
            return False
        previous = bound.get(field.name)
        bound[field.name] = values[vi]
        try:
            return self._bind(fi + 1, vi + 1, values, bound)
        finally:
            if previous is None:
                del bound[field.name]
            else:
                bound[field.name] = previous

    def _holds(self, bound: dict[str, str]) -> bool:
        if self.condition is None:
            return True

        def resolve(path: Path) -> object:
            return bound.get(str(path[0]), MISSING)

        return self.condition.evaluate(resolve)
