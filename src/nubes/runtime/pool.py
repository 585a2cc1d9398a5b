"""Warm pools: per function version, the idle sandboxes ready for their next invocation.

A sandbox is either busy (held by one invocation) or idle in its pool. ``take`` gives the
most recently used idle sandbox (so the others age out); ``reap`` removes those idle past
the keep-alive, which is how a function scales to zero.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from .sandbox import Sandbox

PoolKey = tuple[str, str, str, str, str]


class WarmPool:
    def __init__(self) -> None:
        self.idle: list[Sandbox] = []
        self.busy: set[Sandbox] = set()
        self.retired = False  # evicted: what it holds, or is still starting, must not serve

    def take(self) -> Sandbox | None:
        while self.idle:
            sandbox = self.idle.pop()
            if sandbox.alive:
                self.busy.add(sandbox)
                return sandbox
        return None

    def add_busy(self, sandbox: Sandbox) -> None:
        """Hold a sandbox just started; one started for a pool evicted meanwhile serves
        the invocation it was started for, then closes."""
        if self.retired:
            sandbox.retired = True
        self.busy.add(sandbox)

    def give_back(self, sandbox: Sandbox) -> bool:
        """Return a sandbox after an invocation; False if it must be closed instead."""
        self.busy.discard(sandbox)
        if not sandbox.alive or sandbox.retired:
            return False
        self.idle.append(sandbox)
        return True

    def drop(self, sandbox: Sandbox) -> None:
        self.busy.discard(sandbox)

    def expired(self, keep_alive_s: float, now: float | None = None) -> list[Sandbox]:
        """Remove and return the idle sandboxes unused for keep_alive_s (or dead)."""
        now = time.monotonic() if now is None else now
        keep = [s for s in self.idle if s.alive and now - s.last_used < keep_alive_s]
        gone = [s for s in self.idle if s not in keep]
        self.idle = keep
        return gone

    def retire_all(self) -> list[Sandbox]:
        """Idle sandboxes to close now; busy ones (and those still starting) close after
        their invocation."""
        self.retired = True
        for sandbox in self.busy:
            sandbox.retired = True
        idle, self.idle = self.idle, []
        return idle

    def __iter__(self) -> Iterator[Sandbox]:
        yield from self.idle
        yield from self.busy

    @property
    def empty(self) -> bool:
        return not self.idle and not self.busy
