"""Event source mapping fixtures: a server of their own whose pollers look at idle streams
and retry failed batches every 0.1 s and hold leases for 2 s (so a killed server's work
is taken over quickly), clients for it, and functions that report what they got.

The function sends each event it gets to a "record" queue (``RECORD_URL``; of an event
over 200 KB, only each record's ``messageId`` and ``size``), then acts
as ``MODE`` says: ``ok`` returns; ``fail`` raises; ``poison`` raises when a record
contains the text "poison"; ``report`` answers ReportBatchItemFailures naming the
records that contain "poison"; ``answer`` returns the JSON in ``ANSWER``.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.server import NubesServer, client_factory, with_settings
from tests.services.lambda_.conftest import ROLE, make_zip

CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
SETTINGS = "lambda_mapping_poll_interval = 0.1\nlambda_mapping_lease = 2.0\n"

HANDLER = '''
import base64, json, os
import boto3

sqs = boto3.client("sqs")


def _text(record):
    if "kinesis" in record:
        return base64.b64decode(record["kinesis"]["data"]).decode()
    if "body" in record:
        return record["body"]
    return json.dumps(record.get("dynamodb", {}))


def _id(record):
    if "messageId" in record:
        return record["messageId"]
    if "kinesis" in record:
        return record["kinesis"]["sequenceNumber"]
    return record["dynamodb"]["SequenceNumber"]


def handler(event, context):
    body = json.dumps(event)
    if len(body) > 200_000:  # too big for the record queue: ids and sizes only
        body = json.dumps({"Records": [{"messageId": r.get("messageId"),
                                        "size": len(json.dumps(r))} for r in event["Records"]]})
    sqs.send_message(QueueUrl=os.environ["RECORD_URL"], MessageBody=body)
    mode = os.environ.get("MODE", "ok")
    poisoned = [r for r in event.get("Records", []) if "poison" in _text(r)]
    if mode == "fail" or (mode == "poison" and poisoned):
        raise RuntimeError("the batch failed")
    if mode == "report":
        return {"batchItemFailures": [{"itemIdentifier": _id(r)} for r in poisoned]}
    if mode == "answer":
        return json.loads(os.environ["ANSWER"])
    return "ok"
'''


def start_server(data_dir: Any, port: int | None = None) -> NubesServer:
    return NubesServer(with_settings(data_dir, SETTINGS), port).start()


@pytest.fixture(scope="session")
def mapping_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NubesServer]:
    server = start_server(tmp_path_factory.mktemp("mappings") / "data")
    yield server
    server.stop()


def client_for(server: NubesServer, service: str) -> Any:
    return client_factory(server)(service)


@pytest.fixture(scope="session")
def make_client(mapping_server: NubesServer) -> Callable[..., Any]:
    return lambda service: client_for(mapping_server, service)


@pytest.fixture(scope="session")
def lam(make_client: Callable[..., Any]) -> Any:
    return make_client("lambda")


@pytest.fixture(scope="session")
def sqs(make_client: Callable[..., Any]) -> Any:
    return make_client("sqs")


@pytest.fixture(scope="session")
def kinesis(make_client: Callable[..., Any]) -> Any:
    return make_client("kinesis")


@pytest.fixture(scope="session")
def dynamodb(make_client: Callable[..., Any]) -> Any:
    return make_client("dynamodb")


def new_name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def make_queue(sqs: Any, **attributes: str) -> tuple[str, str]:
    """(URL, ARN) of a new queue."""
    fifo = attributes.get("FifoQueue") == "true"
    name = new_name("esm") + (".fifo" if fifo else "")
    url: str = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn: str = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    return url, arn


def deploy(lam: Any, record_url: str, mode: str = "ok", **env: str) -> str:
    """The name of a new Active function running HANDLER in ``mode``."""
    name = new_name("esm")
    lam.create_function(
        FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.handler",
        Code={"ZipFile": make_zip({"app.py": HANDLER})}, Timeout=30,
        Environment={"Variables": {"RECORD_URL": record_url, "MODE": mode, **env}})
    lam.get_waiter("function_active_v2").wait(
        FunctionName=name, WaiterConfig={"Delay": 0.05, "MaxAttempts": 400})
    return name


def received(sqs: Any, url: str, count: int, wait_s: float = 30.0) -> list[dict[str, Any]]:
    """The first ``count`` events (parsed) the function recorded, in the order recorded."""
    events: list[dict[str, Any]] = []
    deadline = time.monotonic() + wait_s
    while len(events) < count and time.monotonic() < deadline:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in got.get("Messages", []):
            events.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return events


def wait_state(lam: Any, uuid_: str, state: str, wait_s: float = 10.0) -> dict[str, Any]:
    deadline = time.monotonic() + wait_s
    while True:
        found: dict[str, Any] = lam.get_event_source_mapping(UUID=uuid_)
        if found["State"] == state or time.monotonic() > deadline:
            assert found["State"] == state
            return found
        time.sleep(0.05)


@pytest.fixture
def record(sqs: Any) -> tuple[str, str]:
    """(URL, ARN) of the queue a test's function records its events in."""
    return make_queue(sqs)
