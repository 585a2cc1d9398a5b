"""The running services of one Nubes process: stores opened once, providers built on them.

This is the one place that knows every service; the edge looks providers up here by
botocore service name. Adding a service means adding one line to ``open_services``. It
also wires the event bus to the services that receive events (``SqsTarget``,
``LambdaTarget``, ``SnsTarget``), so no service imports another.
"""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from nubes.accounts import AccountStore
from nubes.config import Settings
from nubes.edge.front_doors import EXECUTE_API, LAMBDA_URL, FrontDoors, HttpRequest
from nubes.errors import ServiceError
from nubes.events import policy
from nubes.events.bus import EventBus
from nubes.events.event import Access, DeliveryResult, Event, Target, arn_account
from nubes.metering import MeterStore, Metrics
from nubes.runtime.api import Invocation, TooManyRequests
from nubes.runtime.invoker import LocalInvoker
from nubes.runtime.options import InvokerOptions
from nubes.services.apigateway.door import RestApiDoor
from nubes.services.apigateway.functions import Called, CallStatus
from nubes.services.apigateway.provider import ApiGatewayProvider
from nubes.services.apigateway.store import ApiGatewayStore
from nubes.services.apigatewayv2.dataplane import FunctionUnavailable
from nubes.services.apigatewayv2.provider import ApiGatewayV2Provider
from nubes.services.apigatewayv2.store import HttpApiStore
from nubes.services.base import Provider, RequestContext
from nubes.services.dynamodb.provider import DynamoDBProvider
from nubes.services.dynamodb.store import DynamoStore
from nubes.services.dynamodb.streams.provider import DynamoDBStreamsProvider
from nubes.services.eventbridge.provider import EventBridgeProvider
from nubes.services.eventbridge.store import EventsStore
from nubes.services.kinesis.provider import KinesisProvider
from nubes.services.kinesis.store import KinesisStore
from nubes.services.lambda_.arns import parse_resource_arn
from nubes.services.lambda_.code import CodeNotFound
from nubes.services.lambda_.mappings.sources import Sources
from nubes.services.lambda_.mappings.work import RunnerOptions
from nubes.services.lambda_.provider import LambdaOptions, LambdaProvider, unreserved_limit
from nubes.services.lambda_.url_door import FunctionUrlDoor
from nubes.services.logs.provider import LogsProvider
from nubes.services.logs.store import LogStore
from nubes.services.mapping_sources import DynamoDBStreamAdapter, KinesisAdapter, QueueAdapter
from nubes.services.s3.provider import S3Provider
from nubes.services.sns.core import SnsOptions
from nubes.services.sns.provider import SnsProvider
from nubes.services.sns.store import SnsStore
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
    "events": EventBridgeProvider,
    "sns": SnsProvider,
    "apigateway": ApiGatewayProvider,
    "apigatewayv2": ApiGatewayV2Provider,
})


@dataclass
class Services:
    db: Database
    blobs: BlobStore
    accounts: AccountStore
    providers: dict[str, Provider] = field(default_factory=dict)
    meter: MeterStore | None = None
    invoker: LocalInvoker | None = None  # runs Lambda's functions (owned by its provider)
    bus: EventBus | None = None
    # The HTTP data plane: API Gateway's APIs and function URLs register their front
    # doors here (``front_doors.register("execute-api", door)``); the edge serves them.
    front_doors: FrontDoors = field(default_factory=FrontDoors)

    async def start(self) -> None:
        for provider in self.providers.values():
            await provider.start()
        if self.bus is not None:
            self.bus.start()

    async def stop(self) -> None:
        if self.bus is not None:
            await self.bus.close()
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


def allowed(target: Target, event: Event) -> bool:
    """Whether ``target`` takes ``event``: its destination's resource policy lets the
    source deliver, or (sent on behalf of a function) the destination exists in the
    function's account."""
    if event.as_function:
        return (arn_account(event.destination) == event.account_id and
                target.check(event.destination, event.principal, event.source_arn,
                             event.account_id) is not Access.MISSING)
    return target.check(event.destination, event.principal, event.source_arn,
                        event.account_id) is Access.ALLOWED


