"""The log store on a real SQLite file: the runtime's LogSink path, retention sweeps,
and durability across reopening."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from nubes.runtime.api import LogEvent, LogSink
from nubes.services.logs import exceptions as exc
from nubes.services.logs.event_reads import TimeRange, read_forward
from nubes.services.logs.models import DAY_MS
from nubes.services.logs.provider import LogsProvider
from nubes.services.logs.store import LogStore
from nubes.storage.sqlite import Database

ACCOUNT, REGION = "000000000000", "us-east-1"
NOW = 1_700_000_000_000


class Clock:
    def __init__(self, now: int = NOW) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(tmp_path / "nubes.db")
    yield database
    database.close()


def all_messages(store: LogStore, group: str, stream: str) -> list[str]:
    found = store.get_group(ACCOUNT, REGION, group)
    log_stream = store.get_stream(found, stream)
    window = TimeRange(0, 2**62, found.oldest_kept_ms(store.clock()))
    return [e.message for e in read_forward(store.db, log_stream.id, window, (0, 0), 10_000)]


def test_log_store_is_a_log_sink(db: Database) -> None:
    sink: LogSink = LogStore(db)
    assert callable(sink.write)


def test_write_creates_the_group_and_stream(db: Database) -> None:
    store = LogStore(db, clock=Clock())
    events = [LogEvent(NOW - 2, "START RequestId: 1"), LogEvent(NOW - 1, "hello\n")]
    store.write(ACCOUNT, REGION, "/aws/lambda/fn", "2024/01/01/[$LATEST]abc", events)
    store.write(ACCOUNT, REGION, "/aws/lambda/fn", "2024/01/01/[$LATEST]abc",
                [LogEvent(NOW, "END RequestId: 1")])
    group = store.get_group(ACCOUNT, REGION, "/aws/lambda/fn")
    assert group.stored_bytes == len("START RequestId: 1hello\nEND RequestId: 1")
    stream = store.get_stream(group, "2024/01/01/[$LATEST]abc")
    assert (stream.first_event_ms, stream.last_event_ms) == (NOW - 2, NOW)
    assert stream.last_ingestion_ms == NOW
    assert all_messages(store, "/aws/lambda/fn", "2024/01/01/[$LATEST]abc") == [
        "START RequestId: 1", "hello\n", "END RequestId: 1"]


def test_write_of_nothing_creates_nothing(db: Database) -> None:
    store = LogStore(db)
    store.write(ACCOUNT, REGION, "/aws/lambda/none", "s", [])
    with pytest.raises(exc.ResourceNotFoundException):
        store.get_group(ACCOUNT, REGION, "/aws/lambda/none")


def test_write_reuses_an_existing_group_with_its_retention(db: Database) -> None:
    store = LogStore(db, clock=Clock())
    store.create_group(ACCOUNT, REGION, "/aws/lambda/kept", tags={"a": "b"})
    store.set_retention(store.get_group(ACCOUNT, REGION, "/aws/lambda/kept"), 7)
    store.write(ACCOUNT, REGION, "/aws/lambda/kept", "s", [LogEvent(NOW, "x")])
    group = store.get_group(ACCOUNT, REGION, "/aws/lambda/kept")
    assert (group.retention_days, group.tags) == (7, {"a": "b"})


def test_concurrent_writers_lose_nothing(db: Database) -> None:
    store = LogStore(db)

    def writer(n: int) -> None:
        for i in range(50):
            store.write(ACCOUNT, REGION, "/aws/lambda/busy", f"stream-{n % 2}",
                        [LogEvent(NOW + i, f"{n}-{i}")])

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    counts = [len(all_messages(store, "/aws/lambda/busy", f"stream-{k}")) for k in (0, 1)]
    assert counts == [100, 100]


def test_events_survive_reopening_the_database(tmp_path: Path) -> None:
    first = Database(tmp_path / "nubes.db")
    LogStore(first).write(ACCOUNT, REGION, "/g", "s", [LogEvent(NOW, "durable")])
    first.close()
    second = Database(tmp_path / "nubes.db")
    assert all_messages(LogStore(second), "/g", "s") == ["durable"]
    second.close()


def test_retention_hides_then_sweep_deletes(db: Database) -> None:
    clock = Clock()
    store = LogStore(db, clock=clock)
    store.write(ACCOUNT, REGION, "/g", "s", [LogEvent(NOW - 3 * DAY_MS, "old"),
                                            LogEvent(NOW, "new")])
    store.write(ACCOUNT, REGION, "/forever", "s", [LogEvent(NOW - 3 * DAY_MS, "old")])
    group = store.get_group(ACCOUNT, REGION, "/g")
    store.set_retention(group, 1)
    assert all_messages(store, "/g", "s") == ["new"]  # hidden before any sweep
    assert store.sweep() == 1
    assert store.get_group(ACCOUNT, REGION, "/g").stored_bytes == len("new")
    assert store.sweep() == 0
    clock.now += 2 * DAY_MS
    assert store.sweep() == 1
    assert all_messages(store, "/forever", "s") == ["old"]


def test_sweep_works_in_chunks(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("nubes.services.logs.store.SWEEP_CHUNK", 3)
    store = LogStore(db, clock=Clock())
    store.write(ACCOUNT, REGION, "/g", "s",
                [LogEvent(NOW - 10 * DAY_MS + i, str(i)) for i in range(10)])
    store.set_retention(store.get_group(ACCOUNT, REGION, "/g"), 1)
    assert store.sweep() == 10
    assert store.get_group(ACCOUNT, REGION, "/g").stored_bytes == 0


def test_the_provider_sweeps_in_the_background(db: Database) -> None:
    store = LogStore(db)
    store.write(ACCOUNT, REGION, "/g", "s", [LogEvent(store.clock() - 5 * DAY_MS, "old")])
    store.set_retention(store.get_group(ACCOUNT, REGION, "/g"), 1)
    provider = LogsProvider(store, sweep_interval_s=0.01)
    try:
        deadline = time.monotonic() + 5
        while store.get_group(ACCOUNT, REGION, "/g").stored_bytes and (
                time.monotonic() < deadline):
            time.sleep(0.01)
        assert store.get_group(ACCOUNT, REGION, "/g").stored_bytes == 0
    finally:
        provider.close()
    provider.close()  # idempotent


def test_deleting_a_group_deletes_its_streams_and_events(db: Database) -> None:
    store = LogStore(db)
    store.write(ACCOUNT, REGION, "/g", "s", [LogEvent(NOW, "x")])
    store.delete_group(ACCOUNT, REGION, "/g")
    assert db.query_one("SELECT count(*) FROM logs_events")[0] == 0  # type: ignore[index]
    assert db.query_one("SELECT count(*) FROM logs_streams")[0] == 0  # type: ignore[index]


def event_rows(db: Database) -> int:
    row = db.query_one("SELECT count(*) FROM logs_events")
    assert row is not None
    return int(row[0])


def test_writes_on_the_event_loop_are_batched_and_read_back_at_once(db: Database) -> None:
    store = LogStore(db, clock=Clock())

    async def invoke_then_read() -> list[str]:
        for i in range(3):
            store.write(ACCOUNT, REGION, "/aws/lambda/fn", "s", [LogEvent(NOW + i, f"{i}\n")])
        assert event_rows(db) == 0  # still buffered...
        return all_messages(store, "/aws/lambda/fn", "s")  # ...but a read sees them

    assert asyncio.run(invoke_then_read()) == ["0\n", "1\n", "2\n"]
    assert store.get_group(ACCOUNT, REGION, "/aws/lambda/fn").stored_bytes == 6


def test_buffered_writes_are_stored_by_the_loop_shortly_after(db: Database) -> None:
    store = LogStore(db, clock=Clock())

    async def write_and_wait() -> None:
        store.write(ACCOUNT, REGION, "/g", "a", [LogEvent(NOW, "first")])
        store.write(ACCOUNT, REGION, "/g", "b", [LogEvent(NOW, "second")])
        deadline = time.monotonic() + 5
        while event_rows(db) < 2 and time.monotonic() < deadline:
            await asyncio.sleep(store.pending.interval_s)

    asyncio.run(write_and_wait())
    assert event_rows(db) == 2


def test_closing_the_provider_stores_what_is_buffered(db: Database) -> None:
    store = LogStore(db)
    provider = LogsProvider(store)

    async def write_and_close() -> None:
        store.write(ACCOUNT, REGION, "/g", "s", [LogEvent(NOW, "last words")])
        provider.close()  # at shutdown, before the loop would have stored it
        assert event_rows(db) == 1

    asyncio.run(write_and_close())


def test_a_batch_stores_what_the_writes_one_by_one_would(tmp_path: Path) -> None:
    writes = [("/a", "s1", [LogEvent(NOW + 5, "x"), LogEvent(NOW + 1, "yy")]),
              ("/b", "s1", [LogEvent(NOW, "é")]),
              ("/a", "s2", [LogEvent(NOW - 3, "zzz")]),
              ("/a", "s1", [LogEvent(NOW + 9, "w"), LogEvent(NOW - 7, "v")])]

    def stored(name: str, batched: bool) -> list[list[tuple[object, ...]]]:
        db = Database(tmp_path / name)
        store = LogStore(db, clock=Clock())
        clock = store.clock
        assert isinstance(clock, Clock)

        def write_all() -> None:
            for group, stream, events in writes:
                clock.now += 1
                store.write(ACCOUNT, REGION, group, stream, events)

        if batched:
            async def on_the_loop() -> None:
                write_all()
                assert event_rows(db) == 0
                store.flush()

            asyncio.run(on_the_loop())
        else:
            write_all()
        tables = [[tuple(row) for row in db.query(f"SELECT * FROM {table} ORDER BY id")]
                  for table in ("logs_groups", "logs_streams", "logs_events")]
        db.close()
        return tables

    assert stored("batched.db", True) == stored("one-by-one.db", False)
