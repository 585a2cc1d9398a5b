"""The ``nubes`` commands that use a running Nubes as a client: invoke, logs, functions.

They speak the Lambda and CloudWatch Logs APIs through botocore, exactly as any AWS
client does, with the endpoint and credentials of the environment (``AWS_ENDPOINT_URL``,
``AWS_ACCESS_KEY_ID``, ...) or Nubes' defaults (``http://127.0.0.1:4566``, ``test``).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import time
from collections.abc import Mapping
from typing import Any, TextIO

import botocore.session
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

DEFAULT_ENDPOINT = "http://127.0.0.1:4566"


def add_commands(commands: Any) -> None:
    """Add ``invoke``, ``logs`` and ``functions`` to the top-level subparsers."""
    invoke = commands.add_parser("invoke", help="Invoke a function and print its response.")
    invoke.add_argument("name", help="Function name or ARN (with :version or :alias).")
    invoke.add_argument("--payload", default="{}", help="The event, as JSON (default {}).")
    invoke.add_argument("--async", dest="asynchronous", action="store_true",
                        help="Queue the invocation (InvocationType Event).")
    invoke.add_argument("--log", action="store_true", help="Also print the log tail.")
    logs = commands.add_parser("logs", help="Print a function's logs.")
    logs.add_argument("name", help="Function name.")
    logs.add_argument("--follow", "-f", action="store_true", help="Keep printing new lines.")
    logs.add_argument("--since", type=float, default=3600.0,
                      help="How far back to start, in seconds (default 3600).")
    commands.add_parser("functions", help="List functions.")
    for name in ("invoke", "logs", "functions"):
        parser = commands.choices[name]
        parser.add_argument("--endpoint", help=f"Nubes' URL (default $AWS_ENDPOINT_URL or "
                            f"{DEFAULT_ENDPOINT}).")
        parser.add_argument("--region", help="Region (default $AWS_DEFAULT_REGION or us-east-1).")


def client(service: str, args: argparse.Namespace, env: Mapping[str, str]) -> Any:
    session = botocore.session.get_session()
    return session.create_client(
        service,
        endpoint_url=args.endpoint or env.get("AWS_ENDPOINT_URL") or DEFAULT_ENDPOINT,
        region_name=args.region or env.get("AWS_DEFAULT_REGION") or "us-east-1",
        aws_access_key_id=env.get("AWS_ACCESS_KEY_ID", "test"),
        aws_secret_access_key=env.get("AWS_SECRET_ACCESS_KEY", "test"),
        config=Config(retries={"max_attempts": 2}, connect_timeout=5),
    )


def run(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    """Run one client command; returns the exit status."""
    env = os.environ
    try:
        if args.command == "invoke":
            return _invoke(client("lambda", args, env), args, out)
        if args.command == "logs":
            return _logs(client("logs", args, env), args, out)
        return _functions(client("lambda", args, env), out)
    except ClientError as error:
        info = error.response.get("Error", {})
        print(f"nubes: {info.get('Code')}: {info.get('Message')}", file=sys.stderr)
        return 1
    except BotoCoreError as error:  # no server there, bad endpoint...
        print(f"nubes: {error}", file=sys.stderr)
        return 1


def _invoke(lam: Any, args: argparse.Namespace, out: TextIO) -> int:
    json.loads(args.payload)  # refuse bad JSON before sending it
    response = lam.invoke(
        FunctionName=args.name, Payload=args.payload.encode(),
        InvocationType="Event" if args.asynchronous else "RequestResponse",
        LogType="Tail" if args.log and not args.asynchronous else "None",
    )
    if args.asynchronous:
        print(f"queued (status {response['StatusCode']})", file=out)
        return 0
    if args.log and response.get("LogResult"):
        print(base64.b64decode(response["LogResult"]).decode(errors="replace"), file=out)
    print(response["Payload"].read().decode(errors="replace"), file=out)
    return 1 if response.get("FunctionError") else 0


def _logs(logs: Any, args: argparse.Namespace, out: TextIO) -> int:
    group = f"/aws/lambda/{args.name}"
    start = int((time.time() - args.since) * 1000)
    seen: set[str] = set()
    while True:
        for event in _events_since(logs, group, start):
            if event["eventId"] not in seen:
                seen.add(event["eventId"])
                start = max(start, event["timestamp"])
                print(event["message"].rstrip("\n"), file=out, flush=True)
        if not args.follow:
            return 0
        time.sleep(1.0)


def _events_since(logs: Any, group: str, start: int) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"logGroupName": group, "startTime": start, "interleaved": True}
    try:
        for page in logs.get_paginator("filter_log_events").paginate(**kwargs):
            events += page["events"]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
            raise
    return sorted(events, key=lambda e: (e["timestamp"], e["eventId"]))


def _functions(lam: Any, out: TextIO) -> int:
    rows = [("NAME", "RUNTIME", "MEMORY", "TIMEOUT", "STATE", "LAST MODIFIED")]
    for page in lam.get_paginator("list_functions").paginate():
        for fn in page["Functions"]:
            rows.append((fn["FunctionName"], fn.get("Runtime", "-"), str(fn.get("MemorySize")),
                         str(fn.get("Timeout")), fn.get("State", "-"),
                         fn.get("LastModified", "-")))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
              .rstrip(), file=out)
    return 0
