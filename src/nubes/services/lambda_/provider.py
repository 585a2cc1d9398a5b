"""The Lambda provider: the operation groups assembled into one class for the edge.

Construct with the metadata ``Database``, a ``BlobStore`` of Lambda's own (deployment
packages; blobs no package names are deleted at start-up), the ``LambdaOptions``, the
runtime's ``Invoker``, a ``CodeSource`` reading packages from Nubes S3, and the event
``bus`` carrying what functions send elsewhere. ``start`` (in the server's event loop)
starts the queued-invocation worker and finishes preparing code a previous process left
Pending; ``aclose`` stops them.
"""

from __future__ import annotations

import logging
from typing import ClassVar

from nubes.events.bus import EventBus
from nubes.runtime.api import Invoker
from nubes.services.base import Provider
from nubes.services.lambda_.arns import FunctionRef
from nubes.services.lambda_.code import CodeSource
from nubes.services.lambda_.concurrency import ConcurrencyOps
from nubes.services.lambda_.core import LambdaCore, LambdaOptions
from nubes.services.lambda_.function_urls import FunctionUrlOps
from nubes.services.lambda_.functions import FunctionOps
from nubes.services.lambda_.invoke import InvokeOps
from nubes.services.lambda_.invoke_config import InvokeConfigOps
from nubes.services.lambda_.invoke_config_store import InvokeConfigStore
from nubes.services.lambda_.layers import LayerOps
from nubes.services.lambda_.mapping_ops import MappingOps
from nubes.services.lambda_.permissions import PermissionOps
from nubes.services.lambda_.store import unreserved_limit
from nubes.services.lambda_.url_store import FunctionUrlStore
from nubes.services.lambda_.versions import VersionOps
from nubes.services.lambda_.worker import EventWorker
from nubes.storage.blobs import BlobStore, BlobStream
from nubes.storage.sqlite import Database

__all__ = ["LambdaOptions", "LambdaProvider", "unreserved_limit"]

log = logging.getLogger(__name__)


class LambdaProvider(FunctionOps, VersionOps, MappingOps, InvokeOps, InvokeConfigOps,
                     LayerOps, PermissionOps, ConcurrencyOps, FunctionUrlOps, Provider):
    service_name: ClassVar[str] = "lambda"

    def __init__(self, db: Database, blobs: BlobStore, options: LambdaOptions,
                 invoker: Invoker, code_source: CodeSource, bus: EventBus | None = None
                 ) -> None:
        Provider.__init__(self)
        LambdaCore.__init__(self, db, blobs, options, invoker, code_source, bus)
        self.invoke_configs = InvokeConfigStore(db)
        self.urls = FunctionUrlStore(db)
        self.init_mappings(db)
        self.worker = EventWorker(self.events, self.run_event, options.async_retry_delays,
                                  options.async_max_in_flight, options.async_lease_s)

    async def start(self) -> None:
        """Start background work: the event worker, the event source mappings' pollers,
        and code left Pending by a crash."""
        self.worker.start()
        self.start_mappings()
        for fv in self.store.pending_versions():
            ref = FunctionRef(fv.account_id, fv.region, fv.name)
            self.background.spawn(self.settle(ref, fv.code_sha))

    async def aclose(self) -> None:
        """Stop the worker, the pollers and background tasks, then the sandboxes."""
        await self.worker.close()
        await self.stop_mappings()
        await self.background.cancel()
        await self.invoker.close()

    def code_download(self, sha: str, query: dict[str, str]) -> tuple[BlobStream, int] | None:
        """The zip a GetFunction Code.Location link names, if the link is valid."""
        return self.code.open_download(sha, query.get("Expires", ""),
                                       query.get("Signature", ""))
