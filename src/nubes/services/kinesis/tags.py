"""Stream tags: AddTagsToStream, RemoveTagsFromStream, ListTagsForStream, and the
ARN-addressed TagResource, UntagResource, ListTagsForResource."""

from __future__ import annotations

from typing import Any

from nubes.services.base import RequestContext
from nubes.services.kinesis import exceptions as exc
from nubes.services.kinesis.core import KinesisCore
from nubes.services.kinesis.models import Stream

MAX_TAGS = 50


class TagOps(KinesisCore):
    def add_tags_to_stream(self, ctx: RequestContext, params: dict[str, Any]
                           ) -> dict[str, Any]:
        self._add(ctx, self.stream(ctx, params), params["Tags"])
        return {}

    def tag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        self._add(ctx, self.stream(ctx, params, arn_member="ResourceARN"), params["Tags"])
        return {}

    def remove_tags_from_stream(self, ctx: RequestContext, params: dict[str, Any]
                                ) -> dict[str, Any]:
        self._remove(self.stream(ctx, params), params["TagKeys"])
        return {}

    def untag_resource(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        self._remove(self.stream(ctx, params, arn_member="ResourceARN"), params["TagKeys"])
        return {}

    def list_tags_for_stream(self, ctx: RequestContext, params: dict[str, Any]
                             ) -> dict[str, Any]:
        stream = self.stream(ctx, params)
        limit = exc.bounded("limit", params.get("Limit"), 1, 50, 50)
        start = params.get("ExclusiveStartTagKey") or ""
        keys = sorted(key for key in stream.tags if key > start)
        return {"Tags": [{"Key": key, "Value": stream.tags[key]} for key in keys[:limit]],
                "HasMoreTags": len(keys) > limit}

    def list_tags_for_resource(self, ctx: RequestContext, params: dict[str, Any]
                               ) -> dict[str, Any]:
        stream = self.stream(ctx, params, arn_member="ResourceARN")
        return {"Tags": [{"Key": key, "Value": value}
                         for key, value in sorted(stream.tags.items())]}

    def _add(self, ctx: RequestContext, stream: Stream, tags: dict[str, str]) -> None:
        merged = {**stream.tags, **tags}
        if len(merged) > MAX_TAGS:
            raise exc.InvalidArgumentException(
                f"Failed to add tags to stream {stream.name} under account {ctx.account_id} "
                f"because a given stream cannot have more than {MAX_TAGS} tags.")
        self.store.set_tags(stream.id, merged)

    def _remove(self, stream: Stream, keys: list[str]) -> None:
        self.store.set_tags(stream.id, {k: v for k, v in stream.tags.items() if k not in keys})
