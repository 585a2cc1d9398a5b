"""TransactWriteItems' client tokens in the store: recorded with the writes, replayed
without writing, refused with another request, scoped by account and region, forgotten
after ten minutes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from nubes.services.dynamodb import exceptions as exc
from nubes.services.dynamodb.idempotency import TOKEN_SECONDS, ClientToken
from nubes.services.dynamodb.item_writes import Put, TransactionAborted, WriteOp, WriteResult
from nubes.services.dynamodb.schema import Table
from nubes.services.dynamodb.store import DynamoStore
from tests.services.dynamodb.store_fixtures import ACCOUNT, REGION, item, open_store, table_spec

NOW = 1_700_000_000.0


@pytest.fixture
def store(tmp_path: Path) -> DynamoStore:
    return open_store(tmp_path)


def token(params: dict[str, Any], name: str = "tok", region: str = REGION) -> ClientToken:
    made = ClientToken.of(ACCOUNT, region, {**params, "ClientRequestToken": name})
    assert made is not None
    return made


def respond(ops: Sequence[WriteOp], results: list[WriteResult]) -> dict[str, Any]:
    return {"Written": len(results)}


def put(store: DynamoStore, table: Table, pk: str, client_token: ClientToken | None,
        now: float = NOW) -> dict[str, Any]:
    ops: list[WriteOp] = [Put(table, item(pk, 1))]
    return store.transact_write(ops, client_token, respond, now=now)


def count(store: DynamoStore, table: Table) -> int:
    return store.stats(table).item_count


def test_a_token_replays_the_response_without_writing(store: DynamoStore) -> None:
    table = store.create_table(table_spec())
    used = token({"TransactItems": ["a"]})
    assert ClientToken.of(ACCOUNT, REGION, {"TransactItems": ["a"]}) is None
    assert store.replayed(used, now=NOW) is None
    assert put(store, table, "a", used) == {"Written": 1}
    store.delete_item(table, item("a", 1))
    assert put(store, table, "a", used, NOW + 60) == {"Written": 1}
    assert store.replayed(used, now=NOW + 60) == {"Written": 1}
    assert count(store, table) == 0  # the replay wrote nothing


def test_a_token_with_another_request_is_a_mismatch(store: DynamoStore) -> None:
    table = store.create_table(table_spec())
    put(store, table, "a", token({"TransactItems": ["a"]}))
    other = token({"TransactItems": ["b"]})
    with pytest.raises(exc.IdempotentParameterMismatchException):
        store.replayed(other, now=NOW)
    with pytest.raises(exc.IdempotentParameterMismatchException):
        put(store, table, "b", other)
    assert count(store, table) == 1
    # Tokens belong to an account and region.
    put(store, table, "c", token({"TransactItems": ["b"]}, region="eu-west-1"))
    assert count(store, table) == 2


def test_a_refused_transaction_records_no_token(store: DynamoStore) -> None:
    table = store.create_table(table_spec())
    used = token({"TransactItems": ["a"]})

    def refuse(_old: Any) -> None:
        raise exc.ConditionalCheckFailedException()

    with pytest.raises(TransactionAborted):
        store.transact_write([Put(table, item("a", 1), refuse)], used, respond, now=NOW)
    assert store.replayed(used, now=NOW) is None


def test_tokens_expire_after_ten_minutes_and_are_swept(store: DynamoStore) -> None:
    table = store.create_table(table_spec())
    used = token({"TransactItems": ["a"]})
    put(store, table, "a", used)
    later = NOW + TOKEN_SECONDS
    assert store.replayed(used, now=later) is None
    assert store.sweep_client_tokens(now=later - 1) == 0
    assert store.sweep_client_tokens(now=later) == 1
    put(store, table, "b", token({"TransactItems": ["b"]}), now=later)  # reusable again
    assert count(store, table) == 2


def test_tokens_survive_reopening_the_store(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    table = store.create_table(table_spec())
    used = token({"TransactItems": ["a"]})
    put(store, table, "a", used)
    store.db.close()
    assert open_store(tmp_path).replayed(used, now=NOW + 1) == {"Written": 1}
