"""FilterCriteria: a record goes to the function when any of the mapping's patterns
matches it (EventBridge's pattern language, ``nubes.events.patterns``); with no
patterns, every record does."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from nubes.events.patterns import Pattern, compile_pattern


@lru_cache(maxsize=256)
def _compiled(patterns: tuple[str, ...]) -> tuple[Pattern, ...]:
    return tuple(compile_pattern(text) for text in patterns)


def keeps(patterns: list[str], record: Mapping[str, Any]) -> bool:
    if not patterns:
        return True
    return any(pattern.matches(record) for pattern in _compiled(tuple(patterns)))
