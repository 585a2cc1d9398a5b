"""Stream records written with the items (order, event names, images per view type, the
24-hour retention) and the TTL sweep deleting expired items as the service."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from nubes.services.dynamodb.item_reads import ScanRequest
from nubes.services.dynamodb.item_writes import Delete, Put, TransactionAborted
from nubes.services.dynamodb.schema import StreamViewType, Table
from nubes.services.dynamodb.store import DynamoStore
from nubes.services.dynamodb.streams_store import SERVICE_IDENTITY, sequence_number
from tests.services.dynamodb.store_fixtures import (
    ACCOUNT,
    REGION,
    gsi,
    item,
    open_store,
    table_spec,
)

KEY = {"pk": {"S": "a"}, "sk": {"N": "1"}}
NOW = 1_700_000_000.0


@pytest.fixture
def store(tmp_path: Path) -> Iterator[DynamoStore]:
    opened = open_store(tmp_path)
    yield opened
    opened.db.close()


def streamed(store: DynamoStore, view: StreamViewType) -> Table:
    return store.create_table(table_spec(), stream=view, now=NOW)


def test_records_follow_each_change_in_order(store: DynamoStore) -> None:
    table = streamed(store, StreamViewType.NEW_AND_OLD_IMAGES)
    assert table.stream is not None
    store.put_item(table, item("a", 1, v="one"), now=NOW + 1)
    store.put_item(table, item("a", 1, v="one"), now=NOW + 2)  # no change: no record
    store.put_item(table, item("a", 1, v="two"), now=NOW + 3)
    store.delete_item(table, KEY, now=NOW + 4)
    store.delete_item(table, KEY, now=NOW + 5)  # nothing deleted: no record
    records = store.streams.read(table.stream.id, 0, 100)
    assert [r.event_name for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    assert [r.created for r in records] == [NOW + 1, NOW + 3, NOW + 4]
    assert all(r.keys == KEY for r in records)
    assert records[0].old_image is None and records[0].new_image == item("a", 1, v="one")
    assert records[1].old_image == item("a", 1, v="one")
    assert records[1].new_image == item("a", 1, v="two")
    assert records[2].new_image is None and records[2].user_identity is None
    sequences = [r.sequence for r in records]
    assert sequences == sorted(sequences)
    assert store.streams.read(table.stream.id, sequences[0], 100)[0].sequence == sequences[1]
    assert len(sequence_number(sequences[0])) == 21


@pytest.mark.parametrize(("view", "old", "new"), [
    (StreamViewType.KEYS_ONLY, False, False), (StreamViewType.NEW_IMAGE, False, True),
    (StreamViewType.OLD_IMAGE, True, False), (StreamViewType.NEW_AND_OLD_IMAGES, True, True),
])
def test_images_follow_the_view_type(store: DynamoStore, view: StreamViewType, old: bool,
                                     new: bool) -> None:
    table = streamed(store, view)
    assert table.stream is not None
    store.put_item(table, item("a", 1, v="one"))
    store.put_item(table, item("a", 1, v="two"))
    record = store.streams.read(table.stream.id, 0, 10)[1]
    assert (record.old_image is not None) is old and (record.new_image is not None) is new


def test_a_failed_transaction_records_nothing(store: DynamoStore) -> None:
    table = streamed(store, StreamViewType.NEW_IMAGE)
    assert table.stream is not None
    with pytest.raises(TransactionAborted):
        store.write([Put(table, item("a", 1)), Delete(table, item("b", 1), _fail)], group=True)
    assert store.streams.read(table.stream.id, 0, 10) == []


def _fail(_old: object) -> None:
    raise ValueError("refused")


def test_streams_are_listed_replaced_and_swept(store: DynamoStore) -> None:
    table = streamed(store, StreamViewType.KEYS_ONLY)
    first = table.stream
    assert first is not None
    store.put_item(table, item("a", 1), now=NOW)
    table = store.set_stream(table, StreamViewType.NEW_IMAGE, now=NOW + 10)
    assert table.stream is not None and table.stream.arn != first.arn
    store.put_item(table, item("a", 2), now=NOW + 20)
    infos = store.streams.list_streams(ACCOUNT, REGION, "t")
    assert [(i.arn, i.status) for i in infos] == [(first.arn, "DISABLED"),
                                                  (table.stream.arn, "ENABLED")]
    described = store.streams.get_stream(first.arn)
    assert described is not None and described.key_schema == [("pk", "HASH"), ("sk", "RANGE")]
    assert store.streams.read(first.id, 0, 10)[0].keys == KEY
    assert store.streams.sweep(NOW + 24 * 3600 + 15) == 1
    assert store.streams.get_stream(first.arn) is None  # disabled and empty: gone
    assert len(store.streams.read(table.stream.id, 0, 10)) == 1
    table = store.set_stream(table, None, now=NOW + 30)
    assert table.stream is not None and not table.stream.enabled
    store.put_item(table, item("a", 3))
    assert len(store.streams.read(table.stream.id, 0, 10)) == 1


def test_ttl_sweep_deletes_expired_items_as_the_service(store: DynamoStore) -> None:
    table = store.create_table(table_spec(indexes=(gsi(),)),
                               stream=StreamViewType.OLD_IMAGE, now=NOW)
    store.put_item(table, item("early", 1, exp=f"#{NOW - 10:.0f}", g="G", gs="#1"))
    table = store.set_ttl(table, "exp")  # existing items are indexed by their expiry
    store.put_item(table, item("late", 1, exp=f"#{NOW + 100:.0f}"))
    store.put_item(table, item("ancient", 1, exp=f"#{NOW - 6 * 365 * 86400:.0f}"))
    store.put_item(table, item("text", 1, exp="soon"))
    store.put_item(table, item("none", 1))
    assert store.sweep_expired(now=NOW) == 1
    remaining = {found["pk"]["S"] for found in store.scan(table, ScanRequest()).items}
    assert remaining == {"late", "ancient", "text", "none"}
    assert store.stats(table).indexes["by_g"][0] == 0
    assert table.stream is not None
    removal = store.streams.read(table.stream.id, 0, 100)[-1]
    assert removal.event_name == "REMOVE" and removal.user_identity == SERVICE_IDENTITY
    assert removal.old_image is not None and removal.old_image["pk"] == {"S": "early"}
    assert store.sweep_expired(now=NOW + 101) == 1
    table = store.set_ttl(table, None)
    assert store.sweep_expired(now=NOW + 10**9) == 0


def test_ttl_follows_updates(store: DynamoStore) -> None:
    table = store.set_ttl(store.create_table(table_spec()), "exp")
    store.put_item(table, item("a", 1, exp=f"#{NOW - 1:.0f}"))
    store.put_item(table, item("a", 1, exp=f"#{NOW + 1000:.0f}"))
    assert store.sweep_expired(now=NOW) == 0
    assert store.stats(table).item_count == 1
