"""What a target receives: the event itself, a constant ``Input``, the part of the event an
``InputPath`` selects, or an ``InputTransformer``'s template filled in.

An ``InputTransformer`` maps variable names to JSON paths into the event
(``InputPathsMap``) and fills ``<name>`` placeholders of ``InputTemplate`` with them,
plus the reserved ``aws.events.*`` variables. As AWS documents it: in a JSON template
(one starting with ``{`` or ``[``) a placeholder outside quotes becomes the value as JSON
(a string quoted), and one inside quotes the value's text, not escaped; a string
template (``"instance <id> is <state>"``) takes each value's text. A variable whose path
is not in the event is not created: its placeholder is left empty. The result is passed
minified when it is JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

RESERVED = ("aws.events.rule-arn", "aws.events.rule-name", "aws.events.event",
            "aws.events.event.ingestion-time", "aws.events.event.json")
MAX_VARIABLES = 100
MAX_TEMPLATE = 8192

_PLACEHOLDER = re.compile(r"<([A-Za-z0-9_.\-]+)>")
_VARIABLE = re.compile(r"[A-Za-z0-9_\-]+")
_SEGMENT = re.compile(
    r"\.(?P<name>[^.\[\]]+)|\[(?P<index>\d+)\]|\[(?P<star>\*)\]"
    r"|\[(?P<quote>['\"])(?P<quoted>[^'\"]*)(?P=quote)\]")
_MISSING = object()


class TransformError(ValueError):
    """A target's input settings AWS would refuse (the message says which)."""


def compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


# -- JSON paths -------------------------------------------------------------------------


def parse_path(path: str) -> tuple[tuple[str, str | int], ...]:
    """A JSON path (``$``, ``$.detail.state``, ``$.resources[0]``, ``$.detail.*``) as
    (kind, key) steps; raises ``TransformError``."""
    if not path.startswith("$"):
        raise TransformError(path)
    steps: list[tuple[str, str | int]] = []
    position = 1
    while position < len(path):
        match = _SEGMENT.match(path, position)
        if match is None:
            raise TransformError(path)
        if match.group("index") is not None:
            steps.append(("index", int(match.group("index"))))
        elif match.group("star") is not None or match.group("name") == "*":
            steps.append(("star", ""))
        else:
            steps.append(("key", match.group("name") or match.group("quoted") or ""))
        position = match.end()
    return tuple(steps)


def select(document: Any, path: str) -> Any:
    """The value at ``path`` (a list where the path has ``*``); ``_MISSING`` if none."""
    found = [document]
    spread = False
    for kind, key in parse_path(path):
        following: list[Any] = []
        for value in found:
            if kind == "star":
                spread = True
                following.extend(value.values() if isinstance(value, dict)
                                 else value if isinstance(value, list) else [])
            elif kind == "index":
                if isinstance(value, list) and isinstance(key, int) and key < len(value):
                    following.append(value[key])
            elif isinstance(value, dict) and key in value:
                following.append(value[key])
        found = following
    if spread:
        return found
    return found[0] if found else _MISSING


# -- checking a target's settings -------------------------------------------------------


def check(target: Mapping[str, Any]) -> None:
    """Refuse input settings AWS refuses (raises ``TransformError``)."""
    given = [k for k in ("Input", "InputPath", "InputTransformer") if k in target]
    if len(given) > 1:
        raise TransformError(
            "Only one of Input, InputPath, or InputTransformer can be specified for target "
            f"{target.get('Id')}.")
    if "Input" in target:
        try:
            json.loads(target["Input"])
        except ValueError:
            raise TransformError("Parameter Input is not valid JSON.") from None
    if "InputPath" in target:
        _check_path("InputPath", target["InputPath"])
    transformer = target.get("InputTransformer")
    if transformer is not None:
        paths = transformer.get("InputPathsMap") or {}
        if len(paths) > MAX_VARIABLES:
            raise TransformError(
                f"InputPathsMap can have at most {MAX_VARIABLES} entries.")
        for name, path in paths.items():
            if name in RESERVED:
                raise TransformError(f"InputTransformer variable {name} is reserved.")
            if _VARIABLE.fullmatch(name) is None:
                raise TransformError(f"Parameter InputPathsMap key {name} is not valid.")
            _check_path(f"InputPathsMap value for {name}", path)
        template = transformer.get("InputTemplate")
        if not isinstance(template, str) or len(template) > MAX_TEMPLATE:
            raise TransformError("Parameter InputTemplate is not valid.")


def _check_path(name: str, path: Any) -> None:
    try:
        parse_path(path if isinstance(path, str) else "")
    except TransformError:
        raise TransformError(f"{name} is not a valid JSON path: {path}") from None


# -- rendering --------------------------------------------------------------------------


def render(target: Mapping[str, Any], event: Mapping[str, Any], rule_arn: str,
           rule_name: str, ingestion_time: str) -> str:
    """The text a target receives for ``event`` (the envelope, as a dict)."""
    if "Input" in target:
        return str(target["Input"])
    if "InputPath" in target:
        value = select(event, target["InputPath"])
        return compact(None if value is _MISSING else value)
    transformer = target.get("InputTransformer")
    if transformer is None:
        return compact(event)
    values: dict[str, Any] = {
        "aws.events.rule-arn": rule_arn,
        "aws.events.rule-name": rule_name,
        "aws.events.event.ingestion-time": ingestion_time,
        "aws.events.event": {k: v for k, v in event.items() if k != "detail"},
        "aws.events.event.json": event,
    }
    for name, path in (transformer.get("InputPathsMap") or {}).items():
        values[name] = select(event, path)
    return fill(transformer["InputTemplate"], values)


def fill(template: str, values: Mapping[str, Any]) -> str:
    """``template`` with its known placeholders filled (see the module's docstring)."""
    json_template = template.lstrip().startswith(("{", "["))
    out: list[str] = []
    in_string = False
    i = 0
    while i < len(template):
        char = template[i]
        if char == "\\" and in_string:
            out.append(template[i:i + 2])
            i += 2
            continue
        if char == '"':
            in_string = not in_string
        elif char == "<":
            match = _PLACEHOLDER.match(template, i)
            if match is not None and match.group(1) in values:
                value = values[match.group(1)]
                quoted = json_template and not in_string
                out.append(_text(value, quoted, match.group(1)))
                i = match.end()
                continue
        out.append(char)
        i += 1
    result = "".join(out)
    try:
        return compact(json.loads(result))
    except ValueError:
        return result


def _text(value: Any, quoted: bool, name: str) -> str:
    if value is _MISSING:
        return ""
    if name in ("aws.events.event", "aws.events.event.json"):
        return compact(value)  # their contents are not escaped
    if quoted or not isinstance(value, str):
        return compact(value)
    return value
