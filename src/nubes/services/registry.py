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
from nubes.metering import MeterStore, Metrics
from nubes.runtime.invoker import LocalInvoker
from nubes.runtime.options import InvokerOptions
from nubes.services.base import Provider
from nubes.services.dynamodb.provider import DynamoDBProvider
from nubes.services.dynamodb.store import DynamoStore
from nubes.services.dynamodb.streams.provider import DynamoDBStreamsProvider
from nubes.services.kinesis.provider import KinesisProvider
from nubes.services.kinesis.store import KinesisStore
from nubes.services.lambda_.code import CodeNotFound
from nubes.services.lambda_.provider import LambdaOptions, LambdaProvider, unreserved_limit
from nubes.services.logs.provider import LogsProvider
from nubes.services.logs.store import LogStore
from nubes.services.s3.provider import S3Provider
from nubes.services.sqs.provider import SqsProvider
from nubes.services.sqs.store import SqsStore
from nubes.storage.blobs import BlobStore
from nubes.storage.sqlite import Database

# Every service Nubes serves, by botocore service name (what the docs list as supported).
PROVIDER_CLASSES: Mapping[str, type[Provider]] = MappingProxyType({
    "s3": S3Provider,
    "logs": LogsProvider,
    "lambda": LambdaProvider,
    "dynamodb": DynamoDBProvider,
    "dynamodbstreams": DynamoDBStreamsProvider,
    "sqs": SqsProvider,
    "kinesis": KinesisProvider,
})


@dataclass
class Services:
    db: Database
    blobs: BlobStore
    accounts: AccountStore
    providers: dict[str, Provider] = field(default_factory=dict)
    meter: MeterStore | None = None
    invoker: LocalInvoker | None = None  # runs Lambda's functions (owned by its provider)

    async def start(self) -> None:
        for provider in self.providers.values():
            await provider.start()

    async def stop(self) -> None:
        for provider in self.providers.values():
            await provider.aclose()

    def close(self) -> None:
        for provider in self.providers.values():
            provider.close()
        if self.meter is not None:
            self.meter.flush()
        self.db.close()


class S3CodeSource:
    """Lambda's deployment packages read from Nubes S3, in the caller's account."""

    def __init__(self, s3: S3Provider) -> None:
        self.s3 = s3

    def fetch(self, account_id: str, bucket: str, key: str, version_id: str | None
              ) -> bytes:
        found = self.s3.store.get_bucket(bucket)
        if found is None or found.account_id != account_id:
            raise CodeNotFound("NoSuchBucket", "The specified bucket does not exist")
        store = self.s3.store
        obj = store.version(bucket, key, version_id) if version_id else store.latest(bucket, key)
        if obj is None or obj.delete_marker:
            raise CodeNotFound("NoSuchKey", "The specified key does not exist.")
        return self.s3.blobs.read_all(obj.blob_id) if obj.blob_id else b""


def _invoker_options(settings: Settings, accounts: AccountStore, db: Database
                     ) -> InvokerOptions:
    def credentials_for(account_id: str) -> tuple[str, str]:
        keys = [k for k in accounts.list_keys() if k.account_id == account_id]
        return (keys[0].access_key, keys[0].secret_key) if keys else ("test", "test")

    return InvokerOptions(
        work_dir=settings.data_dir / "lambda" / "sandboxes",
        keep_alive_s=settings.lambda_keep_alive,
        account_concurrency=settings.account_concurrency,
        unreserved_limit=unreserved_limit(db, settings.account_concurrency),
        credentials_for=credentials_for,
        endpoint_url=f"http://127.0.0.1:{settings.port}",
        hidden_paths=(settings.data_dir,),
    )


def open_services(settings: Settings) -> Services:
    """Open the data directory and build every provider on it."""
    data_dir = settings.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(data_dir / "nubes.db", fsync=settings.fsync)
    accounts = AccountStore(db)
    accounts.ensure_default()
    blobs = BlobStore(data_dir / "blobs", fsync=settings.fsync)
    services = Services(db=db, blobs=blobs, accounts=accounts)
    services.providers["s3"] = s3 = S3Provider(db, blobs)
    dynamo = DynamoStore(db)  # shared by the DynamoDB and DynamoDB Streams providers
    services.providers["dynamodb"] = DynamoDBProvider(dynamo)
    services.providers["dynamodbstreams"] = DynamoDBStreamsProvider(dynamo)
    services.providers["kinesis"] = KinesisProvider(KinesisStore(db))
    services.providers["sqs"] = SqsProvider(SqsStore(db))
    logs = LogStore(db)
    services.providers["logs"] = LogsProvider(logs)
    services.meter = MeterStore(db, Metrics())
    invoker = LocalInvoker(_invoker_options(settings, accounts, db), logs, services.meter)
    services.invoker = invoker
    lambda_options = LambdaOptions(data_dir, account_concurrency=settings.account_concurrency,
                                   async_retry_delays=settings.lambda_async_retry_delays,
                                   runtimes=frozenset(invoker.available_runtimes()))
    lambda_blobs = BlobStore(data_dir / "lambda" / "blobs", fsync=settings.fsync)  # its own
    services.providers["lambda"] = LambdaProvider(db, lambda_blobs, lambda_options, invoker,
                                                  S3CodeSource(s3))
    return services
