"""Kinesis' error codes, with AWS's wordings."""

from __future__ import annotations

from nubes.errors import ServiceError, ValidationError, error_class

ValidationException = ValidationError
InvalidArgumentException = error_class("InvalidArgumentException", 400)
ResourceInUseException = error_class("ResourceInUseException", 400)
ResourceNotFoundException = error_class("ResourceNotFoundException", 400)
LimitExceededException = error_class("LimitExceededException", 400)
ExpiredIteratorException = error_class("ExpiredIteratorException", 400)
ExpiredNextTokenException = error_class("ExpiredNextTokenException", 400)


def stream_not_found(name: str, account: str) -> ServiceError:
    return ResourceNotFoundException(f"Stream {name} under account {account} not found.")


def stream_exists(name: str, account: str) -> ServiceError:
    return ResourceInUseException(f"Stream {name} under account {account} already exists.")


def shard_not_found(shard_id: str, name: str, account: str) -> ServiceError:
    return ResourceNotFoundException(
        f"Shard {shard_id} in stream {name} under account {account} does not exist")


def constraint(name: str, value: object, rule: str) -> ServiceError:
    """AWS's wording for a member breaking its model's constraint."""
    return ValidationException(
        f"1 validation error detected: Value '{value}' at '{name}' failed to satisfy "
        f"constraint: {rule}")


def bounded(name: str, value: int | None, low: int, high: int | None, default: int) -> int:
    """``value`` checked against the model's bounds, or ``default`` when absent."""
    if value is None:
        return default
    if value < low:
        raise constraint(name, value, f"Member must have value greater than or equal to {low}")
    if high is not None and value > high:
        raise constraint(name, value, f"Member must have value less than or equal to {high}")
    return value
