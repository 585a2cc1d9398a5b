"""Metering and metrics: what every invocation used, kept durably, and counted for Prometheus.

``MeterStore`` is the runtime's ``MeterSink``: each invocation's record (function,
version, start, duration, billed ms, memory, max RSS, cold or warm, outcome) goes to the
``metering`` table — the basis for cost reports. Records are written in batches, at most
``flush_interval`` apart (by the next record, or by a timer when none comes), so metering
costs the hot path one list append; a crash can lose at most the last interval's records,
never an acknowledged user write. A throttled invocation is recorded too, but it is counted
as a throttle, never as an invocation: it did not run.

``Metrics`` keeps the counters and duration histograms ``GET /metrics`` serves in the
Prometheus text format. They live for the process, as Prometheus counters do.
"""

from __future__ import annotations

import threading
import time
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from nubes.runtime.api import MeterRecord, Outcome
from nubes.storage.sqlite import Database

MIGRATIONS = [
    """
    CREATE TABLE metering (
        id INTEGER PRIMARY KEY,
        account_id TEXT NOT NULL, region TEXT NOT NULL,
        function TEXT NOT NULL, version TEXT NOT NULL, request_id TEXT NOT NULL,
        start_ms INTEGER NOT NULL, duration_ms REAL NOT NULL, billed_ms INTEGER NOT NULL,
        memory_mb INTEGER NOT NULL, max_rss_mb INTEGER NOT NULL,
        cold INTEGER NOT NULL, outcome TEXT NOT NULL
    );
    CREATE INDEX metering_by_function ON metering (account_id, region, function, start_ms)
    """
]

# Duration buckets in seconds, as Prometheus histograms count them.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
           30.0, 60.0, 300.0, 900.0)

FunctionKey = tuple[str, str, str]  # account, region, function name


@dataclass
class _Histogram:
    counts: list[int] = field(default_factory=lambda: [0] * len(BUCKETS))
    total: int = 0
    sum: float = 0.0

    def observe(self, seconds: float) -> None:
        index = bisect_left(BUCKETS, seconds)
        if index < len(BUCKETS):
            self.counts[index] += 1
        self.total += 1
        self.sum += seconds


@dataclass
class _FunctionMetrics:
    invocations: int = 0
    errors: int = 0
    throttles: int = 0
    cold_starts: int = 0
    timeouts: int = 0
    duration: _Histogram = field(default_factory=_Histogram)


