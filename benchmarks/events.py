"""Events: SQS throughput against moto's server, and how soon an event starts a function.

    python benchmarks/events.py [--count 3000] [--queues 50] [--concurrency 4]
                                [--seconds 20] [--latency 200] [--only nubes]

- **SQS SendMessage, ReceiveMessage, DeleteMessage** (JSON protocol, 100-byte bodies):
  pre-signed requests replayed over keep-alive connections against Nubes and moto's
  server, same run; the table gives ops/s, p50/p99 and the ratio to moto. Messages are
  spread round robin over ``--queues`` queues: moto's SendMessage and ReceiveMessage cost
  grows with a queue's depth (about 6 ms at depth 0, 58 ms at 1,500 on the machine of
  docs/benchmarks.md), so a few thousand messages in one queue would measure that
  rather than the request path. Receives take one message each
  (``MaxNumberOfMessages=1``) and are checked afterwards to have taken them all;
  deletes use receipt handles collected beforehand with boto3.
- **S3 PUT -> function start** (Nubes only: moto runs no functions without Docker): a
  function subscribed to a bucket's ``s3:ObjectCreated:*`` notifications reads
  ``time.time()`` first thing in its handler and sends it, with the object's key, to a
  results queue. The benchmark reads ``time.time()`` just before each PUT is sent (same
  machine, same clock) and takes the difference. PUTs are sent one at a time, each after
  the previous one's function has started, so this is the latency of one event on an
  idle server with a warm sandbox (the first few are a warm-up, not counted).
- **SendMessage -> function start** through an SQS event source mapping (batch size 1):
  the same function and measure, the message body carrying the mark. Skipped, saying
  so, if the server does not implement CreateEventSourceMapping.

Bounded: fixed counts, every replay stops after ``--seconds``, every wait has a deadline.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.exceptions import ClientError

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.harness import (  # noqa: E402
    CREDENTIALS,
    REGION,
    Peer,
    Result,
    machine,
    moto_peer,
    nubes_peer,
    replay,
    report,
)

RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"
ROLE = "arn:aws:iam::000000000000:role/bench"
BODY = "x" * 100
# The function under test: its first statement reads the clock; then it reports.
HANDLER = """\
import json, os, time
import boto3

sqs = boto3.client("sqs")


def handler(event, context):
    started = time.time()
    for record in event["Records"]:
        mark = record["s3"]["object"]["key"] if "s3" in record else record["body"]
        sqs.send_message(QueueUrl=os.environ["RESULTS_URL"],
                         MessageBody=json.dumps({"mark": mark, "started": started}))
