"""Resource policies through boto3: AddPermission, GetPolicy, RemovePermission."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.services.lambda_.conftest import error_of


def test_policy_document(lam: Any, active: Callable[..., str]) -> None:
    name = active()
    arn = f"arn:aws:lambda:us-east-1:000000000000:function:{name}"
    code, status, _ = error_of(lambda: lam.get_policy(FunctionName=name))
    assert (code, status) == ("ResourceNotFoundException", 404)
    added = lam.add_permission(
        FunctionName=name, StatementId="s3-invoke", Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::my-bucket",
        SourceAccount="000000000000")
    statement = json.loads(added["Statement"])
    assert statement == {
        "Sid": "s3-invoke", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "lambda:InvokeFunction", "Resource": arn,
        "Condition": {"StringEquals": {"AWS:SourceAccount": "000000000000"},
                      "ArnLike": {"AWS:SourceArn": "arn:aws:s3:::my-bucket"}},
    }
    lam.add_permission(FunctionName=name, StatementId="account", Action="lambda:*",
                       Principal="123456789012")
    policy = lam.get_policy(FunctionName=name)
    document = json.loads(policy["Policy"])
    assert document["Version"] == "2012-10-17" and document["Id"] == "default"
    assert [s["Sid"] for s in document["Statement"]] == ["s3-invoke", "account"]
    assert document["Statement"][1]["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
    assert policy["RevisionId"]
    code, status, message = error_of(lambda: lam.add_permission(
        FunctionName=name, StatementId="account", Action="lambda:InvokeFunction",
        Principal="*"))
    assert (code, status) == ("ResourceConflictException", 409)
    assert "The statement id (account) provided already exists" in message
    code, status, _ = error_of(lambda: lam.add_permission(
        FunctionName=name, StatementId="x", Action="lambda:InvokeFunction",
        Principal="*", RevisionId="stale"))
    assert (code, status) == ("PreconditionFailedException", 412)
    lam.remove_permission(FunctionName=name, StatementId="account")
    code, status, message = error_of(lambda: lam.remove_permission(
        FunctionName=name, StatementId="account"))
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert message == "Statement account is not found in resource policy."
    remaining = json.loads(lam.get_policy(FunctionName=name)["Policy"])["Statement"]
    assert [s["Sid"] for s in remaining] == ["s3-invoke"]


def test_policies_per_qualifier(lam: Any, active: Callable[..., str]) -> None:
    name = active(Publish=True)
    lam.add_permission(FunctionName=name, Qualifier="1", StatementId="v1",
                       Action="lambda:InvokeFunction", Principal="sns.amazonaws.com")
    document = json.loads(lam.get_policy(FunctionName=name, Qualifier="1")["Policy"])
    assert document["Statement"][0]["Resource"].endswith(f":function:{name}:1")
    assert error_of(lambda: lam.get_policy(FunctionName=name))[1] == 404
