"""Deployments (a snapshot of the API's tree, what the data plane serves) and stages
(a name clients call, pointing at a deployment, with variables and method settings)."""

from __future__ import annotations

import copy
import re
from typing import Any

from nubes.services.apigateway import exceptions as exc
from nubes.services.apigateway.core import ApiCore, page, required
from nubes.services.apigateway.models import apply_patch, new_id, public, segments, typed
from nubes.services.apigateway.store import Conflict, Doc
from nubes.services.base import RequestContext

DEPLOYMENT, STAGE = "deployment", "stage"
_STAGE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_STAGE_PATCHABLE = ("description", "deploymentId", "variables", "cacheClusterEnabled",
                    "cacheClusterSize", "tracingEnabled", "clientCertificateId",
                    "documentationVersion")
# A method setting's patch path (after resource path and method) -> its member.
_SETTINGS = {"throttling/rateLimit": "throttlingRateLimit",
             "throttling/burstLimit": "throttlingBurstLimit",
             "metrics/enabled": "metricsEnabled", "logging/loglevel": "loggingLevel",
             "logging/dataTrace": "dataTraceEnabled", "caching/enabled": "cachingEnabled",
             "caching/ttlInSeconds": "cacheTtlInSeconds",
             "caching/dataEncrypted": "cacheDataEncrypted",
             "caching/requireAuthorizationForCacheControl":
                 "requireAuthorizationForCacheControl",
             "caching/unauthorizedCacheControlHeaderStrategy":
                 "unauthorizedCacheControlHeaderStrategy"}
_SETTING_DEFAULTS = {"metricsEnabled": False, "dataTraceEnabled": False,
                     "throttlingBurstLimit": 5000, "throttlingRateLimit": 10000.0,
                     "cachingEnabled": False, "cacheTtlInSeconds": 300,
                     "cacheDataEncrypted": False, "requireAuthorizationForCacheControl": True,
                     "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER"}


def snapshot(api: Doc) -> Doc:
    """What a deployment serves: the API's tree as it is now, checked to be servable."""
    methods = [(r["path"], name, m) for r in api["_resources"].values()
               for name, m in (r.get("resourceMethods") or {}).items()]
    if not methods:
        raise exc.bad_request("The REST API doesn't contain any methods")
    for _path, _name, method in methods:
        if "methodIntegration" not in method:
            raise exc.bad_request("No integration defined for method")
    return copy.deepcopy(api)


def deployment_view(doc: Doc, embed: bool = False) -> Doc:
    out = public(doc)
    if embed:
        summary: dict[str, dict[str, Doc]] = {}
        for resource in doc["_snapshot"]["_resources"].values():
            for name, method in (resource.get("resourceMethods") or {}).items():
                summary.setdefault(resource["path"], {})[name] = {
                    "authorizationType": method["authorizationType"],
                    "apiKeyRequired": method.get("apiKeyRequired", False)}
        out["apiSummary"] = summary
    return out


