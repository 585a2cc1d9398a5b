"""What mapping templates see: ``$input``, ``$util``, ``$context`` and
``$stageVariables``, and the small JSONPath ``$input.path`` / ``$input.json`` take
(``$``, ``.name``, ``['name']``, ``[index]``, ``[*]`` and ``..name`` are supported)."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote_plus, unquote_plus

from nubes.services.apigateway.vtl import json_text, render

_STEP = re.compile(r"\.\.([A-Za-z0-9_$-]+)|\.([A-Za-z0-9_$-]+|\*)|\[\s*(?:'([^']*)'|\"([^\"]*)\"|"
                   r"(-?\d+)|(\*))\s*\]")


def json_path(document: Any, path: str) -> Any:
    """The value at a JSONPath (None when absent); a list for wildcard paths."""
    text = path.strip()
    if not text.startswith("$"):
        text = "$." + text
    values: list[Any] = [document]
    wildcard = False
    pos = 1
    while pos < len(text):
        match = _STEP.match(text, pos)
        if not match:
            return None
        pos = match.end()
        deep, name, quoted, quoted2, index, star = match.groups()
        step: list[Any] = []
        if deep is not None:
            wildcard = True
            for value in values:
                step.extend(_descendants(value, deep))
        elif name == "*" or star:
            wildcard = True
            for value in values:
                step.extend(value.values() if isinstance(value, dict) else
                            value if isinstance(value, list) else [])
        elif index is not None:
            for value in values:
                if isinstance(value, list) and -len(value) <= int(index) < len(value):
                    step.append(value[int(index)])
        else:
            key = name if name is not None else quoted if quoted is not None else quoted2
            for value in values:
                if isinstance(value, dict) and key in value:
                    step.append(value[key])
        values = step
    if wildcard:
        return values
    return values[0] if values else None


def _descendants(value: Any, name: str) -> list[Any]:
    found: list[Any] = []
    if isinstance(value, dict):
        if name in value:
            found.append(value[name])
        for child in value.values():
            found.extend(_descendants(child, name))
    elif isinstance(value, list):
        for child in value:
            found.extend(_descendants(child, name))
    return found


class Input:
    """``$input``: the request's (or the integration response's) body and parameters."""

    def __init__(self, body: bytes, params: Mapping[str, Mapping[str, str]]) -> None:
        self.body = body
        self.params = params  # {"path": ..., "querystring": ..., "header": ...}
        self._parsed: Any = None
        self._was_parsed = False

    def _document(self) -> Any:
        if not self._was_parsed:
            self._was_parsed = True
            try:
                self._parsed = json.loads(self.body) if self.body.strip() else {}
            except (ValueError, UnicodeDecodeError):
                self._parsed = None
        return self._parsed

    def vtl_body(self) -> str:
        return self.body.decode("utf-8", "replace")

    def vtl_json(self, path: str = "$") -> str:
        return json_text(json_path(self._document(), path))

    def vtl_path(self, path: str = "$") -> Any:
        return json_path(self._document(), path)

    def vtl_params(self, name: str | None = None) -> Any:
        if name is None:
            return {"path": dict(self.params.get("path", {})),
                    "querystring": dict(self.params.get("querystring", {})),
                    "header": dict(self.params.get("header", {}))}
        for where in ("path", "querystring", "header"):
            values = self.params.get(where, {})
            if where == "header":
                for key, value in values.items():
                    if key.lower() == name.lower():
                        return value
            elif name in values:
                return values[name]
        return ""


class Util:
    """``$util``: the helpers API Gateway documents."""

    @staticmethod
    def vtl_escapeJavaScript(text: Any) -> str:  # noqa: N802 - VTL's name
        value = "" if text is None else str(text)
        return json.dumps(value)[1:-1].replace("'", "\\'")

    @staticmethod
    def vtl_parseJson(text: Any) -> Any:  # noqa: N802 - VTL's name
        return json.loads(str(text))

    @staticmethod
    def vtl_urlEncode(text: Any) -> str:  # noqa: N802 - VTL's name
        return quote_plus(str(text))

    @staticmethod
    def vtl_urlDecode(text: Any) -> str:  # noqa: N802 - VTL's name
        return unquote_plus(str(text))

    @staticmethod
    def vtl_base64Encode(text: Any) -> str:  # noqa: N802 - VTL's name
        return base64.b64encode(str(text).encode()).decode()

    @staticmethod
    def vtl_base64Decode(text: Any) -> str:  # noqa: N802 - VTL's name
        return base64.b64decode(str(text)).decode("utf-8", "replace")


def render_template(template: str, input_: Input, context: dict[str, Any],
                    stage_variables: Mapping[str, str]) -> str:
    """A mapping template's output."""
    return render(template, {"input": input_, "util": Util(), "context": context,
                             "stageVariables": dict(stage_variables)})