class Metrics:
    """Per-function counters and duration histograms, rendered for Prometheus."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._functions: dict[FunctionKey, _FunctionMetrics] = defaultdict(_FunctionMetrics)

    def observe(self, record: MeterRecord) -> None:
        key = (record.account_id, record.region, record.function)
        with self._lock:
            metrics = self._functions[key]
            if record.outcome is Outcome.THROTTLED:  # refused: it never ran
                metrics.throttles += 1
                return
            metrics.invocations += 1
            metrics.cold_starts += record.cold
            if record.outcome is not Outcome.SUCCESS:
                metrics.errors += 1
            if record.outcome is Outcome.TIMEOUT:
                metrics.timeouts += 1
            metrics.duration.observe(record.duration_ms / 1000.0)

    def throttled(self, account_id: str, region: str, function: str) -> None:
        with self._lock:
            self._functions[(account_id, region, function)].throttles += 1

    def render(self) -> str:
        """The Prometheus text exposition format (version 0.0.4)."""
        with self._lock:
            items = sorted(self._functions.items())
            lines: list[str] = []
            for name, help_text, attribute in _COUNTERS:
                lines += [f"# HELP nubes_lambda_{name} {help_text}",
                          f"# TYPE nubes_lambda_{name} counter"]
                lines += [f"nubes_lambda_{name}{_labels(key)} {getattr(m, attribute)}"
                          for key, m in items]
            lines += _histogram_lines(items)
        return "\n".join(lines) + "\n"


_COUNTERS = (
    ("invocations_total", "Invocations that ran, by function.", "invocations"),
    ("errors_total", "Invocations that ended in an error (function, timeout, crash).",
     "errors"),
    ("throttles_total", "Invocations refused for lack of concurrency.", "throttles"),
    ("cold_starts_total", "Invocations that started a new sandbox.", "cold_starts"),
    ("timeouts_total", "Invocations stopped at their timeout.", "timeouts"),
)


def _labels(key: FunctionKey, **extra: str) -> str:
    account, region, function = key
    pairs = {"account": account, "region": region, "function": function, **extra}
    body = ",".join(f'{k}="{_escape(v)}"' for k, v in pairs.items())
    return "{" + body + "}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _histogram_lines(items: Iterable[tuple[FunctionKey, _FunctionMetrics]]) -> list[str]:
    name = "nubes_lambda_duration_seconds"
    lines = [f"# HELP {name} Invocation duration.", f"# TYPE {name} histogram"]
    for key, metrics in items:
        cumulative = 0
        for bound, count in zip(BUCKETS, metrics.duration.counts, strict=True):
            cumulative += count
            lines.append(f"{name}_bucket{_labels(key, le=repr(bound))} {cumulative}")
        lines.append(f'{name}_bucket{_labels(key, le="+Inf")} {metrics.duration.total}')
        lines.append(f"{name}_sum{_labels(key)} {metrics.duration.sum:.6f}")
        lines.append(f"{name}_count{_labels(key)} {metrics.duration.total}")
    return lines


class MeterStore:
    """The durable metering records (a ``MeterSink``), written in short batches."""

    def __init__(self, db: Database, metrics: Metrics, *, flush_interval: float = 0.1) -> None:
        db.migrate("metering", MIGRATIONS)
        self.db = db
        self.metrics = metrics
        self.flush_interval = flush_interval
        self._lock = threading.Lock()
        self._pending: list[MeterRecord] = []
        self._last_flush = time.monotonic()
        self._timer: threading.Timer | None = None

    def record(self, record: MeterRecord) -> None:
        self.metrics.observe(record)
        with self._lock:
            self._pending.append(record)
            due = time.monotonic() - self._last_flush >= self.flush_interval
            if not due and self._timer is None:
                self._timer = threading.Timer(self.flush_interval, self.flush)
                self._timer.daemon = True
                self._timer.start()
        if due:
            self.flush()

    def flush(self) -> None:
        """Write the pending records now (also called on shutdown)."""
        with self._lock:
            pending, self._pending = self._pending, []
            self._last_flush = time.monotonic()
            timer, self._timer = self._timer, None
        if timer is not None and timer is not threading.current_thread():
            timer.cancel()
        if not pending:
            return
        with self.db.transaction() as conn:
            conn.executemany(
                "INSERT INTO metering (account_id, region, function, version, request_id,"
                " start_ms, duration_ms, billed_ms, memory_mb, max_rss_mb, cold, outcome)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(r.account_id, r.region, r.function, r.version, r.request_id, r.start_ms,
                  r.duration_ms, r.billed_ms, r.memory_mb, r.max_rss_mb, int(r.cold),
                  r.outcome.value) for r in pending],
            )

    def records(self, account_id: str, region: str, function: str) -> list[MeterRecord]:
        """Every stored record of a function, oldest first (pending ones flushed first)."""
        self.flush()
        rows = self.db.query(
            "SELECT account_id, region, function, version, request_id, start_ms, duration_ms,"
            " billed_ms, memory_mb, max_rss_mb, cold, outcome FROM metering"
            " WHERE account_id = ? AND region = ? AND function = ? ORDER BY start_ms, id",
            (account_id, region, function),
        )
        return [_record(row) for row in rows]


def _record(row: Sequence[Any]) -> MeterRecord:
    return MeterRecord(
        account_id=row[0], region=row[1], function=row[2], version=row[3],
        request_id=row[4], start_ms=row[5], duration_ms=row[6], billed_ms=row[7],
        memory_mb=row[8], max_rss_mb=row[9], cold=bool(row[10]), outcome=Outcome(row[11]),
    )
