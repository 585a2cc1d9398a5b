"""What a sandbox is told: Lambda's environment variables and the zygote's spawn config."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .api import FunctionSpec
from .confinement import Confinement
from .runtimes import RuntimeKind, runtime_kind
from .zygote import BOOTSTRAP_DIR

LAMBDA_PATH = "/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin"
LAMBDA_LD_PATH = ("/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:"
                  "/var/task:/var/task/lib:/opt/lib")
# Keys a function's own Environment cannot override (Lambda rejects them at creation).
RESERVED = frozenset({
    "_HANDLER", "AWS_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_LAMBDA_RUNTIME_API",
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
})


@dataclass(frozen=True, slots=True)
class SandboxPlan:
    """Everything that differs between sandboxes of one invoker."""

    sid: str
    mode: str  # "namespace" | "process"
    task_root: str  # where the code is seen from inside
    opt_root: str
    log_stream: str
    credentials: tuple[str, str]
    endpoint_url: str
    runtime_api: str | None = None  # "127.0.0.1:port" for Runtime API sandboxes
    tmp_dir: str | None = None  # process mode: the sandbox's private TMPDIR
    python_version: str = ""  # "3.12" for python runtimes
    runtime_dir: str = str(BOOTSTRAP_DIR)  # where the sandbox sees bootstrap/ (/var/runtime)


def lambda_environment(spec: FunctionSpec, plan: SandboxPlan) -> dict[str, str]:
    runtime_dir = plan.runtime_dir
    opt = plan.opt_root
    env = {
        "PATH": LAMBDA_PATH, "LD_LIBRARY_PATH": LAMBDA_LD_PATH, "LANG": "en_US.UTF-8",
        "TZ": ":UTC", "AWS_ENDPOINT_URL": plan.endpoint_url,
        "AWS_DEFAULT_REGION": spec.region, "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
    }
    env.update(spec.environment)
    key, secret = plan.credentials
    env.update({
        "_HANDLER": spec.handler, "AWS_REGION": spec.region,
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
        "AWS_LAMBDA_FUNCTION_NAME": spec.name, "AWS_LAMBDA_FUNCTION_VERSION": spec.version,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
        "AWS_LAMBDA_LOG_GROUP_NAME": spec.log_group or f"/aws/lambda/{spec.name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": plan.log_stream,
        "LAMBDA_TASK_ROOT": plan.task_root, "LAMBDA_RUNTIME_DIR": runtime_dir,
        "AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret, "AWS_SESSION_TOKEN": "",
    })
    if plan.python_version:
        env.setdefault("PYTHONPATH", f"{opt}/python/lib/python{plan.python_version}"
                       f"/site-packages:{opt}/python:{runtime_dir}")
    if runtime_kind(spec.runtime) is RuntimeKind.NODE:
        env.setdefault("NODE_PATH", f"{opt}/nodejs/node_modules:{plan.task_root}")
    if plan.runtime_api:
        env["AWS_LAMBDA_RUNTIME_API"] = plan.runtime_api
    if plan.tmp_dir:
        env["TMPDIR"] = plan.tmp_dir
    return env


def spawn_config(spec: FunctionSpec, plan: SandboxPlan, *, argv: list[str],
                 confine: Confinement, cgroup_procs: list[str]) -> dict[str, Any]:
    """The zygote's ``cfg`` for one sandbox (see ``bootstrap/nubes_py/sandbox.py``)."""
    return {
        "sid": plan.sid, "mode": plan.mode,
        "kind": "python" if runtime_kind(spec.runtime) is RuntimeKind.PYTHON else "exec",
        "handler": spec.handler, "argv": argv, "env": lambda_environment(spec, plan),
        "task_root": plan.task_root, "opt_root": plan.opt_root,
        "code_dir": str(spec.code_dir), "layer_dirs": [str(p) for p in spec.layer_dirs],
        "ephemeral_mb": spec.ephemeral_mb, "memory_mb": spec.memory_mb,
        "cgroup_procs": cgroup_procs, "bootstrap_dir": str(BOOTSTRAP_DIR),
        "hide": list(confine.hide), "expose": [list(pair) for pair in confine.expose],
        "uid": confine.uid, "gid": confine.gid,
    }


def exec_argv(spec: FunctionSpec, plan: SandboxPlan, node: str | None) -> list[str]:
    """The command of a Runtime API sandbox: node and our bootstrap, or the zip's own."""
    if runtime_kind(spec.runtime) is RuntimeKind.NODE:
        return [node or "node", f"{plan.runtime_dir}/node/bootstrap.js"]
    if (spec.code_dir / "bootstrap").exists() or not spec.layer_dirs:
        return [f"{plan.task_root}/bootstrap"]
    return [f"{plan.opt_root}/bootstrap"]


def opt_root(spec: FunctionSpec, mode: str) -> str:
    if mode == "namespace" or not spec.layer_dirs:
        return "/opt"
    return str(Path(spec.layer_dirs[-1]))
