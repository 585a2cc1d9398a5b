"""What Publish takes, checked as SNS checks it: the message (and MessageStructure
``json``), the subject, message attributes, and the 256 KB limit."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from typing import Any

from nubes.services.sns import exceptions as exc

MAX_MESSAGE_BYTES = 262_144
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,256}$")
_TYPE = re.compile(r"^(String|Number|Binary)(\..{1,250})?$")
# A subject: printable ASCII starting with a letter, digit or punctuation (not a space),
# no line breaks or control characters, at most 100 characters.
_SUBJECT = re.compile(r"^[\x21-\x7e][\x20-\x7e]{0,99}$")


@dataclass(frozen=True, slots=True)
class Published:
    """One message as published, with what every delivery of it needs."""

    message_id: str
    topic_arn: str
    message: str  # the default message
    timestamp: str  # ISO 8601, milliseconds, "Z"
    subject: str | None = None
    per_protocol: dict[str, str] = field(default_factory=dict)  # MessageStructure json
    attributes: dict[str, dict[str, str]] = field(default_factory=dict)  # {Type, Value}
    group_id: str | None = None
    dedup_id: str | None = None
    sequence: str | None = None

    def message_for(self, protocol: str) -> str:
        """The message a protocol receives: its own entry of a json structure, else the
        default."""
        return self.per_protocol.get(protocol, self.message)


def check_subject(subject: str | None) -> str | None:
    if subject is None:
        return None
    if not _SUBJECT.match(subject):
        raise exc.invalid("Subject")
    return subject


def check_message(message: Any, structure: str | None) -> tuple[str, dict[str, str]]:
    """(default message, per-protocol messages) of Publish's Message and
    MessageStructure."""
    if message is None or message == "":
        raise exc.invalid("Empty message")
    if structure is None or structure == "":
        return str(message), {}
    if structure != "json":
        raise exc.invalid("MessageStructure")
    try:
        parsed = json.loads(message)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict) or not all(isinstance(v, str) for v in parsed.values()):
        raise exc.invalid("Message Structure - JSON message body failed to parse")
    if "default" not in parsed:
        raise exc.invalid("Message Structure - No default entry in JSON message body")
    return parsed["default"], {k: v for k, v in parsed.items() if k != "default"}


def check_attributes(given: dict[str, Any]) -> dict[str, dict[str, str]]:
    """MessageAttributes as SNS delivers them: {name: {"Type", "Value"}}, binary values
    base64."""
    out: dict[str, dict[str, str]] = {}
    for name, value in given.items():
        out[name] = _check_one(name, value)
    return out


def _check_one(name: str, value: dict[str, Any]) -> dict[str, str]:
    if (not _NAME.match(name) or name.lower().startswith(("aws.", "amazon."))
            or name.startswith(".") or name.endswith(".") or ".." in name):
        raise exc.InvalidParameterValue(f"The message attribute name '{name}' is invalid.")
    data_type = str(value.get("DataType") or "")
    if not data_type:
        raise exc.InvalidParameterValue(
            f"The message attribute '{name}' must contain non-empty message attribute type.")
    if not _TYPE.match(data_type):
        raise exc.InvalidParameterValue(
            f"The message attribute '{name}' has an invalid message attribute type, the set "
            "of supported type prefixes is Binary, Number, and String.")
    if data_type.startswith("Binary"):
        binary = value.get("BinaryValue")
        if binary in (None, b"", ""):
            raise exc.InvalidParameterValue(
                f"The message attribute '{name}' must contain non-empty message attribute "
                "value for message attribute type 'Binary'.")
        raw = binary if isinstance(binary, bytes) else str(binary).encode()
        return {"Type": data_type, "Value": base64.b64encode(raw).decode()}
    text = value.get("StringValue")
    if text is None or text == "":
        kind = data_type.split(".")[0]
        raise exc.InvalidParameterValue(
            f"The message attribute '{name}' must contain non-empty message attribute value "
            f"for message attribute type '{kind}'.")
    if data_type.startswith("Number"):
        try:
            float(text)
        except ValueError:
            raise exc.InvalidParameterValue(
                f"Could not cast message attribute '{name}' value to number.") from None
    if data_type == "String.Array" and not _is_array(text):
        raise exc.InvalidParameterValue(
            f"The message attribute '{name}' with type 'String.Array' must be a JSON array "
            "of strings, numbers, true, false or null.")
    return {"Type": data_type, "Value": str(text)}


def _is_array(text: str) -> bool:
    try:
        parsed = json.loads(text)
    except ValueError:
        return False
    return isinstance(parsed, list) and all(
        v is None or isinstance(v, str | int | float | bool) for v in parsed)


def size(message: str, attributes: dict[str, dict[str, str]]) -> int:
    """Bytes a message counts against the 256 KB limit: its text and its attributes'
    names, types and values."""
    total = len(message.encode())
    for name, value in attributes.items():
        total += len(name.encode()) + len(value["Type"].encode())
        total += (len(base64.b64decode(value["Value"])) if value["Type"].startswith("Binary")
                  else len(value["Value"].encode()))
    return total


def check_size(default: str, per_protocol: dict[str, str],
               attributes: dict[str, dict[str, str]]) -> None:
    largest = max([default, *per_protocol.values()], key=lambda m: len(m.encode()))
    if size(largest, attributes) > MAX_MESSAGE_BYTES:
        raise exc.invalid("Message too long")


def sqs_attributes(attributes: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Message attributes in SQS's wire form (raw delivery): binary values base64."""
    out: dict[str, dict[str, str]] = {}
    for name, value in attributes.items():
        key = "BinaryValue" if value["Type"].startswith("Binary") else "StringValue"
        out[name] = {"DataType": value["Type"], key: value["Value"]}
    return out
