"""CloudWatch Logs' error codes, with the HTTP status AWS answers them with."""

from __future__ import annotations

from nubes.errors import error_class

InvalidParameterException = error_class("InvalidParameterException", 400)
ResourceNotFoundException = error_class("ResourceNotFoundException", 400)
ResourceAlreadyExistsException = error_class("ResourceAlreadyExistsException", 400)
LimitExceededException = error_class("LimitExceededException", 400)
TooManyTagsException = error_class("TooManyTagsException", 400)
ValidationException = error_class("ValidationException", 400)


def group_not_found() -> Exception:
    return ResourceNotFoundException("The specified log group does not exist.")


def stream_not_found() -> Exception:
    return ResourceNotFoundException("The specified log stream does not exist.")


def invalid_token() -> Exception:
    return InvalidParameterException("The specified nextToken is invalid.")
