"""What a function leaves behind, as a user sees it: CloudWatch Logs through boto3 (START /
END / REPORT in Lambda's format and the function's output), Prometheus' /metrics over
plain HTTP, and a durable metering record per invocation."""

from __future__ import annotations

import json
import re
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from nubes.metering import MeterStore, Metrics
from nubes.storage.sqlite import Database
from tests.server import NubesServer
from tests.services.lambda_.conftest import ROLE, make_zip, new_name

APP = """
import logging

print("importing app")

def handler(event, context):
    print("handling", event["n"])
    logging.getLogger("app").warning("warned about %s", event["n"])
    if event.get("fail"):
        raise RuntimeError("failed on purpose")
    return event["n"]
"""
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
REPORT = re.compile(
    rf"REPORT RequestId: (?P<id>{UUID})\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\t"
    r"Memory Size: 128 MB\tMax Memory Used: [1-9]\d* MB(?P<init>\tInit Duration: \d+\.\d\d ms)?"
    r"(?P<status>\tStatus: error)?\t\n")


@dataclass(frozen=True)
class Story:
    """One function, invoked cold, warm, failing and throttled: what the user did."""

    name: str
    request_ids: list[str]  # the three invocations that ran, in order
    started_ms: int


def _invoke(lam: Any, name: str, event: dict[str, Any]) -> str:
    response = lam.invoke(FunctionName=name, Payload=json.dumps(event))
    response["Payload"].read()
    return str(response["ResponseMetadata"]["RequestId"])


@pytest.fixture(scope="module")
def story(lam: Any, make_client: Callable[..., Any]) -> Story:
    started_ms = int(time.time() * 1000)
    name = new_name("observed")
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE,
                        Handler="app.handler", Code={"ZipFile": make_zip({"app.py": APP})})
    lam.get_waiter("function_active_v2").wait(FunctionName=name,
                                              WaiterConfig={"Delay": 0.05})
    ids = [_invoke(lam, name, {"n": 1}), _invoke(lam, name, {"n": 2}),
           _invoke(lam, name, {"n": 3, "fail": True})]
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    once = make_client("lambda", config=Config(retries={"total_max_attempts": 1}))
    with pytest.raises(ClientError, match="TooManyRequestsException"):
        _invoke(once, name, {"n": 4})
    return Story(name, ids, started_ms)


def _messages(logs: Any, story: Story) -> list[str]:
    group = f"/aws/lambda/{story.name}"
    streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert len(streams) == 1  # one sandbox served all three
    events = logs.get_log_events(logGroupName=group, logStreamName=streams[0]["logStreamName"],
                                 startFromHead=True)["events"]
    return [event["message"] for event in events]


def test_logs_have_lambdas_lines_and_the_functions_output(make_client: Callable[..., Any],
                                                          story: Story) -> None:
    logs = make_client("logs")
    groups = logs.describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{story.name}")
    assert [g["logGroupName"] for g in groups["logGroups"]] == [f"/aws/lambda/{story.name}"]
    messages = _messages(logs, story)
    first, second, third = story.request_ids
    assert messages[:3] == ["importing app\n",
                            f"START RequestId: {first} Version: $LATEST\n", "handling 1\n"]
    assert messages[4] == f"END RequestId: {first}\n"
    reports = [REPORT.fullmatch(m) for m in messages if m.startswith("REPORT")]
    assert [r["id"] for r in reports if r] == [first, second, third]
    assert [bool(r["init"]) for r in reports if r] == [True, False, False]
    assert "handling 2\n" in messages and f"START RequestId: {third} Version: $LATEST\n" in messages
    assert any(m.startswith("[ERROR] RuntimeError: failed on purpose") for m in messages)
    assert re.fullmatch(rf"\[WARNING\]\t\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{3}}Z\t{first}\t"
                        r"warned about 1\n", messages[3])


def test_filter_log_events_finds_a_line(make_client: Callable[..., Any], story: Story
                                        ) -> None:
    logs = make_client("logs")
    found = logs.filter_log_events(logGroupName=f"/aws/lambda/{story.name}",
                                   filterPattern='"handling 2"', startTime=story.started_ms)
    assert [e["message"] for e in found["events"]] == ["handling 2\n"]
    reports = logs.filter_log_events(logGroupName=f"/aws/lambda/{story.name}",
                                     filterPattern="REPORT Init")["events"]
    assert len(reports) == 1 and story.request_ids[0] in reports[0]["message"]


def _metrics(server: NubesServer, function: str) -> dict[str, float]:
    """The /metrics samples of one function, by metric name (and le for buckets)."""
    with urllib.request.urlopen(f"{server.endpoint}/metrics") as response:
        assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
        text = response.read().decode()
    samples = {}
    for line in text.splitlines():
        match = re.fullmatch(r'(\w+)\{(.*)\} (\S+)', line)
        if match and f'function="{function}"' in match[2]:
            le = re.search(r'le="([^"]+)"', match[2])
            samples[match[1] + (f"[{le[1]}]" if le else "")] = float(match[3])
    return samples


def test_metrics_count_invocations_errors_throttles_and_cold_starts(
        nubes_server: NubesServer, story: Story) -> None:
    samples = _metrics(nubes_server, story.name)
    assert samples["nubes_lambda_invocations_total"] == 3
    assert samples["nubes_lambda_errors_total"] == 1
    assert samples["nubes_lambda_throttles_total"] == 1
    assert samples["nubes_lambda_cold_starts_total"] == 1
    assert samples["nubes_lambda_duration_seconds_count"] == 3
    assert samples["nubes_lambda_duration_seconds_bucket[+Inf]"] == 3
    assert samples["nubes_lambda_duration_seconds_sum"] > 0


def _records(server: NubesServer, name: str, count: int, wait_s: float = 10.0) -> list[Any]:
    """The metering records of ``name`` read from the data directory, once ``count`` are
    there (the server writes them in short batches)."""
    db = Database(server.data_dir / "nubes.db")
    try:
        store = MeterStore(db, Metrics())
        deadline = time.monotonic() + wait_s
        while len(records := store.records("000000000000", "us-east-1", name)) < count:
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        return records
    finally:
        db.close()


def test_a_metering_record_per_invocation(nubes_server: NubesServer, story: Story) -> None:
    records = _records(nubes_server, story.name, 4)
    ran = [r for r in records if r.outcome != "throttled"]
    assert [r.request_id for r in ran] == story.request_ids
    assert [r.outcome for r in records] == ["success", "success", "function_error",
                                            "throttled"]
    assert [r.cold for r in ran] == [True, False, False]
    assert all(r.version == "$LATEST" and r.memory_mb == 128 and r.billed_ms >= 1
               and r.max_rss_mb > 0 and r.start_ms >= story.started_ms for r in ran)
