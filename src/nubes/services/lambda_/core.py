"""What every part of the Lambda provider shares: the stores, the package store, the
invoker, options, background work, and finding the function or version a request names."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nubes.errors import ServiceError
from nubes.events.bus import EventBus
from nubes.runtime.api import Invoker
from nubes.services.background import BackgroundTasks
from nubes.services.base import RequestContext
from nubes.services.lambda_ import exceptions as exc
from nubes.services.lambda_.arns import LATEST, FunctionRef, parse_function
from nubes.services.lambda_.code import CodeNotFound, CodeSource, CodeStore, Package, read_package
from nubes.services.lambda_.event_store import EventStore
from nubes.services.lambda_.layer_store import LayerStore
from nubes.services.lambda_.models import (
    MAX_ZIP_DIRECT,
    Alias,
    FunctionVersion,
    LayerVersion,
    State,
    UpdateStatus,
    new_revision,
)
from nubes.services.lambda_.runtimes import host_runtimes
from nubes.services.lambda_.spec_cache import SpecCache
from nubes.services.lambda_.store import LambdaStore
from nubes.storage.blobs import BlobStore
from nubes.storage.sqlite import Database

log = logging.getLogger(__name__)

# (account, region, function name, version) -> the version, or None
VersionLoader = Callable[[str, str, str, str], FunctionVersion | None]


@dataclass(frozen=True)
class LambdaOptions:
    data_dir: Path
    account_concurrency: int = 1000  # ConcurrentExecutions of every account
    async_retry_delays: tuple[float, ...] = (60.0, 120.0)  # after the 1st and 2nd failure
    async_max_in_flight: int = 64  # events run at once by this process
    async_lease_s: float = 15.0  # renewed while running: a dead worker's events rerun after
    runtimes: frozenset[str] = field(default_factory=host_runtimes)


class LambdaCore:
    """State shared by the operation groups the provider is assembled from."""

    def __init__(self, db: Database, blobs: BlobStore, options: LambdaOptions,
                 invoker: Invoker, code_source: CodeSource, bus: EventBus | None = None
                 ) -> None:
        self.options = options
        self.bus = bus  # where destinations, dead-letter queues and mappings' failures go
        self.store = LambdaStore(db)
        self.layers = LayerStore(db)
        self.events = EventStore(db)
        self.specs = SpecCache(self.store)  # what invocations run, while unchanged
        self.code = CodeStore(db, blobs, options.data_dir / "lambda" / "code")
        self.invoker = invoker
        self.code_source = code_source
        self.background = BackgroundTasks("lambda")

    # -- naming -------------------------------------------------------------------------

    def ref(self, ctx: RequestContext, params: dict[str, Any],
            member: str = "FunctionName") -> FunctionRef:
        return parse_function(ctx.account_id, ctx.region, params[member],
                              params.get("Qualifier"))

    def latest(self, ref: FunctionRef) -> FunctionVersion:
        """$LATEST of the function, or ResourceNotFoundException naming it."""
        fv = self.store.version(ref.account_id, ref.region, ref.name, LATEST)
        if fv is None:
            raise exc.function_not_found(ref.arn)
        return fv

    def alias_of(self, ref: FunctionRef, name: str) -> Alias | None:
        return self.store.alias(ref.account_id, ref.region, ref.name, name)

    def resolve(self, ref: FunctionRef, load: VersionLoader | None = None
                ) -> FunctionVersion:
        """The version a qualifier names: $LATEST, a number, or an alias's version
        (``load``: how versions are read, ``store.version`` by default)."""
        load = load or self.store.version
        qualifier = ref.qualifier or LATEST
        version = qualifier
        if not qualifier.isdigit() and qualifier != LATEST:
            alias = self.alias_of(ref, qualifier)
            if alias is None:
                self.latest(ref)  # the function itself missing is reported first
                raise exc.function_not_found(ref.qualified_arn)
            version = alias.version
        fv = load(ref.account_id, ref.region, ref.name, version)
        if fv is None:
            self.latest(ref)
            raise exc.function_not_found(ref.qualified_arn)
        return fv

    def route(self, ref: FunctionRef, load: VersionLoader | None = None) -> FunctionVersion:
        """The version an invocation runs: an alias's weights decide between two."""
        qualifier = ref.qualifier
        if qualifier and not qualifier.isdigit() and qualifier != LATEST:
            alias = self.alias_of(ref, qualifier)
            if alias is not None and alias.weights:
                target, weight = next(iter(alias.weights.items()))
                if random.random() < weight:
                    chosen = FunctionRef(ref.account_id, ref.region, ref.name, target)
                    return self.resolve(chosen, load)
        return self.resolve(ref, load)

    def layer_sizes(self, fv: FunctionVersion) -> dict[str, int]:
        sizes: dict[str, int] = {}
        for arn in fv.config.get("Layers") or []:
            layer = self.layer_by_arn(arn)
            sizes[arn] = layer.code_size if layer else 0
        return sizes

    def layer_by_arn(self, arn: str) -> LayerVersion | None:
        _, _, rest = arn.partition(":layer:")
        name, _, version = rest.partition(":")
        account, region = arn.split(":")[4], arn.split(":")[3]
        if not version.isdigit():
            return None
        return self.layers.get(account, region, name, int(version))

    # -- packages -----------------------------------------------------------------------

    def package(self, ctx: RequestContext, params: dict[str, Any], operation: str) -> Package:
        """The zip a request gives (ZipFile, or S3Bucket/S3Key), checked and kept."""
        data = params.get("ZipFile")
        if data is not None:
            if len(data) > MAX_ZIP_DIRECT:
                limit = (MAX_ZIP_DIRECT * 4 + 2) // 3 + 1024
                raise exc.RequestEntityTooLarge(
                    f"Request must be smaller than {limit} bytes for the {operation} operation")
        elif params.get("S3Bucket") and params.get("S3Key"):
            data = self._fetch(ctx, params)
        else:
            raise exc.InvalidParameterValue(
                "Please provide a source for function code.")
        package = read_package(bytes(data))
        self.code.save(package)
        return package

    def _fetch(self, ctx: RequestContext, params: dict[str, Any]) -> bytes:
        try:
            return self.code_source.fetch(ctx.account_id, params["S3Bucket"], params["S3Key"],
                                          params.get("S3ObjectVersion"))
        except CodeNotFound as missing:
            raise exc.InvalidParameterValue(
                f"Error occurred while GetObject. S3 Error Code: {missing.s3_code}. S3 Error "
                f"Message: {missing.s3_message}") from None

    def collect_code(self, shas: list[str]) -> None:
        self.code.collect(shas, lambda sha: self.store.code_in_use(sha)
                          or self.layers.code_in_use(sha))

    def code_location(self, ctx: RequestContext, sha: str) -> dict[str, str]:
        return {"RepositoryType": "S3",
                "Location": f"{ctx.endpoint}{self.code.download_path(sha)}"}

    # -- states -------------------------------------------------------------------------

    async def settle(self, ref: FunctionRef, sha: str) -> None:
        """Make the code of a new or updated function ready, then mark it Active and the
        update Successful (or Failed, saying why)."""
        error: str | None = None
        try:
            await self.code.ensure(sha)
            for arn in self.latest(ref).config.get("Layers") or []:
                layer = self.layer_by_arn(arn)
                if layer is not None:
                    await self.code.ensure(layer.code_sha)
            await self.invoker.evict((ref.account_id, ref.region, ref.name))
        except ServiceError as failure:
            error = failure.message
        except (OSError, RuntimeError) as failure:
            log.exception("lambda: preparing %s failed", ref.arn)
            error = str(failure)
        for fv in self.store.versions(ref.account_id, ref.region, ref.name):
            if fv.code_sha == sha and (fv.state is State.PENDING
                                       or fv.update_status is UpdateStatus.IN_PROGRESS):
                self.store.put_version(_settled(fv, error))


def _settled(fv: FunctionVersion, error: str | None) -> FunctionVersion:
    fv.revision_id = new_revision()
    if error is None:
        fv.state, fv.state_reason, fv.state_reason_code = State.ACTIVE, None, None
        fv.update_status, fv.update_reason, fv.update_reason_code = (
            UpdateStatus.SUCCESSFUL, None, None)
    elif fv.state is State.PENDING:
        fv.state, fv.state_reason, fv.state_reason_code = State.FAILED, error, "InvalidZipFile"
        fv.update_status = UpdateStatus.FAILED
    else:
        fv.update_status, fv.update_reason, fv.update_reason_code = (
            UpdateStatus.FAILED, error, "InvalidZipFile")
    fv.last_modified = fv.last_modified or time.time()
    return fv
