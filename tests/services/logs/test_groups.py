"""Log groups through boto3: create, describe (prefix, pattern, pages), delete,
retention policies and tags, with AWS's errors."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError


def error_code(info: pytest.ExceptionInfo[ClientError]) -> str:
    return str(info.value.response["Error"]["Code"])


def test_create_and_describe_a_group(logs: Any) -> None:
    name = f"/app/{uuid.uuid4().hex[:8]}"
    logs.create_log_group(logGroupName=name, tags={"team": "core"})
    [found] = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    assert found["logGroupName"] == name
    assert found["arn"] == f"arn:aws:logs:us-east-1:000000000000:log-group:{name}:*"
    assert found["logGroupArn"] == found["arn"][:-2]
    assert found["storedBytes"] == 0
    assert found["metricFilterCount"] == 0
    assert found["logGroupClass"] == "STANDARD"
    assert found["creationTime"] > 1_600_000_000_000
    assert "retentionInDays" not in found
    assert logs.list_tags_log_group(logGroupName=name)["tags"] == {"team": "core"}


def test_create_twice_is_resource_already_exists(logs: Any, group: str) -> None:
    with pytest.raises(ClientError) as info:
        logs.create_log_group(logGroupName=group)
    assert error_code(info) == "ResourceAlreadyExistsException"


@pytest.mark.parametrize("name", ["bad name", "bad:name", "aws/reserved", "x" * 513])
def test_invalid_group_names_are_invalid_parameter(logs: Any, name: str) -> None:
    with pytest.raises(ClientError) as info:
        logs.create_log_group(logGroupName=name)
    assert error_code(info) == "InvalidParameterException"


def test_log_group_class_is_kept(logs: Any) -> None:
    name = f"/ia/{uuid.uuid4().hex[:8]}"
    logs.create_log_group(logGroupName=name, logGroupClass="INFREQUENT_ACCESS")
    [found] = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    assert found["logGroupClass"] == "INFREQUENT_ACCESS"


def test_describe_pages_in_name_order(logs: Any) -> None:
    base = f"/page/{uuid.uuid4().hex[:8]}/"
    names = [f"{base}{i:02d}" for i in range(7)]
    for name in reversed(names):
        logs.create_log_group(logGroupName=name)
    seen: list[str] = []
    token = None
    while True:
        kwargs: dict[str, str] = {"nextToken": token} if token else {}
        page = logs.describe_log_groups(logGroupNamePrefix=base, limit=3, **kwargs)
        assert len(page["logGroups"]) <= 3
        seen += [group["logGroupName"] for group in page["logGroups"]]
        token = page.get("nextToken")
        if not token:
            break
    assert seen == names
    paginator = logs.get_paginator("describe_log_groups")
    pages = paginator.paginate(logGroupNamePrefix=base, PaginationConfig={"PageSize": 2})
    assert [g["logGroupName"] for p in pages for g in p["logGroups"]] == names


def test_describe_by_pattern_ignores_case(logs: Any) -> None:
    tag = uuid.uuid4().hex[:8]
    logs.create_log_group(logGroupName=f"/svc/Orders-{tag}")
    found = logs.describe_log_groups(logGroupNamePattern=f"orders-{tag}")["logGroups"]
    assert [g["logGroupName"] for g in found] == [f"/svc/Orders-{tag}"]


def test_describe_prefix_and_pattern_together_is_invalid(logs: Any) -> None:
    with pytest.raises(ClientError) as info:
        logs.describe_log_groups(logGroupNamePrefix="/a", logGroupNamePattern="b")
    assert error_code(info) == "InvalidParameterException"


def test_describe_limit_over_50_is_invalid(logs: Any) -> None:
    with pytest.raises(ClientError) as info:
        logs.describe_log_groups(limit=51)
    assert error_code(info) == "InvalidParameterException"


def test_a_bad_next_token_is_invalid(logs: Any) -> None:
    with pytest.raises(ClientError) as info:
        logs.describe_log_groups(nextToken="not-a-token")
    assert error_code(info) == "InvalidParameterException"


def test_delete_group(logs: Any, group: str) -> None:
    logs.delete_log_group(logGroupName=group)
    assert logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"] == []
    with pytest.raises(ClientError) as info:
        logs.delete_log_group(logGroupName=group)
    assert error_code(info) == "ResourceNotFoundException"


def test_groups_belong_to_a_region(make_client: Any, logs: Any, group: str) -> None:
    other = make_client("logs", region_name="eu-west-1")
    assert other.describe_log_groups(logGroupNamePrefix=group)["logGroups"] == []
    other.create_log_group(logGroupName=group)  # the same name, another region


def test_retention_policy(logs: Any, group: str) -> None:
    logs.put_retention_policy(logGroupName=group, retentionInDays=30)
    [found] = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert found["retentionInDays"] == 30
    logs.delete_retention_policy(logGroupName=group)
    [found] = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert "retentionInDays" not in found


@pytest.mark.parametrize("days", [2, 0, 4000, 365 * 2])
def test_retention_values_outside_the_list_are_invalid(logs: Any, group: str, days: int
                                                       ) -> None:
    with pytest.raises(ClientError) as info:
        logs.put_retention_policy(logGroupName=group, retentionInDays=days)
    assert error_code(info) == "InvalidParameterException"


def test_retention_of_a_missing_group_is_not_found(logs: Any) -> None:
    with pytest.raises(ClientError) as info:
        logs.put_retention_policy(logGroupName="/nope/x", retentionInDays=1)
    assert error_code(info) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as info:
        logs.delete_retention_policy(logGroupName="/nope/x")
    assert error_code(info) == "ResourceNotFoundException"


def test_tags_by_resource_arn(logs: Any, group: str) -> None:
    arn = f"arn:aws:logs:us-east-1:000000000000:log-group:{group}"
    logs.tag_resource(resourceArn=arn, tags={"a": "1", "b": "2"})
    logs.untag_resource(resourceArn=arn, tagKeys=["a"])
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"b": "2"}
    assert logs.list_tags_for_resource(resourceArn=f"{arn}:*")["tags"] == {"b": "2"}


def test_legacy_tag_operations(logs: Any, group: str) -> None:
    logs.tag_log_group(logGroupName=group, tags={"env": "dev", "x": "y"})
    logs.untag_log_group(logGroupName=group, tags=["x"])
    assert logs.list_tags_log_group(logGroupName=group)["tags"] == {"env": "dev"}


def test_tag_errors(logs: Any, group: str) -> None:
    arn = f"arn:aws:logs:us-east-1:000000000000:log-group:{group}"
    with pytest.raises(ClientError) as info:
        logs.tag_resource(resourceArn=arn, tags={f"k{i}": "v" for i in range(51)})
    assert error_code(info) == "TooManyTagsException"
    with pytest.raises(ClientError) as info:
        logs.tag_resource(resourceArn=arn, tags={"aws:reserved": "v"})
    assert error_code(info) == "InvalidParameterException"
    with pytest.raises(ClientError) as info:
        logs.list_tags_for_resource(resourceArn=f"{arn}-missing")
    assert error_code(info) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as info:
        logs.list_tags_for_resource(
            resourceArn=f"arn:aws:logs:us-east-1:111122223333:log-group:{group}")
    assert error_code(info) == "ResourceNotFoundException"


def test_describe_by_identifiers(logs: Any) -> None:
    base = f"/ids/{uuid.uuid4().hex[:8]}"
    for suffix in ("a", "b", "c"):
        logs.create_log_group(logGroupName=f"{base}/{suffix}")
    arn = f"arn:aws:logs:us-east-1:000000000000:log-group:{base}/c"
    found = logs.describe_log_groups(logGroupIdentifiers=[f"{base}/a", arn, "/nope"])
    assert [g["logGroupName"] for g in found["logGroups"]] == [f"{base}/a", f"{base}/c"]
