"""At-least-once across crashes: messages acknowledged by Publish before kill -9 are
delivered after the restart, and an http(s) delivery waiting for its retry still gets it."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.server import NubesServer, client_factory, with_settings
from tests.services.sns.conftest import Endpoint, new_queue, receive


def _client(server: NubesServer, service: str) -> Any:
    return client_factory(server)(service)


@pytest.mark.slow  # events the killed server held leases on wait for them to expire (60 s)
def test_published_messages_survive_kill_9(tmp_path: Path) -> None:
    server = NubesServer(tmp_path / "data").start()
    try:
        sns, sqs = _client(server, "sns"), _client(server, "sqs")
        topic = sns.create_topic(Name="durable")["TopicArn"]
        url, queue = new_queue(sqs, topic)
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue,
                      Attributes={"RawMessageDelivery": "true"})
        sent = set()
        for batch in range(20):
            answer = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
                {"Id": f"e{i}", "Message": f"m{batch}-{i}"} for i in range(10)])
            sent |= {f"m{batch}-{i}" for i in range(10)}
            assert len(answer["Successful"]) == 10
        server.kill()  # some deliveries are surely still in the outbox
        server.start()
        sqs = _client(server, "sqs")
        got = receive(sqs, url, len(sent), wait_s=90)
        assert {m["Body"] for m in got} == sent
    finally:
        server.stop()


@pytest.mark.slow  # killed before it saw the 500, the server retries once the lease ends
def test_an_http_retry_survives_kill_9(tmp_path: Path, endpoint: Endpoint) -> None:
    data = with_settings(tmp_path / "data", "sns_retry_delay_scale = 0.01\n")
    server = NubesServer(data).start()
    try:
        sns = _client(server, "sns")
        topic = sns.create_topic(Name="durable-http")["TopicArn"]
        policy = {"healthyRetryPolicy": {"numRetries": 1, "minDelayTarget": 300,
                                         "maxDelayTarget": 300}}  # 3 s, scaled
        sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url,
                      Attributes={"DeliveryPolicy": json.dumps(policy)})
        confirmation = endpoint.wait_for(1)[0].json()
        with urllib.request.urlopen(confirmation["SubscribeURL"], timeout=5):
            pass
        endpoint.received.clear()
        endpoint.statuses.append(500)
        published = sns.publish(TopicArn=topic, Message="again")["MessageId"]
        assert len(endpoint.wait_for(1)) == 1  # the first attempt failed
        server.kill()
        server.start()
        attempts = endpoint.wait_for(2, wait_s=90)
        assert [a.json()["MessageId"] for a in attempts] == [published, published]
    finally:
        server.stop()
