"""Log stream operations: create, describe (by name or last event time), delete."""

from __future__ import annotations

from typing import Any

from nubes.services.base import RequestContext
from nubes.services.logs import exceptions as exc
from nubes.services.logs import paging
from nubes.services.logs.core import LogsCore, bounded, required
from nubes.services.logs.models import check_stream_name


class StreamOps(LogsCore):
    def create_log_stream(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        group = self.group(ctx, required(params, "logGroupName"))
        name = required(params, "logStreamName")
        check_stream_name(name)
        self.store.create_stream(group, name)
        return {}

    def describe_log_streams(self, ctx: RequestContext, params: dict[str, Any]
                             ) -> dict[str, Any]:
        group = self.group_by_identifier(ctx, params)
        prefix = params.get("logStreamNamePrefix")
        order_by = params.get("orderBy", "LogStreamName")
        if order_by not in ("LogStreamName", "LastEventTime"):
            raise exc.InvalidParameterException(
                f"1 validation error detected: Value '{order_by}' at 'orderBy' failed to "
                "satisfy constraint: Member must satisfy enum value set: "
                "[LogStreamName, LastEventTime]")
        by_last_event = order_by == "LastEventTime"
        if by_last_event and prefix:
            raise exc.InvalidParameterException(
                "Cannot order by LastEventTime with a logStreamNamePrefix.")
        limit = bounded(params, "limit", 1, 50, 50)
        token = params.get("nextToken")
        after = paging.decode(token, [int, str]) if token else None
        streams = self.store.list_streams(
            group, prefix=prefix, by_last_event=by_last_event,
            descending=bool(params.get("descending")),
            after=(int(after[0]), str(after[1])) if after else None, limit=limit + 1)
        page = streams[:limit]
        out: dict[str, Any] = {"logStreams": [stream.describe(group) for stream in page]}
        if len(streams) > limit:
            last = page[-1]
            key = last.last_event_ms if last.last_event_ms is not None else -1
            out["nextToken"] = paging.encode([key, last.name])
        return out

    def delete_log_stream(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        group = self.group(ctx, required(params, "logGroupName"))
        name = required(params, "logStreamName")
        check_stream_name(name)
        self.store.delete_stream(group, name)
        return {}
