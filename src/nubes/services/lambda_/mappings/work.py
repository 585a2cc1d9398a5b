"""What every poller shares: the store, the function gate, where on-failure records go,
the options, and this process's owner id for leases."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from nubes.services.lambda_.mappings.batches import FunctionGate
from nubes.services.lambda_.mappings.models import Mapping
from nubes.services.lambda_.mappings.store import MappingStore

# (mapping, destination ARN, JSON payload): send an on-failure record
Publish = Callable[[Mapping, str, str], None]


@dataclass(frozen=True)
class RunnerOptions:
    poll_s: float = 1.0  # idle streams are read, failed batches retried, this often
    lease_s: float = 30.0  # a dead process's shards and queues are taken over after this
    sqs_pollers: int = 5  # batches of one SQS mapping run at once (ScalingConfig caps it)


@dataclass(frozen=True)
class PollerContext:
    store: MappingStore
    gate: FunctionGate
    publish: Publish
    options: RunnerOptions
    owner: str

    def note(self, mapping: Mapping, result: str) -> None:
        """Record LastProcessingResult, when it changed."""
        if mapping.last_result != result:
            mapping.last_result = result
            self.store.set_result(mapping.uuid, result)
