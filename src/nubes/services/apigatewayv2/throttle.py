"""Stage and route throttling: a token bucket per (API, stage, route).

``ThrottlingRateLimit`` is the steady rate (requests per second) at which tokens come
back; ``ThrottlingBurstLimit`` is the bucket's size. A request that finds the bucket
empty is answered 429 ``{"message":"Too Many Requests"}``, as API Gateway does.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class TokenBuckets:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._buckets: dict[tuple[str, ...], tuple[float, float, float, float]] = {}

    def take(self, key: tuple[str, ...], rate: float, burst: int) -> bool:
        """Take a token from ``key``'s bucket; False when there is none."""
        now = self.clock()
        found = self._buckets.get(key)
        if found is None or found[2:] != (rate, float(burst)):
            tokens = float(burst)  # a new (or reconfigured) bucket starts full
        else:
            tokens = min(float(burst), found[0] + (now - found[1]) * rate)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now, rate, float(burst))
            return False
        self._buckets[key] = (tokens - 1.0, now, rate, float(burst))
        return True

    def forget(self, api_id: str) -> None:
        for key in [k for k in self._buckets if k[0] == api_id]:
            del self._buckets[key]
