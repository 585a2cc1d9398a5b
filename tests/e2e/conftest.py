"""The end-to-end tier: the examples, deployed by the same code as ``make up``, on a
server of this package's own (their fixed names cannot collide with other tests')."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from nubes.examples_deploy import Deployed, Deployer, Target, deploy_example
from tests.server import NubesServer

EXAMPLES = Path(__file__).parents[2] / "examples"


@pytest.fixture(scope="package")
def examples_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NubesServer]:
    server = NubesServer(tmp_path_factory.mktemp("examples") / "data")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="package")
def aws(examples_server: NubesServer) -> Deployer:
    """The deployer ``make up`` uses; its clients are the tests' clients too."""
    return Deployer(Target(examples_server.endpoint))


@pytest.fixture(scope="package")
def deploy(aws: Deployer) -> Callable[..., Deployed]:
    """deploy("csv-ingest", table="...") -> what the example's deploy.py made."""

    def run(name: str, **params: str) -> Deployed:
        return deploy_example(aws, EXAMPLES, name, params)

    return run


def eventually(check: Callable[[], Any], wait_s: float = 20.0, every_s: float = 0.1) -> Any:
    """The first truthy result of ``check()``, polled until ``wait_s``; else the last one."""
    deadline = time.monotonic() + wait_s
    result = check()
    while not result and time.monotonic() < deadline:
        time.sleep(every_s)
        result = check()
    return result
