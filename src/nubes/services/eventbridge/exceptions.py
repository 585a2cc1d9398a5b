"""EventBridge's error codes, with AWS's wordings."""

from __future__ import annotations

from nubes.errors import ServiceError, ValidationError, error_class

ValidationException = ValidationError
ResourceNotFoundException = error_class("ResourceNotFoundException", 400)
ResourceAlreadyExistsException = error_class("ResourceAlreadyExistsException", 400)
InvalidEventPatternException = error_class("InvalidEventPatternException", 400)
LimitExceededException = error_class("LimitExceededException", 400)
ConcurrentModificationException = error_class("ConcurrentModificationException", 400)
PolicyLengthExceededException = error_class("PolicyLengthExceededException", 400)


def rule_not_found(name: str, bus: str) -> ServiceError:
    return ResourceNotFoundException(f"Rule {name} does not exist on EventBus {bus}.")


def bus_not_found(name: str) -> ServiceError:
    return ResourceNotFoundException(f"Event bus {name} does not exist.")


def limit_exceeded() -> ServiceError:
    return LimitExceededException("The requested resource exceeds the maximum number allowed.")


def constraint(name: str, value: object, rule: str) -> ServiceError:
    """AWS's wording for a member breaking its model's constraint."""
    return ValidationException(
        f"1 validation error detected: Value '{value}' at '{name}' failed to satisfy "
        f"constraint: {rule}")


def invalid_parameter(name: str) -> ServiceError:
    return ValidationException(f"Parameter {name} is not valid.")
