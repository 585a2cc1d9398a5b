"""ExpressionAttributeNames and ExpressionAttributeValues of one request, and their use.

One ``ExpressionContext`` serves all the expressions of a request: each parse records the
placeholders it resolved, and the provider calls ``check_unused`` once, after parsing
them all, for AWS's "unused" errors.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from .errors import ValidationException
from .values import AttributeValue

_NAME_KEY = re.compile(r"#[0-9A-Za-z_]+")
_VALUE_KEY = re.compile(r":[0-9A-Za-z_]+")


class ExpressionContext:
    """The placeholders a request defines, and which of them its expressions used."""

    def __init__(
        self,
        names: Mapping[str, str] | None = None,
        values: Mapping[str, AttributeValue] | None = None,
    ) -> None:
        _check_keys("ExpressionAttributeNames", names, _NAME_KEY)
        _check_keys("ExpressionAttributeValues", values, _VALUE_KEY)
        self.names: Mapping[str, str] | None = names
        self.values: Mapping[str, AttributeValue] | None = values
        self.used_names: set[str] = set()
        self.used_values: set[str] = set()
        self.expressions = 0
        self.value_expressions = 0

    def lookup_name(self, placeholder: str) -> str | None:
        """The name a ``#placeholder`` stands for (marking it used), or None."""
        name = (self.names or {}).get(placeholder)
        if name is not None:
            self.used_names.add(placeholder)
        return name

    def lookup_value(self, placeholder: str) -> AttributeValue | None:
        """The value a ``:placeholder`` stands for (marking it used), or None."""
        value = (self.values or {}).get(placeholder)
        if value is not None:
            self.used_values.add(placeholder)
        return value

    def mark_parsed(self, *, takes_values: bool) -> None:
        """Record that an expression was given (projections take no values)."""
        self.expressions += 1
        self.value_expressions += takes_values

    def check_unused(self, value_expressions: Sequence[str] = ()) -> None:
        """Raise AWS's error for placeholders defined but not used, or given needlessly.

        ``value_expressions`` names the request's parameters that can take values
        (``("ConditionExpression",)`` for PutItem): when values are given and none of
        those expressions is, AWS answers "... can only be specified when using
        expressions: ConditionExpression is null".
        """
        if self.names is not None and not self.expressions:
            raise ValidationException(
                "ExpressionAttributeNames can only be specified when using expressions"
            )
        if self.values is not None and not self.value_expressions and value_expressions:
            verb = "are" if len(value_expressions) > 1 else "is"
            raise ValidationException(
                "ExpressionAttributeValues can only be specified when using expressions: "
                f"{' and '.join(value_expressions)} {verb} null"
            )
        _check_used("ExpressionAttributeNames", self.names, self.used_names)
        _check_used("ExpressionAttributeValues", self.values, self.used_values)


def _check_keys(
    parameter: str, mapping: Mapping[str, object] | None, form: re.Pattern[str]
) -> None:
    if mapping is None:
        return
    if not mapping:
        raise ValidationException(f"{parameter} must not be empty")
    for key in mapping:
        if not form.fullmatch(key):
            raise ValidationException(
                f'{parameter} contains invalid key: Syntax error; key: "{key}"'
            )


def _check_used(parameter: str, mapping: Mapping[str, object] | None, used: set[str]) -> None:
    unused = [key for key in mapping or () if key not in used]
    if unused:
        raise ValidationException(
            f"Value provided in {parameter} unused in expressions: keys: {{{', '.join(unused)}}}"
        )
