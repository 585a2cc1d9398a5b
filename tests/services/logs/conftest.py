"""CloudWatch Logs fixtures: a client, and a fresh log group (with a stream) per test."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture(scope="session")
def logs(make_client: Callable[..., Any]) -> Any:
    return make_client("logs")


@pytest.fixture
def group(logs: Any) -> str:
    name = f"/test/{uuid.uuid4().hex[:12]}"
    logs.create_log_group(logGroupName=name)
    return name


@pytest.fixture
def stream(logs: Any, group: str) -> str:
    logs.create_log_stream(logGroupName=group, logStreamName="main")
    return "main"


def now_ms() -> int:
    return int(time.time() * 1000)