class SqsTarget:
    """The bus's deliveries into SQS queues: a message per event, the payload its body,
    with the event's ``MessageAttributes``, ``MessageGroupId`` and
    ``MessageDeduplicationId`` options (FIFO queues need a group)."""

    def __init__(self, sqs: SqsProvider) -> None:
        self.sqs = sqs

    def check(self, destination: str, principal: str, source_arn: str, source_account: str
              ) -> Access:
        queue = self.sqs.queue_by_arn(destination)
        if queue is None or (queue.fifo and principal == "s3.amazonaws.com"):
            return Access.MISSING  # S3 cannot notify FIFO queues
        request = policy.Request(principal, "sqs:SendMessage", destination, source_arn,
                                 source_account)
        statements = policy.statements_of(queue.attributes.get("Policy"))
        return Access.ALLOWED if policy.allows(statements, request) else Access.DENIED

    async def deliver(self, event: Event) -> DeliveryResult:
        if not allowed(self, event):
            return DeliveryResult.GONE
        options = event.options
        attributes = _binary_decoded(json.loads(options["MessageAttributes"])) \
            if "MessageAttributes" in options else None
        sent = self.sqs.send_internal(event.destination, event.payload, event.principal,
                                      attributes, options.get("MessageGroupId"),
                                      options.get("MessageDeduplicationId"))
        return DeliveryResult.DONE if sent is not None else DeliveryResult.GONE


def _binary_decoded(attributes: dict[str, dict[str, str]]) -> dict[str, dict[str, object]]:
    """SQS wire-form attributes (binary values base64, as JSON carries them) as
    ``send_internal`` takes them (binary values as bytes)."""
    return {name: {**value, "BinaryValue": base64.b64decode(value["BinaryValue"])}
            if "BinaryValue" in value else dict(value) for name, value in attributes.items()}


class SnsTarget:
    """The bus's deliveries to SNS. To a topic: the event's payload published as a message
    (``Subject`` from its options), if the topic's policy lets the source publish. To a
    subscription (an sqs or lambda one with a RedrivePolicy): handed on to its endpoint,
    and sent to its dead-letter queue if the endpoint is gone or refuses it."""

    def __init__(self, sns: SnsProvider, bus: EventBus) -> None:
        self.sns = sns
        self.bus = bus

    def check(self, destination: str, principal: str, source_arn: str, source_account: str
              ) -> Access:
        if destination.count(":") > 5:  # a subscription: only SNS itself delivers to one
            found = principal == "sns.amazonaws.com" and \
                self.sns.subscription_route(destination) is not None
            return Access.ALLOWED if found else Access.MISSING
        return self.sns.publisher_access(destination, principal, source_arn, source_account)

    async def deliver(self, event: Event) -> DeliveryResult:
        if not allowed(self, event):
            return DeliveryResult.GONE
        if event.destination.count(":") > 5:
            return await self._to_subscription(event)
        published = self.sns.publish_event(event)
        return DeliveryResult.DONE if published else DeliveryResult.GONE

    async def _to_subscription(self, event: Event) -> DeliveryResult:
        route = self.sns.subscription_route(event.destination)
        if route is None:
            return DeliveryResult.GONE  # unsubscribed meanwhile
        endpoint, dead_letters = route
        result = await self.bus.deliver(replace(event, destination=endpoint))
        if result is DeliveryResult.GONE and dead_letters is not None:
            self.bus.publish(replace(event, destination=dead_letters))
            return DeliveryResult.DONE
        return result