"""


def signed(endpoint: str, operation: str, body: dict[str, Any]) -> bytes:
    """The raw bytes of one SQS JSON-protocol request, signed as boto3 signs it."""
    data = json.dumps(body, separators=(",", ":")).encode()
    headers = {"X-Amz-Target": f"AmazonSQS.{operation}",
               "Content-Type": "application/x-amz-json-1.0"}
    request = AWSRequest(method="POST", url=endpoint + "/", data=data, headers=headers)
    SigV4Auth(CREDENTIALS, "sqs", REGION).add_auth(request)
    lines = ["POST / HTTP/1.1", f"Host: {endpoint.split('//', 1)[1]}"]
    lines += [f"{k}: {v}" for k, v in request.prepare().headers.items()
              if k.lower() not in ("host", "content-length")]
    lines.append(f"Content-Length: {len(data)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + data


def client(peer: Peer, service: str) -> Any:
    return boto3.client(service, endpoint_url=peer.endpoint, region_name=REGION,
                        aws_access_key_id="test", aws_secret_access_key="test")


def in_queue(sqs: Any, url: str, attribute: str) -> int:
    got = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[attribute])
    return int(got["Attributes"][attribute])


def collect_handles(sqs: Any, url: str, count: int, deadline_s: float) -> list[str]:
    """Receipt handles of ``count`` messages (received with boto3, not timed)."""
    handles: list[str] = []
    deadline = time.monotonic() + deadline_s
    while len(handles) < count and time.monotonic() < deadline:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                  VisibilityTimeout=600)
        handles += [m["ReceiptHandle"] for m in got.get("Messages", [])]
    return handles


def new_queues(sqs: Any, count: int) -> list[str]:
    tag = uuid.uuid4().hex[:8]
    return [sqs.create_queue(QueueName=f"bench-{tag}-{i}")["QueueUrl"] for i in range(count)]


def round_robin(urls: list[str], count: int) -> list[str]:
    return [urls[i % len(urls)] for i in range(count)]


def bench_sqs(peer: Peer, args: argparse.Namespace) -> dict[str, Result]:
    """Send, receive and delete ``args.count`` messages spread over ``args.queues`` queues."""
    sqs, end = client(peer, "sqs"), peer.endpoint
    warm_url = new_queues(sqs, 1)[0]
    warm = [signed(end, "SendMessage", {"QueueUrl": warm_url, "MessageBody": BODY})
            for _ in range(50)]
    replay(peer.name, end, warm, 1, args.seconds)  # first requests load models
    urls = new_queues(sqs, args.queues)
    sends = [signed(end, "SendMessage", {"QueueUrl": url, "MessageBody": f"{i:06d}{BODY}"})
             for i, url in enumerate(round_robin(urls, args.count))]
    send = replay(peer.name, end, sends, args.concurrency, args.seconds)
    receives = [signed(end, "ReceiveMessage", {
        "QueueUrl": url, "MaxNumberOfMessages": 1, "VisibilityTimeout": 600})
        for url in round_robin(urls, send.count)]
    receive = replay(peer.name, end, receives, args.concurrency, args.seconds)
    taken = sum(in_queue(sqs, url, "ApproximateNumberOfMessagesNotVisible") for url in urls)
    if taken != receive.count:
        raise RuntimeError(f"{peer.name}: {receive.count} receives took {taken} messages")

    others = new_queues(sqs, args.queues)  # filled with boto3, received for their handles
    handles: list[list[str]] = []
    for q, url in enumerate(others):
        share = len(range(q, send.count, len(others)))
        for start in range(0, share, 10):
            sqs.send_message_batch(QueueUrl=url, Entries=[
                {"Id": str(i), "MessageBody": BODY} for i in range(start, min(share, start + 10))])
        handles.append(collect_handles(sqs, url, share, args.seconds))
    deletes = []  # interleaved over the queues, as the sends were
    for i in range(max(map(len, handles), default=0)):
        for url, queue_handles in zip(others, handles, strict=True):
            if i < len(queue_handles):
                deletes.append(signed(end, "DeleteMessage",
                                      {"QueueUrl": url, "ReceiptHandle": queue_handles[i]}))
    delete = replay(peer.name, end, deletes, args.concurrency, args.seconds)
    return {"SendMessage": send, "ReceiveMessage (1 message)": receive,
            "DeleteMessage": delete}


# -- latency to a function ---------------------------------------------------------------

def function_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("app.py", HANDLER)
    return buffer.getvalue()


class Marks:
    """The results queue: which mark's function started when."""

    def __init__(self, sqs: Any, url: str) -> None:
        self.sqs, self.url = sqs, url
        self.started: dict[str, float] = {}

    def wait_for(self, mark: str, wait_s: float) -> float | None:
        deadline = time.monotonic() + wait_s
        while mark not in self.started and time.monotonic() < deadline:
            got = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10,
                                           WaitTimeSeconds=1)
            for message in got.get("Messages", []):
                body = json.loads(message["Body"])
                self.started[body["mark"]] = body["started"]
                self.sqs.delete_message(QueueUrl=self.url,
                                        ReceiptHandle=message["ReceiptHandle"])
        return self.started.get(mark)


@dataclass
class Latencies:
    """Seconds to the function's start: from just before the request, and from its answer."""

    from_request: list[float] = field(default_factory=list)
    from_answer: list[float] = field(default_factory=list)
    missed: int = 0


def measure(send: Callable[[str], None], marks: Marks, count: int, warmup: int,
            prefix: str) -> Latencies:
    """One event at a time: ``send(mark)``, then wait for its function to report."""
    out = Latencies()
    for i in range(warmup + count):
        mark = f"{prefix}-{i:05d}.txt"
        sent = time.time()
        send(mark)
        answered = time.time()
        started = marks.wait_for(mark, 30.0)
        if started is None:
            out.missed += 1
        elif i >= warmup:
            out.from_request.append(started - sent)
            out.from_answer.append(started - answered)
    return out


