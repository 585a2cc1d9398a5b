"""Event source mappings: Create/Get/Update/Delete/ListEventSourceMappings, and the
function side of the pollers (``FunctionGate``) that run batches through the invoker.

The mappings and their checkpoints live in ``mappings.store``; the pollers
(``mappings.runner``) start with the provider once ``connect_sources`` gave them the
queues and streams to read, which ``services.registry`` provides.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from typing import Any

from nubes.errors import ServiceError
from nubes.events.event import Event, arn_account
from nubes.runtime.api import Invocation, Outcome, TooManyRequests
from nubes.services.base import RequestContext
from nubes.services.lambda_ import exceptions as exc
from nubes.services.lambda_.arns import LATEST, FunctionRef, parse_resource_arn
from nubes.services.lambda_.invoke import InvokeOps
from nubes.services.lambda_.mappings import params as checks
from nubes.services.lambda_.mappings.batches import Result, Status
from nubes.services.lambda_.mappings.exceptions import in_use, mapping_not_found
from nubes.services.lambda_.mappings.models import SETTLED, Kind, Mapping, State, kind_of
from nubes.services.lambda_.mappings.runner import MappingRunner
from nubes.services.lambda_.mappings.sources import Sources
from nubes.services.lambda_.mappings.store import MappingStore
from nubes.services.lambda_.mappings.work import RunnerOptions
from nubes.storage.sqlite import Database

log = logging.getLogger(__name__)

DEFAULT_PAGE = 100
NO_QUEUE = ("Error occurred while ReceiveMessage. SQS Error Code: "
            "AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue "
            "does not exist for this wsdl version.")
STREAM_ACTIONS = {Kind.KINESIS: "GetRecords, GetShardIterator, DescribeStream, and ListShards",
                  Kind.DYNAMODB: "GetRecords, GetShardIterator, DescribeStream, and ListStreams"}


class MappingOps(InvokeOps):
    def init_mappings(self, db: Database) -> None:
        self.mappings = MappingStore(db)
        self.sources = Sources()
        self.mapping_options = RunnerOptions()
        self.mapping_runner: MappingRunner | None = None

    def connect_sources(self, sources: Sources, options: RunnerOptions) -> None:
        """Give the pollers the queues and streams they read (before ``start``)."""
        self.sources, self.mapping_options = sources, options

    def start_mappings(self) -> None:
        if self.mapping_runner is None:
            self.mapping_runner = MappingRunner(self.mappings, self.sources, self,
                                                self._send_failure, self.mapping_options)
        self.mapping_runner.start()

    async def stop_mappings(self) -> None:
        if self.mapping_runner is not None:
            await self.mapping_runner.close()
            self.mapping_runner = None

    def _wake_mappings(self) -> None:
        if self.mapping_runner is not None:
            self.mapping_runner.wake()

    # -- operations ---------------------------------------------------------------------

    def create_event_source_mapping(self, ctx: RequestContext, params: dict[str, Any]
                                    ) -> dict[str, Any]:
        source_arn = str(params.get("EventSourceArn") or "")
        kind = kind_of(source_arn)
        if kind is None:
            raise exc.InvalidParameterValue(
                "Unrecognized event source, must be kinesis, dynamodb stream or sqs.")
        checks.check_supported(params, kind)
        ref = self.ref(ctx, params)
        self.resolve(ref)
        fifo = self._check_source(ctx, kind, source_arn)
        position, stamp = checks.starting_position(params, kind, source_arn)
        function_arn = ref.qualified_arn
        for other in self.mappings.find(ctx.account_id, ctx.region, source_arn):
            if other.function_arn == function_arn:
                raise _duplicate(other, ref.name)
        mapping = Mapping(
            uuid=str(uuid.uuid4()), account_id=ctx.account_id, region=ctx.region,
            function_arn=function_arn, source_arn=source_arn, kind=kind,
            enabled=params.get("Enabled") is not False, state=State.CREATING,
            last_modified=time.time(), batch_size=checks.DEFAULT_BATCH[kind],
            starting_position=position, starting_timestamp=stamp)
        checks.apply(mapping, params, fifo)
        self.mappings.put(mapping)
        self._wake_mappings()
        ctx.status = 202
        return mapping.describe()

    def get_event_source_mapping(self, ctx: RequestContext, params: dict[str, Any]
                                 ) -> dict[str, Any]:
        return self._mapping(ctx, params).describe()

    def update_event_source_mapping(self, ctx: RequestContext, params: dict[str, Any]
                                    ) -> dict[str, Any]:
        mapping = self._mapping(ctx, params)
        if mapping.state not in SETTLED:
            raise in_use(mapping.state.value)
        checks.check_supported(params, mapping.kind)
        if params.get("FunctionName"):
            ref = self.ref(ctx, params)
            self.resolve(ref)
            for other in self.mappings.find(ctx.account_id, ctx.region, mapping.source_arn):
                if other.function_arn == ref.qualified_arn and other.uuid != mapping.uuid:
                    raise _duplicate(other, ref.name)
            mapping.function_arn = ref.qualified_arn
        fifo = False
        if mapping.kind is Kind.SQS and self.sources.sqs is not None:
            facts = self.sources.sqs.queue(mapping.source_arn)
            fifo = facts is not None and facts.fifo
        checks.apply(mapping, params, fifo)
        enabled = params.get("Enabled")
        if enabled is not None and bool(enabled) != mapping.enabled:
            mapping.enabled = bool(enabled)
            mapping.state = State.ENABLING if mapping.enabled else State.DISABLING
        else:
            mapping.state = State.UPDATING
        mapping.last_modified = time.time()
        self.mappings.put(mapping)
        self._wake_mappings()
        ctx.status = 202
        return mapping.describe()

    def delete_event_source_mapping(self, ctx: RequestContext, params: dict[str, Any]
                                    ) -> dict[str, Any]:
        mapping = self._mapping(ctx, params)
        if mapping.state is State.DELETING:
            raise in_use(mapping.state.value)
        mapping.state = State.DELETING
        self.mappings.put(mapping)
        self._wake_mappings()
        ctx.status = 202
        return mapping.describe()

    def list_event_source_mappings(self, ctx: RequestContext, params: dict[str, Any]
                                   ) -> dict[str, Any]:
        found = self.mappings.find(ctx.account_id, ctx.region, params.get("EventSourceArn"))
        if params.get("FunctionName"):
            ref = self.ref(ctx, params)
            found = [m for m in found if _same_function(m, ref)]
        marker = params.get("Marker") or ""
        limit = int(params.get("MaxItems") or DEFAULT_PAGE)
        page = [m for m in found if m.uuid > marker][:limit]
        out: dict[str, Any] = {"EventSourceMappings": [m.describe() for m in page]}
        if page and any(m.uuid > page[-1].uuid for m in found):
            out["NextMarker"] = page[-1].uuid
        return out

    def _mapping(self, ctx: RequestContext, params: dict[str, Any]) -> Mapping:
        mapping = self.mappings.get(str(params.get("UUID") or ""))
        if mapping is None or (mapping.account_id, mapping.region) != (ctx.account_id,
                                                                        ctx.region):
            raise mapping_not_found()
        return mapping

    def _check_source(self, ctx: RequestContext, kind: Kind, arn: str) -> bool:
        """Whether the source (in the caller's account) exists; True for a FIFO queue."""
        mine = arn_account(arn) == ctx.account_id
        if kind is Kind.SQS:
            facts = self.sources.sqs.queue(arn) if self.sources.sqs and mine else None
            if facts is None:
                raise exc.InvalidParameterValue(NO_QUEUE)
            return facts.fifo
        source = self.sources.kinesis if kind is Kind.KINESIS else self.sources.dynamodb
        if source is None or not mine or source.shards(arn) is None:
            raise exc.InvalidParameterValue(
                f"Cannot access stream {arn}. Please ensure the role can perform the "
                f"{STREAM_ACTIONS[kind]} Actions on your stream in IAM.")
        return False

    # -- FunctionGate: what the pollers run --------------------------------------------

    def problem(self, mapping: Mapping) -> str | None:
        try:
            fv = self.resolve(parse_resource_arn(mapping.function_arn), self.specs.version)
        except ServiceError:
            return "PROBLEM: Function not found."
        return None if fv.ready else f"PROBLEM: Function is {fv.state.value}."

    async def invoke_batch(self, mapping: Mapping, payload: bytes,
                           deadline: float | None = None) -> Result:
        """Run the mapping's function on one batch, synchronously; throttles are waited
        out here (until ``deadline``, if given) and never count as failures."""
        ref = parse_resource_arn(mapping.function_arn)
        while True:
            try:
                fv = self.route(ref, self.specs.version)
            except ServiceError:
                return Result(Status.UNAVAILABLE, problem="PROBLEM: Function not found.")
            if not fv.ready:
                return Result(Status.UNAVAILABLE,
                              problem=f"PROBLEM: Function is {fv.state.value}.")
            request_id = str(uuid.uuid4())
            invocation = Invocation(request_id=request_id, payload=payload,
                                    invoked_arn=ref.qualified_arn)
            try:
                result = await self.invoker.invoke(await self.spec(fv), invocation)
            except TooManyRequests:
                if deadline is not None and time.time() + self.mapping_options.poll_s > deadline:
                    return Result(Status.THROTTLED, problem="PROBLEM: Function throttled.")
                await asyncio.sleep(self.mapping_options.poll_s)
                continue
            status = Status.OK if result.outcome is Outcome.SUCCESS else Status.FAILED
            return Result(status, request_id, result.payload, result.function_error,
                          fv.version)

    def invoke_identity(self, mapping: Mapping) -> str:
        ref = parse_resource_arn(mapping.function_arn)
        fv = self.store.version(ref.account_id, ref.region, ref.name, LATEST)
        return str(fv.config.get("Role") or "") if fv is not None else ""

    def _send_failure(self, mapping: Mapping, destination: str, payload: str) -> None:
        if self.bus is None:
            log.warning("lambda: no event bus; on-failure record of %s dropped", mapping.uuid)
            return
        self.bus.publish(Event(
            source="lambda", account_id=mapping.account_id, region=mapping.region,
            detail_type="Event Source Mapping Failure", destination=destination,
            source_arn=parse_resource_arn(mapping.function_arn).arn, payload=payload))


def _same_function(mapping: Mapping, ref: FunctionRef) -> bool:
    mine = parse_resource_arn(mapping.function_arn)
    return (mine.account_id, mine.region, mine.name) == (ref.account_id, ref.region,
                                                         ref.name) and (
        ref.qualifier is None or mine.qualifier == ref.qualifier)


def _duplicate(other: Mapping, function: str) -> ServiceError:
    if other.kind is Kind.SQS:
        return exc.ResourceConflict(
            f'An event source mapping with SQS arn (" {other.source_arn} ") and function '
            f'(" {function} ") already exists. Please update or delete the existing mapping '
            f"with UUID {other.uuid}")
    return exc.ResourceConflict(
        f'The event source arn (" {other.source_arn} ") and function (" {function} ") '
        f"provided mapping already exists. Please update or delete the existing mapping "
        f"with UUID {other.uuid}")
