"""What every namespaced sandbox of one invoker hides, exposes again, and runs as.

A function runs as an unprivileged user, so it can no longer reach host paths it needs
but only root could: an interpreter installed under ``/root`` (pyenv), or Nubes itself
installed under ``/tmp``, which every sandbox replaces with its own tmpfs. Those paths
are bound back read-only at their own place inside the sandbox, under a *cover*: the
sandbox's ``/tmp``, or a read-only tmpfs mounted over the first directory others may
not enter (hiding everything else in it, such as the rest of root's home).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

# Mounted afresh in every sandbox: nothing of the host's is seen below them.
REPLACED = ("/tmp", "/dev/shm")


@dataclass(frozen=True, slots=True)
class Confinement:
    hide: tuple[str, ...]  # directories hidden under empty mode-000 tmpfs mounts
    expose: tuple[tuple[str, str], ...]  # (cover, path): host paths bound back read-only
    uid: int  # the function's user and group
    gid: int


def cover(path: Path) -> str | None:
    """The directory that hides ``path`` from an unprivileged user inside a sandbox (a
    replaced mount, or the first ancestor others may not enter), or None."""
    if str(path) in REPLACED:
        return None  # nothing of the host's to bind back
    for place in [*reversed(path.parents), path]:
        if str(place) in REPLACED:
            return str(place)
        if place != path and not place.stat().st_mode & stat.S_IXOTH:
            return str(place)
    return None


def exposures(paths: Iterable[Path]) -> tuple[tuple[str, str], ...]:
    """(cover, path) for each of ``paths`` a sandbox must bind back. Paths under one
    cover are bound as their common directory when it lies below the cover (every
    pyenv interpreter as ``/root/.pyenv/versions``): each bind costs a cold start time."""
    by_cover: dict[str, list[str]] = {}
    for resolved in sorted({p.resolve() for p in paths if p.is_dir()}):
        hidden_by = cover(resolved)
        if hidden_by is not None:
            by_cover.setdefault(hidden_by, []).append(str(resolved))
    found: list[tuple[str, str]] = []
    for hidden_by, group in by_cover.items():
        common = os.path.commonpath(group)  # below the cover: no path is its own cover
        if common != hidden_by:
            group = [common]
        kept: list[str] = []
        for path in group:  # sorted: a parent comes before what it holds
            if not any(Path(path).is_relative_to(parent) for parent in kept):
                kept.append(path)
        found += [(hidden_by, path) for path in kept]
    return tuple(found)
