"""The ValidationException the expression languages raise, and AWS's wording of each error.

Every message here is AWS's, word for word; the functions build them so the wording lives
in one place. Messages about one expression carry its kind as a prefix
(``Invalid ConditionExpression: ...``); the request-wide ones (unused names and values)
do not.
"""

from __future__ import annotations

from enum import StrEnum

from nubes.errors import ValidationError


class ExpressionKind(StrEnum):
    """Which expression parameter of the request an expression came from."""

    CONDITION = "ConditionExpression"
    FILTER = "FilterExpression"
    KEY_CONDITION = "KeyConditionExpression"
    PROJECTION = "ProjectionExpression"
    UPDATE = "UpdateExpression"


class ValidationException(ValidationError):
    """A DynamoDB ValidationException (400) raised while parsing or applying an expression.

    ``counted`` marks the errors that UpdateItem words with AWS's
    ``1 validation error detected: `` prefix (and TransactWriteItems without it): the
    provider adds the prefix where AWS does.
    """

    code = "ValidationException"
    status = 400

    def __init__(self, message: str, *, counted: bool = False) -> None:
        super().__init__(message)
        self.counted = counted


def invalid(kind: ExpressionKind, detail: str, *, counted: bool = False) -> ValidationException:
    """``Invalid <Kind>Expression: <detail>``."""
    return ValidationException(f"Invalid {kind.value}: {detail}", counted=counted)


def syntax_error(kind: ExpressionKind, token: str, near: str) -> ValidationException:
    return invalid(kind, f'Syntax error; token: "{token}", near: "{near}"')


def empty_expression(kind: ExpressionKind) -> ValidationException:
    return invalid(kind, "The expression can not be empty;")


def too_large(kind: ExpressionKind, size: int) -> ValidationException:
    return invalid(
        kind, f"Expression size has exceeded the maximum allowed size; expression size: {size}"
    )


def format_path(elements: tuple[str | int, ...]) -> str:
    """A document path as AWS prints it in messages: ``[a, b, [0]]``."""
    parts = (f"[{e}]" if isinstance(e, int) else e for e in elements)
    return "[" + ", ".join(parts) + "]"


def overlapping_paths(
    kind: ExpressionKind, one: tuple[str | int, ...], two: tuple[str | int, ...]
) -> ValidationException:
    return invalid(
        kind,
        "Two document paths overlap with each other; must remove or rewrite one of these "
        f"paths; path one: {format_path(one)}, path two: {format_path(two)}",
    )


def conflicting_paths(
    kind: ExpressionKind, one: tuple[str | int, ...], two: tuple[str | int, ...]
) -> ValidationException:
    return invalid(
        kind,
        "Two document paths conflict with each other; must remove or rewrite one of these "
        f"paths; path one: {format_path(one)}, path two: {format_path(two)}",
    )


def operand_type(function: str, type_name: str) -> str:
    return (
        "Incorrect operand type for operator or function; "
        f"operator or function: {function}, operand type: {type_name}"
    )


def operand_count(function: str, count: int) -> str:
    return (
        "Incorrect number of operands for operator or function; "
        f"operator or function: {function}, number of operands: {count}"
    )


def update_operand_type(operator: str, type_name: str) -> ValidationException:
    """ADD or DELETE given a value of a type it cannot take (AWS names the ADD type set)."""
    return invalid(
        ExpressionKind.UPDATE,
        "Incorrect operand type for operator or function; "
        f"operator: {operator}, operand type: {type_name}, typeSet: ALLOWED_FOR_ADD_OPERAND",
        counted=True,
    )


def incorrect_data_type() -> ValidationException:
    """An update's operand turned out, against the item, to be of the wrong type."""
    return ValidationException("An operand in the update expression has an incorrect data type")


def invalid_update_path() -> ValidationException:
    return ValidationException(
        "The document path provided in the update expression is invalid for update"
    )


def missing_attribute() -> ValidationException:
    return ValidationException(
        "The provided expression refers to an attribute that does not exist in the item"
    )
