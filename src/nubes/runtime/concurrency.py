"""Concurrency accounting: reserved concurrency per function, the account's limit.

Beyond either, an invocation is refused with ``TooManyRequests`` and AWS's reason:
``ReservedFunctionConcurrentInvocationLimitExceeded`` (the function's reservation, which
may be 0) or ``ConcurrentInvocationLimitExceeded`` (the account's unreserved pool).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from .api import FunctionSpec, TooManyRequests

RESERVED_EXCEEDED = "ReservedFunctionConcurrentInvocationLimitExceeded"
ACCOUNT_EXCEEDED = "ConcurrentInvocationLimitExceeded"


def function_key(spec: FunctionSpec) -> tuple[str, str, str]:
    return (spec.account_id, spec.region, spec.name)


class ConcurrencyLimits:
    def __init__(self, account_limit: int,
                 unreserved_limit: Callable[[str], int] | None) -> None:
        self.account_limit = account_limit
        self.unreserved_limit = unreserved_limit
        self.by_function: Counter[tuple[str, str, str]] = Counter()
        self.by_pool: Counter[tuple[str, str, str, str, str]] = Counter()
        self.unreserved: Counter[str] = Counter()  # per account, functions without reservation
        self.total: Counter[str] = Counter()  # per account

    def acquire(self, spec: FunctionSpec) -> None:
        """Count one more invocation in flight, or raise TooManyRequests."""
        account = spec.account_id
        if spec.reserved_concurrency is not None:
            if self.by_function[function_key(spec)] >= spec.reserved_concurrency:
                raise TooManyRequests(RESERVED_EXCEEDED)
        else:
            limit = (self.unreserved_limit(account) if self.unreserved_limit
                     else self.account_limit)
            if self.unreserved[account] >= limit:
                raise TooManyRequests(ACCOUNT_EXCEEDED)
            self.unreserved[account] += 1
        if self.total[account] >= self.account_limit:
            if spec.reserved_concurrency is None:
                self.unreserved[account] -= 1
            raise TooManyRequests(ACCOUNT_EXCEEDED)
        self.total[account] += 1
        self.by_function[function_key(spec)] += 1
        self.by_pool[spec.pool_key] += 1

    def release(self, spec: FunctionSpec) -> None:
        account = spec.account_id
        if spec.reserved_concurrency is None:
            self.unreserved[account] -= 1
        self.total[account] -= 1
        self.by_function[function_key(spec)] -= 1
        self.by_pool[spec.pool_key] -= 1
        if self.by_function[function_key(spec)] <= 0:
            del self.by_function[function_key(spec)]
        if self.by_pool[spec.pool_key] <= 0:
            del self.by_pool[spec.pool_key]

    def in_flight(self, spec: FunctionSpec | None = None) -> int:
        if spec is None:
            return sum(self.total.values())
        return self.by_pool[spec.pool_key]
