"""Botocore's service models, loaded once and shared, and the maps the edge routes by.

One botocore ``Loader`` serves every model; each model is parsed on first use and kept.
The routing maps (signing name, ``X-Amz-Target`` prefix) cover only the services Nubes
routes, and are computed on first use, not at import.
"""

from __future__ import annotations

import functools

from botocore.loaders import Loader
from botocore.model import ServiceModel

# The services the edge routes, by botocore's service name.
ROUTED_SERVICES: tuple[str, ...] = (
    "s3",
    "dynamodb",
    "dynamodbstreams",
    "sqs",
    "sns",
    "lambda",
    "kinesis",
    "events",
    "logs",
    "sts",
    "iam",
    "stepfunctions",
    "apigateway",
    "apigatewayv2",
    "cloudformation",
    "scheduler",
    "secretsmanager",
    "ssm",
)


@functools.cache
def _loader() -> Loader:
    return Loader()


@functools.cache
def service_model(name: str) -> ServiceModel:
    """The botocore model of the service ``name`` ("s3", "dynamodb", ...)."""
    data = _loader().load_service_model(name, "service-2")
    return ServiceModel(data, service_name=name)


def signing_name(model: ServiceModel) -> str:
    """The SigV4 signing name of a service (its endpoint prefix when the model has none)."""
    metadata = model.metadata
    return str(metadata.get("signingName") or metadata["endpointPrefix"])


@functools.cache
def _by_signing_name() -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for name in ROUTED_SERVICES:
        found.setdefault(signing_name(service_model(name)), []).append(name)
    return {key: tuple(names) for key, names in found.items()}


@functools.cache
def _by_target_prefix() -> dict[str, str]:
    found: dict[str, str] = {}
    for name in ROUTED_SERVICES:
        prefix = service_model(name).metadata.get("targetPrefix")
        if prefix:
            found.setdefault(prefix, name)
    return found


def services_by_signing_name(signing_name: str) -> list[str]:
    """The routed services signed with ``signing_name`` ("dynamodb" -> dynamodb, streams)."""
    return list(_by_signing_name().get(signing_name, ()))


def service_by_target_prefix(prefix: str) -> str | None:
    """The routed service whose ``X-Amz-Target`` prefix is ``prefix``, if any."""
    return _by_target_prefix().get(prefix)
