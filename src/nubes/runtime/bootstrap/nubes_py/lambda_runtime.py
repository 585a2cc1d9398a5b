"""The Python Lambda runtime inside a sandbox: import the handler, then serve invocations.

Runs in the forked sandbox process. Errors take the shapes AWS's Python runtime gives
(``awslambdaric``): ``Runtime.ImportModuleError``, ``Runtime.HandlerNotFound``,
``Runtime.UserCodeSyntaxError``, ``Runtime.MarshalError``, and for a handler that raises,
``{"errorMessage", "errorType", "requestId", "stackTrace"}``.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import socket
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

from . import frames

Handler = Callable[[Any, Any], Any]
# The root logger's format in AWS's Python runtime (awslambdaric's LambdaLoggerHandler).
LOG_FORMAT = "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s"


class LambdaLogHandler(logging.Handler):
    """The root logger's handler, as in AWS: one record, one log event, with the request."""

    def __init__(self) -> None:
        super().__init__()
        self.request_id = ""
        formatter = logging.Formatter(LOG_FORMAT, "%Y-%m-%dT%H:%M:%S")
        formatter.converter = time.gmtime
        self.setFormatter(formatter)

    def emit(self, record: logging.LogRecord) -> None:
        record.__dict__["aws_request_id"] = self.request_id
        try:
            # "\r" keeps a multi-line record (a traceback) in one log event.
            sys.stdout.write(self.format(record).replace("\n", "\r") + "\n")
        except Exception:
            self.handleError(record)


class LambdaContext:
    """The ``context`` argument, with the fields and method Lambda's has."""

    def __init__(self, meta: dict[str, Any], env: os._Environ[str]) -> None:
        self.aws_request_id: str = meta["request_id"]
        self.invoked_function_arn: str = meta["invoked_arn"]
        self.function_name = env.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = env.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.client_context: Any = meta.get("client_context")
        self.identity: Any = meta.get("identity")
        self._deadline_ms: int = meta["deadline_ms"]

    def get_remaining_time_in_millis(self) -> int:
        return max(self._deadline_ms - int(time.time() * 1000), 0)


class InitError(Exception):
    def __init__(self, error_type: str, message: str, trace: list[str] | None = None):
        super().__init__(message)
        self.document = {"errorMessage": message, "errorType": error_type,
                         "requestId": "", "stackTrace": trace or []}


def load_handler(spec: str) -> Handler:
    """Import ``module.function`` as awslambdaric does, raising InitError as it would."""
    try:
        modname, fname = spec.rsplit(".", 1)
    except ValueError as e:
        raise InitError("Runtime.MalformedHandlerName", f"Bad handler '{spec}': {e}") from e
    try:
        module = importlib.import_module(modname.replace("/", "."))
    except ImportError as e:
        raise InitError("Runtime.ImportModuleError",
                        f"Unable to import module '{modname}': {e}") from e
    except SyntaxError as e:
        trace = [f'  File "{e.filename}" Line {e.lineno}\n    {e.text}']
        raise InitError("Runtime.UserCodeSyntaxError",
                        f"Syntax error in module '{modname}': {e}", trace) from e
    except Exception as e:
        raise InitError(type(e).__name__, str(e), _user_trace(e)) from e
    handler = getattr(module, fname, None)
    if handler is None:
        raise InitError("Runtime.HandlerNotFound",
                        f"Handler '{fname}' missing on module '{modname}'")
    return handler  # type: ignore[no-any-return]


def _user_trace(error: BaseException) -> list[str]:
    """The traceback's frames, without this runtime's own."""
    frames_ = [f for f in traceback.extract_tb(error.__traceback__)
               if not f.filename.startswith(os.path.dirname(__file__))
               and "importlib" not in f.filename]
    return traceback.format_list(frames_)


def error_document(error: BaseException, request_id: str) -> dict[str, Any]:
    return {"errorMessage": str(error), "errorType": type(error).__name__,
            "requestId": request_id, "stackTrace": _user_trace(error)}


def _log_error(doc: dict[str, Any]) -> None:
    # Lambda writes one record; "\r" keeps a multi-line traceback in one log event.
    lines = [f"[ERROR] {doc['errorType']}: {doc['errorMessage']}"]
    if doc["stackTrace"]:
        lines.append("Traceback (most recent call last):")
        lines.extend(line.rstrip("\n") for line in doc["stackTrace"])
    sys.stdout.write("\r".join(lines) + "\n")


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass


def invoke_once(handler: Handler, meta: dict[str, Any], payload: bytes,
                log_handler: LambdaLogHandler | None = None) -> tuple[int, bytes]:
    """Run the handler on one event: (frame kind, body)."""
    request_id = meta["request_id"]
    if log_handler is not None:
        log_handler.request_id = request_id
    try:
        event = json.loads(payload) if payload else {}
        result = handler(event, LambdaContext(meta, os.environ))
    except Exception as error:
        doc = error_document(error, request_id)
        _log_error(doc)
        return frames.ERROR, json.dumps(doc).encode()
    try:
        body = json.dumps(result).encode()
    except (TypeError, ValueError) as error:
        doc = {"errorMessage": f"Unable to marshal response: {error}",
               "errorType": "Runtime.MarshalError", "requestId": request_id,
               "stackTrace": []}
        _log_error(doc)
        return frames.ERROR, json.dumps(doc).encode()
    return frames.RESULT, body


def serve(sock: socket.socket, handler_spec: str, started: float) -> None:
    """Import the handler, report READY (or INIT_ERROR), then run invocations until EOF."""
    log_handler = LambdaLogHandler()
    logging.getLogger().addHandler(log_handler)
    try:
        handler = load_handler(handler_spec)
    except InitError as error:
        _log_error(error.document)
        _flush()
        sock.sendall(frames.encode(frames.INIT_ERROR, json.dumps(error.document).encode()))
        return
    init_ms = (time.monotonic() - started) * 1000
    _flush()
    sock.sendall(frames.encode(frames.READY, json.dumps({"init_ms": init_ms}).encode()))
    while True:
        frame = frames.read_frame(sock)
        if frame is None:
            return
        meta, payload = frames.decode_invoke(frame[1])
        kind, body = invoke_once(handler, meta, payload, log_handler)
        _flush()
        sock.sendall(frames.encode(kind, body))


def run(sock: socket.socket, handler_spec: str, started: float) -> int:
    """``serve``, turning ``sys.exit`` into the process's exit status."""
    try:
        serve(sock, handler_spec, started)
        return 0
    except SystemExit as stop:
        code = stop.code
        if code is None:
            return 0
        if isinstance(code, int):
            return code & 0xFF
        sys.stderr.write(f"{code}\n")
        return 1
    finally:
        _flush()
