"""The queued-invocation worker without a server: leases, retries with backoff, restarts."""

from __future__ import annotations

import asyncio
from pathlib import Path

from nubes.services.lambda_.event_store import Event, EventStore
from nubes.services.lambda_.worker import EventWorker, RunResult
from nubes.storage.sqlite import Database


def test_lease_hides_an_event_until_it_expires(tmp_path: Path) -> None:
    events = EventStore(Database(tmp_path / "nubes.db"))
    events.enqueue("000000000000", "us-east-1", "f", None, b"{}", "r1")
    claimed = events.claim(lease_s=30, now=1e12)
    assert claimed is not None and claimed.request_id == "r1"
    assert events.claim(lease_s=30, now=1e12) is None
    again = events.claim(lease_s=30, now=1e12 + 31)  # the first worker died
    assert again is not None and again.id == claimed.id


def test_survives_a_restart(tmp_path: Path) -> None:
    EventStore(Database(tmp_path / "nubes.db")).enqueue("a", "r", "f", "1", b"{}", "r1")
    reopened = EventStore(Database(tmp_path / "nubes.db"))
    assert reopened.pending() == 1
    claimed = reopened.claim(lease_s=30)
    assert claimed is not None and claimed.qualifier == "1"


def _run_worker(tmp_path: Path, outcomes: list[RunResult]) -> tuple[list[int], EventStore]:
    events = EventStore(Database(tmp_path / "nubes.db"))
    attempts: list[int] = []

    async def run(event: Event) -> RunResult:
        attempts.append(event.attempts)
        return outcomes.pop(0) if outcomes else RunResult.DONE

    async def main() -> None:
        worker = EventWorker(events, run, (0.05, 0.1), 4, 60.0)
        events.enqueue("a", "r", "f", None, b"{}", "r1")
        worker.wake()
        for _ in range(200):
            await asyncio.sleep(0.02)
            if events.pending() == 0:
                break
        await worker.close()

    asyncio.run(main())
    return attempts, events


def test_failures_are_retried_twice_then_dropped(tmp_path: Path) -> None:
    attempts, events = _run_worker(tmp_path, [RunResult.FAILED] * 5)
    assert attempts == [0, 1, 2]
    assert events.pending() == 0


def test_retry_until_success(tmp_path: Path) -> None:
    attempts, events = _run_worker(tmp_path, [RunResult.FAILED, RunResult.DONE])
    assert attempts == [0, 1]
    assert events.pending() == 0


def test_throttled_events_wait_without_counting(tmp_path: Path) -> None:
    attempts, _ = _run_worker(tmp_path, [RunResult.THROTTLED, RunResult.DONE])
    assert attempts == [0, 0]
