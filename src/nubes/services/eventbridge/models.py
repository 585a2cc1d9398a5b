"""EventBridge's resources as plain data: event buses, rules and their targets, their
ARNs, and the names AWS accepts. No storage and no HTTP here."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

DEFAULT_BUS = "default"
MAX_TARGETS_PER_RULE = 5
MAX_RULES_PER_BUS = 300

_RULE_NAME = re.compile(r"[.\-_A-Za-z0-9]{1,64}")
_BUS_NAME = re.compile(r"[/.\-_A-Za-z0-9]{1,256}")
_TARGET_ID = re.compile(r"[.\-_A-Za-z0-9]{1,64}")


class RuleState(StrEnum):
    ENABLED = "ENABLED"
    DISABLED = "DISABLED"
    ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"

    @property
    def enabled(self) -> bool:
        return self is not RuleState.DISABLED


def bus_arn(account: str, region: str, name: str) -> str:
    return f"arn:aws:events:{region}:{account}:event-bus/{name}"


def rule_arn(account: str, region: str, bus: str, name: str) -> str:
    """A rule's ARN: ``rule/<name>`` on the default bus, ``rule/<bus>/<name>`` elsewhere."""
    path = name if bus == DEFAULT_BUS else f"{bus}/{name}"
    return f"arn:aws:events:{region}:{account}:rule/{path}"


def parse_events_arn(arn: str) -> tuple[str, str, str, str] | None:
    """(region, account, resource type, resource path) of an EventBridge ARN."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "events":
        return None
    kind, _, path = parts[5].partition("/")
    return (parts[3], parts[4], kind, path) if path else None


def valid_rule_name(name: str) -> bool:
    return _RULE_NAME.fullmatch(name) is not None


def valid_bus_name(name: str) -> bool:
    return _BUS_NAME.fullmatch(name) is not None


def valid_target_id(target_id: str) -> bool:
    return _TARGET_ID.fullmatch(target_id) is not None


@dataclass(frozen=True)
class Bus:
    account: str
    region: str
    name: str
    description: str | None
    policy: str | None
    created: float
    modified: float
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return bus_arn(self.account, self.region, self.name)


@dataclass(frozen=True)
class Rule:
    id: int
    account: str
    region: str
    bus: str
    name: str
    pattern: str | None
    schedule: str | None
    state: RuleState
    description: str | None
    role_arn: str | None
    created: float
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return rule_arn(self.account, self.region, self.bus, self.name)


@dataclass(frozen=True)
class Target:
    """One target of a rule: its Id, ARN, and the target as PutTargets gave it (the
    members Nubes acts on: Input, InputPath, InputTransformer, RoleArn, SqsParameters)."""

    rule_id: int
    id: str
    arn: str
    spec: dict[str, Any]
