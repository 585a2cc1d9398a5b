"""SQS's rules with no HTTP: queue names, URLs and ARNs, queue attributes, message checks.

A queue's settable attributes are kept as AWS's strings (``{"VisibilityTimeout": "30"}``);
``Queue`` reads them typed. Limits and defaults are AWS's documented ones.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from nubes.services.sqs import exceptions as exc

# name -> (minimum, maximum, default) of the integer attributes.
INT_ATTRIBUTES: dict[str, tuple[int, int, int]] = {
    "DelaySeconds": (0, 900, 0),
    "MaximumMessageSize": (1024, 1_048_576, 1_048_576),
    "MessageRetentionPeriod": (60, 1_209_600, 345_600),
    "ReceiveMessageWaitTimeSeconds": (0, 20, 0),
    "VisibilityTimeout": (0, 43_200, 30),
    "KmsDataKeyReusePeriodSeconds": (60, 86_400, 300),
}
TEXT_ATTRIBUTES = frozenset({"Policy", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId"})
BOOL_ATTRIBUTES = frozenset({"FifoQueue", "ContentBasedDeduplication", "SqsManagedSseEnabled"})
CHOICE_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "DeduplicationScope": ("messageGroup", "queue"),
    "FifoThroughputLimit": ("perQueue", "perMessageGroupId"),
}
FIFO_ONLY = frozenset({"ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"})
COMPUTED_ATTRIBUTES = (
    "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed", "CreatedTimestamp", "LastModifiedTimestamp",
    "QueueArn",
)
SETTABLE = frozenset(INT_ATTRIBUTES) | TEXT_ATTRIBUTES | BOOL_ATTRIBUTES | set(CHOICE_ATTRIBUTES)
ALL_NAMES = SETTABLE | set(COMPUTED_ATTRIBUTES)

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
MAX_BATCH = 10


def check_queue_name(name: str, fifo: bool) -> None:
    base = name[:-5] if name.endswith(".fifo") else name
    if fifo != name.endswith(".fifo") or not _NAME.match(base) or len(name) > 80:
        raise exc.InvalidParameterValue(
            "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in "
            "length" if not fifo or name.endswith(".fifo") else
            "The name of a FIFO queue can only include alphanumeric characters, hyphens, or "
            "underscores, must end with .fifo suffix and be 1 to 80 in length.")


def _bool(name: str, value: str) -> str:
    if value.lower() not in ("true", "false"):
        raise exc.InvalidAttributeValue(f"Invalid value for the parameter {name}.")
    return value.lower()


def check_attribute(name: str, value: str, fifo: bool) -> str:
    """The value AWS stores for attribute ``name`` (normalised), or its error."""
    if name not in SETTABLE:
        raise exc.InvalidAttributeName(f"Unknown Attribute {name}.")
    if name in FIFO_ONLY and not fifo:
        raise exc.InvalidAttributeName(f"Unknown Attribute {name}.")
    if name in INT_ATTRIBUTES:
        low, high, _ = INT_ATTRIBUTES[name]
        if not value.strip().lstrip("-").isdigit() or not low <= int(value) <= high:
            raise exc.InvalidAttributeValue(f"Invalid value for the parameter {name}.")
        return str(int(value))
    if name in BOOL_ATTRIBUTES:
        return _bool(name, value)
    if name in CHOICE_ATTRIBUTES and value not in CHOICE_ATTRIBUTES[name]:
        raise exc.InvalidAttributeValue(f"Invalid value for the parameter {name}.")
    if name == "RedrivePolicy" and value:
        redrive_policy(value)
    return value


def redrive_policy(text: str) -> tuple[str, int]:
    """(deadLetterTargetArn, maxReceiveCount) of a RedrivePolicy, checked."""
    try:
        policy = json.loads(text)
        arn, count = str(policy["deadLetterTargetArn"]), int(policy["maxReceiveCount"])
    except (ValueError, KeyError, TypeError) as error:
        raise exc.InvalidAttributeValue(
            "Value for parameter RedrivePolicy is invalid. Reason: Redrive policy is not a "
            "valid JSON map.") from error
    if not 1 <= count <= 1000:
        raise exc.InvalidAttributeValue(
            "Value for parameter RedrivePolicy is invalid. Reason: Invalid value for "
            "maxReceiveCount: must be between 1 and 1000.")
    return arn, count


@dataclass
class Queue:
    """A queue's identity and settings (counts are the store's to compute)."""

    id: int
    account_id: str
    region: str
    name: str
    attributes: dict[str, str]
    tags: dict[str, str] = field(default_factory=dict)
    created_s: int = 0
    modified_s: int = 0

    @property
    def fifo(self) -> bool:
        return self.attributes.get("FifoQueue") == "true"

    @property
    def arn(self) -> str:
        return queue_arn(self.region, self.account_id, self.name)

    def int_attr(self, name: str) -> int:
        return int(self.attributes.get(name, INT_ATTRIBUTES[name][2]))

    def redrive(self) -> tuple[str, int] | None:
        text = self.attributes.get("RedrivePolicy")
        return redrive_policy(text) if text else None

    def url(self, endpoint: str) -> str:
        return f"{endpoint}/{self.account_id}/{self.name}"


def default_attributes(fifo: bool) -> dict[str, str]:
    out = {name: str(default) for name, (_, _, default) in INT_ATTRIBUTES.items()}
    out["SqsManagedSseEnabled"] = "true"
    if fifo:
        out.update(FifoQueue="true", ContentBasedDeduplication="false",
                   DeduplicationScope="queue", FifoThroughputLimit="perQueue")
    return out


def queue_arn(region: str, account_id: str, name: str) -> str:
    return f"arn:aws:sqs:{region}:{account_id}:{name}"


def parse_arn(arn: str) -> tuple[str, str, str]:
    """(region, account, name) of a queue ARN."""
    parts = arn.split(":")
    if len(parts) != 6 or parts[:3] != ["arn", "aws", "sqs"]:
        raise exc.InvalidParameterValue(f"Value {arn} for parameter is invalid: not an SQS ARN.")
    return parts[3], parts[4], parts[5]


def parse_queue_url(url: str, account_id: str) -> tuple[str, str]:
    """(account, name) of a QueueUrl in any host form, or of a queue ARN."""
    if url.startswith("arn:"):
        _, account, name = parse_arn(url)
        return account, name
    path = urlsplit(url).path if "://" in url else url
    parts = [part for part in path.split("/") if part]
    if len(parts) == 2:
        return parts[0], parts[1]
    if len(parts) == 1:  # "http://host/queue-name": the caller's own queue
        return account_id, parts[0]
    raise exc.queue_not_found()


def queue_name_matches(name: str, prefix: str | None) -> bool:
    return prefix is None or name.startswith(prefix)


def describe_tags(tags: dict[str, Any]) -> dict[str, str]:
    return {str(key): str(value) for key, value in tags.items()}
