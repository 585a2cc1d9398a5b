"""Resource-policy statements built from AddPermission's members, as Lambda builds them."""

from __future__ import annotations

import json
import re
from typing import Any

from nubes.services.lambda_ import exceptions as exc

_ACTION = re.compile(r"^(lambda:[*]|lambda:[a-zA-Z]+|[*])$")
_ACCOUNT = re.compile(r"^\d{12}$")


def principal(value: str) -> str | dict[str, str]:
    """``*``, an account (as its root ARN), an IAM ARN, or a service principal."""
    if value == "*":
        return "*"
    if _ACCOUNT.match(value):
        return {"AWS": f"arn:aws:iam::{value}:root"}
    if value.startswith("arn:"):
        return {"AWS": value}
    return {"Service": value}


def statement(params: dict[str, Any], resource: str) -> dict[str, Any]:
    """The statement AddPermission adds, with its conditions."""
    action = params["Action"]
    if not _ACTION.match(action):
        raise exc.Validation(action, "action", "Member must satisfy regular expression "
                             "pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])")
    out: dict[str, Any] = {
        "Sid": params["StatementId"], "Effect": "Allow",
        "Principal": principal(params["Principal"]), "Action": action, "Resource": resource,
    }
    equals: dict[str, str] = {}
    if params.get("SourceAccount"):
        equals["AWS:SourceAccount"] = params["SourceAccount"]
    if params.get("EventSourceToken"):
        equals["lambda:EventSourceToken"] = params["EventSourceToken"]
    if params.get("PrincipalOrgID"):
        equals["aws:PrincipalOrgID"] = params["PrincipalOrgID"]
    if params.get("FunctionUrlAuthType"):
        equals["lambda:FunctionUrlAuthType"] = params["FunctionUrlAuthType"]
    condition: dict[str, Any] = {}
    if equals:
        condition["StringEquals"] = equals
    if params.get("SourceArn"):
        condition["ArnLike"] = {"AWS:SourceArn": params["SourceArn"]}
    if params.get("InvokedViaFunctionUrl"):
        condition["Bool"] = {"lambda:InvokedViaFunctionUrl": "true"}
    if condition:
        out["Condition"] = condition
    return out


def document(statements: list[dict[str, Any]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Id": "default", "Statement": statements},
                      separators=(",", ":"))
