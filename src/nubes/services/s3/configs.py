"""Rules for the configurations a bucket or object carries: tags, versioning, CORS and
event notifications. Each ``validate_*`` takes the parsed input and returns what to store
(or raises the error S3 answers with)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any

from nubes.services.s3 import exceptions as exc
from nubes.services.s3.models import Versioning

MAX_BUCKET_TAGS = 50
MAX_OBJECT_TAGS = 10
MAX_CORS_RULES = 100
CORS_METHODS = frozenset({"GET", "PUT", "HEAD", "POST", "DELETE"})

# -- tags -------------------------------------------------------------------------------


def validate_tags(tags: Mapping[str, str], *, limit: int) -> dict[str, str]:
    """Check a tag set against S3's limits (count, lengths, the reserved ``aws:`` prefix)."""
    if len(tags) > limit:
        if limit == MAX_OBJECT_TAGS:
            raise exc.BadRequest("Object tags cannot be greater than 10")
        raise exc.InvalidTag(f"Bucket tag count cannot be greater than {limit}")
    for key, value in tags.items():
        if not 1 <= len(key) <= 128:
            raise exc.InvalidTag("The TagKey you have provided is invalid",
                                 fields={"TagKey": key})
        if len(value) > 256:
            raise exc.InvalidTag(fields={"TagKey": key, "TagValue": value})
        if key.lower().startswith("aws:"):
            raise exc.InvalidTag("Your TagKey cannot be prefixed with aws:",
                                 fields={"TagKey": key})
    return dict(tags)


def tag_set_to_dict(tag_set: list[dict[str, str]], *, limit: int) -> dict[str, str]:
    """A ``TagSet`` list as a dict, refusing duplicate keys."""
    tags: dict[str, str] = {}
    for tag in tag_set:
        key, value = tag.get("Key", ""), tag.get("Value", "")
        if key in tags:
            raise exc.InvalidTag("Cannot provide multiple Tags with the same key",
                                 fields={"TagKey": key})
        tags[key] = value
    return validate_tags(tags, limit=limit)


def dict_to_tag_set(tags: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


# -- versioning -------------------------------------------------------------------------


def parse_versioning(config: Mapping[str, Any]) -> Versioning | None:
    """The state a PutBucketVersioning asks for, or None when it names none."""
    status = config.get("Status")
    if status is None:
        return None
    if status not in ("Enabled", "Suspended"):
        raise exc.MalformedXML()
    return Versioning(status)


# -- CORS -------------------------------------------------------------------------------


def validate_cors(config: Mapping[str, Any]) -> list[dict[str, Any]]:
    rules = config.get("CORSRules") or []
    if not rules:
        raise exc.MalformedXML()
    if len(rules) > MAX_CORS_RULES:
        raise exc.InvalidRequest("The number of CORS rules should not exceed allowed "
                                 "limit of 100 rules.")
    return [_validate_cors_rule(rule) for rule in rules]


def _validate_cors_rule(rule: Mapping[str, Any]) -> dict[str, Any]:
    methods, origins = rule.get("AllowedMethods") or [], rule.get("AllowedOrigins") or []
    if not methods or not origins:
        raise exc.MalformedXML()
    for method in methods:
        if method not in CORS_METHODS:
            raise exc.InvalidRequest(
                "Found unsupported HTTP method in CORS config. Unsupported method is "
                f"{method}"
            )
    for origin in origins:
        if origin.count("*") > 1:
            raise exc.InvalidRequest(
                f'AllowedOrigin "{origin}" can not have more than one wildcard.'
            )
    for header in rule.get("AllowedHeaders") or []:
        if header.count("*") > 1:
            raise exc.InvalidRequest(
                f'AllowedHeader "{header}" can not have more than one wildcard.'
            )
    age = rule.get("MaxAgeSeconds")
    if age is not None and age < 0:
        raise exc.MalformedXML()
    return {k: v for k, v in rule.items() if v not in (None, [])}


# -- event notifications ----------------------------------------------------------------

_EVENT_GROUPS: dict[str, tuple[str, ...]] = {
    "ObjectCreated": ("Put", "Post", "Copy", "CompleteMultipartUpload"),
    "ObjectRemoved": ("Delete", "DeleteMarkerCreated"),
    "ObjectRestore": ("Post", "Completed", "Delete"),
    "Replication": (
        "OperationFailedReplication",
        "OperationNotTracked",
        "OperationMissedThreshold",
        "OperationReplicatedAfterThreshold",
    ),
    "LifecycleExpiration": ("Delete", "DeleteMarkerCreated"),
    "ObjectTagging": ("Put", "Delete"),
    "ObjectAcl": ("Put",),
}
_SINGLE_EVENTS = frozenset(
    {"s3:ReducedRedundancyLostObject", "s3:LifecycleTransition", "s3:IntelligentTiering",
     "s3:ObjectAcl:Put"}
)
NOTIFICATION_KINDS = {
    # config list member -> (ARN member, service in the ARN)
    "TopicConfigurations": ("TopicArn", "sns"),
    "QueueConfigurations": ("QueueArn", "sqs"),
    "LambdaFunctionConfigurations": ("LambdaFunctionArn", "lambda"),
}
_ARN_RE = {
    "sns": re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]{1,256}$"),
    "sqs": re.compile(r"^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]{1,80}$"),
    "lambda": re.compile(
        r"^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}"
        r"(:(\$LATEST|[A-Za-z0-9_-]+))?$"
    ),
}


