"""The rules every SQS batch request shares: 1 to 10 entries, distinct well-formed ids."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from nubes.errors import ServiceError
from nubes.services.sqs import exceptions as exc
from nubes.services.sqs.models import MAX_BATCH

_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")


def check_entries(entries: list[dict[str, Any]], entry_name: str) -> None:
    if not entries:
        raise exc.EmptyBatchRequest(
            f"There should be at least one {entry_name} in the request.")
    if len(entries) > MAX_BATCH:
        raise exc.TooManyEntriesInBatchRequest(
            f"Maximum number of entries per request are {MAX_BATCH}. You have sent "
            f"{len(entries)}.")
    seen: set[str] = set()
    for entry in entries:
        entry_id = str(entry.get("Id", ""))
        if not _ID.match(entry_id):
            raise exc.InvalidBatchEntryId(
                "A batch entry id can only contain alphanumeric characters, hyphens and "
                "underscores. It can be at most 80 letters long.")
        if entry_id in seen:
            raise exc.BatchEntryIdsNotDistinct(f"Id {entry_id} repeated.")
        seen.add(entry_id)


def failure(entry_id: str, error: ServiceError) -> dict[str, Any]:
    return {"Id": entry_id, "SenderFault": error.sender_fault, "Code": error.code,
            "Message": error.message}


def each(entries: list[dict[str, Any]], run: Callable[[dict[str, Any]], dict[str, Any]]
         ) -> dict[str, Any]:
    """Run every entry; the batch answer of their results and per-entry errors."""
    successful: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    for entry in entries:
        try:
            successful.append({"Id": entry["Id"], **run(entry)})
        except ServiceError as error:
            failed.append(failure(entry["Id"], error))
    return {"Successful": successful, "Failed": failed}
