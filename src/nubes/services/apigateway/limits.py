"""Throttling and quotas at call time: token buckets (usage plans' per-key throttle and
stages' method settings) and usage plans' quotas.

Buckets live in this process's memory: they hold seconds of state, and a restart that
refills them is what AWS's own best-effort throttling allows. Quotas are counted in the
store, per plan, key and period, so they hold across restarts.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from nubes.services.apigateway.store import ApiGatewayStore, Doc


@dataclass(slots=True)
class Bucket:
    rate: float  # tokens per second
    burst: float  # capacity
    tokens: float
    at: float

    def take(self, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class Buckets:
    """Token buckets by key; a bucket whose limits change starts again full."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._buckets: dict[tuple[str, ...], Bucket] = {}

    def take(self, key: tuple[str, ...], rate: float, burst: int) -> bool:
        """Whether a request may pass now (rate 0 or burst 0 refuses everything)."""
        now = self.clock()
        bucket = self._buckets.get(key)
        capacity = float(max(burst, 0))
        if bucket is None or (bucket.rate, bucket.burst) != (rate, capacity):
            bucket = Bucket(rate, capacity, capacity, now)
            self._buckets[key] = bucket
        return bucket.take(now)


def quota_period(quota: Doc, now: datetime) -> str:
    """The period a request made at ``now`` counts against (``offset`` days into a
    week or month, as usage plans shift them), as text."""
    offset = int(quota.get("offset") or 0)
    period = quota.get("period")
    moment = now.astimezone(UTC)
    if period == "DAY":
        return moment.strftime("D%Y-%m-%d")
    if period == "WEEK":
        start = moment - timedelta(days=(moment.weekday() - offset) % 7)
        return start.strftime("W%Y-%m-%d")
    shifted = moment - timedelta(days=offset)
    return shifted.strftime("M%Y-%m")


def use_quota(store: ApiGatewayStore, plan: Doc, key_id: str, now: datetime) -> bool:
    """Count a request (per day, for GetUsage) and against the plan's quota; False when
    the quota is used up."""
    quota = plan.get("quota")
    day = now.astimezone(UTC).strftime("day:%Y-%m-%d")
    if not quota:
        return store.use(plan["id"], key_id, day, None, 0)
    return store.use(plan["id"], key_id, day, quota_period(quota, now), int(quota["limit"]))
