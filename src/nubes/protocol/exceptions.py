"""The errors the protocol layer raises for input that does not fit the model.

Each protocol answers malformed or mistyped input with its own code: S3 (rest-xml)
says ``MalformedXML`` / ``InvalidArgument``, the JSON protocols ``SerializationException``
/ ``ValidationException``, the query protocol ``ValidationError``.
"""

from __future__ import annotations

from nubes.errors import ServiceError, ValidationError

MALFORMED_XML_MESSAGE = (
    "The XML you provided was not well-formed or did not validate against our published schema"
)


class MalformedXML(ServiceError):
    code = "MalformedXML"
    status = 400


class SerializationException(ServiceError):
    code = "SerializationException"
    status = 400


class InvalidArgument(ServiceError):
    code = "InvalidArgument"
    status = 400


class QueryValidationError(ServiceError):
    """The query protocol's validation error (its code has no "Exception" suffix)."""

    code = "ValidationError"
    status = 400


class MalformedQueryString(ServiceError):
    code = "MalformedQueryString"
    status = 400


def validation_error(protocol: str) -> type[ServiceError]:
    """The error class a protocol uses for a member of the wrong type."""
    if protocol == "rest-xml":
        return InvalidArgument
    if protocol == "query":
        return QueryValidationError
    if protocol == "json":
        return SerializationException  # DynamoDB, SQS...: a body that does not deserialize
    return ValidationError
