"""A real schedule: a ``rate(1 minute)`` rule runs a function with the scheduled event
(this waits about a minute)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.functions import printed_events
from tests.services.eventbridge.conftest import allow_events, unique


@pytest.mark.slow
def test_a_rate_rule_runs_a_function_with_the_scheduled_event(
        make_client: Callable[..., Any], events: Any, lam: Any,
        function: tuple[str, str]) -> None:
    name, function_arn = function
    rule = unique("every-minute")
    rule_arn = events.put_rule(Name=rule, ScheduleExpression="rate(1 minute)")["RuleArn"]
    allow_events(lam, name, rule_arn)
    events.put_targets(Rule=rule, Targets=[{"Id": "fn", "Arn": function_arn}])
    [event] = printed_events(make_client("logs"), name, 1, wait_s=120.0)
    assert (event["source"], event["detail-type"], event["detail"]) == (
        "aws.events", "Scheduled Event", {})
    assert event["resources"] == [rule_arn]
    assert (event["account"], event["region"], event["version"]) == (
        "000000000000", "us-east-1", "0")
    assert event["time"].endswith("Z") and len(event["time"]) == 20
    events.remove_targets(Rule=rule, Ids=["fn"])
    events.delete_rule(Name=rule)
