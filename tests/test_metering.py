"""Metering records are durable, and the Prometheus rendering counts what happened."""

from __future__ import annotations

import time
from pathlib import Path

from nubes.metering import MeterStore, Metrics
from nubes.runtime.api import MeterRecord, Outcome
from nubes.storage.sqlite import Database


def record(request_id: str, *, outcome: Outcome = Outcome.SUCCESS, cold: bool = False,
           duration_ms: float = 12.5) -> MeterRecord:
    return MeterRecord("000000000000", "us-east-1", "hello", "$LATEST", request_id,
                       start_ms=1_700_000_000_000, duration_ms=duration_ms, billed_ms=13,
                       memory_mb=128, max_rss_mb=40, cold=cold, outcome=outcome)


def test_records_survive_a_reopen(tmp_path: Path) -> None:
    store = MeterStore(Database(tmp_path / "nubes.db"), Metrics(), flush_interval=60)
    store.record(record("a", cold=True))
    store.record(record("b", outcome=Outcome.FUNCTION_ERROR))
    store.flush()
    store.db.close()
    reopened = MeterStore(Database(tmp_path / "nubes.db"), Metrics())
    got = reopened.records("000000000000", "us-east-1", "hello")
    assert [(r.request_id, r.cold, r.outcome) for r in got] == [
        ("a", True, Outcome.SUCCESS), ("b", False, Outcome.FUNCTION_ERROR)]
    assert got[0].billed_ms == 13 and got[0].max_rss_mb == 40


def test_prometheus_text(tmp_path: Path) -> None:
    metrics = Metrics()
    store = MeterStore(Database(tmp_path / "nubes.db"), metrics)
    store.record(record("a", cold=True, duration_ms=0.4))
    store.record(record("b", outcome=Outcome.TIMEOUT, duration_ms=3000))
    metrics.throttled("000000000000", "us-east-1", "hello")
    text = metrics.render()
    labels = '{account="000000000000",region="us-east-1",function="hello"}'
    assert f"nubes_lambda_invocations_total{labels} 2" in text
    assert f"nubes_lambda_errors_total{labels} 1" in text
    assert f"nubes_lambda_timeouts_total{labels} 1" in text
    assert f"nubes_lambda_throttles_total{labels} 1" in text
    assert f"nubes_lambda_cold_starts_total{labels} 1" in text
    bucket = '{account="000000000000",region="us-east-1",function="hello",le="0.001"} 1'
    assert f"nubes_lambda_duration_seconds_bucket{bucket}" in text
    assert "# TYPE nubes_lambda_duration_seconds histogram" in text


def test_an_idle_stores_last_records_reach_the_database(tmp_path: Path) -> None:
    store = MeterStore(Database(tmp_path / "nubes.db"), Metrics(), flush_interval=0.05)
    store.record(record("only"))
    reader = Database(tmp_path / "nubes.db")
    deadline = time.monotonic() + 10
    while not reader.query("SELECT request_id FROM metering") and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [row[0] for row in reader.query("SELECT request_id FROM metering")] == ["only"]
    store.flush()
    reader.close()
    store.db.close()


def test_a_throttled_record_is_a_throttle_not_an_invocation(tmp_path: Path) -> None:
    metrics = Metrics()
    store = MeterStore(Database(tmp_path / "nubes.db"), metrics, flush_interval=60)
    store.record(record("ran"))
    store.record(record("refused", outcome=Outcome.THROTTLED, duration_ms=0))
    text = metrics.render()
    labels = '{account="000000000000",region="us-east-1",function="hello"}'
    assert f"nubes_lambda_invocations_total{labels} 1" in text
    assert f"nubes_lambda_throttles_total{labels} 1" in text
    assert f"nubes_lambda_errors_total{labels} 0" in text
    assert f"nubes_lambda_duration_seconds_count{labels} 1" in text
    assert [r.outcome for r in store.records("000000000000", "us-east-1", "hello")] == [
        Outcome.SUCCESS, Outcome.THROTTLED]
    store.db.close()
