"""Settings: every option Nubes has, declared once with its help text.

A value comes from, in order: an explicit argument (the command line), the environment
(``NUBES_<NAME>``), a TOML config file (``--config``, ``NUBES_CONFIG``, or
``<data-dir>/nubes.toml``), then the default. ``Settings`` is built once at start-up and
passed in; nothing reads the environment at import time.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any


def default_data_dir(env: Mapping[str, str]) -> Path:
    """``$XDG_DATA_HOME/nubes``, else ``~/.local/share/nubes``."""
    base = env.get("XDG_DATA_HOME") or str(Path(env.get("HOME", "~")).expanduser() / ".local/share")
    return Path(base) / "nubes"


def _bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"not a boolean: {value!r}")


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str


SETTINGS: tuple[Setting, ...] = (
    Setting("host", "127.0.0.1", "Address to listen on. Loopback unless you add your own keys."),
    Setting("port", 4566, "Port for every service, the console and the health check.", int),
    Setting("data_dir", None, "Directory holding all state (default: $XDG_DATA_HOME/nubes "
            "or ~/.local/share/nubes).", Path),
    Setting("region", "us-east-1", "Region assumed for requests that do not name one."),
    Setting("log_level", "info", "Log level: debug, info, warning or error."),
    Setting("fsync", False, "fsync every acknowledged write, so it also survives power loss "
            "(acknowledged writes always survive a crash of the server process).", _bool),
    Setting("access_log", False, "Log every request.", _bool),
)


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 4566
    data_dir: Path = Path("nubes-data")
    region: str = "us-east-1"
    log_level: str = "info"
    fsync: bool = False
    access_log: bool = False

    @classmethod
    def build(
        cls,
        explicit: Mapping[str, Any] | None = None,
        env: Mapping[str, str] | None = None,
        config_file: Path | None = None,
    ) -> Settings:
        """Resolve every setting: explicit > environment > config file > default."""
        explicit = {k: v for k, v in (explicit or {}).items() if v is not None}
        env = os.environ if env is None else env
        chosen: dict[str, Any] = {}
        for setting in SETTINGS:
            env_value = env.get(f"NUBES_{setting.name.upper()}")
            if setting.name in explicit:
                chosen[setting.name] = explicit[setting.name]
            elif env_value is not None:
                chosen[setting.name] = setting.parse(env_value)
        data_dir = Path(chosen.get("data_dir") or default_data_dir(env)).expanduser()
        chosen["data_dir"] = data_dir
        path = config_file or (Path(env["NUBES_CONFIG"]) if env.get("NUBES_CONFIG") else None)
        path = path or data_dir / "nubes.toml"
        file_values = _read_config_file(path) if path.exists() else {}
        for setting in SETTINGS:
            if setting.name not in chosen and setting.name in file_values:
                value = file_values[setting.name]
                chosen[setting.name] = setting.parse(value) if isinstance(value, str) else value
            elif setting.name not in chosen and setting.default is not None:
                chosen[setting.name] = setting.default
        return replace(cls(), **chosen)

    @property
    def endpoint(self) -> str:
        host = "localhost" if self.host in ("127.0.0.1", "::1", "localhost") else self.host
        return f"http://{host}:{self.port}"


def _read_config_file(path: Path) -> dict[str, Any]:
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    known = {f.name for f in fields(Settings)}
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"{path}: unknown settings {sorted(unknown)}")
    return data
