"""Deploy the reference applications in ``examples/`` to a running Nubes, with boto3.

Each example directory holds a ``deploy.py`` whose ``deploy(deployer, params)`` creates
its resources through the AWS APIs, exactly as a user's own boto3 script would, using the
idempotent steps of ``Deployer`` (create, or bring an existing resource up to date), so
deploying again onto an existing data directory converges instead of failing.

``python -m nubes.examples_deploy up`` is what ``make up`` runs: it starts ``nubes up`` as
a child process, waits for ``/_nubes/health``, deploys every example, prints what it
deployed and how to try it, and stays in the foreground until Ctrl-C (or SIGTERM) stops
the server. ``python -m nubes.examples_deploy deploy --endpoint URL`` deploys onto a
server that is already running.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import importlib.metadata
import importlib.util
import io
import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

# What ``make up`` deploys, in this order (a directory of examples/ each).
EXAMPLES = ("thumbnail", "csv-ingest", "scheduled-snapshot", "stream-analytics", "fan-out",
            "web-apps", "url-shortener", "posts-api")
# Functions run under this interpreter's runtime: the thumbnail vendors compiled Pillow
# from this environment, which only loads in the same Python version.
RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"
# Stored, not enforced: a function acts with its account's credentials.
ROLE = "arn:aws:iam::000000000000:role/nubes-examples"


@dataclass(frozen=True)
class Target:
    """The Nubes to deploy to, and the credentials to deploy with."""

    endpoint: str
    region: str = "us-east-1"
    access_key: str = "test"
    secret_key: str = "test"


@dataclass(frozen=True)
class Deployed:
    """What one example's ``deploy`` made, for the summary ``make up`` prints."""

    name: str
    summary: str  # one line: what it does
    resources: list[str] = field(default_factory=list)
    try_it: list[str] = field(default_factory=list)  # shell commands, AWS CLI


def add_tree(zf: zipfile.ZipFile, root: Path) -> None:
    """``root`` into the zip under its own name, as ``pip install --target`` lays it out."""
    if root.is_file():  # a top-level module (typing_extensions.py)
        zf.write(root, root.name)
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            zf.write(path, path.relative_to(root.parent).as_posix())


