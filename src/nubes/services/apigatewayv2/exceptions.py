"""apigatewayv2's error codes (botocore's model), with AWS's wordings."""

from __future__ import annotations

from nubes.errors import ServiceError, error_class

NotFoundException = error_class("NotFoundException", 404)
BadRequestException = error_class("BadRequestException", 400)
ConflictException = error_class("ConflictException", 409)
TooManyRequestsException = error_class("TooManyRequestsException", 429)


def not_found(kind: str, identifier: str) -> ServiceError:
    """``Invalid API identifier specified 000000000000:abc``-style, as AWS words it."""
    return NotFoundException(f"Invalid {kind} identifier specified {identifier}")


def bad_request(message: str) -> ServiceError:
    return BadRequestException(message)


def conflict(message: str) -> ServiceError:
    return ConflictException(message)
