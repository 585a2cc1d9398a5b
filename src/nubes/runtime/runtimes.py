"""Which Lambda runtimes this host can run, and how each is started.

Python runtimes need the matching interpreter (found on PATH, resolving pyenv shims, or
under pyenv's versions); Node.js runtimes need a ``node`` at least as new as the runtime;
custom runtimes (``provided*``) need nothing but the function's own ``bootstrap``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from enum import StrEnum
from pathlib import Path

PYTHON_VERSIONS = ("3.10", "3.11", "3.12", "3.13")
NODE_MAJORS = (18, 20, 22)
CUSTOM_RUNTIMES = ("provided", "provided.al2", "provided.al2023")
BOOTSTRAP = "bootstrap"  # the interpreter "path" of a custom runtime: the zip's own


class RuntimeKind(StrEnum):
    PYTHON = "python"
    NODE = "node"
    CUSTOM = "custom"


def runtime_kind(runtime: str) -> RuntimeKind:
    if runtime.startswith("python"):
        return RuntimeKind.PYTHON
    if runtime.startswith("nodejs"):
        return RuntimeKind.NODE
    return RuntimeKind.CUSTOM


def _pyenv_root() -> Path:
    return Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")


def find_python(version: str) -> str | None:
    """A real interpreter for ``python<version>`` (never a pyenv shim), or None."""
    name = f"python{version}"
    found = shutil.which(name)
    if found and "/shims/" not in found:
        return str(Path(found).resolve())
    versions = _pyenv_root() / "versions"
    if versions.is_dir():
        for candidate in sorted(versions.glob(f"{version}.*"), reverse=True):
            binary = candidate / "bin" / name
            if binary.is_file() and os.access(binary, os.X_OK):
                return str(binary)
    return None


def _node_major(node: str) -> int | None:
    try:
        out = subprocess.run([node, "--version"], capture_output=True, text=True,
                             timeout=10, check=True).stdout
        return int(out.strip().lstrip("v").split(".")[0])
    except (OSError, ValueError, subprocess.SubprocessError):
        return None


def available_runtimes() -> dict[str, str]:
    """Runtime name -> interpreter path, for every runtime this host can run."""
    found: dict[str, str] = {}
    for version in PYTHON_VERSIONS:
        interpreter = find_python(version)
        if interpreter:
            found[f"python{version}"] = interpreter
    node = shutil.which("node")
    major = _node_major(node) if node else None
    if node and major:
        for wanted in NODE_MAJORS:
            if wanted <= major:
                found[f"nodejs{wanted}.x"] = node
    for name in CUSTOM_RUNTIMES:
        found[name] = BOOTSTRAP
    return found