def setup_function(peer: Peer) -> tuple[str, str, Marks]:
    lam, sqs = client(peer, "lambda"), client(peer, "sqs")
    results = sqs.create_queue(QueueName="bench-results")["QueueUrl"]
    name = f"bench-{uuid.uuid4().hex[:8]}"
    arn = lam.create_function(
        FunctionName=name, Runtime=RUNTIME, Role=ROLE, Handler="app.handler",
        Code={"ZipFile": function_zip()}, Timeout=10,
        Environment={"Variables": {"RESULTS_URL": results}})["FunctionArn"]
    lam.get_waiter("function_active_v2").wait(
        FunctionName=name, WaiterConfig={"Delay": 0.1, "MaxAttempts": 300})
    return name, arn, Marks(sqs, results)


def s3_latency(peer: Peer, name: str, arn: str, marks: Marks, args: argparse.Namespace
               ) -> Latencies:
    s3, lam = client(peer, "s3"), client(peer, "lambda")
    bucket = f"bench-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    lam.add_permission(FunctionName=name, StatementId="s3", Action="lambda:InvokeFunction",
                       Principal="s3.amazonaws.com", SourceArn=f"arn:aws:s3:::{bucket}")
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
        "LambdaFunctionConfigurations": [{"LambdaFunctionArn": arn,
                                          "Events": ["s3:ObjectCreated:*"]}]})
    return measure(lambda key: s3.put_object(Bucket=bucket, Key=key, Body=b"x"), marks,
                   args.latency, 5, "s3")


def sqs_latency(peer: Peer, name: str, marks: Marks, args: argparse.Namespace
                ) -> Latencies | str:
    sqs, lam = client(peer, "sqs"), client(peer, "lambda")
    url = sqs.create_queue(QueueName=f"bench-in-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    try:
        lam.create_event_source_mapping(FunctionName=name, EventSourceArn=arn, BatchSize=1)
    except ClientError as error:
        return f"not measured: CreateEventSourceMapping answered {error}"
    return measure(lambda mark: sqs.send_message(QueueUrl=url, MessageBody=mark), marks,
                   args.latency, 5, "sqs")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000


def latency_line(label: str, outcome: Latencies | str) -> str:
    if isinstance(outcome, str):
        return f"| {label} | - | - | - | - | - | {outcome} |"
    values = outcome.from_request
    if not values:
        return f"| {label} | 0 | - | - | - | - | {outcome.missed} missed |"
    return (f"| {label} | {len(values)} | {pct(values, 0.5):.2f} | {pct(values, 0.99):.2f} | "
            f"{max(values) * 1000:.2f} | {pct(outcome.from_answer, 0.5):.2f} | "
            f"{outcome.missed} missed |")


def bench_latency(peer: Peer, args: argparse.Namespace) -> str:
    name, arn, marks = setup_function(peer)
    s3 = s3_latency(peer, name, arn, marks, args)
    sqs = sqs_latency(peer, name, marks, args)
    return "\n".join([
        "### Event to function start (Nubes)", "",
        "| path | n | p50 ms | p99 ms | max ms | p50 ms after the answer | notes |",
        "|---|---:|---:|---:|---:|---:|---|",
        latency_line("S3 PUT -> function start", s3),
        latency_line("SQS SendMessage -> function start (event source mapping)", sqs), ""])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=3000, help="messages per SQS test")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--queues", type=int, default=50,
                        help="spread messages over this many queues (moto slows with depth)")
    parser.add_argument("--seconds", type=float, default=20.0, help="time bound per replay")
    parser.add_argument("--latency", type=int, default=200, help="events per latency test")
    parser.add_argument("--only", choices=["nubes", "moto"], help="run one server only")
    args = parser.parse_args()

    peers = [p for p in (nubes_peer(), moto_peer()) if args.only in (None, p.name)]
    tables: dict[str, dict[str, Result]] = {}
    latency = ""
    try:
        for peer in peers:
            peer.start()
        for peer in peers:
            for title, result in bench_sqs(peer, args).items():
                tables.setdefault(f"SQS {title}", {})[peer.name] = result
            if peer.name == "nubes":
                latency = bench_latency(peer, args)
    finally:
        for peer in peers:
            peer.stop()
    print(f"Machine: {machine()}; concurrency {args.concurrency}; {args.count} messages "
          f"over {args.queues} queues\n")
    for title, results in tables.items():
        print(report(title, results, "moto"))
    print(latency)


if __name__ == "__main__":
    main()
