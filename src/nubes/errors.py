"""The one root of every error Nubes raises, and the AWS-facing error type.

AWS-facing errors carry what the edge needs to answer (code, HTTP status, sender fault);
they are defined per service in ``services/<name>/exceptions.py`` and serialized only at
the edge, in the protocol of the service that raised them.
"""

from __future__ import annotations

from typing import Any, ClassVar


class NubesError(Exception):
    """Root of every error Nubes raises on purpose."""


class ServiceError(NubesError):
    """An error a client sees, in AWS's terms.

    Subclasses set ``code`` and ``status`` as class attributes, and ``default_message``
    when AWS has a fixed wording for the error; ``fields`` holds extra members some
    protocols put in the error body (S3's ``BucketName``, ``Key``, ...), and ``headers``
    extra response headers.
    """

    code: ClassVar[str] = "InternalError"
    status: ClassVar[int] = 500
    sender_fault: ClassVar[bool] = True
    default_message: ClassVar[str] = ""

    def __init__(
        self,
        message: str = "",
        *,
        fields: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        message = message or self.default_message
        super().__init__(message)
        self.message = message
        self.fields: dict[str, Any] = fields or {}
        self.headers: dict[str, str] = headers or {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code}: {self.message!r})"


def error_class(code: str, status: int, *, sender_fault: bool = True) -> type[ServiceError]:
    """Make a ServiceError subclass for an error code (used by the exceptions modules)."""
    attributes = {"code": code, "status": status, "sender_fault": sender_fault}
    return type(code, (ServiceError,), attributes)


class InternalError(ServiceError):
    code = "InternalError"
    status = 500
    sender_fault = False


class ServiceUnavailable(ServiceError):
    code = "ServiceUnavailable"
    status = 503
    sender_fault = False


class UnknownOperation(ServiceError):
    """The request named an operation the service's model has, or routing found none."""

    code = "UnknownOperationException"
    status = 400


class NotImplementedOperation(ServiceError):
    """The operation exists in AWS's model but Nubes does not implement it (yet)."""

    code = "NotImplemented"
    status = 501


class ValidationError(ServiceError):
    """Input that does not match the operation's model (types, required members)."""

    code = "ValidationException"
    status = 400


class MissingAuthentication(ServiceError):
    code = "MissingAuthenticationToken"
    status = 403


class AccessDenied(ServiceError):
    code = "AccessDenied"
    status = 403


class SignatureDoesNotMatch(ServiceError):
    code = "SignatureDoesNotMatch"
    status = 403


class InvalidAccessKeyId(ServiceError):
    code = "InvalidAccessKeyId"
    status = 403


class UnrecognizedClient(ServiceError):
    """An unknown access key, as rest-json services (Lambda) answer it."""

    code = "UnrecognizedClientException"
    status = 403


class UnrecognizedClientJson(UnrecognizedClient):
    """The json protocol's answer (DynamoDB, SQS, Kinesis): a client error, 400."""

    status = 400


class IncompleteSignature(ServiceError):
    code = "IncompleteSignature"
    status = 400


class ContentSHA256Mismatch(ServiceError):
    code = "XAmzContentSHA256Mismatch"
    status = 400


class RequestExpired(ServiceError):
    code = "RequestExpired"
    status = 403


# Authentication and body-framing errors raised by the edge (sigv4.py, chunked.py). The same
# failure has a different code per protocol family; the edge picks the class by flavour.


class InvalidClientTokenId(ServiceError):
    code = "InvalidClientTokenId"
    status = 403


class AuthorizationHeaderMalformed(ServiceError):
    code = "AuthorizationHeaderMalformed"
    status = 400


class AuthorizationQueryParametersError(ServiceError):
    code = "AuthorizationQueryParametersError"
    status = 400


class RequestTimeTooSkewed(ServiceError):
    code = "RequestTimeTooSkewed"
    status = 403


class InvalidSignature(ServiceError):
    """The json protocol's answer to an expired signature (400; rest-json answers 403)."""

    code = "InvalidSignatureException"
    status = 400


class InvalidSignatureRestJson(InvalidSignature):
    status = 403


class IncompleteSignatureJson(IncompleteSignature):
    code = "IncompleteSignatureException"


class InvalidRequest(ServiceError):
    code = "InvalidRequest"
    status = 400


class InvalidArgument(ServiceError):
    code = "InvalidArgument"
    status = 400


class IncompleteBody(ServiceError):
    code = "IncompleteBody"
    status = 400


class BadDigest(ServiceError):
    code = "BadDigest"
    status = 400


class MalformedTrailer(ServiceError):
    code = "MalformedTrailerError"
    status = 400