class DeploymentOps(ApiCore):
    # -- deployments --------------------------------------------------------------------

    def create_deployment(self, ctx: RequestContext, params: dict[str, Any]
                          ) -> dict[str, Any]:
        api_id = required(params, "restApiId")
        api = self.api_doc(ctx, api_id)
        stage_name = params.get("stageName")
        if stage_name is not None and not _STAGE_NAME.match(stage_name):
            raise exc.bad_request("Stage name only allows a-zA-Z0-9_")
        now = self.clock()
        deployment_id = new_id("deployment")
        doc: Doc = {"id": deployment_id, "createdDate": now, "_snapshot": snapshot(api)}
        if params.get("description") is not None:
            doc["description"] = params["description"]
        self.store.insert(DEPLOYMENT, api_id, deployment_id, self.owner(ctx), doc, now)
        if stage_name:
            existing = self.store.get(STAGE, api_id, stage_name)
            if existing is None:
                self._insert_stage(ctx, api_id, {
                    "stageName": stage_name, "deploymentId": deployment_id,
                    "description": params.get("stageDescription"),
                    "variables": params.get("variables"),
                    "cacheClusterEnabled": params.get("cacheClusterEnabled"),
                    "tracingEnabled": params.get("tracingEnabled")})
            else:
                def point(stage: Doc) -> Doc:
                    stage.update(deploymentId=deployment_id, lastUpdatedDate=now)
                    if params.get("variables") is not None:
                        stage["variables"] = {**(stage.get("variables") or {}),
                                              **params["variables"]}
                    return stage

                self.store.update(STAGE, api_id, stage_name, point)
        ctx.status = 201
        return public(doc)

    def _deployment(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        api_id = required(params, "restApiId")
        self.api_doc(ctx, api_id)
        doc = self.store.get(DEPLOYMENT, api_id, required(params, "deploymentId"))
        if doc is None:
            raise exc.not_found("Invalid Deployment identifier specified")
        return doc

    def get_deployment(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        embed = "apisummary" in [e.lower() for e in params.get("embed") or []]
        return deployment_view(self._deployment(ctx, params), embed)

    def get_deployments(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        api_id = required(params, "restApiId")
        self.api_doc(ctx, api_id)
        docs = self.store.list_docs(DEPLOYMENT, self.owner(ctx), api_id)
        return page([deployment_view(d) for d in docs], params)

    def update_deployment(self, ctx: RequestContext, params: dict[str, Any]
                          ) -> dict[str, Any]:
        doc = self._deployment(ctx, params)
        updated = self.store.update(DEPLOYMENT, params["restApiId"], doc["id"],
                                    lambda d: apply_patch(d, params.get("patchOperations")
                                                          or [], ("description",)))
        return deployment_view(updated or doc)

    def delete_deployment(self, ctx: RequestContext, params: dict[str, Any]
                          ) -> dict[str, Any]:
        doc = self._deployment(ctx, params)
        api_id = params["restApiId"]
        for stage in self.store.list_docs(STAGE, self.owner(ctx), api_id):
            if stage.get("deploymentId") == doc["id"]:
                raise exc.bad_request("Active stages pointing to this deployment must be "
                                      "moved or deleted")
        self.store.delete(DEPLOYMENT, api_id, doc["id"])
        ctx.status = 202
        return {}

    # -- stages -------------------------------------------------------------------------

    def _insert_stage(self, ctx: RequestContext, api_id: str, params: dict[str, Any]) -> Doc:
        name = params["stageName"]
        if not _STAGE_NAME.match(name):
            raise exc.bad_request("Stage name only allows a-zA-Z0-9_")
        now = self.clock()
        doc: Doc = {"stageName": name, "deploymentId": params["deploymentId"],
                    "createdDate": now, "lastUpdatedDate": now, "methodSettings": {},
                    "cacheClusterEnabled": bool(params.get("cacheClusterEnabled")),
                    "cacheClusterStatus": "NOT_AVAILABLE",
                    "tracingEnabled": bool(params.get("tracingEnabled"))}
        for member in ("description", "variables", "tags", "documentationVersion"):
            if params.get(member) is not None:
                doc[member] = params[member]
        try:
            self.store.insert(STAGE, api_id, name, self.owner(ctx), doc, now)
        except Conflict as error:
            raise exc.ConflictException("Stage already exists") from error
        return doc

    def create_stage(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        api_id = required(params, "restApiId")
        self.api_doc(ctx, api_id)
        required(params, "stageName")
        if self.store.get(DEPLOYMENT, api_id, required(params, "deploymentId")) is None:
            raise exc.not_found("Invalid Deployment identifier specified")
        doc = self._insert_stage(ctx, api_id, params)
        ctx.status = 201
        return doc

    def _stage(self, ctx: RequestContext, params: dict[str, Any]) -> Doc:
        api_id = required(params, "restApiId")
        self.api_doc(ctx, api_id)
        doc = self.store.get(STAGE, api_id, required(params, "stageName"))
        if doc is None:
            raise exc.not_found("Invalid Stage identifier specified")
        return doc

    def get_stage(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return self._stage(ctx, params)

    def get_stages(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        api_id = required(params, "restApiId")
        self.api_doc(ctx, api_id)
        stages = self.store.list_docs(STAGE, self.owner(ctx), api_id)
        if params.get("deploymentId"):
            stages = [s for s in stages if s.get("deploymentId") == params["deploymentId"]]
        return {"item": stages}

    def update_stage(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        stage = self._stage(ctx, params)
        api_id = params["restApiId"]
        operations = params.get("patchOperations") or []
        for operation in operations:
            if operation.get("path") == "/deploymentId" and self.store.get(
                    DEPLOYMENT, api_id, str(operation.get("value"))) is None:
                raise exc.not_found("Invalid Deployment identifier specified")

        def change(doc: Doc) -> Doc:
            plain = []
            for operation in operations:
                parts = segments(str(operation.get("path") or ""))
                if len(parts) >= 3 and parts[0] not in _STAGE_PATCHABLE:
                    _patch_setting(doc, parts, operation)
                elif len(parts) == 2 and parts[0] not in _STAGE_PATCHABLE:
                    if operation.get("op") != "remove":
                        raise exc.bad_request(f"Invalid patch path {operation.get('path')}")
                    doc["methodSettings"].pop("/".join(parts).lstrip("/"), None)
                else:
                    plain.append(operation)
            apply_patch(doc, plain, _STAGE_PATCHABLE, maps=("variables",))
            doc["lastUpdatedDate"] = self.clock()
            return doc

        return self.store.update(STAGE, api_id, stage["stageName"], change) or stage

    def delete_stage(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        stage = self._stage(ctx, params)
        self.store.delete(STAGE, params["restApiId"], stage["stageName"])
        ctx.status = 202
        return {}


def _patch_setting(stage: Doc, parts: list[str], operation: dict[str, Any]) -> None:
    """``/{resource path}/{method}/{group}/{setting}``: one member of a method's
    settings; the resource path is written ``*`` or ``~1pets`` (its slashes escaped)."""
    key = parts[0].lstrip("/") + "/" + parts[1]
    member = _SETTINGS.get("/".join(parts[2:]))
    if member is None:
        raise exc.bad_request(f"Invalid method setting path: {operation.get('path')}")
    settings = stage.setdefault("methodSettings", {})
    entry = settings.setdefault(key, dict(_SETTING_DEFAULTS))
    if operation.get("op") == "remove":
        entry[member] = _SETTING_DEFAULTS.get(member)
    else:
        entry[member] = typed(member, operation.get("value"))
