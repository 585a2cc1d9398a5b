"""API Gateway's error codes (rest-json: ``x-amzn-ErrorType`` and ``{"message"}``),
with AWS's wordings."""

from __future__ import annotations

from nubes.errors import ServiceError, error_class

NotFoundException = error_class("NotFoundException", 404)
BadRequestException = error_class("BadRequestException", 400)
ConflictException = error_class("ConflictException", 409)
LimitExceededException = error_class("LimitExceededException", 429)
TooManyRequestsException = error_class("TooManyRequestsException", 429)
UnauthorizedException = error_class("UnauthorizedException", 401)


def api_not_found(account: str, api_id: str) -> ServiceError:
    return NotFoundException(f"Invalid API identifier specified {account}:{api_id}")


def resource_not_found(account: str, resource_id: str) -> ServiceError:
    return NotFoundException(f"Invalid Resource identifier specified {account}:{resource_id}")


def not_found(message: str) -> ServiceError:
    return NotFoundException(message)


def bad_request(message: str) -> ServiceError:
    return BadRequestException(message)
