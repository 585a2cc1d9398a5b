"""Lambda's error codes, with the HTTP status AWS answers them with (rest-json)."""

from __future__ import annotations

from nubes.errors import ServiceError, error_class

InvalidParameterValue = error_class("InvalidParameterValueException", 400)
InvalidRequestContent = error_class("InvalidRequestContentException", 400)
ResourceNotFound = error_class("ResourceNotFoundException", 404)
ResourceConflict = error_class("ResourceConflictException", 409)
PreconditionFailed = error_class("PreconditionFailedException", 412)
RequestEntityTooLarge = error_class("RequestEntityTooLargeException", 413)
CodeStorageExceeded = error_class("CodeStorageExceededException", 400)
PolicyLengthExceeded = error_class("PolicyLengthExceededException", 400)
LambdaServiceError = error_class("ServiceException", 500, sender_fault=False)


class Validation(ServiceError):
    """A member outside the model's constraints, worded as AWS words it."""

    code = "ValidationException"
    status = 400

    def __init__(self, value: object, member: str, constraint: str) -> None:
        super().__init__(
            f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy "
            f"constraint: {constraint}"
        )


class TooManyRequests(ServiceError):
    """Throttled: no concurrency left; ``Reason`` says which limit."""

    code = "TooManyRequestsException"
    status = 429

    def __init__(self, reason: str, message: str = "Rate Exceeded.") -> None:
        super().__init__(message, fields={"Reason": reason}, headers={"Retry-After": "1"})


REVISION_MISMATCH = (
    "The Revision Id provided does not match the latest Revision Id. "
    "Call the GetFunction/GetAlias API to retrieve the latest Revision Id"
)


def function_not_found(arn: str) -> ServiceError:
    return ResourceNotFound(f"Function not found: {arn}")


def not_ready(state: str) -> ServiceError:
    return ResourceConflict(
        "The operation cannot be performed at this time. The function is currently in the "
        f"following state: {state}"
    )


def update_in_progress(arn: str) -> ServiceError:
    return ResourceConflict(
        "The operation cannot be performed at this time. An update is in progress for "
        f"resource: {arn}"
    )
