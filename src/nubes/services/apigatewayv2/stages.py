"""HTTP APIs' stages, deployments and tags."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nubes.services.apigatewayv2 import exceptions as exc
from nubes.services.apigatewayv2.common import (
    STAGE_NAME,
    STAGE_VARIABLE_NAME,
    STAGE_VARIABLE_VALUE,
    checked_route_settings,
    page_of,
    public_view,
    refuse_unsupported,
)
from nubes.services.apigatewayv2.routes import RouteOps
from nubes.services.apigatewayv2.store import Doc
from nubes.services.base import RequestContext


class StageOps(RouteOps):
    # -- stages and deployments ------------------------------------------------------

    def _stage(self, doc: Doc, params: Mapping[str, Any], *, managed: bool = False,
               stage: Doc | None = None) -> Doc:
        creating = stage is None
        name = params.get("StageName") or ""
        if creating:
            if not STAGE_NAME.match(name):
                raise exc.bad_request(f"Invalid stage name {name!r}")
            if name in doc["stages"]:
                raise exc.conflict(f"Stage {name} already exists")
            now = self.clock()
            stage = {"StageName": name, "CreatedDate": now, "LastUpdatedDate": now,
                     "AutoDeploy": False, "ApiGatewayManaged": managed,
                     "DefaultRouteSettings": {"DetailedMetricsEnabled": False},
                     "RouteSettings": {}, "StageVariables": {}, "Tags": {}}
        assert stage is not None
        refuse_unsupported(params, "AccessLogSettings", "ClientCertificateId")
        if params.get("Description") is not None:
            stage["Description"] = params["Description"]
        if params.get("AutoDeploy") is not None:
            stage["AutoDeploy"] = bool(params["AutoDeploy"])
        if params.get("StageVariables") is not None:
            variables = dict(params["StageVariables"])
            for key, value in variables.items():
                if not STAGE_VARIABLE_NAME.match(key) or not STAGE_VARIABLE_VALUE.match(value):
                    raise exc.bad_request(f"Invalid stage variable {key}={value}")
            stage["StageVariables"] = variables
        if params.get("DefaultRouteSettings") is not None:
            stage["DefaultRouteSettings"] = checked_route_settings(params["DefaultRouteSettings"])
        if params.get("RouteSettings") is not None:
            keys = {r["RouteKey"] for r in doc["routes"].values()}
            for key, settings in params["RouteSettings"].items():
                if key not in keys:
                    raise exc.not_found("Route", key)
                stage["RouteSettings"][key] = checked_route_settings(settings)
        if creating and params.get("Tags"):
            stage["Tags"] = dict(params["Tags"])
        deployment_id = params.get("DeploymentId")
        if deployment_id is not None:
            if deployment_id not in doc["deployments"] or \
                    "_snapshot" not in doc["deployments"][deployment_id]:
                raise exc.bad_request(f"Deployment {deployment_id} does not exist")
            stage["DeploymentId"] = deployment_id
        doc["stages"][stage["StageName"]] = stage
        if stage["AutoDeploy"] and (creating or params.get("AutoDeploy")):
            self._point(doc, stage, self._deploy(doc, "", auto=True)["DeploymentId"])
        return stage

    def create_stage(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        stage = self._change(ctx, params["ApiId"], lambda doc: self._stage(doc, params),
                             redeploy=False)
        ctx.status = 201
        return public_view(stage)

    def get_stage(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return public_view(self._stage_of(ctx, params))

    def _stage_of(self, ctx: RequestContext, params: Mapping[str, Any]) -> Doc:
        stage: Doc | None = self._doc(ctx, params["ApiId"])["stages"].get(params["StageName"])
        if stage is None:
            raise exc.not_found("Stage", params["StageName"])
        return stage

    def get_stages(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        doc = self._doc(ctx, params["ApiId"])
        return page_of([public_view(s) for s in doc["stages"].values()], params)

    def update_stage(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        self._stage_of(ctx, params)

        def change(doc: Doc) -> Doc:
            stage = doc["stages"][params["StageName"]]
            stage["LastUpdatedDate"] = self.clock()
            return self._stage(doc, params, stage=stage)

        return public_view(self._change(ctx, params["ApiId"], change, redeploy=False))

    def delete_stage(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        self._stage_of(ctx, params)
        self._change(ctx, params["ApiId"], lambda doc: doc["stages"].pop(params["StageName"]),
                     redeploy=False)
        ctx.status = 204
        return {}

    def delete_route_settings(self, ctx: RequestContext, params: dict[str, Any]
                              ) -> dict[str, Any]:
        stage = self._stage_of(ctx, params)
        if params["RouteKey"] not in stage.get("RouteSettings", {}):
            raise exc.not_found("RouteSettings", params["RouteKey"])
        self._change(ctx, params["ApiId"], lambda doc: doc["stages"][params["StageName"]][
            "RouteSettings"].pop(params["RouteKey"]), redeploy=False)
        ctx.status = 204
        return {}

    def create_deployment(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        doc = self._doc(ctx, params["ApiId"])
        name = params.get("StageName")
        if name and name not in doc["stages"]:
            raise exc.bad_request(f"Invalid stage identifier specified {name}")
        if name and doc["stages"][name].get("AutoDeploy"):
            raise exc.bad_request(f"Cannot create a deployment for stage {name}: it has "
                                  "AutoDeploy enabled")

        def change(doc: Doc) -> Doc:
            deployment = self._deploy(doc, params.get("Description") or "", auto=False)
            if name:
                self._point(doc, doc["stages"][name], deployment["DeploymentId"])
            return deployment

        deployment = self._change(ctx, params["ApiId"], change, redeploy=False)
        ctx.status = 201
        return public_view(deployment)

    def get_deployment(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return public_view(self._item(ctx, params["ApiId"], "deployments", params["DeploymentId"],
                                  "Deployment"))

    def get_deployments(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        doc = self._doc(ctx, params["ApiId"])
        return page_of([public_view(d) for d in doc["deployments"].values()], params)

    def update_deployment(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        self._item(ctx, params["ApiId"], "deployments", params["DeploymentId"], "Deployment")

        def change(doc: Doc) -> Doc:
            deployment: Doc = doc["deployments"][params["DeploymentId"]]
            if params.get("Description") is not None:
                deployment["Description"] = params["Description"]
            return deployment

        return public_view(self._change(ctx, params["ApiId"], change, redeploy=False))

    def delete_deployment(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        deployment_id = params["DeploymentId"]
        doc = self._doc(ctx, params["ApiId"])
        self._item(ctx, params["ApiId"], "deployments", deployment_id, "Deployment")
        for stage in doc["stages"].values():
            if stage.get("DeploymentId") == deployment_id:
                raise exc.bad_request(f"Deployment {deployment_id} is in use by stage "
                                      f"{stage['StageName']}")
        self._change(ctx, params["ApiId"], lambda d: d["deployments"].pop(deployment_id),
                     redeploy=False)
        ctx.status = 204
        return {}

    # -- tags --------------------------------------------------------------------------

    def _tagged(self, ctx: RequestContext, arn: str) -> tuple[str, str | None]:
        """(api id, stage name or None) of a taggable ARN of the caller's."""
        prefix = f"arn:aws:apigateway:{ctx.region}::/apis/"
        if not arn.startswith(prefix):
            raise exc.not_found("Resource", arn)
        api_id, _, rest = arn[len(prefix):].partition("/")
        doc = self._doc(ctx, api_id)
        if not rest:
            return api_id, None
        kind, _, name = rest.partition("/")
        if kind != "stages" or name not in doc["stages"]:
            raise exc.not_found("Resource", arn)
        return api_id, name

    def _tags_of(self, doc: Doc, stage: str | None) -> dict[str, str]:
        holder = doc["stages"][stage] if stage else doc["api"]
        tags: dict[str, str] = holder.setdefault("Tags", {})
        return tags

    def get_tags(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        api_id, stage = self._tagged(ctx, params["ResourceArn"])
        return {"Tags": dict(self._tags_of(self._doc(ctx, api_id), stage))}

    def tag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        api_id, stage = self._tagged(ctx, params["ResourceArn"])
        tags = dict(params.get("Tags") or {})
        self._change(ctx, api_id, lambda doc: self._tags_of(doc, stage).update(tags),
                     redeploy=False)
        ctx.status = 201
        return {}

    def untag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        api_id, stage = self._tagged(ctx, params["ResourceArn"])
        keys = list(params.get("TagKeys") or [])

        def change(doc: Doc) -> None:
            tags = self._tags_of(doc, stage)
            for key in keys:
                tags.pop(key, None)

        self._change(ctx, api_id, change, redeploy=False)
        ctx.status = 204
        return {}

