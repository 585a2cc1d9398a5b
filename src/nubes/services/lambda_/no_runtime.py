"""A stand-in ``Invoker`` for a Nubes without a function runtime: every invocation
fails with ServiceException saying so. The control plane works the same."""

from __future__ import annotations

from nubes.runtime.api import FunctionSpec, Invocation, InvocationResult
from nubes.services.lambda_ import exceptions as exc


class NoRuntimeInvoker:
    async def invoke(self, spec: FunctionSpec, invocation: Invocation) -> InvocationResult:
        raise exc.LambdaServiceError("This Nubes server runs no function runtime.")

    def in_flight(self, spec: FunctionSpec | None = None) -> int:
        return 0

    async def evict(self, name_prefix: tuple[str, str, str]) -> None:
        return None

    async def close(self) -> None:
        return None
