"""Query and Scan: a page of a table or index read by the store, then filtered, projected
and counted as DynamoDB does (Limit and the 1 MB page bound the items *read*; the filter
runs after, so Count may be below ScannedCount)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nubes.services.base import RequestContext
from nubes.services.dynamodb import capacity, legacy
from nubes.services.dynamodb import exceptions as exc
from nubes.services.dynamodb.expressions import ExpressionKind
from nubes.services.dynamodb.item_reads import Page, QueryRequest, ScanRequest, SortCondition
from nubes.services.dynamodb.item_requests import Predicate, RequestExpressions
from nubes.services.dynamodb.items import ItemOps, Projector
from nubes.services.dynamodb.read_plan import ReadPlan, plan_read
from nubes.services.dynamodb.schema import KeySchema
from nubes.services.dynamodb.types import INVALID, AttributeValue, validate_item, value_type

EXPRESSION_OPS = {"=": "EQ", "<": "LT", "<=": "LE", ">": "GT", ">=": "GE"}
MAX_SEGMENTS = 1_000_000


def _limit(params: Mapping[str, Any]) -> int | None:
    limit = params.get("Limit")
    if limit is not None and limit < 1:
        raise exc.ValidationException(
            f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy "
            "constraint: Member must have value greater than or equal to 1")
    return None if limit is None else int(limit)


def _check_type(value: AttributeValue, expected: str | None) -> AttributeValue:
    if value_type(value) != expected:
        raise exc.ValidationException(
            f"{INVALID}Condition parameter type does not match schema type")
    return value


class QueryOps(ItemOps):
    def query(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        table = self.table(ctx, params.get("TableName"))
        plan = plan_read(table, params, query=True)
        exprs = self.expressions(params)
        legacy.refuse_mix(params, ("KeyConditions",), ("KeyConditionExpression",))
        partition, sort = self._key_range(params, plan.key, exprs)
        keep = self._filter(params, exprs, "QueryFilter")
        project = self.projector(params, exprs)
        if exprs is not None:
            exprs.check_unused(("KeyConditionExpression", "FilterExpression"))
        start = params.get("ExclusiveStartKey")
        page = self.store.query(table, QueryRequest(
            partition, sort, plan.index_name, params.get("ScanIndexForward", True) is not False,
            _limit(params), validate_item(start) if start is not None else None))
        return self._answer(plan, params, page, keep, project)

    def scan(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        table = self.table(ctx, params.get("TableName"))
        plan = plan_read(table, params, query=False)
        segment, total = _segments(params)
        exprs = self.expressions(params)
        keep = self._filter(params, exprs, "ScanFilter")
        project = self.projector(params, exprs)
        if exprs is not None:
            exprs.check_unused(("FilterExpression",))
        start = params.get("ExclusiveStartKey")
        page = self.store.scan(table, ScanRequest(
            plan.index_name, _limit(params), validate_item(start) if start is not None else None,
            segment, total))
        return self._answer(plan, params, page, keep, project)

    def _key_range(self, params: Mapping[str, Any], key: KeySchema,
                   exprs: RequestExpressions | None
                   ) -> tuple[AttributeValue, SortCondition | None]:
        text = params.get("KeyConditionExpression")
        if text is not None and exprs is not None:
            condition = exprs.key_condition(text, key.partition, key.sort)
            partition = _check_type(condition.partition_value, key.partition_type)
            if condition.sort is None:
                return partition, None
            values = tuple(_check_type(v, key.sort_type) for v in condition.sort.values)
            return partition, SortCondition(
                EXPRESSION_OPS.get(condition.sort.op, condition.sort.op), values)
        spec = params.get("KeyConditions")
        if not spec:
            raise exc.ValidationException(
                "Either the KeyConditions or KeyConditionExpression parameter must be "
                "specified in the request.")
        value, sort = legacy.key_conditions(spec, key.partition, key.sort)
        partition = _check_type(value, key.partition_type)
        if sort is None:
            return partition, None
        return partition, SortCondition(
            sort[0], tuple(_check_type(v, key.sort_type) for v in sort[1]))

    def _filter(self, params: Mapping[str, Any], exprs: RequestExpressions | None,
                legacy_name: str) -> Predicate | None:
        legacy.refuse_mix(params, (legacy_name, "ConditionalOperator"), ("FilterExpression",))
        if exprs is not None and "FilterExpression" in params:
            condition = exprs.condition(params["FilterExpression"], ExpressionKind.FILTER)
            assert condition is not None
            return condition.evaluate
        return legacy.conditions(params.get(legacy_name), params.get("ConditionalOperator"))

    def _answer(self, plan: ReadPlan, params: Mapping[str, Any], page: Page,
                keep: Predicate | None, project: Projector | None) -> dict[str, Any]:
        items = page.items
        if plan.fetch_from_table:
            items = [self.store.get_item(plan.table, plan.table.key.key_of(item)) or item
                     for item in items]
        if keep is not None:
            items = [item for item in items if keep(item)]
        out: dict[str, Any] = {"Count": len(items), "ScannedCount": len(page.items)}
        if plan.select != "COUNT":
            out["Items"] = [project(item) for item in items] if project is not None else items
        if page.last_key is not None:
            out["LastEvaluatedKey"] = page.last_key
        mode = params.get("ReturnConsumedCapacity")
        if mode in ("TOTAL", "INDEXES"):
            out["ConsumedCapacity"] = capacity.item_read(
                plan.table, page.read_bytes, bool(params.get("ConsistentRead")),
                index=plan.index_name).report(mode)
        return out


def _segments(params: Mapping[str, Any]) -> tuple[int, int]:
    segment, total = params.get("Segment"), params.get("TotalSegments")
    if segment is None and total is None:
        return 0, 1
    if total is None:
        raise exc.ValidationException(
            "The TotalSegments parameter is required but was not present in the request when "
            "Segment parameter is present")
    if segment is None:
        raise exc.ValidationException(
            "The Segment parameter is required but was not present in the request when "
            "parameter TotalSegments is present")
    if not 1 <= total <= MAX_SEGMENTS:
        bound = "greater than or equal to 1" if total < 1 else \
            f"less than or equal to {MAX_SEGMENTS}"
        raise exc.ValidationException(
            f"1 validation error detected: Value '{total}' at 'totalSegments' failed to "
            f"satisfy constraint: Member must have value {bound}")
    if not 0 <= segment < total:
        raise exc.ValidationException(
            "The Segment parameter is zero-based and must be less than parameter "
            f"TotalSegments: Segment: {segment} is not less than TotalSegments: {total}")
    return int(segment), int(total)
