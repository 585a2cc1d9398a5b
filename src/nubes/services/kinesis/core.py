"""What Kinesis' operation groups share: the store, the clock, background tasks, and
finding the caller's stream from ``StreamName`` or ``StreamARN``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from nubes.services.background import BackgroundTasks
from nubes.services.base import RequestContext
from nubes.services.kinesis import exceptions as exc
from nubes.services.kinesis.models import Stream, StreamStatus, parse_stream_arn
from nubes.services.kinesis.store import KinesisStore


class KinesisCore:
    def __init__(self, store: KinesisStore, clock: Callable[[], float]) -> None:
        self.store = store
        self.clock = clock
        self.background = BackgroundTasks("kinesis")

    def stream_name(self, ctx: RequestContext, params: Mapping[str, Any],
                    arn_member: str = "StreamARN") -> str:
        """The stream a request names, by name or ARN (which must agree if both given)."""
        name, arn = params.get("StreamName"), params.get(arn_member)
        if arn is not None:
            parts = parse_stream_arn(arn)
            if parts is None:
                raise exc.InvalidArgumentException(f"Invalid ARN: {arn}")
            region, account, from_arn = parts
            if (region, account) != (ctx.region, ctx.account_id):
                raise exc.stream_not_found(from_arn, account)
            if name is not None and name != from_arn:
                raise exc.InvalidArgumentException(
                    "StreamARN and StreamName point to different streams.")
            return from_arn
        if name is None:
            raise exc.ValidationException("Either StreamName or StreamARN should be provided.")
        return str(name)

    def stream(self, ctx: RequestContext, params: Mapping[str, Any], *,
               active: bool = False, arn_member: str = "StreamARN") -> Stream:
        """The caller's stream the request names; ResourceNotFoundException if there is
        none (or, with ``active``, if it is not ACTIVE: records need an active stream)."""
        name = self.stream_name(ctx, params, arn_member)
        stream = self.store.get_stream(ctx.account_id, ctx.region, name)
        if stream is None or (active and stream.status != StreamStatus.ACTIVE):
            raise exc.stream_not_found(name, ctx.account_id)
        return stream
