"""The DynamoDB Streams API's error codes, with AWS's wordings."""

from __future__ import annotations

from nubes.errors import ServiceError, ValidationError, error_class

ValidationException = ValidationError
ExpiredIteratorException = error_class("ExpiredIteratorException", 400)
TrimmedDataAccessException = error_class("TrimmedDataAccessException", 400)
LimitExceededException = error_class("LimitExceededException", 400)

NOT_FOUND = "Requested resource not found"


class ResourceNotFoundException(ServiceError):
    code = "ResourceNotFoundException"
    status = 400
    default_message = NOT_FOUND


def stream_not_found(arn: str) -> ServiceError:
    return ResourceNotFoundException(f"{NOT_FOUND}: Stream: {arn} not found")


def table_not_found(name: str) -> ServiceError:
    return ResourceNotFoundException(f"{NOT_FOUND}: Table: {name} not found")


def shard_not_found(shard_id: str, arn: str) -> ServiceError:
    return ResourceNotFoundException(
        f"{NOT_FOUND}: Shard: {shard_id} in Stream: {arn} not found")


def trimmed() -> ServiceError:
    return TrimmedDataAccessException(
        "The operation attempted to read past the oldest stream record in a shard.")


def out_of_range(name: str, value: object, low: int, high: int) -> ServiceError:
    """AWS's wording for a number outside its model's bounds."""
    bound = (f"greater than or equal to {low}" if isinstance(value, int) and value < low
             else f"less than or equal to {high}")
    return ValidationException(
        f"1 validation error detected: Value '{value}' at '{name}' failed to satisfy "
        f"constraint: Member must have value {bound}")
