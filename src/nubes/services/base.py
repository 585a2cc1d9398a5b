"""What every service provider sees of a request, and what it must offer the edge.

A provider implements AWS operations as methods named by the operation in snake_case
(``PutObject`` -> ``put_object``), each taking the ``RequestContext`` and the parsed input
(a dict shaped like the operation's input in botocore's model) and returning the output
dict (shaped like its output). A method may be ``async`` (when it streams a body).
Providers raise the ``ServiceError`` subclasses of their ``exceptions.py``.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from botocore import xform_name
from botocore.model import OperationModel

from nubes.protocol.http import Request

Handler = Callable[["RequestContext", dict[str, Any]], "dict[str, Any] | Awaitable[dict[str, Any]]"]


@dataclass(slots=True)
class RequestContext:
    """One request as a provider sees it: who asks, where, and how to answer."""

    request: Request
    request_id: str
    service: str  # botocore's service name: "s3", "dynamodb", ...
    account_id: str = "000000000000"
    region: str = "us-east-1"
    access_key: str | None = None  # None for anonymous requests
    operation: OperationModel | None = None
    endpoint: str = "http://localhost:4566"  # the base URL clients reach us at
    # Set by a provider to answer with another status (S3's 204 and 206) or extra headers.
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)


class Provider:
    """Base of the service providers: finds the method for an operation, once."""

    service_name: ClassVar[str]

    def __init__(self) -> None:
        self._handlers: dict[str, tuple[Handler, bool] | None] = {}

    def handler(self, operation_name: str) -> tuple[Handler, bool] | None:
        """The method implementing ``operation_name`` and whether it is async, or None."""
        try:
            return self._handlers[operation_name]
        except KeyError:
            method = getattr(self, xform_name(operation_name), None)
            found = (method, inspect.iscoroutinefunction(method)) if callable(method) else None
            self._handlers[operation_name] = found
            return found

    def implemented(self, operation_names: list[str]) -> list[str]:
        """The operations of ``operation_names`` this provider implements."""
        return [name for name in operation_names if self.handler(name) is not None]

    async def start(self) -> None:
        """Start background work, in the server's event loop (once it runs)."""

    async def aclose(self) -> None:
        """Stop background work, in the server's event loop, before ``close``."""

    def close(self) -> None:
        """Release what the provider holds (background tasks, files). Idempotent."""
