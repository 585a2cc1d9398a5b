"""The running services of one Nubes process: stores opened once, providers built on them.

This is the one place that knows every service; the edge looks providers up here by
botocore service name. Adding a service means adding one line to ``open_services``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from nubes.accounts import AccountStore
from nubes.config import Settings
from nubes.services.base import Provider
from nubes.services.logs.provider import LogsProvider
from nubes.services.logs.store import LogStore
from nubes.services.s3.provider import S3Provider
from nubes.storage.blobs import BlobStore
from nubes.storage.sqlite import Database

# Every service Nubes serves, by botocore service name (what the docs list as supported).
PROVIDER_CLASSES: Mapping[str, type[Provider]] = MappingProxyType({
    "s3": S3Provider,
    "logs": LogsProvider,
})


@dataclass
class Services:
    db: Database
    blobs: BlobStore
    accounts: AccountStore
    providers: dict[str, Provider] = field(default_factory=dict)

    def close(self) -> None:
        for provider in self.providers.values():
            provider.close()
        self.db.close()


def open_services(settings: Settings) -> Services:
    """Open the data directory and build every provider on it."""
    data_dir = settings.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(data_dir / "nubes.db", fsync=settings.fsync)
    accounts = AccountStore(db)
    accounts.ensure_default()
    blobs = BlobStore(data_dir / "blobs", fsync=settings.fsync)
    services = Services(db=db, blobs=blobs, accounts=accounts)
    services.providers["s3"] = S3Provider(db, blobs)
    services.providers["logs"] = LogsProvider(LogStore(db))
    return services
