"""Access keys and accounts, on a real SQLite file."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from nubes.accounts import (
    AccountStore,
    Credentials,
    DuplicateAccessKey,
    InvalidAccountId,
    InvalidKey,
)
from nubes.errors import NubesError
from nubes.storage.sqlite import Database


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "nubes.db"


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    database = Database(db_path)
    yield database
    database.close()


@pytest.fixture
def store(db: Database) -> AccountStore:
    return AccountStore(db)


def test_the_default_key(store: AccountStore) -> None:
    assert store.get("test") is None
    store.ensure_default()
    store.ensure_default()
    assert store.get("test") == Credentials("test", "test", "000000000000")
    assert store.list_keys() == [Credentials("test", "test", "000000000000")]


def test_a_generated_key_looks_like_aws(store: AccountStore) -> None:
    creds = store.create_key()
    assert re.fullmatch(r"AKIA[A-Z0-9]{16}", creds.access_key)
    assert re.fullmatch(r"[A-Za-z0-9+/]{40}", creds.secret_key)
    assert re.fullmatch(r"[0-9]{12}", creds.account_id)
    assert creds.account_id != "000000000000"
    assert store.get(creds.access_key) == creds


def test_generated_accounts_do_not_collide(store: AccountStore) -> None:
    accounts = {store.create_key().account_id for _ in range(50)}
    assert len(accounts) == 50


def test_keys_given_and_several_keys_for_one_account(store: AccountStore) -> None:
    first = store.create_key("123456789012", "AKIAFIRST", "secret/with+chars=")
    second = store.create_key("123456789012")
    assert first == Credentials("AKIAFIRST", "secret/with+chars=", "123456789012")
    assert second.account_id == "123456789012"
    assert {c.access_key for c in store.list_keys()} == {"AKIAFIRST", second.access_key}


@pytest.mark.parametrize("account_id", ["12345", "12345678901a", "1234567890123", ""])
def test_a_malformed_account_id(store: AccountStore, account_id: str) -> None:
    with pytest.raises(InvalidAccountId):
        store.create_key(account_id)


@pytest.mark.parametrize(
    ("access_key", "secret"), [("AK/SLASH", None), ("AK,COMMA", None), ("AK", "with space")]
)
def test_malformed_keys(store: AccountStore, access_key: str, secret: str | None) -> None:
    with pytest.raises(InvalidKey):
        store.create_key(None, access_key, secret)


def test_a_duplicate_access_key(store: AccountStore) -> None:
    store.create_key("123456789012", "AKIADUP")
    with pytest.raises(DuplicateAccessKey) as caught:
        store.create_key("210987654321", "AKIADUP")
    assert isinstance(caught.value, NubesError)
    assert "AKIADUP" in str(caught.value)
    found = store.get("AKIADUP")
    assert found is not None and found.account_id == "123456789012"


def test_keys_persist_across_reopening(db_path: Path) -> None:
    db = Database(db_path)
    created = AccountStore(db).create_key()
    db.close()
    reopened = Database(db_path)
    try:
        assert AccountStore(reopened).get(created.access_key) == created
    finally:
        reopened.close()


def test_a_key_made_by_another_process_is_found(store: AccountStore, db_path: Path) -> None:
    other_db = Database(db_path)  # what `nubes keys create` opens while the server runs
    try:
        other = AccountStore(other_db)
        assert store.get("AKIALATER") is None
        made = other.create_key(None, "AKIALATER")
        assert store.get("AKIALATER") == made
    finally:
        other_db.close()


def test_only_default_keys(store: AccountStore) -> None:
    assert store.only_default_keys()
    store.ensure_default()
    assert store.only_default_keys()
    store.create_key()
    assert not store.only_default_keys()


def test_a_default_key_with_another_secret_is_not_the_default(store: AccountStore) -> None:
    store.create_key("000000000000", "test", "a-real-secret")
    assert not store.only_default_keys()


def test_secrets_stay_out_of_repr(store: AccountStore) -> None:
    creds = store.create_key(secret_key="SUPERSECRETVALUE")
    assert "SUPERSECRETVALUE" not in repr(creds)
