"""Settings: every option Nubes has, declared once with its help text.

A value comes from, in order: an explicit argument (the command line), the environment
(``NUBES_<NAME>``), a TOML config file (``--config``, ``NUBES_CONFIG``, or
``<data-dir>/nubes.toml``), then the default. ``Settings`` is built once at start-up and
passed in; nothing reads the environment at import time.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

LOG_LEVELS = ("debug", "info", "warning", "error")


def default_data_dir(env: Mapping[str, str]) -> Path:
    """``$XDG_DATA_HOME/nubes``, else ``~/.local/share/nubes``."""
    base = env.get("XDG_DATA_HOME") or str(Path(env.get("HOME", "~")).expanduser() / ".local/share")
    return Path(base) / "nubes"


# Each parser takes a string (from the environment or the file) or the value as typed
# (from the command line or TOML), and raises ValueError saying what it expected.


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {value!r}")
    return value


def _port(value: Any) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 65535:
        raise ValueError(f"expected a port number (0-65535), got {value!r}")
    return value


def _path(value: Any) -> Path:
    if isinstance(value, Path):
        return value
    if not isinstance(value, str) or not value:
        raise ValueError(f"expected a path, got {value!r}")
    return Path(value)


def _log_level(value: Any) -> str:
    if not isinstance(value, str) or value.lower() not in LOG_LEVELS:
        raise ValueError(f"expected one of {', '.join(LOG_LEVELS)}, got {value!r}")
    return value.lower()


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    lowered = value.strip().lower() if isinstance(value, str) else None
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"expected a boolean, got {value!r}")


def _positive_int(value: Any) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"expected a positive whole number, got {value!r}")
    return value


def _seconds(value: Any) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"expected a number of seconds, got {value!r}") from None
    if isinstance(value, bool) or seconds < 0:
        raise ValueError(f"expected a number of seconds, got {value!r}")
    return seconds


def _delays(value: Any) -> tuple[float, ...]:
    items = value.split(",") if isinstance(value, str) else value
    try:
        delays = tuple(_seconds(item.strip() if isinstance(item, str) else item)
                       for item in items if item != "")
    except (TypeError, ValueError):
        raise ValueError(f"expected seconds separated by commas, got {value!r}") from None
    return delays


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    parse: Callable[[Any], Any] = _text


SETTINGS: tuple[Setting, ...] = (
    Setting("host", "127.0.0.1", "Address to listen on. Loopback unless you add your own keys."),
    Setting("port", 4566, "Port for every service, the console and the health check.", _port),
    Setting("data_dir", None, "Directory holding all state (default: $XDG_DATA_HOME/nubes "
            "or ~/.local/share/nubes).", _path),
    Setting("region", "us-east-1", "Region assumed for requests that do not name one."),
    Setting("log_level", "info", "Log level: debug, info, warning or error.", _log_level),
    Setting("fsync", False, "fsync every acknowledged write, so it also survives power loss "
            "(acknowledged writes always survive a crash of the server process).", _bool),
    Setting("access_log", False, "Log every request.", _bool),
    Setting("account_concurrency", 1000, "Lambda: concurrent executions per account "
            "(ConcurrentExecutions of GetAccountSettings).", _positive_int),
    Setting("lambda_keep_alive", 600.0, "Lambda: seconds an idle warm sandbox is kept "
            "before it is reaped (scale to zero).", _seconds),
    Setting("lambda_async_retry_delays", (60.0, 120.0), "Lambda: seconds before each retry "
            "of a failed asynchronous invocation (one per retry).", _delays),
    Setting("lambda_mapping_poll_interval", 1.0, "Lambda: seconds between reads of an idle "
            "stream by an event source mapping, and between retries of a failed batch.",
            _seconds),
    Setting("lambda_mapping_lease", 30.0, "Lambda: seconds a server holds a shard or queue "
            "of an event source mapping without renewing; a crashed server's are taken over "
            "after this.", _seconds),
    Setting("sns_retry_delay_scale", 1.0, "SNS: multiplies the delays of http(s) delivery "
            "policies (1 = AWS's timing; tests shorten it).", _seconds),
)
_BY_NAME = {setting.name: setting for setting in SETTINGS}


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 4566
    data_dir: Path = Path("nubes-data")
    region: str = "us-east-1"
    log_level: str = "info"
    fsync: bool = False
    access_log: bool = False
    account_concurrency: int = 1000
    lambda_keep_alive: float = 600.0
    lambda_async_retry_delays: tuple[float, ...] = (60.0, 120.0)
    lambda_mapping_poll_interval: float = 1.0
    lambda_mapping_lease: float = 30.0
    sns_retry_delay_scale: float = 1.0

    @classmethod
    def build(
        cls,
        explicit: Mapping[str, Any] | None = None,
        env: Mapping[str, str] | None = None,
        config_file: Path | None = None,
    ) -> Settings:
        """Resolve every setting: explicit > environment > config file > default.

        Raises ValueError naming the setting and where a bad value came from.
        """
        env = os.environ if env is None else env
        chosen = _parsed((explicit or {}).items(), "command line")
        for setting in SETTINGS:
            value = env.get(f"NUBES_{setting.name.upper()}")
            if setting.name not in chosen and value is not None:
                chosen.update(_parsed([(setting.name, value)], f"NUBES_{setting.name.upper()}"))
        # The file named by --config or NUBES_CONFIG must exist and may say where the data
        # is; <data-dir>/nubes.toml is optional (and cannot move the directory it is in).
        named = config_file or (Path(env["NUBES_CONFIG"]) if env.get("NUBES_CONFIG") else None)
        from_file = _read_config_file(named) if named is not None else {}
        if "data_dir" not in chosen:
            chosen["data_dir"] = from_file.get("data_dir") or default_data_dir(env)
        chosen["data_dir"] = chosen["data_dir"].expanduser()
        if named is None:
            beside_data = chosen["data_dir"] / "nubes.toml"
            from_file = _read_config_file(beside_data) if beside_data.exists() else {}
        for name, value in from_file.items():
            chosen.setdefault(name, value)
        return replace(cls(), **chosen)

    @property
    def endpoint(self) -> str:
        host = "localhost" if self.host in ("127.0.0.1", "::1", "localhost") else self.host
        return f"http://{host}:{self.port}"


def _parsed(values: Iterable[tuple[str, Any]], source: str) -> dict[str, Any]:
    """``(name, value)`` pairs parsed by their settings; None values are left out."""
    out: dict[str, Any] = {}
    for name, value in values:
        if value is None:
            continue
        setting = _BY_NAME.get(name)
        if setting is None:
            known = ", ".join(sorted(_BY_NAME))
            raise ValueError(f"{source}: unknown setting {name!r} (known: {known})")
        try:
            out[name] = setting.parse(value)
        except ValueError as error:
            raise ValueError(f"{source}: {name}: {error}") from None
    return out


def _read_config_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ValueError(f"config file {path} does not exist") from None
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{path}: not valid TOML: {error}") from None
    return _parsed(data.items(), str(path))
