"""Test functions shared by the suites that wire services to Lambda: a function that
prints each event it gets, and reading those events back from its log."""

from __future__ import annotations

import io
import json
import time
import zipfile
from typing import Any

from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::000000000000:role/lambda-role"

PRINTING_HANDLER = (
    "import json\n"
    "def handler(event, context):\n"
    "    print('EVENT ' + json.dumps(event))\n"
    "    return 'ok'\n"
)


def package(source: str = PRINTING_HANDLER) -> bytes:
    """A deployment package with ``source`` as app.py."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()


def printing_function(lam: Any, name: str) -> tuple[str, str]:
    """(name, ARN) of a new Active function printing every event it gets."""
    arn: str = lam.create_function(
        FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.handler",
        Code={"ZipFile": package()})["FunctionArn"]
    lam.get_waiter("function_active_v2").wait(
        FunctionName=name, WaiterConfig={"Delay": 0.05, "MaxAttempts": 1200})
    return name, arn


def printed_events(logs: Any, name: str, count: int, wait_s: float = 20.0) -> list[Any]:
    """The events function ``name`` printed, once there are ``count`` (or the wait ends)."""
    deadline = time.monotonic() + wait_s
    found: list[Any] = []
    while time.monotonic() < deadline:
        try:
            got = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}")
        except ClientError:
            got = {"events": []}
        found = [json.loads(e["message"].split("EVENT ", 1)[1])
                 for e in got["events"] if e["message"].startswith("EVENT ")]
        if len(found) >= count:
            break
        time.sleep(0.1)
    return found
