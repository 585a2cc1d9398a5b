"""The API Gateway (REST APIs, v1) provider: the operation groups assembled into one
class. The data plane (``dataplane.py``) serves what its deployments snapshot."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import ClassVar

from nubes.services.apigateway.api_models import ModelOps
from nubes.services.apigateway.authorizers import AuthorizerOps
from nubes.services.apigateway.core import ApiCore
from nubes.services.apigateway.deployments import DeploymentOps
from nubes.services.apigateway.exports import ExportOps
from nubes.services.apigateway.gateway_responses import GatewayResponseOps
from nubes.services.apigateway.imports import ImportOps
from nubes.services.apigateway.keys import KeyOps
from nubes.services.apigateway.resources import ResourceOps
from nubes.services.apigateway.store import ApiGatewayStore
from nubes.services.apigateway.validators import ValidatorOps
from nubes.services.base import Provider


class ApiGatewayProvider(ImportOps, ResourceOps, DeploymentOps, KeyOps, AuthorizerOps,
                         GatewayResponseOps, ModelOps, ValidatorOps, ExportOps, Provider):
    service_name: ClassVar[str] = "apigateway"

    def __init__(self, store: ApiGatewayStore, *,
                 clock: Callable[[], float] = time.time,
                 id_taken: Callable[[str], bool] | None = None) -> None:
        Provider.__init__(self)
        ApiCore.__init__(self, store, clock, id_taken)