def package(files: Iterable[Path], trees: Iterable[Path] = ()) -> bytes:
    """A deployment package: ``files`` at the zip's root, ``trees`` as directories."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in files:
            zf.write(path, path.name)
        for tree in trees:
            add_tree(zf, tree)
    return buffer.getvalue()


def pillow_trees() -> list[Path]:
    """Pillow as installed here (``PIL/`` and the wheel's bundled ``pillow.libs/``).

    Vendoring it from this environment is what ``pip install --target`` would produce for
    this interpreter, so the functions must run under ``RUNTIME``.
    """
    spec = importlib.util.find_spec("PIL")
    if spec is None or spec.origin is None:
        raise RuntimeError("Pillow is not installed in this environment (pip install pillow)")
    site_packages = Path(spec.origin).parent.parent
    libs = site_packages / "pillow.libs"
    return [site_packages / "PIL", *([libs] if libs.is_dir() else [])]


# The web adapters and frameworks a function vendors (distribution names, installed here
# with the versions pinned in pyproject.toml), each list closed under its requirements.
FLASK_WSGI = ("apig-wsgi", "flask", "werkzeug", "jinja2", "markupsafe", "itsdangerous", "click",
              "blinker")
FASTAPI_ASGI = ("mangum", "fastapi", "starlette", "pydantic", "pydantic-core", "anyio", "idna",
                "typing-extensions", "typing-inspection", "annotated-types", "annotated-doc",
                "opentelemetry-api")


def distribution_trees(*names: str) -> list[Path]:
    """The top-level packages and modules of installed distributions, for a function's zip.

    What ``pip install --target`` would put at the package's root for this interpreter
    (compiled extensions included, as for Pillow), so the functions must run under
    ``RUNTIME``. Scripts, metadata and files installed outside site-packages are left out.
    """
    found: dict[str, Path] = {}
    for name in names:
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            raise RuntimeError(f"{name} is not installed in this environment "
                               f"(pip install -e '.[dev]')") from None
        for file in dist.files or []:
            top = file.parts[0]
            if top in ("..", "__pycache__", "bin") or top.endswith((".dist-info", ".pth")):
                continue
            found.setdefault(top, Path(str(dist.locate_file(top))))
    return [found[top] for top in sorted(found)]


def code_sha256(zip_bytes: bytes) -> str:
    """Lambda's CodeSha256: base64 of the package's SHA-256."""
    return base64.b64encode(hashlib.sha256(zip_bytes).digest()).decode()


class Deployer:
    """boto3 clients for one Nubes and the idempotent steps the examples deploy with."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self._session = boto3.Session(
            aws_access_key_id=target.access_key, aws_secret_access_key=target.secret_key,
            region_name=target.region)
        self._clients: dict[str, Any] = {}

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self._session.client(
                service, endpoint_url=self.target.endpoint,
                config=Config(retries={"max_attempts": 3}))
        return self._clients[service]

    # -- S3, DynamoDB, SQS -----------------------------------------------------------

    def bucket(self, name: str) -> str:
        try:
            self.client("s3").create_bucket(Bucket=name)
        except ClientError as error:
            if _code(error) != "BucketAlreadyOwnedByYou":
                raise
        return name

    def table(self, name: str, key: Sequence[tuple[str, str]]) -> str:
        """An on-demand table keyed by ``[(hash name, type), (range name, type)?]``."""
        ddb = self.client("dynamodb")
        kinds = ("HASH", "RANGE")
        try:
            ddb.create_table(
                TableName=name, BillingMode="PAY_PER_REQUEST",
                AttributeDefinitions=[{"AttributeName": n, "AttributeType": t} for n, t in key],
                KeySchema=[{"AttributeName": n, "KeyType": k}
                           for (n, _), k in zip(key, kinds, strict=False)])
        except ClientError as error:
            if _code(error) != "ResourceInUseException":
                raise
        ddb.get_waiter("table_exists").wait(TableName=name,
                                            WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
        return name

    def queue(self, name: str, attributes: Mapping[str, str] | None = None) -> tuple[str, str]:
        """(URL, ARN) of the queue, its attributes set to ``attributes``."""
        sqs = self.client("sqs")
        url: str = sqs.create_queue(QueueName=name)["QueueUrl"]
        if attributes:
            sqs.set_queue_attributes(QueueUrl=url, Attributes=dict(attributes))
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        return url, str(arn["Attributes"]["QueueArn"])

    def stream(self, name: str, shards: int = 1) -> str:
        """The ARN of the Kinesis stream (created with ``shards`` shards if new)."""
        kinesis = self.client("kinesis")
        try:
            kinesis.create_stream(StreamName=name, ShardCount=shards)
        except ClientError as error:
            if _code(error) != "ResourceInUseException":
                raise
        kinesis.get_waiter("stream_exists").wait(
            StreamName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
        summary = kinesis.describe_stream_summary(StreamName=name)
        return str(summary["StreamDescriptionSummary"]["StreamARN"])

    # -- Lambda ----------------------------------------------------------------------

    def function(self, name: str, code: bytes, *, handler: str = "app.handler",
                 environment: Mapping[str, str] | None = None, memory_mb: int = 128,
                 timeout_s: int = 30, description: str = "") -> str:
        """The function's ARN; created, or its code and configuration updated."""
        lam = self.client("lambda")
        config: dict[str, Any] = {
            "Runtime": RUNTIME, "Handler": handler, "Role": ROLE, "MemorySize": memory_mb,
            "Timeout": timeout_s, "Description": description,
            "Environment": {"Variables": dict(environment or {})}}
        try:
            current = lam.get_function_configuration(FunctionName=name)
        except ClientError as error:
            if _code(error) != "ResourceNotFoundException":
                raise
            arn: str = lam.create_function(FunctionName=name, Code={"ZipFile": code},
                                           **config)["FunctionArn"]
        else:
            arn = current["FunctionArn"]
            if current["CodeSha256"] != code_sha256(code):
                lam.update_function_code(FunctionName=name, ZipFile=code)
                self._wait_updated(name)
            lam.update_function_configuration(FunctionName=name, **config)
            self._wait_updated(name)
        lam.get_waiter("function_active_v2").wait(
            FunctionName=name, WaiterConfig={"Delay": 0.1, "MaxAttempts": 600})
        return arn

    def _wait_updated(self, name: str) -> None:
        self.client("lambda").get_waiter("function_updated_v2").wait(
            FunctionName=name, WaiterConfig={"Delay": 0.1, "MaxAttempts": 600})

    def allow(self, function: str, sid: str, principal: str, source_arn: str,
              source_account: str | None = None) -> None:
        """A resource-based policy statement letting ``principal`` invoke the function."""
        lam = self.client("lambda")
        statement: dict[str, Any] = {
            "FunctionName": function, "StatementId": sid, "Action": "lambda:InvokeFunction",
            "Principal": principal, "SourceArn": source_arn}
        if source_account:
            statement["SourceAccount"] = source_account
        try:
            lam.add_permission(**statement)
        except ClientError as error:
            if _code(error) != "ResourceConflictException":
                raise
            lam.remove_permission(FunctionName=function, StatementId=sid)
            lam.add_permission(**statement)

    def function_url(self, function: str) -> str:
        """The function's public URL (AuthType NONE), created if it has none, and the
        resource-policy statement that lets anyone call it (AWS requires both)."""
        lam = self.client("lambda")
        try:
            url: str = lam.get_function_url_config(FunctionName=function)["FunctionUrl"]
        except ClientError as error:
            if _code(error) != "ResourceNotFoundException":
                raise
            url = lam.create_function_url_config(FunctionName=function,
                                                 AuthType="NONE")["FunctionUrl"]
        statement = {"FunctionName": function, "StatementId": "public-function-url",
                     "Action": "lambda:InvokeFunctionUrl", "Principal": "*",
                     "FunctionUrlAuthType": "NONE"}
        try:
            lam.add_permission(**statement)
        except ClientError as error:
            if _code(error) != "ResourceConflictException":
                raise
        return url

    # -- API Gateway -----------------------------------------------------------------

    def rest_api(self, document: Mapping[str, Any], stage: str) -> str:
        """The id of the REST API titled as ``document`` (OpenAPI 2.0 or 3.0 with API
        Gateway's extensions): imported if new, else overwritten with it (PutRestApi);
        then deployed to ``stage``. What ``chalice deploy`` does, minus its UpdateRestApi."""
        apigw = self.client("apigateway")
        body = json.dumps(document).encode()
        title = str(document["info"]["title"])
        found = [api["id"] for page in apigw.get_paginator("get_rest_apis").paginate()
                 for api in page.get("items", []) if api.get("name") == title]
        if found:
            api_id = str(found[0])
            apigw.put_rest_api(restApiId=api_id, mode="overwrite", body=body)
        else:
            api_id = str(apigw.import_rest_api(body=body)["id"])
        apigw.create_deployment(restApiId=api_id, stageName=stage)
        return api_id

    def http_api(self, name: str, function_arn: str, payload_format: str = "2.0") -> str:
        """The endpoint of the HTTP API ``name`` in front of the function: made by quick
        create (a ``$default`` route, a proxy integration and an auto-deployed ``$default``
        stage) if there is none, its integration sending ``payload_format`` events, and
        the permission to invoke the function."""
        v2 = self.client("apigatewayv2")
        found = [api for page in v2.get_paginator("get_apis").paginate()
                 for api in page.get("Items", []) if api.get("Name") == name]
        api = found[0] if found else v2.create_api(Name=name, ProtocolType="HTTP",
                                                   Target=function_arn)
        for integration in v2.get_integrations(ApiId=api["ApiId"]).get("Items", []):
            if integration.get("PayloadFormatVersion") != payload_format:
                v2.update_integration(ApiId=api["ApiId"],
                                      IntegrationId=integration["IntegrationId"],
                                      PayloadFormatVersion=payload_format)
        region, account = function_arn.split(":")[3], function_arn.split(":")[4]
        self.allow(function_arn.split(":")[6], f"http-api-{api['ApiId']}",
                   "apigateway.amazonaws.com",
                   f"arn:aws:execute-api:{region}:{account}:{api['ApiId']}/*")
        return f"{api['ApiEndpoint']}/"

    def execute_api_url(self, api_id: str, stage: str) -> str:
        """Where an API's stage answers plain HTTP on this Nubes (by host name)."""
        port = self.target.endpoint.rsplit(":", 1)[1].split("/")[0]
        return f"http://{api_id}.execute-api.localhost:{port}/{stage}/"

    def event_source_mapping(self, function: str, source_arn: str, **options: Any) -> str:
        """The UUID of the mapping from ``source_arn`` to the function, created or updated.

        ``options`` are CreateEventSourceMapping's (BatchSize, StartingPosition, ...); those
        UpdateEventSourceMapping cannot change are only used when creating.
        """
        lam = self.client("lambda")
        found = lam.list_event_source_mappings(FunctionName=function,
                                               EventSourceArn=source_arn)
        for mapping in found.get("EventSourceMappings", []):
            updatable = {k: v for k, v in options.items()
                         if k not in ("StartingPosition", "StartingPositionTimestamp")}
            if updatable:
                lam.update_event_source_mapping(UUID=mapping["UUID"], FunctionName=function,
                                                **updatable)
            return str(mapping["UUID"])
        created = lam.create_event_source_mapping(FunctionName=function,
                                                  EventSourceArn=source_arn, **options)
        return str(created["UUID"])


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


# -- running the examples' deploy.py ---------------------------------------------------

DeployFunction = Callable[[Deployer, Mapping[str, str]], Deployed]


def load_example(examples_dir: Path, name: str) -> ModuleType:
    """``examples/<name>/deploy.py`` as a module (directory names are not identifiers)."""
    path = examples_dir / name / "deploy.py"
    spec = importlib.util.spec_from_file_location(
        f"nubes_example_{name.replace('-', '_')}", path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def deploy_example(deployer: Deployer, examples_dir: Path, name: str,
                   params: Mapping[str, str] | None = None) -> Deployed:
    """Deploy one example by running its ``deploy.py``."""
    deploy: DeployFunction = load_example(examples_dir, name).deploy
    return deploy(deployer, params or {})


def deploy_all(deployer: Deployer, examples_dir: Path, names: Sequence[str] = EXAMPLES
               ) -> tuple[list[Deployed], dict[str, str]]:
    """Deploy each example; one failing (say, a service not there yet) spares the others.

    Returns what was deployed, and the error of each example that was not.
    """
    deployed: list[Deployed] = []
    failed: dict[str, str] = {}
    for name in names:
        try:
            deployed.append(deploy_example(deployer, examples_dir, name))
        except Exception as error:  # reported, and the other examples still deployed
            failed[name] = f"{type(error).__name__}: {error}"
    return deployed, failed


def summary(deployed: Sequence[Deployed], failed: Mapping[str, str], endpoint: str) -> str:
    lines = ["", f"Examples deployed to {endpoint} (examples/<name>/README.md for more):"]
    for item in deployed:
        lines.append(f"\n  {item.name}: {item.summary}")
        lines += [f"    {resource}" for resource in item.resources]
        if item.try_it:
            lines.append("    try it:")
            lines += [f"      {command}" for command in item.try_it]
    for name, error in failed.items():
        lines.append(f"\n  {name}: NOT deployed: {error}")
    return "\n".join(lines) + "\n"


# -- the command -----------------------------------------------------------------------

def port_taken(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_healthy(endpoint: str, process: subprocess.Popen[bytes] | None,
                 timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"nubes exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(f"{endpoint}/_nubes/health", timeout=1) as response:
                if response.status == 200 and json.load(response).get("status") == "ok":
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"nubes did not answer {endpoint}/_nubes/health in {timeout_s:.0f} s")


def _deploy_and_print(endpoint: str, examples_dir: Path, names: Sequence[str]) -> int:
    deployed, failed = deploy_all(Deployer(Target(endpoint)), examples_dir, names)
    print(summary(deployed, failed, endpoint), flush=True)
    return 1 if failed else 0


def up(args: argparse.Namespace) -> int:
    """``nubes up`` in a child process, the examples deployed onto it, until stopped."""
    endpoint = f"http://127.0.0.1:{args.port}"
    if port_taken(args.port):  # else another server's health check would pass for ours
        print(f"examples: port {args.port} is in use; stop what listens there or choose "
              "another port (make up PORT=...)", file=sys.stderr)
        return 1
    command = [sys.executable, "-m", "nubes", "up", "--port", str(args.port),
               *(["--data-dir", str(args.data_dir)] if args.data_dir else [])]
    # Its own session: Ctrl-C in the terminal reaches this process only, which passes it
    # on to the server alone; the server stops its zygotes and sandboxes itself, instead
    # of each of them being interrupted by the terminal's SIGINT too.
    server = subprocess.Popen(command, start_new_session=True)

    def forward(signum: int, frame: FrameType | None) -> None:
        server.send_signal(signal.SIGTERM if signum == signal.SIGHUP else signum)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, forward)
    try:
        wait_healthy(endpoint, server)
        _deploy_and_print(endpoint, args.examples_dir, args.only or EXAMPLES)
        print("Nubes keeps running in the foreground; Ctrl-C stops it.", flush=True)
    except Exception as error:
        print(f"examples: {error}", file=sys.stderr, flush=True)
    return server.wait()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nubes.examples_deploy",
                                     description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("up", help="Start Nubes, deploy the examples, stay running.")
    start.add_argument("--port", type=int, default=4566)
    start.add_argument("--data-dir", type=Path)
    deploy = commands.add_parser("deploy", help="Deploy the examples to a running Nubes.")
    deploy.add_argument("--endpoint", default="http://127.0.0.1:4566")
    for sub in (start, deploy):
        sub.add_argument("--examples-dir", type=Path, default=Path("examples"))
        sub.add_argument("--only", action="append", choices=EXAMPLES,
                         help="deploy this example only (repeatable)")
    args = parser.parse_args(argv)
    if args.command == "up":
        return up(args)
    wait_healthy(args.endpoint, None, timeout_s=5.0)
    return _deploy_and_print(args.endpoint, args.examples_dir, args.only or EXAMPLES)


if __name__ == "__main__":
    sys.exit(main())
