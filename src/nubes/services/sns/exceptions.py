"""SNS's error codes (botocore's ``error.code`` of each shape: the query protocol writes
these, e.g. ``ParameterValueInvalid`` for InvalidParameterValueException)."""

from __future__ import annotations

from nubes.errors import error_class

NotFound = error_class("NotFound", 404)
InvalidParameter = error_class("InvalidParameter", 400)
InvalidParameterValue = error_class("ParameterValueInvalid", 400)
AuthorizationError = error_class("AuthorizationError", 403)
ResourceNotFound = error_class("ResourceNotFound", 404)
TagPolicy = error_class("TagPolicy", 400)
TagLimitExceeded = error_class("TagLimitExceeded", 400)
FilterPolicyLimitExceeded = error_class("FilterPolicyLimitExceeded", 403)
BatchEntryIdsNotDistinct = error_class("BatchEntryIdsNotDistinct", 400)
BatchRequestTooLong = error_class("BatchRequestTooLong", 400)
EmptyBatchRequest = error_class("EmptyBatchRequest", 400)
InvalidBatchEntryId = error_class("InvalidBatchEntryId", 400)
TooManyEntriesInBatchRequest = error_class("TooManyEntriesInBatchRequest", 400)


def invalid(reason: str) -> Exception:
    """InvalidParameter in SNS's wording: ``Invalid parameter: <reason>``."""
    return InvalidParameter(f"Invalid parameter: {reason}")


def topic_not_found() -> Exception:
    return NotFound("Topic does not exist")


def subscription_not_found() -> Exception:
    return NotFound("Subscription does not exist")
