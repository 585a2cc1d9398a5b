"""One request's journey through the edge: what each handler of the chain learns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from botocore.model import OperationModel, ServiceModel

from nubes.edge.asgi import AsgiBody
from nubes.edge.sigv4 import AuthResult, Scope
from nubes.errors import ServiceError
from nubes.protocol.http import Request, Response
from nubes.services.base import Provider, RequestContext


@dataclass(slots=True)
class Exchange:
    request: Request
    request_id: str
    raw_body: AsgiBody
    service: str | None = None
    model: ServiceModel | None = None
    provider: Provider | None = None
    scope: Scope | None = None
    auth: AuthResult | None = None
    operation: OperationModel | None = None
    uri_params: dict[str, str] = field(default_factory=dict)
    # An error found before authentication, reported only once the caller is known.
    deferred_error: ServiceError | None = None
    params: dict[str, Any] = field(default_factory=dict)
    context: RequestContext | None = None
    output: dict[str, Any] | None = None
    response: Response | None = None
    # Headers every answer carries, errors included (S3's CORS headers).
    extra_headers: dict[str, str] = field(default_factory=dict)
    _body_read: bool = False

    async def read_body(self) -> bytes:
        """The whole request body (read once; later calls return it again)."""
        if not self._body_read:
            self.request.body = await self.raw_body.read_all()
            self._body_read = True
        return self.request.body
