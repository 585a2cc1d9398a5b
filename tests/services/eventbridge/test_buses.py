"""Event buses through boto3: the implicit default bus, custom buses, their errors."""

from __future__ import annotations

from typing import Any

from tests.errors import error_of
from tests.services.eventbridge.conftest import unique

ARN_PREFIX = "arn:aws:events:us-east-1:000000000000:event-bus/"


def test_the_default_bus_exists_without_creating_it(events: Any) -> None:
    bus = events.describe_event_bus()
    assert (bus["Name"], bus["Arn"]) == ("default", ARN_PREFIX + "default")
    assert events.describe_event_bus(Name="default")["Arn"] == bus["Arn"]
    names = [b["Name"] for b in events.list_event_buses()["EventBuses"]]
    assert "default" in names
    error = error_of(lambda: events.create_event_bus(Name="default"))
    assert (error["Code"], error["Message"]) == (
        "ResourceAlreadyExistsException", "Event bus default already exists.")
    error = error_of(lambda: events.delete_event_bus(Name="default"))
    assert error["Code"] == "ValidationException"


def test_custom_bus_lifecycle(events: Any) -> None:
    name = unique("bus")
    created = events.create_event_bus(Name=name, Description="orders",
                                      Tags=[{"Key": "team", "Value": "a"}])
    assert created["EventBusArn"] == ARN_PREFIX + name
    described = events.describe_event_bus(Name=name)
    assert described["Description"] == "orders"
    assert described["CreationTime"] and described["LastModifiedTime"]
    assert events.describe_event_bus(Name=ARN_PREFIX + name)["Name"] == name
    tags = events.list_tags_for_resource(ResourceARN=created["EventBusArn"])["Tags"]
    assert tags == [{"Key": "team", "Value": "a"}]
    error = error_of(lambda: events.create_event_bus(Name=name))
    assert (error["Code"], error["Message"]) == (
        "ResourceAlreadyExistsException", f"Event bus {name} already exists.")
    listed = events.list_event_buses(NamePrefix=name)["EventBuses"]
    assert [b["Name"] for b in listed] == [name]
    events.delete_event_bus(Name=name)
    error = error_of(lambda: events.describe_event_bus(Name=name))
    assert (error["Code"], error["Message"]) == (
        "ResourceNotFoundException", f"Event bus {name} does not exist.")
    events.delete_event_bus(Name=name)  # deleting again is not an error


def test_deleting_a_bus_deletes_its_rules(events: Any) -> None:
    name = unique("bus")
    events.create_event_bus(Name=name)
    events.put_rule(Name="r", EventBusName=name, EventPattern='{"source": ["a"]}')
    events.delete_event_bus(Name=name)
    events.create_event_bus(Name=name)
    assert events.list_rules(EventBusName=name)["Rules"] == []
    events.delete_event_bus(Name=name)


def test_list_event_buses_pages(events: Any) -> None:
    prefix = unique("page")
    for i in range(3):
        events.create_event_bus(Name=f"{prefix}-{i}")
    first = events.list_event_buses(NamePrefix=prefix, Limit=2)
    assert [b["Name"] for b in first["EventBuses"]] == [f"{prefix}-0", f"{prefix}-1"]
    second = events.list_event_buses(NamePrefix=prefix, Limit=2,
                                     NextToken=first["NextToken"])
    assert [b["Name"] for b in second["EventBuses"]] == [f"{prefix}-2"]
    assert "NextToken" not in second
    for i in range(3):
        events.delete_event_bus(Name=f"{prefix}-{i}")


def test_update_event_bus_description(events: Any) -> None:
    name = unique("bus")
    events.create_event_bus(Name=name)
    events.update_event_bus(Name=name, Description="new")
    assert events.describe_event_bus(Name=name)["Description"] == "new"
    events.delete_event_bus(Name=name)
