"""The error a boto3 call raised, as the service suites check it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError


def error_of(call: Callable[[], Any]) -> dict[str, Any]:
    """The error boto3 raised for a call (``Code``, ``Message``, ``QueryErrorCode`` ...),
    with its HTTP ``status`` and response ``headers``."""
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    return {**response["Error"], "headers": response["ResponseMetadata"]["HTTPHeaders"],
            "status": response["ResponseMetadata"]["HTTPStatusCode"]}
