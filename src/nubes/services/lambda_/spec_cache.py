"""``SpecCache``: the versions invocations run, and their ``FunctionSpec``, kept between
invocations while their stored row is unchanged.

Loading a version (its JSON document) and building its spec (the function's row, the
code's directory) on every warm invoke cost more than the sandbox's round trip. Every
use still reads the version's row, with its function's reserved concurrency, in one
indexed read, and reuses what it built only when that row is the one it was built from:
any update of the code, configuration, state or concurrency, a new version, a deletion,
by this process or another, gives a different row (each carries a new revision id).
Aliases are resolved before, on every use, as before.
"""

from __future__ import annotations

from dataclasses import dataclass

from nubes.runtime.api import FunctionSpec
from nubes.services.lambda_.models import FunctionVersion
from nubes.services.lambda_.store import LambdaStore, VersionRow

MAX_ENTRIES = 4096

Key = tuple[str, str, str, str]  # account, region, function name, version


@dataclass(slots=True)
class _Entry:
    row: VersionRow
    version: FunctionVersion  # shared by invocations: read, never changed
    spec: FunctionSpec | None = None


class SpecCache:
    def __init__(self, store: LambdaStore) -> None:
        self.store = store
        self._entries: dict[Key, _Entry] = {}

    def version(self, account_id: str, region: str, name: str, version: str
                ) -> FunctionVersion | None:
        """The version as stored now (the same object as long as its row is unchanged);
        for invocations only, which never change it."""
        key = (account_id, region, name, version)
        row = self.store.version_row(*key)
        if row is None:
            self._entries.pop(key, None)
            return None
        entry = self._entries.get(key)
        if entry is None or entry.row != row:
            if len(self._entries) >= MAX_ENTRIES:
                del self._entries[next(iter(self._entries))]  # the oldest
            entry = self._entries[key] = _Entry(row, row.load())
        return entry.version

    def spec(self, fv: FunctionVersion) -> FunctionSpec | None:
        """The spec kept for ``fv``, if ``fv`` came from ``version`` and one was kept."""
        entry = self._entries.get(_key(fv))
        return entry.spec if entry is not None and entry.version is fv else None

    def keep(self, fv: FunctionVersion, spec: FunctionSpec) -> None:
        """Keep the spec built for ``fv`` (if ``fv`` came from ``version``). Not for
        versions with layers: a layer version deleted since would be missing from it."""
        entry = self._entries.get(_key(fv))
        if entry is not None and entry.version is fv and not fv.config.get("Layers"):
            entry.spec = spec


def _key(fv: FunctionVersion) -> Key:
    return (fv.account_id, fv.region, fv.name, fv.version)
