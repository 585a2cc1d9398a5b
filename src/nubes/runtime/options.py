"""How the invoker is configured: one frozen options object, passed in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class SandboxMode(StrEnum):
    AUTO = "auto"  # "namespace" when root with cgroups, else "process"
    NAMESPACE = "namespace"  # mount/pid/ipc/uts namespaces + a cgroup per sandbox
    PROCESS = "process"  # plain processes with rlimits (unprivileged, macOS)


def _no_credentials(account_id: str) -> tuple[str, str]:
    return ("test", "test")


@dataclass(frozen=True, slots=True)
class InvokerOptions:
    work_dir: Path  # sandbox scratch, under the data directory
    keep_alive_s: float = 600.0  # idle sandboxes are reaped after this long
    account_concurrency: int = 1000
    # account -> concurrency left after reservations (None: account_concurrency)
    unreserved_limit: Callable[[str], int] | None = None
    sandbox_mode: SandboxMode | str = SandboxMode.AUTO
    runtime_api_host: str = "127.0.0.1"
    # account -> (access key id, secret) that boto3 inside the function signs with
    credentials_for: Callable[[str], tuple[str, str]] = _no_credentials
    endpoint_url: str = "http://127.0.0.1:4566"
    # paths a sandbox must not see (the data directory); work_dir is always hidden
    hidden_paths: tuple[Path, ...] = ()
    pids_limit: int = 256  # processes and threads per sandbox
    init_timeout_s: float = 10.0  # Lambda's init phase limit
    # boto3 clients the zygote builds once, so their models are loaded before any fork
    preload_clients: tuple[str, ...] = ("s3", "dynamodb", "sqs", "sns", "sts", "lambda")
    spare_launchers: int = 1  # launchers pre-forked (and in their cgroup) per zygote
    sdk_path: Path | None = None  # site-packages holding boto3 (None: this interpreter's)
    extra_runtimes: dict[str, str] = field(default_factory=dict)  # runtime -> interpreter
    # The user and group functions run as in namespace mode (Lambda's sbx_user1051 is
    # unprivileged too); an id no host account uses keeps them away from its files.
    sandbox_uid: int = 993
    sandbox_gid: int = 993
