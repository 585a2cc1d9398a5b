"""Lambda's ARNs and the three ways a function is named: name, partial ARN, full ARN."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nubes.services.lambda_ import exceptions as exc

LATEST = "$LATEST"
NAME_PATTERN = (
    r"(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?"
    r"([a-zA-Z0-9-_\.]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?"
)
_FUNCTION = re.compile(
    r"^(?:arn:aws[a-zA-Z-]*:lambda:(?P<region>[a-z]{2}(?:-gov)?-[a-z]+-\d):)?"
    r"(?:(?P<account>\d{12}):function:)?"
    r"(?P<name>[a-zA-Z0-9-_]{1,64})(?::(?P<qualifier>\$LATEST|[a-zA-Z0-9-_]{1,128}))?$"
)
_LAYER = re.compile(
    r"^arn:aws[a-zA-Z-]*:lambda:(?P<region>[a-z]{2}(?:-gov)?-[a-z]+-\d):(?P<account>\d{12}):"
    r"layer:(?P<name>[a-zA-Z0-9-_]{1,140})(?::(?P<version>[0-9]+))?$"
)
_LAYER_NAME = re.compile(r"^[a-zA-Z0-9-_]{1,140}$")
ALIAS_NAME = re.compile(r"^(?!^[0-9]+$)([a-zA-Z0-9-_]{1,128})$")


@dataclass(frozen=True, slots=True)
class FunctionRef:
    """A function named in a request: where it lives and the qualifier asked for."""

    account_id: str
    region: str
    name: str
    qualifier: str | None = None

    @property
    def arn(self) -> str:
        return function_arn(self.account_id, self.region, self.name)

    @property
    def qualified_arn(self) -> str:
        return function_arn(self.account_id, self.region, self.name, self.qualifier)


def function_arn(account_id: str, region: str, name: str, qualifier: str | None = None) -> str:
    arn = f"arn:aws:lambda:{region}:{account_id}:function:{name}"
    return f"{arn}:{qualifier}" if qualifier else arn


def layer_arn(account_id: str, region: str, name: str, version: int | None = None) -> str:
    arn = f"arn:aws:lambda:{region}:{account_id}:layer:{name}"
    return f"{arn}:{version}" if version is not None else arn


def parse_function(account_id: str, region: str, given: str,
                   qualifier: str | None = None) -> FunctionRef:
    """The function a FunctionName member names, with the Qualifier member reconciled."""
    match = _FUNCTION.match(given or "")
    if match is None:
        raise exc.Validation(given, "functionName",
                             f"Member must satisfy regular expression pattern: {NAME_PATTERN}")
    derived = match["qualifier"]
    if derived and qualifier and derived != qualifier:
        raise exc.InvalidParameterValue(
            "The derived qualifier from the function name does not match the specified "
            "qualifier.")
    return FunctionRef(match["account"] or account_id, match["region"] or region,
                       match["name"], derived or qualifier)


def parse_layer_name(given: str) -> str:
    """A LayerName member: a name or a layer ARN (without version)."""
    if _LAYER_NAME.match(given):
        return given
    match = _LAYER.match(given)
    if match is None or match["version"] is not None:
        raise exc.Validation(given, "layerName", "Member must satisfy regular expression "
                             "pattern: (arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:"
                             "[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+")
    return match["name"]


def parse_layer_version_arn(arn: str) -> tuple[str, str, str, int]:
    """(account, region, name, version) of a layer version ARN."""
    match = _LAYER.match(arn)
    if match is None or match["version"] is None:
        raise exc.Validation(arn, "arn", "Member must satisfy regular expression pattern: "
                             "(arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+"
                             "-\\d{1}:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+)")
    return match["account"], match["region"], match["name"], int(match["version"])


def parse_resource_arn(arn: str) -> FunctionRef:
    """The function a tagging Resource ARN names (tags live on the unqualified function)."""
    match = _FUNCTION.match(arn)
    if match is None or match["account"] is None or match["region"] is None:
        raise exc.Validation(arn, "resource", "Member must satisfy regular expression pattern: "
                             "arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-"
                             "[a-z]+-\\d{1}:\\d{12}:function:[a-zA-Z0-9-_]+(:(\\$LATEST|"
                             "[a-zA-Z0-9-_]+))?")
    return FunctionRef(match["account"], match["region"], match["name"], match["qualifier"])
