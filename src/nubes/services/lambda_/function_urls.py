"""Function URLs, the control plane: Create/Get/Update/Delete/ListFunctionUrlConfigs.

A function has at most one URL per qualifier: the unqualified function ($LATEST) or an
alias, never a version number (the model's pattern refuses digits, and ``$``). Requests
reach a URL through the edge's front door (``url_invoke.py``); this module only keeps the
configurations, in ``url_store.FunctionUrlStore``.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from nubes.services.base import RequestContext
from nubes.services.lambda_ import exceptions as exc
from nubes.services.lambda_.arns import FunctionRef
from nubes.services.lambda_.core import LambdaCore
from nubes.services.lambda_.url_store import FunctionUrl, FunctionUrlStore, new_url_id

NOT_FOUND = "The resource you requested does not exist."
AUTH_TYPES = ("NONE", "AWS_IAM")
INVOKE_MODES = ("BUFFERED", "RESPONSE_STREAM")
MAX_ITEMS = 50
_QUALIFIER = re.compile(r"^(?!\d+$)[0-9a-zA-Z-_]+$")
_QUALIFIER_PATTERN = "((?!^\\d+$)^[0-9a-zA-Z-_]+$)"
# Cors members: (wire name, member, most items, longest item, shortest item)
_CORS_LISTS = (
    ("AllowHeaders", "allowHeaders", 100, 1024, 0),
    ("AllowMethods", "allowMethods", 6, 6, 0),
    ("AllowOrigins", "allowOrigins", 100, 253, 1),
    ("ExposeHeaders", "exposeHeaders", 100, 1024, 0),
)
MAX_CORS_AGE = 86400


class FunctionUrlOps(LambdaCore):
    urls: FunctionUrlStore

    def create_function_url_config(self, ctx: RequestContext, params: dict[str, Any]
                                   ) -> dict[str, Any]:
        ref = self._url_ref(ctx, params)
        auth_type = _auth_type(params.get("AuthType"))
        invoke_mode = _invoke_mode(params.get("InvokeMode") or "BUFFERED")
        cors = _cors(params["Cors"]) if "Cors" in params else None
        self._url_target(ref)
        now = time.time()
        url = FunctionUrl(ref.account_id, ref.region, ref.name, ref.qualifier or "",
                          new_url_id(), auth_type, invoke_mode, cors, now, now)
        if not self.urls.create(url):
            raise exc.ResourceConflict(
                f"Failed to create function url config for [functionArn = "
                f"{ref.qualified_arn}]. Error message:  FunctionUrlConfig exists for this "
                "Lambda function")
        url = self.urls.get(ref.account_id, ref.region, ref.name, url.qualifier) or url
        ctx.status = 201
        out = _output(url, ctx)
        del out["LastModifiedTime"]  # CreateFunctionUrlConfig's answer has none
        return out

    def get_function_url_config(self, ctx: RequestContext, params: dict[str, Any]
                                ) -> dict[str, Any]:
        return _output(self._existing_url(ctx, params), ctx)

    def update_function_url_config(self, ctx: RequestContext, params: dict[str, Any]
                                   ) -> dict[str, Any]:
        ref = self._url_ref(ctx, params)
        changes: dict[str, Any] = {}
        if params.get("AuthType") is not None:
            changes["auth_type"] = _auth_type(params["AuthType"])
        if params.get("InvokeMode") is not None:
            changes["invoke_mode"] = _invoke_mode(params["InvokeMode"])
        if "Cors" in params:
            changes["cors"] = _cors(params["Cors"])
        url = self._existing_url(ctx, params, ref).updated(changes, time.time())
        self.urls.put(url)
        return _output(url, ctx)

    def delete_function_url_config(self, ctx: RequestContext, params: dict[str, Any]
                                   ) -> dict[str, Any]:
        url = self._existing_url(ctx, params)
        self.urls.delete(url.account_id, url.region, url.function, url.qualifier)
        ctx.status = 204
        return {}

    def list_function_url_configs(self, ctx: RequestContext, params: dict[str, Any]
                                  ) -> dict[str, Any]:
        ref = self.ref(ctx, params)
        if ref.qualifier:
            raise exc.InvalidParameterValue(
                "Unsupported function name: qualifiers are not allowed in "
                "ListFunctionUrlConfigs.")
        limit = params.get("MaxItems")
        if limit is not None and not 1 <= limit <= MAX_ITEMS:
            bound = "greater than or equal to 1" if limit < 1 else \
                f"less than or equal to {MAX_ITEMS}"
            raise exc.Validation(limit, "maxItems", f"Member must have value {bound}")
        self.latest(ref)
        urls = self.urls.list(ref.account_id, ref.region, ref.name)
        start = 0
        marker = params.get("Marker")
        if marker:
            keys = [u.url_id for u in urls]
            if marker not in keys:
                raise exc.InvalidParameterValue("Invalid marker.")
            start = keys.index(marker) + 1
        page = urls[start:start + (limit or MAX_ITEMS)]
        out: dict[str, Any] = {"FunctionUrlConfigs": [_output(u, ctx) for u in page]}
        if page and start + len(page) < len(urls):
            out["NextMarker"] = page[-1].url_id
        return out

    # -- naming ---------------------------------------------------------------------------

    def _url_ref(self, ctx: RequestContext, params: dict[str, Any]) -> FunctionRef:
        """The function and qualifier a request names; a version number or $LATEST as a
        qualifier fails the model's pattern, as on AWS."""
        qualifier = params.get("Qualifier")
        if qualifier is not None and not _QUALIFIER.match(qualifier):
            raise exc.Validation(qualifier, "qualifier",
                                 f"Member must satisfy regular expression pattern: "
                                 f"{_QUALIFIER_PATTERN}")
        ref = self.ref(ctx, params)
        if ref.qualifier is not None and not _QUALIFIER.match(ref.qualifier):
            raise exc.Validation(ref.qualifier, "qualifier",
                                 f"Member must satisfy regular expression pattern: "
                                 f"{_QUALIFIER_PATTERN}")
        return ref

    def _url_target(self, ref: FunctionRef) -> None:
        """The function (and alias) a URL is for exist, or ResourceNotFoundException."""
        self.latest(ref)
        if ref.qualifier and self.alias_of(ref, ref.qualifier) is None:
            raise exc.function_not_found(ref.qualified_arn)

    def _existing_url(self, ctx: RequestContext, params: dict[str, Any],
                      ref: FunctionRef | None = None) -> FunctionUrl:
        ref = ref or self._url_ref(ctx, params)
        self._url_target(ref)
        url = self.urls.get(ref.account_id, ref.region, ref.name, ref.qualifier or "")
        if url is None:
            raise exc.ResourceNotFound(NOT_FOUND)
        return url