def event_names(event: str) -> frozenset[str]:
    """The concrete events an event name (possibly a ``*`` wildcard) stands for."""
    if event in _SINGLE_EVENTS:
        return frozenset({event})
    parts = event.split(":")
    if len(parts) == 3 and parts[0] == "s3" and parts[1] in _EVENT_GROUPS:
        group = _EVENT_GROUPS[parts[1]]
        if parts[2] == "*":
            return frozenset(f"s3:{parts[1]}:{name}" for name in group)
        if parts[2] in group:
            return frozenset({event})
    raise exc.InvalidArgument(
        "The event is not supported for notifications",
        fields={"ArgumentName": "Event", "ArgumentValue": event},
    )


def event_matches(pattern: str, event: str) -> bool:
    """Whether a configured event name (maybe a wildcard) covers a concrete event."""
    return event in event_names(pattern)


def validate_notification(config: Mapping[str, Any]) -> dict[str, Any]:
    """Check a NotificationConfiguration; fills in missing Ids as S3 does."""
    out: dict[str, Any] = {}
    seen: list[tuple[frozenset[str], str, str]] = []
    for kind, (arn_member, service) in NOTIFICATION_KINDS.items():
        entries = []
        for entry in config.get(kind) or []:
            checked = _validate_destination(entry, arn_member, service)
            events = frozenset().union(*(event_names(e) for e in checked["Events"]))
            prefix, suffix = _filter_values(checked.get("Filter"))
            for other_events, other_prefix, other_suffix in seen:
                if events & other_events and _overlaps(
                    prefix, suffix, other_prefix, other_suffix
                ):
                    raise exc.InvalidArgument(
                        "Configurations overlap. Configurations on the same bucket cannot "
                        "share a common event type.",
                        fields={"ArgumentName": "Event", "ArgumentValue": "null"},
                    )
            seen.append((events, prefix, suffix))
            entries.append(checked)
        if entries:
            out[kind] = entries
    if config.get("EventBridgeConfiguration") is not None:
        out["EventBridgeConfiguration"] = {}
    return out


def _validate_destination(entry: Mapping[str, Any], arn_member: str, service: str
                          ) -> dict[str, Any]:
    arn = entry.get(arn_member) or ""
    if not _ARN_RE[service].match(arn):
        raise exc.InvalidArgument(
            "The ARN is not well formed", fields={"ArgumentName": arn_member,
                                                  "ArgumentValue": arn}
        )
    events = entry.get("Events") or []
    if not events:
        raise exc.MalformedXML()
    for event in events:
        event_names(event)
    checked: dict[str, Any] = {
        "Id": entry.get("Id") or str(uuid.uuid4()),
        arn_member: arn,
        "Events": list(events),
    }
    if entry.get("Filter"):
        checked["Filter"] = _validate_filter(entry["Filter"])
    return checked


def _validate_filter(filter_: Mapping[str, Any]) -> dict[str, Any]:
    rules = (filter_.get("Key") or {}).get("FilterRules") or []
    names: set[str] = set()
    out = []
    for rule in rules:
        name = str(rule.get("Name", "")).lower()
        if name not in ("prefix", "suffix"):
            raise exc.InvalidArgument(
                "filter rule name must be either prefix or suffix",
                fields={"ArgumentName": "FilterRule.Name", "ArgumentValue": rule.get("Name")},
            )
        if name in names:
            raise exc.InvalidArgument(
                f"Cannot specify more than one {name} rule in a filter.",
                fields={"ArgumentName": "FilterRule.Name", "ArgumentValue": name},
            )
        names.add(name)
        out.append({"Name": name.capitalize(), "Value": rule.get("Value", "")})
    return {"Key": {"FilterRules": out}}


def _filter_values(filter_: Mapping[str, Any] | None) -> tuple[str, str]:
    prefix = suffix = ""
    for rule in ((filter_ or {}).get("Key") or {}).get("FilterRules") or []:
        if rule["Name"] == "Prefix":
            prefix = rule["Value"]
        else:
            suffix = rule["Value"]
    return prefix, suffix


def _overlaps(prefix: str, suffix: str, other_prefix: str, other_suffix: str) -> bool:
    """Whether some key could match both filters."""
    prefixes = prefix.startswith(other_prefix) or other_prefix.startswith(prefix)
    suffixes = suffix.endswith(other_suffix) or other_suffix.endswith(suffix)
    return prefixes and suffixes


def key_matches_filter(key: str, filter_: Mapping[str, Any] | None) -> bool:
    """Whether a key passes a notification's prefix/suffix filter."""
    prefix, suffix = _filter_values(filter_)
    return key.startswith(prefix) and key.endswith(suffix)
