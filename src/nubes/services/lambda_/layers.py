"""Layers: versions of a zip extracted like function code and merged under /opt."""

from __future__ import annotations

import time
from typing import Any

from nubes.services.base import RequestContext
from nubes.services.lambda_ import exceptions as exc
from nubes.services.lambda_.arns import layer_arn, parse_layer_name, parse_layer_version_arn
from nubes.services.lambda_.core import LambdaCore
from nubes.services.lambda_.models import LayerVersion, code_sha_b64, timestamp
from nubes.services.lambda_.runtimes import DEPRECATED

NOT_FOUND = "The resource you requested does not exist."
MAX_ITEMS = 50
_ATTRS = ("Description", "CompatibleRuntimes", "LicenseInfo", "CompatibleArchitectures")


class LayerOps(LambdaCore):
    def publish_layer_version(self, ctx: RequestContext, params: dict[str, Any]
                              ) -> dict[str, Any]:
        name = parse_layer_name(params["LayerName"])
        for runtime in params.get("CompatibleRuntimes") or []:
            if runtime in DEPRECATED:
                raise exc.InvalidParameterValue(
                    f"The runtime parameter of {runtime} is no longer supported.")
        package = self.package(ctx, params.get("Content") or {}, "PublishLayerVersion")
        attrs = {key: params[key] for key in _ATTRS if params.get(key) is not None}
        attrs.setdefault("Description", "")
        layer = self.layers.publish(LayerVersion(
            ctx.account_id, ctx.region, name, 0, package.sha, package.size, time.time(), attrs))
        self.background.spawn(self.code.ensure(package.sha))
        ctx.status = 201
        return self._output(ctx, layer)

    def _output(self, ctx: RequestContext, layer: LayerVersion) -> dict[str, Any]:
        arn = layer_arn(layer.account_id, layer.region, layer.name)
        location = self.code_location(ctx, layer.code_sha)["Location"]
        return {
            "Content": {"Location": location, "CodeSha256": code_sha_b64(layer.code_sha),
                        "CodeSize": layer.code_size},
            "LayerArn": arn,
            "LayerVersionArn": f"{arn}:{layer.version}",
            "Version": layer.version,
            "CreatedDate": timestamp(layer.created),
            **layer.attrs,
        }

    def _get(self, account_id: str, region: str, name: str, version: int) -> LayerVersion:
        layer = self.layers.get(account_id, region, name, version)
        if layer is None:
            raise exc.ResourceNotFound(NOT_FOUND)
        return layer

    def get_layer_version(self, ctx: RequestContext, params: dict[str, Any]
                          ) -> dict[str, Any]:
        name = parse_layer_name(params["LayerName"])
        return self._output(ctx, self._get(ctx.account_id, ctx.region, name,
                                           params["VersionNumber"]))

    def get_layer_version_by_arn(self, ctx: RequestContext, params: dict[str, Any]
                                 ) -> dict[str, Any]:
        account, region, name, version = parse_layer_version_arn(params["Arn"])
        return self._output(ctx, self._get(account, region, name, version))

    def delete_layer_version(self, ctx: RequestContext, params: dict[str, Any]
                             ) -> dict[str, Any]:
        name = parse_layer_name(params["LayerName"])
        layer = self.layers.get(ctx.account_id, ctx.region, name, params["VersionNumber"])
        if layer is not None:
            self.layers.delete(layer)
            self.collect_code([layer.code_sha])
        ctx.status = 204
        return {}

    def list_layer_versions(self, ctx: RequestContext, params: dict[str, Any]
                            ) -> dict[str, Any]:
        name = parse_layer_name(params["LayerName"])
        found = [layer for layer in self.layers.versions(ctx.account_id, ctx.region, name)
                 if _matches(layer, params)]
        page, marker = _page(found, params)
        out: dict[str, Any] = {"LayerVersions": [self._summary(ctx, v) for v in page]}
        if marker:
            out["NextMarker"] = marker
        return out

    def list_layers(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        layers = []
        for name in self.layers.names(ctx.account_id, ctx.region):
            versions = [v for v in self.layers.versions(ctx.account_id, ctx.region, name)
                        if _matches(v, params)]
            if versions:
                layers.append((name, versions[0]))
        limit = min(max(params.get("MaxItems") or MAX_ITEMS, 1), MAX_ITEMS)
        marker = params.get("Marker") or ""
        layers = [item for item in layers if item[0] > marker]
        out: dict[str, Any] = {"Layers": [
            {"LayerName": name, "LayerArn": layer_arn(ctx.account_id, ctx.region, name),
             "LatestMatchingVersion": self._summary(ctx, latest)}
            for name, latest in layers[:limit]]}
        if len(layers) > limit:
            out["NextMarker"] = layers[limit - 1][0]
        return out

    def _summary(self, ctx: RequestContext, layer: LayerVersion) -> dict[str, Any]:
        out = self._output(ctx, layer)
        out.pop("Content")
        out.pop("LayerArn")
        return out


def _matches(layer: LayerVersion, params: dict[str, Any]) -> bool:
    runtime = params.get("CompatibleRuntime")
    arch = params.get("CompatibleArchitecture")
    if runtime and runtime not in layer.attrs.get("CompatibleRuntimes", []):
        return False
    return not (arch and arch not in layer.attrs.get("CompatibleArchitectures", []))


def _page(items: list[LayerVersion], params: dict[str, Any]
          ) -> tuple[list[LayerVersion], str | None]:
    limit = min(max(params.get("MaxItems") or MAX_ITEMS, 1), MAX_ITEMS)
    marker = params.get("Marker")
    if marker and marker.isdigit():
        items = [item for item in items if item.version < int(marker)]
    page = items[:limit]
    return page, (str(page[-1].version) if len(items) > limit else None)
