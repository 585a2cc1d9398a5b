"""Resource policies evaluated for a service principal delivering an event."""

from __future__ import annotations

from typing import Any

from nubes.events.policy import Request, allows, statements_of

QUEUE = "arn:aws:sqs:us-east-1:000000000000:q"
REQUEST = Request("s3.amazonaws.com", "sqs:SendMessage", QUEUE, "arn:aws:s3:::photos",
                  "000000000000")


def allow(**extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "SQS:SendMessage", "Resource": QUEUE, **extra}


def test_principal_action_resource_and_conditions() -> None:
    assert allows([allow()], REQUEST)
    assert allows([allow(Principal="*", Action="sqs:*", Resource="*")], REQUEST)
    assert not allows([allow(Principal={"Service": "sns.amazonaws.com"})], REQUEST)
    assert not allows([allow(Action="sqs:ReceiveMessage")], REQUEST)
    assert not allows([allow(Resource=QUEUE + "2")], REQUEST)
    assert allows([allow(Condition={"ArnLike": {"aws:SourceArn": "arn:aws:s3:*:*:photos"}})],
                  REQUEST)
    assert allows([allow(Condition={"ArnEquals": {"AWS:SourceArn": "arn:aws:s3:::photos"},
                                    "StringEquals": {"aws:SourceAccount": "000000000000"}})],
                  REQUEST)
    assert not allows([allow(Condition={"ArnLike": {"aws:SourceArn": "arn:aws:s3:::other"}})],
                      REQUEST)
    assert not allows([allow(Condition={"StringEquals": {"aws:SourceAccount": "1"}})], REQUEST)
    assert not allows([allow(Condition={"NumericLessThan": {"aws:SourceAccount": "1"}})],
                      REQUEST)  # not understood: never allows


def test_an_explicit_deny_wins_and_nothing_allows_by_default() -> None:
    assert not allows([], REQUEST)
    assert not allows([allow(), {**allow(), "Effect": "Deny"}], REQUEST)


def test_documents_that_are_absent_or_invalid_have_no_statements() -> None:
    assert statements_of(None) == [] and statements_of("{not json") == []
    assert statements_of('{"Statement": {"Effect": "Allow"}}') == [{"Effect": "Allow"}]


def test_account_principals_and_extra_condition_keys() -> None:
    """A function URL's caller: an account's root ARN, or anyone, with the URL's keys."""
    statements = [{"Effect": "Allow", "Principal": {"AWS": "111111111111"},
                   "Action": "lambda:InvokeFunctionUrl",
                   "Resource": "arn:aws:lambda:us-east-1:000000000000:function:f",
                   "Condition": {"StringEquals": {"lambda:FunctionUrlAuthType": "AWS_IAM"}}}]

    def ask(principal: str, auth_type: str) -> bool:
        return allows(statements, Request(
            principal, "lambda:InvokeFunctionUrl",
            "arn:aws:lambda:us-east-1:000000000000:function:f",
            extra={"lambda:FunctionUrlAuthType": auth_type}))

    assert ask("arn:aws:iam::111111111111:root", "AWS_IAM")
    assert not ask("arn:aws:iam::222222222222:root", "AWS_IAM")
    assert not ask("arn:aws:iam::111111111111:root", "NONE")
    assert not ask("*", "AWS_IAM")
