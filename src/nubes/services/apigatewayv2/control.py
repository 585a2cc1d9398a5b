"""The control plane of HTTP APIs: APIs, routes, integrations, authorizers, stages,
deployments, CORS and tags, one module per group over ``common.HttpApiBase``."""

from __future__ import annotations

from nubes.services.apigatewayv2.apis import ApiOps


class HttpApiOps(ApiOps):
    """The control-plane operations (mixed into ``ApiGatewayV2Provider``)."""
