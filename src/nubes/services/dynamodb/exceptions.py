"""DynamoDB's error codes, with AWS's fixed wordings where it has them.

``ValidationException`` is ``nubes.errors.ValidationError`` (the expression and type
modules raise it); the rest are the codes of botocore's DynamoDB model. Errors that carry
items (ConditionalCheckFailedException's ``Item``, TransactionCanceledException's
``CancellationReasons``) take them in wire form and encode binary values for the body.
"""

from __future__ import annotations

import base64
from typing import Any

from nubes.errors import ServiceError, ValidationError, error_class
from nubes.services.dynamodb.types import AttributeValue, Item

ValidationException = ValidationError
ResourceInUseException = error_class("ResourceInUseException", 400)
LimitExceededException = error_class("LimitExceededException", 400)
TransactionConflictException = error_class("TransactionConflictException", 400)
TransactionInProgressException = error_class("TransactionInProgressException", 400)
IdempotentParameterMismatchException = error_class("IdempotentParameterMismatchException", 400)
InternalServerError = error_class("InternalServerError", 500, sender_fault=False)

TABLE_NOT_FOUND = "Requested resource not found"
NO_TABLE = "Cannot do operations on a non-existent table"
CONDITION_FAILED = "The conditional request failed"


class ResourceNotFoundException(ServiceError):
    code = "ResourceNotFoundException"
    status = 400
    default_message = TABLE_NOT_FOUND


class ConditionalCheckFailedException(ServiceError):
    """A refused conditional write; ``Item`` is the item as it was (ALL_OLD on failure)."""

    code = "ConditionalCheckFailedException"
    status = 400
    default_message = CONDITION_FAILED

    def __init__(self, item: Item | None = None) -> None:
        super().__init__(fields={"Item": wire_item(item)} if item else None)
        self.item = item


class TransactionCanceledException(ServiceError):
    code = "TransactionCanceledException"
    status = 400

    def __init__(self, reasons: list[dict[str, Any]]) -> None:
        codes = ", ".join(reason.get("Code", "None") for reason in reasons)
        message = ("Transaction cancelled, please refer cancellation reasons for specific "
                   f"reasons [{codes}]")
        encoded = [{**reason, "Item": wire_item(reason["Item"])} if "Item" in reason
                   else reason for reason in reasons]
        super().__init__(message, fields={"CancellationReasons": encoded})
        self.reasons = reasons


def table_not_found(name: str | None = None) -> ServiceError:
    """ResourceNotFoundException for a table (AWS's newer wording names it)."""
    return ResourceNotFoundException(TABLE_NOT_FOUND if name is None else
                                     f"{TABLE_NOT_FOUND}: Table: {name} not found")


def wire_item(item: Item | None) -> dict[str, Any] | None:
    """An item as it travels in an error body: binary values as base64 text."""
    if item is None:
        return None
    return {name: _wire_value(value) for name, value in item.items()}


def _wire_value(value: AttributeValue) -> AttributeValue:
    ((kind, data),) = value.items()
    if kind == "B":
        return {"B": base64.b64encode(data).decode("ascii")}
    if kind == "BS":
        return {"BS": [base64.b64encode(member).decode("ascii") for member in data]}
    if kind == "L":
        return {"L": [_wire_value(element) for element in data]}
    if kind == "M":
        return {"M": {name: _wire_value(inner) for name, inner in data.items()}}
    return value
