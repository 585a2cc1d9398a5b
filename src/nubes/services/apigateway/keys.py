"""API keys, usage plans (throttle, quota, the API stages they cover) and the keys in a
plan. The data plane checks a key against the plans of the stage it calls."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from nubes.services.apigateway import exceptions as exc
from nubes.services.apigateway.core import ApiCore, page, required
from nubes.services.apigateway.deployments import STAGE
from nubes.services.apigateway.limits import quota_period
from nubes.services.apigateway.models import apply_patch, new_id, new_key_value, segments
from nubes.services.apigateway.store import Conflict, Doc
from nubes.services.base import RequestContext

APIKEY, PLAN, PLAN_KEY = "apikey", "usageplan", "usageplankey"
_PERIODS = frozenset({"DAY", "WEEK", "MONTH"})


def key_view(doc: Doc, include_value: bool) -> Doc:
    return doc if include_value else {k: v for k, v in doc.items() if k != "value"}


class KeyOps(ApiCore):
    # -- API keys -----------------------------------------------------------------------

    def create_api_key(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        value = params.get("value") or new_key_value()
        if len(value) < 20:
            raise exc.bad_request("API Key value should be at least 20 characters")
        now = self.clock()
        doc: Doc = {"id": new_id("apikey"), "value": value,
                    "enabled": bool(params.get("enabled", False)),
                    "createdDate": now, "lastUpdatedDate": now, "stageKeys": []}
        for member in ("name", "description", "customerId", "tags"):
            if params.get(member) is not None:
                doc[member] = params[member]
        for stage_key in params.get("stageKeys") or []:
            doc["stageKeys"].append(f"{stage_key['restApiId']}/{stage_key['stageName']}")
        try:
            self.store.insert(APIKEY, "", doc["id"], self.owner(ctx), doc, now, lookup=value)
        except Conflict as error:
            raise exc.ConflictException("API Key already exists") from error
        ctx.status = 201
        return doc

    def _key(self, ctx: RequestContext, key_id: str) -> Doc:
        doc = self.store.get(APIKEY, "", key_id, self.owner(ctx))
        if doc is None:
            raise exc.not_found("Invalid API Key identifier specified")
        return doc

    def get_api_key(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return key_view(self._key(ctx, required(params, "apiKey")),
                        bool(params.get("includeValue")))

    def get_api_keys(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        keys = self.store.list_docs(APIKEY, self.owner(ctx))
        if params.get("nameQuery"):
            keys = [k for k in keys if str(k.get("name", "")).startswith(params["nameQuery"])]
        if params.get("customerId"):
            keys = [k for k in keys if k.get("customerId") == params["customerId"]]
        return page([key_view(k, bool(params.get("includeValues"))) for k in keys], params)

    def update_api_key(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        key_id = required(params, "apiKey")
        self._key(ctx, key_id)

        def change(doc: Doc) -> Doc:
            apply_patch(doc, params.get("patchOperations") or [],
                        ("name", "description", "enabled", "customerId", "stageKeys"),
                        lists=("stageKeys",))
            doc["lastUpdatedDate"] = self.clock()
            return doc

        doc = self.store.update(APIKEY, "", key_id, change)
        return key_view(doc or {}, False)

    def delete_api_key(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        key_id = required(params, "apiKey")
        self._key(ctx, key_id)
        self.store.delete(APIKEY, "", key_id)
        self.store.delete_children(PLAN_KEY, key_id)
        ctx.status = 202
        return {}

    # -- usage plans --------------------------------------------------------------------

    def _check_stages(self, ctx: RequestContext, stages: list[Doc]) -> None:
        for stage in stages:
            api_id, name = stage.get("apiId"), stage.get("stage")
            if self.store.get(STAGE, str(api_id), str(name), self.owner(ctx)) is None:
                raise exc.not_found("Invalid stage identifier specified")

    def create_usage_plan(self, ctx: RequestContext, params: dict[str, Any]
                          ) -> dict[str, Any]:
        stages = params.get("apiStages") or []
        self._check_stages(ctx, stages)
        doc: Doc = {"id": new_id("usageplan"), "name": required(params, "name"),
                    "apiStages": stages}
        for member in ("description", "throttle", "quota", "tags", "productCode"):
            if params.get(member) is not None:
                doc[member] = params[member]
        _check_quota(doc)
        self.store.insert(PLAN, "", doc["id"], self.owner(ctx), doc, self.clock())
        ctx.status = 201
        return doc

    def _plan(self, ctx: RequestContext, plan_id: str) -> Doc:
        doc = self.store.get(PLAN, "", plan_id, self.owner(ctx))
        if doc is None:
            raise exc.not_found("Invalid Usage Plan ID specified")
        return doc

    def get_usage_plan(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return self._plan(ctx, required(params, "usagePlanId"))

    def get_usage_plans(self, ctx: RequestContext, params: dict[str, Any]
                        ) -> dict[str, Any]:
        plans = self.store.list_docs(PLAN, self.owner(ctx))
        if params.get("keyId"):
            holding: set[str] = set(self.store.parents_of(PLAN_KEY, params["keyId"]))
            plans = [p for p in plans if p["id"] in holding]
        return page(plans, params)

    def update_usage_plan(self, ctx: RequestContext, params: dict[str, Any]
                          ) -> dict[str, Any]:
        plan_id = required(params, "usagePlanId")
        self._plan(ctx, plan_id)
        operations = params.get("patchOperations") or []
        added = []
        for operation in operations:
            if operation.get("path") == "/apiStages" and operation.get("op") == "add":
                api_id, _, stage = str(operation.get("value") or "").partition(":")
                added.append({"apiId": api_id, "stage": stage})
        self._check_stages(ctx, added)

        def change(doc: Doc) -> Doc:
            plain = []
            for operation in operations:
                parts = segments(str(operation.get("path") or ""))
                if parts[0] == "apiStages" and len(parts) == 1:
                    api_id, _, stage = str(operation.get("value") or "").partition(":")
                    entry = {"apiId": api_id, "stage": stage}
                    stages = [s for s in doc.get("apiStages") or []
                              if (s["apiId"], s["stage"]) != (api_id, stage)]
                    if operation.get("op") == "add":
                        stages.append(entry)
                    doc["apiStages"] = stages
                else:
                    plain.append(operation)
            apply_patch(doc, plain, ("name", "description", "throttle", "quota",
                                     "productCode"))
            _check_quota(doc)
            return doc

        return self.store.update(PLAN, "", plan_id, change) or {}

    def delete_usage_plan(self, ctx: RequestContext, params: dict[str, Any]
                          ) -> dict[str, Any]:
        plan_id = required(params, "usagePlanId")
        self._plan(ctx, plan_id)
        self.store.delete(PLAN, "", plan_id)
        ctx.status = 202
        return {}

    def get_usage(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        """Requests per key and day, each day as ``[used, remaining]`` (remaining: what
        is left of the quota's current period, 0 without a quota)."""
        plan = self._plan(ctx, required(params, "usagePlanId"))
        first, last = _day(required(params, "startDate")), _day(required(params, "endDate"))
        if first > last:
            raise exc.bad_request("The start date must not be after the end date")
        used = self.store.days_used(plan["id"], first.isoformat(), last.isoformat())
        keys = [params["keyId"]] if params.get("keyId") else \
            [d["id"] for d in self.store.list_docs(PLAN_KEY, self.owner(ctx), plan["id"])]
        quota = plan.get("quota")
        items: dict[str, list[list[int]]] = {}
        now = datetime.now(UTC)
        for key_id in keys:
            remaining = int(quota["limit"]) - self.store.used(
                plan["id"], key_id, quota_period(quota, now)) if quota else 0
            days = []
            day = first
            while day <= last:
                days.append([used.get(key_id, {}).get(day.isoformat(), 0), remaining])
                day += timedelta(days=1)
            items[key_id] = days
        return {"usagePlanId": plan["id"], "startDate": first.isoformat(),
                "endDate": last.isoformat(), "items": items}

    # -- the keys of a plan -------------------------------------------------------------

    def create_usage_plan_key(self, ctx: RequestContext, params: dict[str, Any]
                              ) -> dict[str, Any]:
        plan_id = required(params, "usagePlanId")
        self._plan(ctx, plan_id)
        if required(params, "keyType") != "API_KEY":
            raise exc.bad_request("Invalid key type specified: " + str(params["keyType"]))
        key = self._key(ctx, required(params, "keyId"))
        doc = {"id": key["id"], "type": "API_KEY", "value": key["value"],
               "name": key.get("name")}
        try:
            self.store.insert(PLAN_KEY, plan_id, key["id"], self.owner(ctx),
                              {"id": key["id"]}, self.clock())
        except Conflict as error:
            raise exc.ConflictException(
                f"Usage Plan {plan_id} cannot be added because API Key {key['id']} cannot "
                "reference multiple Usage Plans with the same API Stage") from error
        ctx.status = 201
        return doc

    def _plan_key_view(self, ctx: RequestContext, key_id: str) -> Doc:
        key = self._key(ctx, key_id)
        return {"id": key["id"], "type": "API_KEY", "value": key["value"],
                "name": key.get("name")}

    def get_usage_plan_key(self, ctx: RequestContext, params: dict[str, Any]
                           ) -> dict[str, Any]:
        plan_id = required(params, "usagePlanId")
        self._plan(ctx, plan_id)
        key_id = required(params, "keyId")
        if self.store.get(PLAN_KEY, plan_id, key_id) is None:
            raise exc.not_found("Invalid Usage Plan Key identifier specified")
        return self._plan_key_view(ctx, key_id)

    def get_usage_plan_keys(self, ctx: RequestContext, params: dict[str, Any]
                            ) -> dict[str, Any]:
        plan_id = required(params, "usagePlanId")
        self._plan(ctx, plan_id)
        keys = [self._plan_key_view(ctx, d["id"])
                for d in self.store.list_docs(PLAN_KEY, self.owner(ctx), plan_id)]
        if params.get("nameQuery"):
            keys = [k for k in keys if str(k.get("name") or "").startswith(params["nameQuery"])]
        return page(keys, params)

    def delete_usage_plan_key(self, ctx: RequestContext, params: dict[str, Any]
                              ) -> dict[str, Any]:
        plan_id = required(params, "usagePlanId")
        self._plan(ctx, plan_id)
        key_id = required(params, "keyId")
        if not self.store.delete(PLAN_KEY, plan_id, key_id):
            raise exc.not_found("Invalid Usage Plan Key identifier specified")
        ctx.status = 202
        return {}


def _check_quota(plan: Doc) -> None:
    quota = plan.get("quota")
    if quota:
        if quota.get("period") not in _PERIODS:
            raise exc.bad_request("Invalid quota period: " + str(quota.get("period")))
        if int(quota.get("limit") or 0) <= 0:
            raise exc.bad_request("Quota limit should be greater than 0")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(str(text))
    except ValueError as error:
        raise exc.bad_request(f"Invalid date: {text} (expected YYYY-MM-DD)") from error
