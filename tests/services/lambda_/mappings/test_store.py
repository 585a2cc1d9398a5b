"""The mapping store's leases and checkpoints: one owner at a time per unit, a dead
owner's unit taken over once its lease ends, and checkpoints moved only by the holder."""

from __future__ import annotations

from pathlib import Path

from nubes.services.lambda_.mappings.store import MappingStore
from nubes.storage.sqlite import Database


def test_a_unit_has_one_owner_until_its_lease_ends(tmp_path: Path) -> None:
    store = MappingStore(Database(tmp_path / "nubes.db"))
    store.add_unit("m", "shardId-000000000000", 5)
    assert store.claim("m", "shardId-000000000000", "a", 30, now=100)
    assert not store.claim("m", "shardId-000000000000", "b", 30, now=110)
    assert store.claim("m", "shardId-000000000000", "a", 30, now=120)  # renewed to 150
    assert not store.claim("m", "shardId-000000000000", "b", 30, now=149)
    assert store.claim("m", "shardId-000000000000", "b", 30, now=150)  # a's lease ended
    assert not store.claim("missing", "unit", "a", 30, now=150)


def test_only_the_holder_moves_the_checkpoint_and_only_forward(tmp_path: Path) -> None:
    store = MappingStore(Database(tmp_path / "nubes.db"))
    store.add_unit("m", "s", 5)
    store.add_unit("m", "s", 0)  # adding again keeps the checkpoint
    assert store.checkpoint("m", "s") == 5
    assert store.claim("m", "s", "a", 30)
    assert not store.advance("m", "s", "b", 9)
    assert store.advance("m", "s", "a", 9)
    assert store.advance("m", "s", "a", 7)
    assert store.checkpoint("m", "s") == 9
    store.release("m", "s", "a")
    assert not store.advance("m", "s", "a", 10)
    assert store.claim("m", "s", "b", 30)
    assert store.units("m") == {"s": 9}
