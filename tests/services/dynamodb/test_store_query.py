"""Query and Scan pages from the store: sort-key conditions in both directions, paging,
the 1 MB limit, parallel scan segments, and sparse secondary indexes with projections."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nubes.errors import ValidationError
from nubes.services.dynamodb.item_reads import QueryRequest, ScanRequest, SortCondition
from nubes.services.dynamodb.item_writes import Put
from nubes.services.dynamodb.schema import Projection, ProjectionType, Table
from nubes.services.dynamodb.store import DynamoStore
from tests.services.dynamodb.store_fixtures import gsi, item, lsi, open_store, table_spec

NUMBERS = [-100, -12.5, -1, 0, 0.5, 1, 2, 10, 11, 100, 1000]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[DynamoStore]:
    opened = open_store(tmp_path)
    yield opened
    opened.db.close()


@pytest.fixture
def numbers(store: DynamoStore) -> Table:
    table = store.create_table(table_spec())
    store.write([Put(table, item("p", n)) for n in NUMBERS]
                + [Put(table, item("other", 5))])
    return table


def sort_keys(store: DynamoStore, table: Table, op: str | None, *values: Any,
              forward: bool = True) -> list[float]:
    condition = SortCondition(op, tuple({"N": str(v)} for v in values)) if op else None
    page = store.query(table, QueryRequest({"S": "p"}, condition, forward=forward))
    return [float(found["sk"]["N"]) for found in page.items]


@pytest.mark.parametrize(("op", "values", "expected"), [
    (None, (), NUMBERS),
    ("EQ", (1,), [1]),
    ("EQ", (3,), []),
    ("LT", (1,), [-100, -12.5, -1, 0, 0.5]),
    ("LE", (1,), [-100, -12.5, -1, 0, 0.5, 1]),
    ("GT", (10,), [11, 100, 1000]),
    ("GE", (10,), [10, 11, 100, 1000]),
    ("BETWEEN", (-12.5, 0.5), [-12.5, -1, 0, 0.5]),
])
def test_sort_key_conditions_in_both_directions(store: DynamoStore, numbers: Table, op: str,
                                                values: tuple[Any, ...],
                                                expected: list[float]) -> None:
    assert sort_keys(store, numbers, op, *values) == expected
    assert sort_keys(store, numbers, op, *values, forward=False) == expected[::-1]


def test_begins_with_on_strings_and_binary(store: DynamoStore) -> None:
    table = store.create_table(table_spec("s", sort_type="S"))
    names = ["a", "ab", "abc", "abd", "ac", "b", "é", "éa"]
    for name in names:
        store.put_item(table, {"pk": {"S": "p"}, "sk": {"S": name}})

    def begins(prefix: str, forward: bool = True) -> list[str]:
        page = store.query(table, QueryRequest(
            {"S": "p"}, SortCondition("BEGINS_WITH", ({"S": prefix},)), forward=forward))
        return [found["sk"]["S"] for found in page.items]

    assert begins("ab") == ["ab", "abc", "abd"]
    assert begins("ab", forward=False) == ["abd", "abc", "ab"]
    assert begins("é") == ["é", "éa"]
    assert begins("z") == []
    binary = store.create_table(table_spec("b", sort_type="B"))
    for value in (b"\xff", b"\xff\xff", b"\xff\x00", b"\xfe"):
        store.put_item(binary, {"pk": {"S": "p"}, "sk": {"B": value}})
    page = store.query(binary, QueryRequest(
        {"S": "p"}, SortCondition("BEGINS_WITH", ({"B": b"\xff"},))))
    assert [found["sk"]["B"] for found in page.items] == [b"\xff", b"\xff\x00", b"\xff\xff"]


@pytest.mark.parametrize("forward", [True, False])
def test_query_pages_by_limit_and_start_key(store: DynamoStore, numbers: Table,
                                            forward: bool) -> None:
    seen: list[Any] = []
    start = None
    pages = 0
    while True:
        page = store.query(numbers, QueryRequest({"S": "p"}, forward=forward, limit=3,
                                                 start_key=start))
        pages += 1
        seen.extend(page.items)
        if page.last_key is None:
            break
        assert page.last_key == {"pk": {"S": "p"}, "sk": page.items[-1]["sk"]}
        start = page.last_key
    keys = [float(found["sk"]["N"]) for found in seen]
    assert keys == (NUMBERS if forward else NUMBERS[::-1])
    assert pages == 4  # 3 + 3 + 3 + 2: the last page is short, so it carries no key


def test_a_page_ending_at_the_limit_carries_a_key(store: DynamoStore, numbers: Table) -> None:
    page = store.query(numbers, QueryRequest({"S": "p"}, limit=len(NUMBERS)))
    assert page.last_key is not None
    rest = store.query(numbers, QueryRequest({"S": "p"}, start_key=page.last_key))
    assert rest.items == [] and rest.last_key is None


def test_a_page_stops_at_one_megabyte(store: DynamoStore) -> None:
    table = store.create_table(table_spec())
    blob = "x" * 100_000
    for n in range(25):
        store.put_item(table, item("p", n, blob=blob))
    page = store.query(table, QueryRequest({"S": "p"}))
    assert len(page.items) == 11 and page.read_bytes >= 1024 * 1024
    assert page.last_key == {"pk": {"S": "p"}, "sk": {"N": "10"}}
    scanned = store.scan(table, ScanRequest())
    assert len(scanned.items) == 11 and scanned.last_key is not None


def test_scan_segments_partition_the_items(store: DynamoStore) -> None:
    table = store.create_table(table_spec())
    store.write([Put(table, item(f"p{n}", n % 3)) for n in range(300)])
    everything = _scan_all(store, table, ScanRequest(limit=7))
    assert len(everything) == 300
    for total in (1, 2, 3, 7):
        parts = [_scan_all(store, table, ScanRequest(limit=11, segment=s, total_segments=total))
                 for s in range(total)]
        keys = [(found["pk"]["S"], found["sk"]["N"]) for part in parts for found in part]
        assert len(keys) == 300 and len(set(keys)) == 300
        if total > 1:
            assert all(parts)


def _scan_all(store: DynamoStore, table: Table, request: ScanRequest,
              index: str | None = None) -> list[Any]:
    found: list[Any] = []
    start = None
    while True:
        page = store.scan(table, ScanRequest(index, request.limit, start, request.segment,
                                             request.total_segments))
        found.extend(page.items)
        if page.last_key is None:
            return found
        start = page.last_key


def test_global_index_is_sparse_and_projected(store: DynamoStore) -> None:
    include = Projection(ProjectionType.INCLUDE, ("extra",))
    table = store.create_table(table_spec(indexes=(
        gsi("all"), gsi("keys", Projection(ProjectionType.KEYS_ONLY)), gsi("inc", include))))
    store.put_item(table, item("a", 1, g="G", gs="#2", extra="e", other="o"))
    store.put_item(table, item("b", 1, g="G", gs="#1", extra="e"))
    store.put_item(table, item("c", 1, g="G"))  # no index sort key: not in the indexes
    store.put_item(table, item("d", 1, other="o"))  # no index keys at all

    def query(index: str) -> list[Any]:
        return store.query(table, QueryRequest({"S": "G"}, index=index)).items

    assert query("all") == [item("b", 1, g="G", gs="#1", extra="e"),
                            item("a", 1, g="G", gs="#2", extra="e", other="o")]
    assert query("keys") == [item("b", 1, g="G", gs="#1"), item("a", 1, g="G", gs="#2")]
    assert query("inc")[1] == item("a", 1, g="G", gs="#2", extra="e")
    store.put_item(table, item("a", 1, g="H", gs="#2"))  # moves to another index partition
    assert [found["pk"]["S"] for found in query("all")] == ["b"]
    store.delete_item(table, {"pk": {"S": "b"}, "sk": {"N": "1"}})
    assert query("all") == []
    assert store.stats(table).indexes["keys"][0] == 1
    assert len(_scan_all(store, table, ScanRequest(), index="all")) == 1


def test_index_pages_break_ties_by_table_key(store: DynamoStore) -> None:
    table = store.create_table(table_spec(indexes=(gsi(),)))
    for n in range(10):
        store.put_item(table, item(f"p{n}", n, g="G", gs="#1"))
    start = None
    seen: list[str] = []
    while True:
        page = store.query(table, QueryRequest({"S": "G"}, index="by_g", limit=4,
                                               start_key=start))
        seen.extend(found["pk"]["S"] for found in page.items)
        if page.last_key is None:
            break
        assert set(page.last_key) == {"pk", "sk", "g", "gs"}
        start = page.last_key
    assert sorted(seen) == [f"p{n}" for n in range(10)] and len(set(seen)) == 10


def test_local_index_orders_by_its_sort_key(store: DynamoStore) -> None:
    table = store.create_table(table_spec(indexes=(lsi(), lsi("lk", keys_only=True))))
    for n, letter in enumerate("dbca"):
        store.put_item(table, item("p", n, l=letter, v="x"))
    store.put_item(table, item("p", 9))  # no index sort key
    page = store.query(table, QueryRequest(
        {"S": "p"}, SortCondition("GT", ({"S": "a"},)), index="by_l", forward=False))
    assert [found["l"]["S"] for found in page.items] == ["d", "c", "b"]
    keys_only = store.query(table, QueryRequest({"S": "p"}, index="lk")).items
    assert keys_only[0] == {"pk": {"S": "p"}, "sk": {"N": "3"}, "l": {"S": "a"}}


def test_index_key_type_is_checked_on_write(store: DynamoStore) -> None:
    table = store.create_table(table_spec(indexes=(gsi(),)))
    with pytest.raises(ValidationError) as caught:
        store.put_item(table, item("a", 1, g="G", gs="notanumber"))
    assert caught.value.message == (
        "One or more parameter values were invalid: Type mismatch for Index Key gs "
        "Expected: N Actual: S IndexName: by_g")
    with pytest.raises(ValidationError, match="IndexName: by_g, IndexKey: g"):
        store.put_item(table, item("a", 1, g=""))
    assert store.get_item(table, {"pk": {"S": "a"}, "sk": {"N": "1"}}) is None


def test_an_index_added_later_is_backfilled(store: DynamoStore) -> None:
    table = store.create_table(table_spec())
    store.put_item(table, item("a", 1, g="G", gs="#1"))
    store.put_item(table, item("b", 1, g="G", gs="bad"))  # wrong type: left out
    table = store.add_index(table, gsi())
    found = store.query(table, QueryRequest({"S": "G"}, index="by_g")).items
    assert [f["pk"]["S"] for f in found] == ["a"]
    table = store.delete_index(table, "by_g")
    with pytest.raises(ValidationError, match="does not have the specified index"):
        store.query(table, QueryRequest({"S": "G"}, index="by_g"))
