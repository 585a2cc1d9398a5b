"""The spec cache on a real SQLite file: what one process keeps follows what another
process changes, because every use compares the stored row."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from nubes.runtime.api import FunctionSpec
from nubes.services.lambda_.arns import LATEST
from nubes.services.lambda_.models import FunctionVersion, State
from nubes.services.lambda_.spec_cache import SpecCache
from nubes.services.lambda_.store import LambdaStore
from nubes.storage.sqlite import Database

KEY = ("000000000000", "us-east-1", "fn")


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[tuple[LambdaStore, LambdaStore]]:
    """Two stores on one file: the cache's process, and another."""
    first, second = Database(tmp_path / "nubes.db"), Database(tmp_path / "nubes.db")
    yield LambdaStore(first), LambdaStore(second)
    first.close()
    second.close()


def latest(**config: str) -> FunctionVersion:
    return FunctionVersion(*KEY, LATEST, {"Handler": "app.handler", **config}, "a" * 64, 10,
                           time.time(), state=State.ACTIVE)


def spec_of(fv: FunctionVersion) -> FunctionSpec:
    return FunctionSpec(fv.account_id, fv.region, fv.name, fv.version, fv.arn, "python3.12",
                        fv.config["Handler"], Path("/code"))


def test_a_version_and_its_spec_are_kept_while_unchanged(
        stores: tuple[LambdaStore, LambdaStore]) -> None:
    mine, _ = stores
    mine.create_function(latest(), {})
    cache = SpecCache(mine)
    fv = cache.version(*KEY, LATEST)
    assert fv is not None and cache.spec(fv) is None
    cache.keep(fv, spec_of(fv))
    again = cache.version(*KEY, LATEST)
    assert again is fv and cache.spec(again) == spec_of(fv)
    fresh = mine.version(*KEY, LATEST)  # not from the cache: nothing kept for it
    assert fresh is not None and cache.spec(fresh) is None


def test_changes_by_another_process_are_seen(stores: tuple[LambdaStore, LambdaStore]) -> None:
    mine, other = stores
    mine.create_function(latest(), {})
    cache = SpecCache(mine)
    fv = cache.version(*KEY, LATEST)
    assert fv is not None
    cache.keep(fv, spec_of(fv))
    changed = replace(latest(Handler="other.handler"), revision_id="r2")
    other.put_version(changed)
    now = cache.version(*KEY, LATEST)
    assert now is not None and now is not fv and now.config["Handler"] == "other.handler"
    assert cache.spec(now) is None
    cache.keep(now, spec_of(now))
    other.set_reserved(*KEY, 0)  # the function's row, not the version's
    reserved = cache.version(*KEY, LATEST)
    assert reserved is not None and reserved is not now and cache.spec(reserved) is None
    other.delete_function(*KEY)
    assert cache.version(*KEY, LATEST) is None


def test_specs_of_versions_with_layers_are_not_kept(
        stores: tuple[LambdaStore, LambdaStore]) -> None:
    mine, _ = stores
    fv = latest()
    fv.config["Layers"] = ["arn:aws:lambda:us-east-1:000000000000:layer:l:1"]
    mine.create_function(fv, {})
    cache = SpecCache(mine)
    found = cache.version(*KEY, LATEST)
    assert found is not None
    cache.keep(found, spec_of(found))
    assert cache.spec(found) is None  # a deleted layer version must drop out of the next
