"""Rules: PutRule, DescribeRule, DeleteRule, ListRules, EnableRule, DisableRule,
ListRuleNamesByTarget, and the tags of rules and buses (TagResource, UntagResource,
ListTagsForResource).

A rule has an event pattern or a schedule (schedules only on the default bus, as AWS).
An enabled schedule carries the epoch second of its next tick, which the scheduler
claims; PutRule and EnableRule start it afresh (a rate counts from then), DisableRule
stops it.
"""

from __future__ import annotations

from typing import Any

from nubes.events.patterns import PatternError, compile_pattern
from nubes.services.base import RequestContext
from nubes.services.eventbridge import exceptions as exc
from nubes.services.eventbridge.core import EventsCore, page, required
from nubes.services.eventbridge.models import (
    DEFAULT_BUS,
    MAX_RULES_PER_BUS,
    Bus,
    Rule,
    RuleState,
    parse_events_arn,
    valid_rule_name,
)
from nubes.services.eventbridge.schedule import ScheduleError, parse_schedule
from nubes.services.eventbridge.store import RuleChange

MAX_TAGS = 50


class RuleOps(EventsCore):
    def put_rule(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = required(params, "Name")
        if not valid_rule_name(name):
            raise exc.constraint("name", name, "Member must satisfy regular expression "
                                 "pattern: [\\.\\-_A-Za-z0-9]+")
        bus = self.event_bus(ctx, params.get("EventBusName"))
        pattern, schedule = params.get("EventPattern"), params.get("ScheduleExpression")
        if not pattern and not schedule:
            raise exc.ValidationException(
                "Parameter(s) EventPattern or ScheduleExpression must be specified.")
        description = params.get("Description")
        if description is not None and len(description) > 512:
            raise exc.constraint("description", description,
                                 "Member must have length less than or equal to 512")
        if pattern:
            if len(pattern) > 4096:
                raise exc.constraint("eventPattern", pattern,
                                     "Member must have length less than or equal to 4096")
            try:
                compile_pattern(pattern)
            except PatternError as error:
                raise exc.InvalidEventPatternException(error.message) from None
        state = _state(params.get("State"))
        now = self.clock()
        next_fire = None
        if schedule:
            if bus.name != DEFAULT_BUS:
                raise exc.ValidationException(
                    "ScheduleExpression is supported only on the default event bus.")
            next_fire = self.first_tick(schedule, now) if state.enabled else None
        change = RuleChange(ctx.account_id, ctx.region, bus.name, name, pattern or None,
                            schedule or None, state, description, params.get("RoleArn"),
                            _tags(params.get("Tags")), now, next_fire)
        rule = self.store.put_rule(change, MAX_RULES_PER_BUS)
        if rule is None:
            raise exc.limit_exceeded()
        if next_fire is not None:
            self.schedule_changed()
        return {"RuleArn": rule.arn}

    def first_tick(self, expression: str, now: float) -> int | None:
        """The first tick of a schedule started ``now``; ValidationException if the
        expression is not valid."""
        try:
            return parse_schedule(expression).next_after(now, now)
        except ScheduleError:
            raise exc.ValidationException("Parameter ScheduleExpression is not valid.") \
                from None

    def schedule_changed(self) -> None:
        """A schedule started: the scheduler looks at the store again (provider hook)."""

    def describe_rule(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        rule = self.rule(ctx, params)
        return {**rule_entry(rule), "CreatedBy": rule.account}

    def delete_rule(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        bus = self.event_bus(ctx, params.get("EventBusName"))
        rule = self.store.get_rule(ctx.account_id, ctx.region, bus.name,
                                   required(params, "Name"))
        if rule is not None and not self.store.delete_rule(rule):
            raise exc.ValidationException("Rule can't be deleted since it has targets.")
        return {}

    def list_rules(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        bus = self.event_bus(ctx, params.get("EventBusName"))
        rules = self.store.list_rules(ctx.account_id, ctx.region, bus.name,
                                      params.get("NamePrefix") or "")
        shown, token = page(rules, params)
        out: dict[str, Any] = {"Rules": [rule_entry(rule) for rule in shown]}
        if token:
            out["NextToken"] = token
        return out

    def enable_rule(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        rule = self.rule(ctx, params)
        if not rule.state.enabled:
            now = self.clock()
            next_fire = self.first_tick(rule.schedule, now) if rule.schedule else None
            self.store.set_state(rule, RuleState.ENABLED, next_fire, now)
            if next_fire is not None:
                self.schedule_changed()
        return {}

    def disable_rule(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        rule = self.rule(ctx, params)
        self.store.set_state(rule, RuleState.DISABLED, None, self.clock())
        return {}

    def list_rule_names_by_target(self, ctx: RequestContext, params: dict[str, Any]
                                  ) -> dict[str, Any]:
        bus = self.event_bus(ctx, params.get("EventBusName"))
        names = self.store.rules_targeting(ctx.account_id, ctx.region, bus.name,
                                           required(params, "TargetArn"))
        shown, token = page(names, params)
        out: dict[str, Any] = {"RuleNames": shown}
        if token:
            out["NextToken"] = token
        return out

    # -- tags ---------------------------------------------------------------------------

    def tag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        resource = self._tagged(ctx, required(params, "ResourceARN"))
        tags = {**resource.tags, **_tags(params.get("Tags"))}
        if len(tags) > MAX_TAGS:
            raise exc.LimitExceededException(
                f"A resource can have at most {MAX_TAGS} tags.")
        self._set_tags(resource, tags)
        return {}

    def untag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        resource = self._tagged(ctx, required(params, "ResourceARN"))
        keys = set(params.get("TagKeys") or [])
        self._set_tags(resource, {k: v for k, v in resource.tags.items() if k not in keys})
        return {}

    def list_tags_for_resource(self, ctx: RequestContext, params: dict[str, Any]
                               ) -> dict[str, Any]:
        resource = self._tagged(ctx, required(params, "ResourceARN"))
        return {"Tags": [{"Key": k, "Value": v} for k, v in sorted(resource.tags.items())]}

    def _tagged(self, ctx: RequestContext, arn: str) -> Rule | Bus:
        parts = parse_events_arn(arn)
        if parts is None or parts[2] not in ("rule", "event-bus"):
            raise exc.invalid_parameter("ResourceARN")
        region, account, kind, path = parts
        if kind == "event-bus":
            bus = (self.find_bus(account, region, path)
                   if (region, account) == (ctx.region, ctx.account_id) else None)
            if bus is None:
                raise exc.bus_not_found(path)
            return bus
        bus_name, _, name = path.rpartition("/")
        bus_name = bus_name or DEFAULT_BUS
        rule = (self.store.get_rule(account, region, bus_name, name)
                if (region, account) == (ctx.region, ctx.account_id) else None)
        if rule is None:
            raise exc.rule_not_found(name, bus_name)
        return rule

    def _set_tags(self, resource: Rule | Bus, tags: dict[str, str]) -> None:
        if isinstance(resource, Rule):
            self.store.set_rule_tags(resource, tags)
        else:
            self.store.update_bus(resource, tags=tags, now=self.clock())


def rule_entry(rule: Rule) -> dict[str, Any]:
    """A rule as DescribeRule and ListRules show it (absent members left out)."""
    out: dict[str, Any] = {"Name": rule.name, "Arn": rule.arn, "State": rule.state.value,
                           "EventBusName": rule.bus}
    for member, value in (("EventPattern", rule.pattern),
                          ("ScheduleExpression", rule.schedule),
                          ("Description", rule.description), ("RoleArn", rule.role_arn)):
        if value is not None:
            out[member] = value
    return out


def _state(value: Any) -> RuleState:
    if value is None:
        return RuleState.ENABLED
    try:
        return RuleState(value)
    except ValueError:
        raise exc.constraint("state", value, "Member must satisfy enum value set: "
                             "[ENABLED, DISABLED, "
                             "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]") from None


def _tags(tags: Any) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in tags or []}
