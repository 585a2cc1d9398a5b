"""The DynamoDB store on a real SQLite file: tables, point reads, conditional writes,
transactions, counters, persistence."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nubes.errors import NubesError, ValidationError
from nubes.services.dynamodb.item_writes import (
    ConditionCheck,
    Delete,
    Put,
    TransactionAborted,
    Update,
    WriteOp,
)
from nubes.services.dynamodb.store import DynamoStore, TableExists, TableNotFound
from nubes.services.dynamodb.types import item_size
from tests.services.dynamodb.store_fixtures import (
    ACCOUNT,
    REGION,
    gsi,
    item,
    open_store,
    table_spec,
)


class Refused(NubesError):
    pass


def refuse(_old: Any) -> None:
    raise Refused("no")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[DynamoStore]:
    opened = open_store(tmp_path)
    yield opened
    opened.db.close()


def test_tables_are_created_listed_and_deleted(store: DynamoStore) -> None:
    created = store.create_table(table_spec("b"))
    store.create_table(table_spec("a"))
    assert created.id and created.version >= 1
    with pytest.raises(TableExists):
        store.create_table(table_spec("a"))
    assert store.list_tables(ACCOUNT, REGION) == ["a", "b"]
    assert store.list_tables(ACCOUNT, REGION, after="a", limit=5) == ["b"]
    assert store.list_tables("other", REGION) == []
    got = store.get_table(ACCOUNT, REGION, "b")
    assert got is not None and got.key == created.key and got.arn.endswith(":table/b")
    store.delete_table(got)
    assert store.get_table(ACCOUNT, REGION, "b") is None
    with pytest.raises(TableNotFound):
        store.put_item(got, item("x", 1))


def test_point_reads_and_writes(store: DynamoStore) -> None:
    table = store.create_table(table_spec())
    first = store.put_item(table, item("a", 1, v="one"))
    assert first.old is None
    again = store.put_item(table, item("a", 1, v="uno"))
    assert again.old == item("a", 1, v="one")
    assert store.get_item(table, {"pk": {"S": "a"}, "sk": {"N": "1"}}) == item("a", 1, v="uno")
    assert store.get_item(table, {"pk": {"S": "a"}, "sk": {"N": "2"}}) is None
    removed = store.delete_item(table, {"pk": {"S": "a"}, "sk": {"N": "1"}})
    assert removed.old == item("a", 1, v="uno") and removed.new is None
    assert store.get_item(table, {"pk": {"S": "a"}, "sk": {"N": "1"}}) is None


def test_binary_keys_and_values_round_trip(store: DynamoStore) -> None:
    table = store.create_table(table_spec("bin", sort_type="B"))
    stored: dict[str, Any] = {"pk": {"S": "a"}, "sk": {"B": b"\x00\xff"},
                              "d": {"BS": [b"", b"\x01"]},
                              "m": {"M": {"x": {"L": [{"B": b"zz"}]}}}}
    store.put_item(table, stored)
    assert store.get_item(table, {"pk": {"S": "a"}, "sk": {"B": b"\x00\xff"}}) == stored


def test_key_validation_comes_from_the_store(store: DynamoStore) -> None:
    table = store.create_table(table_spec())
    with pytest.raises(ValidationError, match="Missing the key sk in the item"):
        store.put_item(table, {"pk": {"S": "a"}})
    with pytest.raises(ValidationError, match="does not match the schema"):
        store.get_item(table, {"pk": {"S": "a"}})
    with pytest.raises(ValidationError, match="exceeded the maximum allowed size"):
        store.put_item(table, item("a", 1, big="x" * 410_000))


def test_conditional_writes_abort_without_side_effects(store: DynamoStore) -> None:
    table = store.create_table(table_spec(indexes=(gsi(),)))
    store.put_item(table, item("a", 1, g="G", gs="#1"))
    before = store.stats(table)
    with pytest.raises(Refused):
        store.put_item(table, item("a", 1, g="H", gs="#2"), check=refuse)
    with pytest.raises(Refused):
        store.delete_item(table, {"pk": {"S": "a"}, "sk": {"N": "1"}}, check=refuse)
    with pytest.raises(Refused):
        store.update_item(table, {"pk": {"S": "a"}, "sk": {"N": "1"}}, _refusing_apply)
    assert store.get_item(table, {"pk": {"S": "a"}, "sk": {"N": "1"}}) == item(
        "a", 1, g="G", gs="#1")
    assert store.stats(table) == before


def _refusing_apply(old: Any) -> Any:
    raise Refused("no")


def test_check_sees_the_current_item(store: DynamoStore) -> None:
    table = store.create_table(table_spec())
    seen: list[Any] = []
    store.put_item(table, item("a", 1), check=seen.append)
    store.put_item(table, item("a", 1, v="x"), check=seen.append)
    assert seen == [None, item("a", 1)]


def test_update_applies_to_the_current_item(store: DynamoStore) -> None:
    table = store.create_table(table_spec())
    key = {"pk": {"S": "a"}, "sk": {"N": "1"}}

    def bump(old: Any) -> Any:
        count = int(old["n"]["N"]) if old else 0
        return {**key, "n": {"N": str(count + 1)}}

    store.update_item(table, key, bump)
    result = store.update_item(table, key, bump)
    assert result.old == {**key, "n": {"N": "1"}} and result.new == {**key, "n": {"N": "2"}}
    with pytest.raises(ValidationError, match="part of the key"):
        store.update_item(table, key, lambda old: {**key, "sk": {"N": "9"}})


def test_transactions_are_all_or_nothing(store: DynamoStore) -> None:
    one = store.create_table(table_spec("one"))
    two = store.create_table(table_spec("two"))
    store.put_item(one, item("a", 1, v="keep"))
    ops: list[WriteOp] = [
        Put(two, item("new", 1)), Delete(one, {"pk": {"S": "a"}, "sk": {"N": "1"}}),
        ConditionCheck(one, {"pk": {"S": "z"}, "sk": {"N": "1"}}, refuse),
        Update(two, {"pk": {"S": "u"}, "sk": {"N": "1"}}, _refusing_apply),
    ]
    with pytest.raises(TransactionAborted) as caught:
        store.write(ops, group=True)
    failures = caught.value.failures
    assert failures[0] is None and failures[1] is None
    assert isinstance(failures[2], Refused) and isinstance(failures[3], Refused)
    assert store.get_item(two, {"pk": {"S": "new"}, "sk": {"N": "1"}}) is None
    assert store.get_item(one, {"pk": {"S": "a"}, "sk": {"N": "1"}}) is not None
    results = store.write(ops[:2], group=True)
    assert results[1].old == item("a", 1, v="keep")
    assert store.get_item(two, {"pk": {"S": "new"}, "sk": {"N": "1"}}) == item("new", 1)
    assert store.stats(one).item_count == 0 and store.stats(two).item_count == 1


def test_a_transaction_may_not_touch_one_item_twice(store: DynamoStore) -> None:
    table = store.create_table(table_spec())
    key = {"pk": {"S": "a"}, "sk": {"N": "1"}}
    with pytest.raises(ValidationError, match="multiple operations on one item"):
        store.write([Put(table, item("a", 1)), Delete(table, key)], group=True)
    store.write([Put(table, item("a", 1)), Put(table, item("a", 2))])
    assert store.transact_get([(table, key), (table, {**key, "sk": {"N": "3"}})]) == [
        item("a", 1), None]


def test_counters_follow_writes(store: DynamoStore) -> None:
    table = store.create_table(table_spec())
    store.put_item(table, item("a", 1, v="xx"))
    store.put_item(table, item("a", 2))
    store.put_item(table, item("a", 2, v="yyyy"))
    stats = store.stats(table)
    assert stats.item_count == 2
    assert stats.size_bytes == sum(
        item_size(i) for i in (item("a", 1, v="xx"), item("a", 2, v="yyyy")))
    store.delete_item(table, {"pk": {"S": "a"}, "sk": {"N": "1"}})
    store.delete_item(table, {"pk": {"S": "a"}, "sk": {"N": "7"}})
    assert store.stats(table).item_count == 1


def test_a_stale_table_is_reloaded(store: DynamoStore) -> None:
    stale = store.create_table(table_spec())
    store.add_index(stale, gsi())
    store.put_item(stale, item("a", 1, g="G", gs="#5"))
    fresh = store.get_table(ACCOUNT, REGION, "t")
    assert fresh is not None and fresh.index("by_g") is not None
    assert store.stats(fresh).indexes == {"by_g": (1, item_size(item("a", 1, g="G", gs="#5")))}


def test_everything_survives_reopening(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    table = store.create_table(table_spec(indexes=(gsi(),)))
    store.put_item(table, item("a", 1, g="G", gs="#1"))
    store.db.close()
    reopened = open_store(tmp_path)
    again = reopened.get_table(ACCOUNT, REGION, "t")
    assert again is not None and again.indexes[0].name == "by_g"
    assert reopened.get_item(again, {"pk": {"S": "a"}, "sk": {"N": "1"}}) == item(
        "a", 1, g="G", gs="#1")
    assert reopened.stats(again).item_count == 1


WRITER = """
import sys
from pathlib import Path
from tests.services.dynamodb.store_fixtures import item, open_store, table_spec
store = open_store(Path(sys.argv[1]))
table = store.create_table(table_spec())
for n in range(100_000):
    store.put_item(table, item("k", n))
    print(n, flush=True)
"""


def test_acknowledged_writes_survive_kill_9(tmp_path: Path) -> None:
    acknowledged = -1
    with subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE,
                          text=True, cwd=Path(__file__).parents[3]) as writer:
        assert writer.stdout is not None
        for line in writer.stdout:
            acknowledged = int(line)
            if acknowledged >= 300:
                break
        writer.send_signal(signal.SIGKILL)
    store = open_store(tmp_path)
    table = store.get_table(ACCOUNT, REGION, "t")
    assert table is not None
    for n in range(acknowledged + 1):
        assert store.get_item(table, {"pk": {"S": "k"}, "sk": {"N": str(n)}}) is not None
    assert store.stats(table).item_count >= acknowledged + 1
