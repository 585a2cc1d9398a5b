"""SQS's error codes (botocore's json shape names; the edge writes the old query codes,
``AWS.SimpleQueueService.NonExistentQueue`` and friends, where a client expects them)."""

from __future__ import annotations

from nubes.errors import error_class

QueueDoesNotExist = error_class("QueueDoesNotExist", 400)
QueueNameExists = error_class("QueueNameExists", 400)
InvalidAttributeName = error_class("InvalidAttributeName", 400)
InvalidAttributeValue = error_class("InvalidAttributeValue", 400)
InvalidParameterValue = error_class("InvalidParameterValue", 400)
MissingParameter = error_class("MissingParameter", 400)
ReceiptHandleIsInvalid = error_class("ReceiptHandleIsInvalid", 400)
MessageNotInflight = error_class("MessageNotInflight", 400)
InvalidMessageContents = error_class("InvalidMessageContents", 400)
PurgeQueueInProgress = error_class("PurgeQueueInProgress", 403)
BatchEntryIdsNotDistinct = error_class("BatchEntryIdsNotDistinct", 400)
BatchRequestTooLong = error_class("BatchRequestTooLong", 400)
EmptyBatchRequest = error_class("EmptyBatchRequest", 400)
InvalidBatchEntryId = error_class("InvalidBatchEntryId", 400)
TooManyEntriesInBatchRequest = error_class("TooManyEntriesInBatchRequest", 400)
ResourceNotFoundException = error_class("ResourceNotFoundException", 404)
UnsupportedOperation = error_class("UnsupportedOperation", 400)
OverLimit = error_class("OverLimit", 403)
AccessDenied = error_class("AccessDenied", 403)


def queue_not_found() -> Exception:
    return QueueDoesNotExist("The specified queue does not exist.")


def invalid_value(name: str, reason: str = "") -> Exception:
    suffix = f" Reason: {reason}" if reason else ""
    return InvalidParameterValue(f"Value for parameter {name} is invalid.{suffix}")


def missing(name: str) -> Exception:
    return MissingParameter(f"The request must contain the parameter {name}.")