class LambdaTarget:
    """The bus's deliveries to functions: an asynchronous invocation per event, queued
    with Lambda's own retries, if the function's resource policy allows the source."""

    def __init__(self, lam: LambdaProvider) -> None:
        self.lam = lam

    def check(self, destination: str, principal: str, source_arn: str, source_account: str
              ) -> Access:
        statements = self.lam.resource_policy(destination)
        if statements is None:
            return Access.MISSING
        request = policy.Request(principal, "lambda:InvokeFunction", destination, source_arn,
                                 source_account)
        return Access.ALLOWED if policy.allows(statements, request) else Access.DENIED

    async def deliver(self, event: Event) -> DeliveryResult:
        if not allowed(self, event):
            return DeliveryResult.GONE
        queued = self.lam.enqueue_event(event.destination, event.payload.encode(),
                                        str(uuid.uuid4()))
        return DeliveryResult.DONE if queued else DeliveryResult.GONE


class GatewayFunctions:
    """API Gateway's calls to functions: the resource-policy check AWS makes (principal
    ``apigateway.amazonaws.com``, the execute-api source ARN), and a synchronous
    invocation through Lambda's own Invoke (concurrency, metering and logs apply)."""

    def __init__(self, lam: LambdaProvider) -> None:
        self.lam = lam
        self.target = LambdaTarget(lam)

    def may_invoke(self, function_arn: str, source_arn: str, account_id: str) -> bool:
        access = self.target.check(function_arn, "apigateway.amazonaws.com", source_arn,
                                   account_id)
        return access is Access.ALLOWED

    async def invoke(self, function_arn: str, payload: bytes, request: HttpRequest,
                     request_id: str) -> tuple[bytes, str | None]:
        parts = function_arn.split(":")
        ctx = RequestContext(request=request.original, request_id=request_id,
                             service="lambda", account_id=parts[4], region=parts[3])
        try:
            out = await self.lam.invoke(ctx, {"FunctionName": function_arn,
                                              "Payload": payload})
        except ServiceError as error:
            raise FunctionUnavailable(f"{error.code}: {error.message}") from None
        return bytes(out.get("Payload") or b""), out.get("FunctionError")


class RestApiFunctions:
    """REST APIs' calls to functions (``apigateway.FunctionCaller``): the resource-policy
    check AWS makes (principal ``apigateway.amazonaws.com``, the execute-api source ARN),
    then a synchronous invocation on Invoke's path (concurrency, metering, logs), answered
    as a timeout once the integration's timeout passes (the invocation runs on)."""

    def __init__(self, lam: LambdaProvider) -> None:
        self.lam = lam
        self.target = LambdaTarget(lam)

    async def call(self, function_arn: str, payload: bytes, *, source_arn: str,
                   source_account: str, timeout_s: float) -> Called:
        access = self.target.check(function_arn, "apigateway.amazonaws.com", source_arn,
                                   source_account)
        if access is Access.MISSING:
            return Called(CallStatus.MISSING)
        if access is Access.DENIED:
            return Called(CallStatus.FORBIDDEN)
        lam = self.lam
        try:
            ref = parse_resource_arn(function_arn)
            fv = lam.route(ref, lam.specs.version)
        except ServiceError:
            return Called(CallStatus.MISSING)
        if not fv.ready:
            return Called(CallStatus.NOT_READY)
        invocation = Invocation(request_id=str(uuid.uuid4()), payload=payload,
                                invoked_arn=ref.qualified_arn)
        spec = await lam.spec(fv)
        task = asyncio.ensure_future(lam.invoker.invoke(spec, invocation))
        try:
            result = await asyncio.wait_for(asyncio.shield(task), timeout_s)
        except TimeoutError:
            task.add_done_callback(lambda done: done.cancelled() or done.exception())
            return Called(CallStatus.TIMEOUT)
        except TooManyRequests:
            return Called(CallStatus.THROTTLED)
        if result.function_error:
            return Called(CallStatus.FUNCTION_ERROR, result.payload)
        return Called(CallStatus.OK, result.payload)


