"""SNS fixtures: clients, a fresh topic per test, queues subscribed to topics, and a
tiny HTTP endpoint on 127.0.0.1 that records what SNS POSTs to it."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@pytest.fixture(scope="session")
def sns(make_client: Callable[..., Any]) -> Any:
    return make_client("sns")


@pytest.fixture(scope="session")
def sqs(make_client: Callable[..., Any]) -> Any:
    return make_client("sqs")


def unique(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def topic(sns: Any) -> str:
    arn: str = sns.create_topic(Name=unique())["TopicArn"]
    return arn


@pytest.fixture
def fifo_topic(sns: Any) -> str:
    arn: str = sns.create_topic(Name=f"{unique()}.fifo",
                                Attributes={"FifoTopic": "true"})["TopicArn"]
    return arn


def queue_arn(sqs: Any, url: str) -> str:
    arn: str = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    return arn


def sns_may_send(queue: str, topic: str) -> str:
    """A queue policy letting a topic send to it, as AWS's docs write it."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
        "Action": "sqs:SendMessage", "Resource": queue,
        "Condition": {"ArnEquals": {"aws:SourceArn": topic}},
    }]})


def new_queue(sqs: Any, topic: str, fifo: bool = False) -> tuple[str, str]:
    """(url, ARN) of a new queue a topic may send to."""
    name = f"{unique('q')}.fifo" if fifo else unique("q")
    attributes = {"FifoQueue": "true"} if fifo else {}
    url: str = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = queue_arn(sqs, url)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": sns_may_send(arn, topic)})
    return url, arn


def subscribed_queue(sns: Any, sqs: Any, topic: str, **attributes: str) -> tuple[str, str]:
    """(queue URL, subscription ARN) of a new queue subscribed to ``topic``."""
    url, arn = new_queue(sqs, topic, fifo=topic.endswith(".fifo"))
    sub: str = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn,
                             Attributes=attributes)["SubscriptionArn"]
    return url, sub


def receive(sqs: Any, url: str, count: int, wait_s: float = 10.0,
            settle: bool = False) -> list[dict[str, Any]]:
    """Up to ``count`` messages (all attributes), deleted as received; with ``settle``,
    keep listening a second longer to catch any message beyond ``count``."""
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline and (len(found) < count or settle):
        if len(found) >= count:
            settle, deadline = False, time.monotonic() + 1.0
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                  MessageAttributeNames=["All"], AttributeNames=["All"])
        for message in got.get("Messages", []):
            found.append(message)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return found


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed


@dataclass
class Endpoint:
    """An http endpoint: what it received, and the statuses it answers with in turn
    (200 once they run out)."""

    url: str
    received: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_for(self, count: int, wait_s: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.02)
        with self.lock:
            return list(self.received)


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    """A tiny HTTP server on 127.0.0.1 recording every POST."""
    state = Endpoint("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (the http.server API)
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            with state.lock:
                state.received.append(Received({k.lower(): v for k, v in
                                                self.headers.items()}, body))
                status = state.statuses.pop(0) if state.statuses else 200
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    yield state
    server.shutdown()
    server.server_close()
    thread.join()
