"""Message attributes: checked as AWS does, stored as JSON, and selected on receive.

Binary values travel as bytes in the parsed input and are kept base64 in the store.
"""

from __future__ import annotations

import base64
import re
from typing import Any

from nubes.services.sqs import exceptions as exc

MAX_ATTRIBUTES = 10
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,256}$")
_TYPE = re.compile(r"^(String|Number|Binary)(\..{1,250})?$")
# Characters a message may hold (XML 1.0's): #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD and above.
_INVALID_CHARS = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def check_body(body: str) -> None:
    if not body:
        raise exc.MissingParameter("The request must contain the parameter MessageBody.")
    if _INVALID_CHARS.search(body):
        raise exc.InvalidMessageContents(
            "Invalid binary character in the message body. "
            "See the list of allowed characters in the documentation.")


def _check_one(name: str, value: dict[str, Any]) -> None:
    bad_name = (not _NAME.match(name) or name.startswith((".", "aws.", "amazon."))
                or name.endswith(".") or ".." in name)
    if bad_name:
        raise exc.InvalidParameterValue(f"Message (user) attribute name '{name}' is invalid.")
    data_type = value.get("DataType")
    if not data_type:
        raise exc.InvalidParameterValue(
            f"The message attribute '{name}' must contain non-empty message attribute type.")
    if not _TYPE.match(str(data_type)):
        raise exc.InvalidParameterValue(
            f"The type of message (user) attribute '{name}' is invalid. You must use only the "
            "following supported type prefixes: Binary, Number, String.")
    key = "BinaryValue" if str(data_type).startswith("Binary") else "StringValue"
    if value.get(key) in (None, "", b""):
        raise exc.InvalidParameterValue(
            f"The message attribute '{name}' must contain non-empty message attribute value "
            f"for message attribute type '{str(data_type).split('.')[0]}'.")
    if str(data_type).startswith("Number"):
        try:
            float(str(value[key]))
        except ValueError as error:
            raise exc.InvalidParameterValue(
                f"Can't cast the value of message (user) attribute '{name}' to a number."
            ) from error


def check_attributes(attributes: dict[str, dict[str, Any]]) -> None:
    if len(attributes) > MAX_ATTRIBUTES:
        raise exc.InvalidParameterValue(
            f"Number of message attributes [{len(attributes)}] exceeds the allowed maximum "
            f"[{MAX_ATTRIBUTES}].")
    for name, value in attributes.items():
        _check_one(name, value)


def attributes_size(attributes: dict[str, dict[str, Any]]) -> int:
    """Bytes the attributes count for against MaximumMessageSize (names, types, values)."""
    size = 0
    for name, value in attributes.items():
        size += len(name.encode()) + len(str(value["DataType"]).encode())
        if value.get("BinaryValue") is not None:
            size += len(value["BinaryValue"])
        else:
            size += len(str(value.get("StringValue", "")).encode())
    return size


def to_stored(attributes: dict[str, dict[str, Any]]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for name, value in attributes.items():
        entry = {"DataType": str(value["DataType"])}
        if value.get("BinaryValue") is not None:
            entry["BinaryValue"] = base64.b64encode(bytes(value["BinaryValue"])).decode()
        else:
            entry["StringValue"] = str(value.get("StringValue", ""))
        out[name] = entry
    return out


def from_stored(stored: dict[str, dict[str, str]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, entry in stored.items():
        value: dict[str, Any] = {"DataType": entry["DataType"]}
        if "BinaryValue" in entry:
            value["BinaryValue"] = base64.b64decode(entry["BinaryValue"])
        else:
            value["StringValue"] = entry["StringValue"]
        out[name] = value
    return out


def select(stored: dict[str, dict[str, str]], names: list[str]) -> dict[str, dict[str, Any]]:
    """The attributes named by ReceiveMessage's MessageAttributeNames ("All", ".*", "foo.*")."""
    if not names:
        return {}
    if any(name in ("All", ".*") for name in names):
        return from_stored(stored)
    prefixes = tuple(name[:-1] for name in names if name.endswith(".*"))
    exact = set(names)
    chosen = {key: value for key, value in stored.items()
              if key in exact or (prefixes and key.startswith(prefixes))}
    return from_stored(chosen)