class EventsTarget:
    """The bus's deliveries to event buses: a rule's event put onto another bus (of the
    same account, or one whose policy allows the rule's), or a function's destination
    record put on a bus as an event."""

    def __init__(self, events: EventBridgeProvider) -> None:
        self.events = events

    def check(self, destination: str, principal: str, source_arn: str, source_account: str
              ) -> Access:
        bus = self.events.bus_at(destination)
        if bus is None:
            return Access.MISSING
        return Access.ALLOWED if self.events.may_put(bus, source_account) else Access.DENIED

    async def deliver(self, event: Event) -> DeliveryResult:
        if not allowed(self, event):
            return DeliveryResult.GONE
        return DeliveryResult.DONE if self.events.put_internal(event) else DeliveryResult.GONE


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
    bus = EventBus(db)
    services = Services(db=db, blobs=blobs, accounts=accounts, bus=bus)
    services.providers["s3"] = s3 = S3Provider(db, blobs, bus)
    dynamo = DynamoStore(db)  # shared by the DynamoDB and DynamoDB Streams providers
    services.providers["dynamodb"] = DynamoDBProvider(dynamo)
    services.providers["dynamodbstreams"] = DynamoDBStreamsProvider(dynamo)
    kinesis = KinesisStore(db)
    services.providers["kinesis"] = KinesisProvider(kinesis)
    services.providers["sqs"] = sqs = SqsProvider(SqsStore(db))
    bus.register("sqs", SqsTarget(sqs))
    sns_options = SnsOptions(data_dir, endpoint=settings.endpoint,
                             retry_delay_scale=settings.sns_retry_delay_scale)
    services.providers["sns"] = sns = SnsProvider(SnsStore(db), bus, sns_options)
    bus.register("sns", SnsTarget(sns, bus))
    logs = LogStore(db)
    services.providers["logs"] = LogsProvider(logs)
    services.meter = MeterStore(db, Metrics())
    invoker = LocalInvoker(_invoker_options(settings, accounts, db), logs, services.meter)
    services.invoker = invoker
    lambda_options = LambdaOptions(data_dir, account_concurrency=settings.account_concurrency,
                                   async_retry_delays=settings.lambda_async_retry_delays,
                                   runtimes=frozenset(invoker.available_runtimes()))
    lambda_blobs = BlobStore(data_dir / "lambda" / "blobs", fsync=settings.fsync)  # its own
    services.providers["lambda"] = lam = LambdaProvider(db, lambda_blobs, lambda_options,
                                                        invoker, S3CodeSource(s3), bus)
    bus.register("lambda", LambdaTarget(lam))
    services.front_doors.register(LAMBDA_URL, FunctionUrlDoor(lam, accounts))  # function URLs
    services.providers["events"] = events = EventBridgeProvider(EventsStore(db), bus)
    bus.register("events", EventsTarget(events))
    rest_apis = ApiGatewayStore(db)
    services.providers["apigateway"] = ApiGatewayProvider(  # ids unique across REST, HTTP APIs
        rest_apis, id_taken=lambda api_id: services.front_doors.door_for(
            EXECUTE_API, api_id) is not None)
    services.front_doors.register(  # REST APIs' data plane
        EXECUTE_API, RestApiDoor(rest_apis, RestApiFunctions(lam), accounts))
    http_apis = ApiGatewayV2Provider(  # ids unique across REST and HTTP APIs
        HttpApiStore(db), GatewayFunctions(lam), keys=accounts,
        id_taken=lambda api_id: services.front_doors.door_for(EXECUTE_API, api_id) is not None)
    services.providers["apigatewayv2"] = http_apis
    services.front_doors.register(EXECUTE_API, http_apis.door)
    lam.connect_sources(  # what event source mappings read
        Sources(QueueAdapter(sqs), KinesisAdapter(kinesis), DynamoDBStreamAdapter(dynamo.streams)),
        RunnerOptions(settings.lambda_mapping_poll_interval, settings.lambda_mapping_lease))
    return services