def url_time(seconds: float) -> str:
    """Function URLs' timestamps: ISO 8601 with microseconds, 2024-01-31T12:00:00.123456Z."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def function_url(url_id: str, ctx: RequestContext) -> str:
    """``http://<url-id>.lambda-url.localhost:<port>/``, on the port the caller used."""
    port = urlsplit(ctx.endpoint).port or 80
    return f"http://{url_id}.lambda-url.localhost:{port}/"


def _output(url: FunctionUrl, ctx: RequestContext) -> dict[str, Any]:
    ref = FunctionRef(url.account_id, url.region, url.function, url.qualifier or None)
    out: dict[str, Any] = {
        "FunctionUrl": function_url(url.url_id, ctx), "FunctionArn": ref.qualified_arn,
        "AuthType": url.auth_type, "CreationTime": url_time(url.created),
        "LastModifiedTime": url_time(url.modified), "InvokeMode": url.invoke_mode,
    }
    if url.cors is not None:
        out["Cors"] = url.cors
    return out


def _auth_type(value: str | None) -> str:
    if value not in AUTH_TYPES:
        raise exc.Validation(value, "authType",
                             "Member must satisfy enum value set: [NONE, AWS_IAM]")
    return value


def _invoke_mode(value: str) -> str:
    if value not in INVOKE_MODES:
        raise exc.Validation(value, "invokeMode",
                             "Member must satisfy enum value set: [RESPONSE_STREAM, BUFFERED]")
    if value == "RESPONSE_STREAM":
        # Responses are read whole from the runtime; streaming them as they are written
        # (and the streaming response format) is not built, so the mode is refused rather
        # than kept without effect.
        raise exc.InvalidParameterValue(
            "Nubes does not support InvokeMode RESPONSE_STREAM: function URLs answer with "
            "buffered responses (InvokeMode BUFFERED).")
    return value


def _cors(cors: dict[str, Any]) -> dict[str, Any]:
    """The Cors member checked against the model's limits, as given."""
    for name, member, most, longest, shortest in _CORS_LISTS:
        items = cors.get(name)
        if items is None:
            continue
        if len(items) > most:
            raise exc.Validation(items, f"cors.{member}",
                                 f"Member must have length less than or equal to {most}")
        for item in items:
            if len(item) > longest:
                raise exc.Validation(items, f"cors.{member}", "Member must satisfy constraint: "
                                     f"[Member must have length less than or equal to "
                                     f"{longest}]")
            if len(item) < shortest:
                raise exc.Validation(items, f"cors.{member}", "Member must satisfy constraint: "
                                     f"[Member must have length greater than or equal to "
                                     f"{shortest}]")
    age = cors.get("MaxAge")
    if age is not None and not 0 <= age <= MAX_CORS_AGE:
        bound = "greater than or equal to 0" if age < 0 else \
            f"less than or equal to {MAX_CORS_AGE}"
        raise exc.Validation(age, "cors.maxAge", f"Member must have value {bound}")
    return dict(cors)
