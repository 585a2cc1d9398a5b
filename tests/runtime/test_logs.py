"""Logs and metering: stdout/stderr line by line, START/END/REPORT, the tail, records."""

from __future__ import annotations

import re

from tests.runtime.conftest import ACCOUNT, REGION, Runtime, tail_text

CHATTY = """
import sys
print("at import")

def handler(event, context):
    print("to stdout")
    print("to stderr", file=sys.stderr)
    print("x" * event.get("n", 0))
    return "ok"
"""
REPORT = re.compile(
    r"^REPORT RequestId: (?P<id>[0-9a-f-]{36})\tDuration: \d+\.\d\d ms\t"
    r"Billed Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB"
    r"(\tInit Duration: \d+\.\d\d ms)?\t\n$")


def test_logs_have_lambdas_lines_in_order(runtime: Runtime) -> None:
    spec = runtime.function({"app.py": CHATTY})
    runtime.invoke(spec)
    runtime.invoke(spec)
    entries = [e for e in runtime.recorder.logs if e[2] == spec.log_group]
    assert len(entries) == 2
    account, region, group, stream, events = entries[0]
    assert (account, region, group) == (ACCOUNT, REGION, f"/aws/lambda/{spec.name}")
    assert re.fullmatch(r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}", stream)
    assert entries[1][3] == stream  # one stream per sandbox
    messages = [e.message for e in events]
    assert messages[0] == "at import\n"
    assert messages[1].startswith("START RequestId: ") and messages[1].endswith(
        " Version: $LATEST\n")
    assert messages[2:5] == ["to stdout\n", "to stderr\n", "\n"]
    assert messages[5].startswith("END RequestId: ")
    cold, warm = REPORT.match(messages[6]), REPORT.match(entries[1][4][-1].message)
    assert cold and "Init Duration" in messages[6]
    assert warm and "Init Duration" not in entries[1][4][-1].message
    assert all(e.timestamp_ms > 0 for e in events)


def test_log_tail_is_the_last_4kb_of_this_invocation(runtime: Runtime) -> None:
    spec = runtime.function({"app.py": CHATTY})
    runtime.invoke(spec)
    result = runtime.invoke(spec, {"n": 6000}, tail=True)
    text = tail_text(result)
    assert len(text.encode()) == 4096
    assert text.rstrip("\n").split("\n")[-1].startswith("REPORT RequestId: ")
    assert "at import" not in text
    assert runtime.invoke(spec).log_tail is None


def test_a_meter_record_per_invocation(runtime: Runtime) -> None:
    spec = runtime.function({"app.py": CHATTY}, memory_mb=192)
    runtime.invoke(spec)
    runtime.invoke(spec)
    records = [m for m in runtime.recorder.meters if m.function == spec.name]
    assert [m.cold for m in records] == [True, False]
    assert all(m.outcome == "success" and m.memory_mb == 192 and m.billed_ms >= 1
               and m.max_rss_mb > 0 and m.version == "$LATEST" for m in records)


def test_timeouts_are_logged_as_lambda_does(runtime: Runtime) -> None:
    spec = runtime.function({"app.py": "import time\ndef handler(e, c):\n    time.sleep(5)\n"},
                            timeout_s=0.5)
    result = runtime.invoke(spec, tail=True)
    text = tail_text(result)
    assert re.search(r"\d{4}-\d\d-\d\dT[\d:]+Z [0-9a-f-]{36} Task timed out after 0.50 "
                     r"seconds\n", text)
    assert "\tStatus: timeout" in text
