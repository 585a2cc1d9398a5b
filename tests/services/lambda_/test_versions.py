"""Versions and aliases through boto3: publishing, listing, weighted routing config."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.services.lambda_.conftest import HANDLER_SOURCE, error_of, make_zip

FAST = {"Delay": 0.05, "MaxAttempts": 1200}


def _update(lam: Any, name: str, **config: Any) -> None:
    lam.update_function_configuration(FunctionName=name, **config)
    lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig=FAST)


def test_publish_and_list_versions(lam: Any, active: Callable[..., str]) -> None:
    name = active()
    first = lam.publish_version(FunctionName=name, Description="first")
    assert first["Version"] == "1" and first["Description"] == "first"
    assert first["FunctionArn"].endswith(f":function:{name}:1")
    again = lam.publish_version(FunctionName=name)
    assert again["Version"] == "1"  # nothing changed since version 1
    _update(lam, name, Timeout=7)
    assert lam.publish_version(FunctionName=name)["Version"] == "2"
    versions = lam.list_versions_by_function(FunctionName=name)["Versions"]
    assert [v["Version"] for v in versions] == ["$LATEST", "1", "2"]
    assert versions[0]["FunctionArn"].endswith(":$LATEST")
    assert lam.get_function_configuration(FunctionName=name, Qualifier="1")["Timeout"] == 3
    assert lam.get_function(FunctionName=f"{name}:2")["Configuration"]["Timeout"] == 7
    page = lam.list_versions_by_function(FunctionName=name, MaxItems=2)
    assert len(page["Versions"]) == 2 and page["NextMarker"]
    rest = lam.list_versions_by_function(FunctionName=name, Marker=page["NextMarker"])
    assert [v["Version"] for v in rest["Versions"]] == ["2"]
    all_versions = [f["Version"] for f in lam.list_functions(FunctionVersion="ALL")["Functions"]
                    if f["FunctionName"] == name]
    assert all_versions == ["$LATEST", "1", "2"]


def test_publish_checks(lam: Any, active: Callable[..., str]) -> None:
    name = active()
    code, status, message = error_of(lambda: lam.publish_version(
        FunctionName=name, CodeSha256="bm90IHRoZSBzaGE="))
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert message.startswith("CodeSHA256 (bm90IHRoZSBzaGE=) is different from current")
    code, status, _ = error_of(lambda: lam.publish_version(FunctionName=name,
                                                           RevisionId="old"))
    assert (code, status) == ("PreconditionFailedException", 412)


def test_create_with_publish_and_update_code_with_publish(lam: Any, active: Callable[..., str]
                                                          ) -> None:
    name = active(Publish=True)
    assert lam.get_function(FunctionName=name, Qualifier="1")["Configuration"]["Version"] == "1"
    updated = lam.update_function_code(FunctionName=name, Publish=True,
                                       ZipFile=make_zip({"app.py": HANDLER_SOURCE + "#2\n"}))
    assert updated["Version"] == "2"


def test_aliases(lam: Any, active: Callable[..., str]) -> None:
    name = active(Publish=True)
    _update(lam, name, Timeout=5)
    lam.publish_version(FunctionName=name)
    alias = lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1",
                             Description="prod",
                             RoutingConfig={"AdditionalVersionWeights": {"2": 0.25}})
    assert alias["AliasArn"].endswith(f":function:{name}:live")
    assert alias["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.25}}
    code, status, message = error_of(lambda: lam.create_alias(
        FunctionName=name, Name="live", FunctionVersion="1"))
    assert (code, status) == ("ResourceConflictException", 409)
    assert message.startswith("Alias already exists")
    got = lam.get_alias(FunctionName=name, Name="live")
    assert got["FunctionVersion"] == "1" and got["Description"] == "prod"
    assert lam.get_function_configuration(FunctionName=name, Qualifier="live")["Version"] == "1"
    code, status, _ = error_of(lambda: lam.update_alias(FunctionName=name, Name="live",
                                                        RevisionId="nope"))
    assert (code, status) == ("PreconditionFailedException", 412)
    updated = lam.update_alias(FunctionName=name, Name="live", FunctionVersion="2",
                               RoutingConfig={"AdditionalVersionWeights": {}},
                               RevisionId=got["RevisionId"])
    assert updated["FunctionVersion"] == "2" and "RoutingConfig" not in updated
    lam.create_alias(FunctionName=name, Name="beta", FunctionVersion="$LATEST")
    names = [a["Name"] for a in lam.list_aliases(FunctionName=name)["Aliases"]]
    assert names == ["beta", "live"]
    only_2 = lam.list_aliases(FunctionName=name, FunctionVersion="2")["Aliases"]
    assert [a["Name"] for a in only_2] == ["live"]
    code, _, message = error_of(lambda: lam.delete_function(FunctionName=name, Qualifier="2"))
    assert code == "ResourceConflictException" and "live" in message
    lam.delete_alias(FunctionName=name, Name="live")
    code, status, message = error_of(lambda: lam.get_alias(FunctionName=name, Name="live"))
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert message.startswith("Cannot find alias arn:")


def test_alias_routing_rules(lam: Any, active: Callable[..., str]) -> None:
    name = active(Publish=True)
    code, _, _ = error_of(lambda: lam.create_alias(FunctionName=name, Name="a",
                                                   FunctionVersion="9"))
    assert code == "ResourceNotFoundException"
    code, _, _ = error_of(lambda: lam.create_alias(
        FunctionName=name, Name="a", FunctionVersion="1",
        RoutingConfig={"AdditionalVersionWeights": {"1": 0.5}}))
    assert code == "InvalidParameterValueException"
    code, _, _ = error_of(lambda: lam.create_alias(
        FunctionName=name, Name="a", FunctionVersion="$LATEST",
        RoutingConfig={"AdditionalVersionWeights": {"1": 0.5}}))
    assert code == "InvalidParameterValueException"
