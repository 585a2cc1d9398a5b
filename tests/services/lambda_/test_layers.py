"""Layers through boto3: publishing versions, reading, listing, deleting, using them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.services.lambda_.conftest import error_of, make_zip, new_name

PREFIX = "arn:aws:lambda:us-east-1:000000000000:layer"


def _publish(lam: Any, name: str, **extra: Any) -> dict[str, Any]:
    content = {"ZipFile": make_zip({"python/helper.py": "VALUE = 42\n"})}
    result: dict[str, Any] = lam.publish_layer_version(LayerName=name, Content=content,
                                                       **extra)
    return result


def test_publish_get_list_delete(lam: Any) -> None:
    name = new_name("layer")
    first = _publish(lam, name, Description="helpers", CompatibleRuntimes=["python3.12"],
                     CompatibleArchitectures=["x86_64"], LicenseInfo="MIT")
    assert first["Version"] == 1
    assert first["LayerArn"] == f"{PREFIX}:{name}"
    assert first["LayerVersionArn"] == f"{PREFIX}:{name}:1"
    assert first["Content"]["CodeSize"] > 0 and first["Content"]["CodeSha256"]
    assert first["CompatibleRuntimes"] == ["python3.12"]
    second = _publish(lam, f"{PREFIX}:{name}", CompatibleRuntimes=["nodejs20.x"])
    assert second["Version"] == 2
    got = lam.get_layer_version(LayerName=name, VersionNumber=1)
    assert got["Description"] == "helpers" and got["LicenseInfo"] == "MIT"
    by_arn = lam.get_layer_version_by_arn(Arn=f"{PREFIX}:{name}:2")
    assert by_arn["Version"] == 2
    versions = lam.list_layer_versions(LayerName=name)["LayerVersions"]
    assert [v["Version"] for v in versions] == [2, 1]
    python = lam.list_layer_versions(LayerName=name, CompatibleRuntime="python3.12")
    assert [v["Version"] for v in python["LayerVersions"]] == [1]
    layers = {entry["LayerName"]: entry for entry in lam.list_layers()["Layers"]}
    assert layers[name]["LatestMatchingVersion"]["Version"] == 2
    lam.delete_layer_version(LayerName=name, VersionNumber=2)
    lam.delete_layer_version(LayerName=name, VersionNumber=2)  # idempotent, as on AWS
    code, status, _ = error_of(lambda: lam.get_layer_version(LayerName=name, VersionNumber=2))
    assert (code, status) == ("ResourceNotFoundException", 404)
    assert _publish(lam, name)["Version"] == 3  # numbers are never reused


def test_function_with_layers(lam: Any, create: Callable[..., Any]) -> None:
    name = new_name("layer")
    arn = _publish(lam, name)["LayerVersionArn"]
    created = create(Layers=[arn])
    assert created["Layers"][0]["Arn"] == arn and created["Layers"][0]["CodeSize"] > 0
    code, _, message = error_of(lambda: create(Layers=[f"{PREFIX}:{name}:99"]))
    assert code == "InvalidParameterValueException"
    assert message == f"Layer version {PREFIX}:{name}:99 does not exist."
