"""Receipt handles: which queue and message a receive leased, and that lease's token."""

from __future__ import annotations

import base64
import binascii
import secrets

from nubes.services.sqs import exceptions as exc


def new_token() -> str:
    return secrets.token_hex(12)


def encode(queue_id: int, row_id: int, token: str) -> str:
    return base64.urlsafe_b64encode(f"{queue_id}:{row_id}:{token}".encode()).decode()


def decode(handle: str, queue_id: int) -> int:
    """The message row a handle names; ReceiptHandleIsInvalid unless it is this queue's."""
    try:
        text = base64.urlsafe_b64decode(handle.encode()).decode()
        queue, row, _ = text.split(":")
        if int(queue) == queue_id:
            return int(row)
    except (ValueError, binascii.Error, UnicodeError):
        pass
    raise exc.ReceiptHandleIsInvalid(
        f'The input receipt handle "{handle}" is not a valid receipt handle.')
