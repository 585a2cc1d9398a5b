"""Shared fixtures: one real Nubes server per test session, and boto3 clients for it."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from tests.server import NubesServer

CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}


@pytest.fixture(scope="session")
def nubes_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NubesServer]:
    server = NubesServer(tmp_path_factory.mktemp("nubes") / "data")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def make_client(nubes_server: NubesServer) -> Callable[..., Any]:
    """make_client("s3", region_name=..., config=..., **credentials) -> a boto3 client."""

    def make(service: str, **kwargs: Any) -> Any:
        options: dict[str, Any] = {"region_name": "us-east-1", **CREDENTIALS}
        options.update(kwargs)
        options.setdefault("config", Config(retries={"max_attempts": 1}))
        return boto3.client(service, endpoint_url=nubes_server.endpoint, **options)

    return make


@pytest.fixture(scope="session")
def s3(make_client: Callable[..., Any]) -> Any:
    return make_client("s3")


@pytest.fixture
def bucket(s3: Any) -> str:
    """A new empty bucket for one test."""
    name = f"test-{uuid.uuid4().hex[:16]}"
    s3.create_bucket(Bucket=name)
    return name
