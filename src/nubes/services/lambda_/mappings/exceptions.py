"""Errors of the event source mapping operations that Lambda's other operations lack."""

from __future__ import annotations

from nubes.errors import ServiceError, error_class
from nubes.services.lambda_ import exceptions as exc

ResourceInUse = error_class("ResourceInUseException", 400)


def mapping_not_found() -> ServiceError:
    return exc.ResourceNotFound("The resource you requested does not exist.")


def in_use(state: str) -> ServiceError:
    return ResourceInUse(
        "The operation cannot be performed at this time. The event source mapping is "
        f"currently in the {state} state. Please try again later.")


def unsupported(member: str) -> ServiceError:
    return exc.InvalidParameterValue(
        f"Unsupported {member} parameter for given event source mapping type.")
