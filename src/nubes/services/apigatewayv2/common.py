"""What the control plane's operation groups share: constants, validation helpers, and
``HttpApiBase`` (finding an API's document, changing it, deploying it).

Everything of an API lives in its one document (``store.py``): ``api`` (the Api shape),
``routes``, ``integrations``, ``authorizers`` (by id), ``stages`` (by name) and
``deployments`` (by id, each with the ``snapshot`` of the routes, integrations,
authorizers and CORS configuration it serves). A stage serves its deployment; a stage
with ``AutoDeploy`` gets a new deployment whenever the API changes, as on AWS.
"""

from __future__ import annotations

import copy
import re
import secrets
import string
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from nubes.services.apigatewayv2 import exceptions as exc
from nubes.services.apigatewayv2 import imports
from nubes.services.apigatewayv2.store import Doc, HttpApiStore
from nubes.services.base import RequestContext

METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"})
DEFAULT_ROUTE = "$default"
DEFAULT_STAGE = "$default"
ALPHABET = string.ascii_lowercase + string.digits
STAGE_VARIABLE_NAME = re.compile(r"^[A-Za-z0-9_]+$")
STAGE_VARIABLE_VALUE = re.compile(r"^[A-Za-z0-9\-._~:/?#&=,]+$")
STAGE_NAME = re.compile(r"^(\$default|[A-Za-z0-9_\-]{1,128})$")
LAMBDA_ARN = re.compile(r"^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+"
                         r"(:[A-Za-z0-9_$-]+)?$")
APIGW_LAMBDA_URI = re.compile(r"^arn:aws[a-z-]*:apigateway:[a-z0-9-]+:lambda:path/"
                               r"2015-03-31/functions/(?P<arn>.+)/invocations$")
IDENTITY_SOURCE = re.compile(r"^\$(request\.(header|querystring)\.[^\s,]+|context\.[^\s,]+|"
                              r"stageVariables\.[^\s,]+)$")
# Route settings Nubes acts on; the others AWS keeps for WebSocket APIs or metrics.
THROTTLING = ("ThrottlingBurstLimit", "ThrottlingRateLimit")


