"""Which host paths a sandbox binds back for its unprivileged user, and under what."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from nubes.runtime.confinement import cover, exposures


@pytest.fixture
def closed_dir() -> Iterator[Path]:
    """A mode-0700 directory outside /tmp, as /root is."""
    with tempfile.TemporaryDirectory(dir="/var/tmp") as made:
        yield Path(made)


def test_what_others_can_reach_needs_no_cover() -> None:
    assert cover(Path("/usr/lib")) is None
    assert exposures([Path("/usr"), Path("/nonexistent")]) == ()


def test_the_first_closed_ancestor_covers(closed_dir: Path) -> None:
    for version in ("3.11.7", "3.12.1"):
        (closed_dir / "versions" / version / "bin").mkdir(parents=True)
    assert cover(closed_dir / "versions" / "3.12.1") == str(closed_dir)
    assert cover(closed_dir) is None  # its own mode is for its bind to keep
    found = exposures([closed_dir / "versions" / "3.11.7", closed_dir / "versions" / "3.12.1",
                       closed_dir / "versions" / "3.12.1" / "bin"])
    assert found == ((str(closed_dir), str(closed_dir / "versions")),)  # one bind for all


def test_paths_not_sharing_more_than_their_cover_stay_apart(closed_dir: Path) -> None:
    (closed_dir / "a").mkdir()
    (closed_dir / "b").mkdir()
    assert exposures([closed_dir / "b", closed_dir / "a"]) == (
        (str(closed_dir), str(closed_dir / "a")), (str(closed_dir), str(closed_dir / "b")))


def test_under_tmp_the_sandboxs_own_tmp_covers() -> None:
    with tempfile.TemporaryDirectory(dir="/tmp") as made:
        assert exposures([Path(made)]) == (("/tmp", made),)
    assert exposures([Path("/tmp")]) == ()
