"""Serving Nubes: open the services, build the edge, run uvicorn until SIGINT/SIGTERM."""

from __future__ import annotations

import ipaddress
import logging
import os
import signal
import socket
import sys
import time
from collections.abc import Iterable
from types import FrameType

import uvicorn

from nubes.accounts import AccountStore
from nubes.config import Settings
from nubes.edge.app import EdgeApp
from nubes.edge.chain import Edge
from nubes.errors import NubesError
from nubes.services.registry import Services, open_services

log = logging.getLogger("nubes")


class RefusedToStart(NubesError):
    """Nubes will not start as asked (e.g. exposed to a network with only the test key)."""


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_exposure(host: str, accounts: AccountStore) -> None:
    """Refuse to listen beyond loopback while anyone knowing "test"/"test" would get in."""
    if not is_loopback(host) and accounts.only_default_keys():
        raise RefusedToStart(
            f"refusing to listen on {host}: only the default test key exists. "
            "Create a key first with `nubes keys create`."
        )


def process_age() -> float:
    """Seconds since this process started (interpreter start-up and imports included)."""
    try:
        with open("/proc/self/stat") as stat, open("/proc/uptime") as uptime:
            start_ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
            return float(uptime.read().split()[0]) - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.process_time()


def functions_summary(runtimes: Iterable[str], mode: str) -> str:
    """What the ready message says of functions: the host's runtimes and the isolation."""
    if mode == "namespace":
        isolation = "namespaces (mount, pid, ipc, uts) and a cgroup (memory, pids) each"
    else:
        isolation = ("plain processes with rlimits: weaker isolation, no namespaces or "
                     "cgroups (run as root on Linux for those)")
    return (f"Functions: runtimes {', '.join(sorted(runtimes))} (found on this host)\n"
            f"  sandboxes: {isolation}\n")


def ready_message(settings: Settings, elapsed: float, functions: str = "") -> str:
    endpoint = settings.endpoint
    return (
        f"Nubes is ready at {endpoint} (started in {elapsed:.2f} s; data in {settings.data_dir})\n"
        f"{functions}"
        "Point the AWS CLI at it:\n"
        f"  export AWS_ENDPOINT_URL={endpoint}\n"
        "  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test "
        f"AWS_DEFAULT_REGION={settings.region}\n"
        "  aws s3 mb s3://my-bucket\n"
        "or boto3 (which also reads those variables):\n"
        f'  boto3.client("s3", endpoint_url="{endpoint}")\n'
    )


class _Server(uvicorn.Server):
    """uvicorn's server, printing the ready message once the socket is bound, and exiting
    normally (status 0) when SIGINT or SIGTERM asked it to stop."""

    def __init__(self, config: uvicorn.Config, settings: Settings, functions: str) -> None:
        super().__init__(config)
        self._settings = settings
        self._functions = functions

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            sys.stdout.write(ready_message(self._settings, process_age(), self._functions))
            sys.stdout.flush()

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        # uvicorn records the signal and raises it again once shut down, which ends the
        # process by SIGTERM (status -15, skipping our clean-up) or KeyboardInterrupt (130).
        # A shutdown we were asked for and completed is a success, so only the flags are set.
        if self.should_exit and sig == signal.SIGINT:
            self.force_exit = True  # a second Ctrl-C: stop waiting for open connections
        else:
            self.should_exit = True


def serve(settings: Settings) -> None:
    """Run Nubes in the foreground until interrupted."""
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    services = open_services(settings)
    try:
        check_exposure(settings.host, services.accounts)  # before binding anything
        app = build_app(settings, services)
        config = uvicorn.Config(
            app,
            host=settings.host,
            port=settings.port,
            loop="uvloop" if sys.platform != "win32" else "asyncio",
            http="httptools",
            lifespan="on",
            access_log=settings.access_log,
            # uvicorn's own start-up chatter only when debugging; errors always.
            log_level="debug" if settings.log_level == "debug" else "warning",
            server_header=False,
            timeout_graceful_shutdown=5,
        )
        invoker = services.invoker
        functions = (functions_summary(invoker.available_runtimes(), invoker.mode)
                     if invoker else "")
        _Server(config, settings, functions).run()
    finally:
        services.close()


def build_app(settings: Settings, services: Services) -> EdgeApp:
    metrics = services.meter.metrics if services.meter else None
    edge = Edge(settings=settings, accounts=services.accounts, providers=services.providers,
                metrics=metrics, front_doors=services.front_doors)
    return EdgeApp(edge, on_startup=services.start, on_shutdown=services.stop)