def new_id(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def function_arn(uri: str) -> str | None:
    """The function a Lambda integration or authorizer URI names (either form)."""
    found = APIGW_LAMBDA_URI.match(uri)
    arn = found.group("arn") if found else uri
    return arn if LAMBDA_ARN.match(arn) or "${stageVariables." in arn else None


def parse_route_key(key: str) -> tuple[str, str] | None:
    """("GET", "/pets/{id}") of a route key; None for ``$default`` and invalid keys."""
    method, _, path = key.partition(" ")
    if method not in METHODS or not path.startswith("/") or " " in path:
        return None
    segments = path.split("/")[1:]
    for index, segment in enumerate(segments):
        if segment.endswith("+}") and (index != len(segments) - 1 or not segment.startswith("{")):
            return None
        if ("{" in segment or "}" in segment) and not (
                segment.startswith("{") and segment.endswith("}") and len(segment) > 2):
            return None
    return method, path


def epoch(value: float) -> datetime:
    return datetime.fromtimestamp(value, UTC)


def public_view(item: Mapping[str, Any]) -> dict[str, Any]:
    """An item as the wire shows it: internal members (``_x``) dropped, dates as dates."""
    out: dict[str, Any] = {}
    for key, value in item.items():
        if key.startswith("_"):
            continue
        out[key] = epoch(value) if key in ("CreatedDate", "LastUpdatedDate") else value
    return out


def page_of(items: list[dict[str, Any]], params: Mapping[str, Any]) -> dict[str, Any]:
    raw_max = params.get("MaxResults")
    try:
        limit = int(raw_max) if raw_max not in (None, "") else 1000
    except ValueError:
        raise exc.bad_request("MaxResults must be a number") from None
    start = 0
    token = params.get("NextToken")
    if token:
        if not str(token).isdigit():
            raise exc.bad_request("Invalid NextToken")
        start = int(token)
    out: dict[str, Any] = {"Items": items[start:start + max(limit, 1)]}
    if start + limit < len(items):
        out["NextToken"] = str(start + limit)
    return out


class HttpApiBase:
    """The state and helpers of the control-plane operations."""
    """The control-plane operations (mixed into ``ApiGatewayV2Provider``)."""

    store: HttpApiStore
    clock: Callable[[], float]
    id_taken: Callable[[str], bool]  # an id in use by any API kind (REST APIs too)

    # -- helpers -------------------------------------------------------------------

    def _doc(self, ctx: RequestContext, api_id: str) -> Doc:
        found = self.store.get(api_id)
        if found is None or (found[0], found[1]) != (ctx.account_id, ctx.region):
            raise exc.not_found("API", f"{ctx.account_id}:{api_id}")
        return found[2]

    def _change(self, ctx: RequestContext, api_id: str, change: Callable[[Doc], Any],
                *, redeploy: bool = True) -> Any:
        """Run ``change`` on the caller's API in one transaction and return its result;
        stages with AutoDeploy then serve the changed API."""
        self._doc(ctx, api_id)
        result: list[Any] = []

        def apply(doc: Doc) -> None:
            result.append(change(doc))
            if redeploy:
                self._auto_deploy(doc)
            doc["_version"] = doc.get("_version", 0) + 1

        if self.store.update(api_id, apply) is None:
            self._doc(ctx, api_id)
        return result[0]

    def _auto_deploy(self, doc: Doc) -> None:
        for stage in doc["stages"].values():
            if stage.get("AutoDeploy"):
                deployment = self._deploy(doc, "", auto=True)
                self._point(doc, stage, deployment["DeploymentId"])

    def _deploy(self, doc: Doc, description: str, *, auto: bool) -> Doc:
        deployment_id = self._unique(doc["deployments"], 6)
        snapshot = {key: copy.deepcopy(doc[key])
                    for key in ("routes", "integrations", "authorizers")}
        snapshot["cors"] = copy.deepcopy(doc["api"].get("CorsConfiguration"))
        deployment: Doc = {
            "DeploymentId": deployment_id, "DeploymentStatus": "DEPLOYED",
            "CreatedDate": self.clock(), "AutoDeployed": auto, "_snapshot": snapshot,
        }
        if description:
            deployment["Description"] = description
        doc["deployments"][deployment_id] = deployment
        return deployment

    def _point(self, doc: Doc, stage: Doc, deployment_id: str) -> None:
        """``stage`` now serves ``deployment_id``; snapshots of automatic deployments no
        stage serves any more are dropped (the deployment itself stays listed)."""
        stage["DeploymentId"] = deployment_id
        stage["LastUpdatedDate"] = self.clock()
        served = {s.get("DeploymentId") for s in doc["stages"].values()}
        for deployment in doc["deployments"].values():
            if deployment.get("AutoDeployed") and deployment["DeploymentId"] not in served:
                deployment.pop("_snapshot", None)

    @staticmethod
    def _unique(existing: Mapping[str, Any], length: int) -> str:
        while True:
            candidate = new_id(length)
            if candidate not in existing:
                return candidate

    def _endpoint(self, ctx: RequestContext, api_id: str) -> str:
        host = ctx.endpoint.split("://", 1)[-1]
        port = host.rpartition(":")[2] if host.rpartition(":")[2].isdigit() else ""
        return f"http://{api_id}.execute-api.localhost" + (f":{port}" if port else "")

    def _api_out(self, ctx: RequestContext, doc: Doc) -> dict[str, Any]:
        out = public_view(doc["api"])
        out["ApiEndpoint"] = self._endpoint(ctx, doc["api"]["ApiId"])
        out["Tags"] = dict(doc["api"].get("Tags") or {})
        return out


def read_definition(params: Mapping[str, Any]) -> imports.Definition:
    if params.get("Basepath") not in (None, "", "ignore"):
        raise exc.bad_request("Nubes imports with Basepath 'ignore' only")
    body = params.get("Body") or ""
    return imports.parse(body if isinstance(body, str) else bytes(body).decode())


def security_requirement(security: list[Any] | None) -> dict[str, list[str]]:
    """The first security requirement of a route: scheme name -> scopes."""
    for requirement in security or []:
        if isinstance(requirement, dict) and requirement:
            return {str(k): list(v or []) for k, v in requirement.items()}
    return {}


def refuse_unsupported(params: Mapping[str, Any], *members: str) -> None:
    """Members Nubes does not act on are refused rather than stored and ignored."""
    for member in members:
        if params.get(member) not in (None, "", [], {}):
            raise exc.bad_request(f"Nubes does not support {member} on HTTP APIs yet")


def cors_configuration(config: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("AllowOrigins", "AllowMethods", "AllowHeaders", "ExposeHeaders"):
        if config.get(key) is not None:
            out[key] = list(config[key])
    if config.get("MaxAge") is not None:
        if not -1 <= config["MaxAge"] <= 86400:
            raise exc.bad_request("MaxAge must be between -1 and 86400")
        out["MaxAge"] = config["MaxAge"]
    if config.get("AllowCredentials") is not None:
        out["AllowCredentials"] = bool(config["AllowCredentials"])
        if out["AllowCredentials"] and "*" in out.get("AllowOrigins", []):
            raise exc.bad_request("allow-credentials is not supported when allow-origins "
                                  "is '*'")
    return out


def checked_route_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"DetailedMetricsEnabled": False}
    if settings.get("DetailedMetricsEnabled") or settings.get("DataTraceEnabled") or \
            settings.get("LoggingLevel") not in (None, "OFF"):
        raise exc.bad_request("Nubes acts on the throttling route settings only "
                              "(ThrottlingBurstLimit, ThrottlingRateLimit)")
    for key in THROTTLING:
        if settings.get(key) is not None:
            if settings[key] < 0:
                raise exc.bad_request(f"{key} must be at least 0")
            out[key] = settings[key]
    return out
