"""The query protocol's XML answers: ``<OpResponse><OpResult>..</OpResult>`` + metadata.

The request id goes in the body's ``ResponseMetadata``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.model import OperationModel, StructureShape

from nubes.protocol.serializers.xml import escape, escape_attribute, write_members


def query_body(operation: OperationModel) -> Callable[[dict[str, Any], str], bytes]:
    """The writer of the XML answer of ``operation`` (output, request id -> body)."""
    shape = operation.output_shape
    namespace = operation.metadata.get("xmlNamespace")
    xmlns = f' xmlns="{escape_attribute(namespace)}"' if namespace else ""
    root = f"{operation.name}Response"
    wrapper = shape.serialization.get("resultWrapper") if shape is not None else None

    def write(output: dict[str, Any], request_id: str) -> bytes:
        parts = [f"<{root}{xmlns}>"]
        if isinstance(shape, StructureShape):
            if wrapper:
                parts.append(f"<{wrapper}>")
            write_members(parts, output, shape)
            if wrapper:
                parts.append(f"</{wrapper}>")
        parts.append(
            f"<ResponseMetadata><RequestId>{escape(request_id)}</RequestId></ResponseMetadata>"
            f"</{root}>"
        )
        return "".join(parts).encode("utf-8")

    return write
