"""Settings: explicit > environment > config file > default, and clear errors for bad values."""

from __future__ import annotations

from pathlib import Path

import pytest

from nubes.config import SETTINGS, Settings, default_data_dir


def write_toml(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_defaults_when_nothing_is_said(tmp_path: Path) -> None:
    settings = Settings.build(env={"XDG_DATA_HOME": str(tmp_path)})
    assert settings.host == "127.0.0.1"
    assert settings.port == 4566
    assert settings.region == "us-east-1"
    assert settings.log_level == "info"
    assert settings.fsync is False
    assert settings.data_dir == tmp_path / "nubes"
    assert settings.endpoint == "http://localhost:4566"


def test_every_setting_has_help_and_a_field() -> None:
    names = {setting.name for setting in SETTINGS}
    assert names == set(Settings.__dataclass_fields__)
    assert all(setting.help for setting in SETTINGS)


def test_a_value_comes_from_flag_then_env_then_file_then_default(tmp_path: Path) -> None:
    config = write_toml(tmp_path / "nubes.toml", 'port = 1001\nregion = "eu-west-1"\n'
                        'log_level = "warning"\n')
    env = {"NUBES_PORT": "1002", "NUBES_REGION": "eu-central-1"}

    settings = Settings.build({"port": 1003}, env=env, config_file=config)
    assert settings.port == 1003  # the flag beats the environment
    assert settings.region == "eu-central-1"  # the environment beats the file
    assert settings.log_level == "warning"  # the file beats the default
    assert settings.host == "127.0.0.1"  # the default, when nobody says

    assert Settings.build({"port": None}, env=env, config_file=config).port == 1002
    assert Settings.build(env={}, config_file=config).port == 1001


def test_the_data_dir_may_hold_its_own_config_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_toml(data / "nubes.toml", "port = 2001\nfsync = true\n")
    settings = Settings.build({"data_dir": data}, env={})
    assert (settings.port, settings.fsync) == (2001, True)
    assert Settings.build({"data_dir": data}, env={"NUBES_PORT": "2002"}).port == 2002


def test_a_named_config_file_wins_over_the_one_in_the_data_dir(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_toml(data / "nubes.toml", "port = 3001\n")
    named = write_toml(tmp_path / "named.toml", "port = 3002\n")
    assert Settings.build({"data_dir": data}, env={}, config_file=named).port == 3002
    from_env = {"NUBES_CONFIG": str(named)}
    assert Settings.build({"data_dir": data}, env=from_env).port == 3002


def test_a_named_config_file_may_say_where_the_data_is(tmp_path: Path) -> None:
    named = write_toml(tmp_path / "named.toml", f'data_dir = "{tmp_path / "elsewhere"}"\n')
    assert Settings.build(env={}, config_file=named).data_dir == tmp_path / "elsewhere"
    env = {"NUBES_DATA_DIR": str(tmp_path / "env")}
    assert Settings.build(env=env, config_file=named).data_dir == tmp_path / "env"


def test_environment_strings_are_parsed(tmp_path: Path) -> None:
    env = {"NUBES_PORT": " 4567 ", "NUBES_FSYNC": "yes", "NUBES_ACCESS_LOG": "off",
           "NUBES_LOG_LEVEL": "DEBUG", "NUBES_DATA_DIR": str(tmp_path / "d")}
    settings = Settings.build(env=env)
    assert (settings.port, settings.fsync, settings.access_log) == (4567, True, False)
    assert settings.log_level == "debug"
    assert settings.data_dir == tmp_path / "d"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"NUBES_PORT": "forty"}, r"NUBES_PORT: port: expected a port number .*'forty'"),
        ({"NUBES_PORT": "70000"}, r"NUBES_PORT: port: expected a port number"),
        ({"NUBES_FSYNC": "sometimes"}, r"NUBES_FSYNC: fsync: expected a boolean"),
        ({"NUBES_LOG_LEVEL": "loud"}, r"NUBES_LOG_LEVEL: log_level: expected one of debug"),
    ],
)
def test_a_bad_environment_value_is_named(
    tmp_path: Path, env: dict[str, str], expected: str
) -> None:
    with pytest.raises(ValueError, match=expected):
        Settings.build(env={"XDG_DATA_HOME": str(tmp_path), **env})


def test_a_bad_flag_value_is_named(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"command line: port: expected a port number"):
        Settings.build({"port": -1, "data_dir": tmp_path}, env={})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('port = "forty"\n', r"port: expected a port number .*'forty'"),
        ("port = 4566.5\n", r"port: expected a port number .*4566.5"),
        ("fsync = 3\n", r"fsync: expected a boolean"),
        ("region = 7\n", r"region: expected a string"),
        ("prot = 4566\n", r"unknown setting 'prot' \(known: access_log, account_concurrency, "),
        ("port = \n", r"not valid TOML"),
    ],
)
def test_a_bad_config_file_is_named(tmp_path: Path, text: str, expected: str) -> None:
    config = write_toml(tmp_path / "bad.toml", text)
    with pytest.raises(ValueError, match=expected) as caught:
        Settings.build({"data_dir": tmp_path}, env={}, config_file=config)
    assert str(config) in str(caught.value)


def test_a_bad_config_file_in_the_data_dir_is_named(tmp_path: Path) -> None:
    write_toml(tmp_path / "nubes.toml", "colour = 'blue'\n")
    with pytest.raises(ValueError, match=r"nubes.toml: unknown setting 'colour'"):
        Settings.build({"data_dir": tmp_path}, env={})


def test_a_named_config_file_must_exist(tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    with pytest.raises(ValueError, match=r"config file .*missing.toml does not exist"):
        Settings.build({"data_dir": tmp_path}, env={}, config_file=missing)
    with pytest.raises(ValueError, match=r"does not exist"):
        Settings.build({"data_dir": tmp_path}, env={"NUBES_CONFIG": str(missing)})


def test_the_default_data_dir_follows_xdg_then_home(tmp_path: Path) -> None:
    xdg = str(tmp_path / "xdg")
    home = str(tmp_path / "home")
    assert default_data_dir({"XDG_DATA_HOME": xdg, "HOME": home}) == Path(xdg) / "nubes"
    assert default_data_dir({"HOME": home}) == Path(home) / ".local/share/nubes"
    assert default_data_dir({"XDG_DATA_HOME": "", "HOME": home}) == Path(home, ".local/share/nubes")
    assert Settings.build(env={"HOME": home}).data_dir == Path(home) / ".local/share/nubes"


def test_a_data_dir_with_a_tilde_is_expanded(tmp_path: Path) -> None:
    assert Settings.build({"data_dir": Path("~/somewhere")}, env={}).data_dir.is_absolute()


def test_endpoint_names_the_host_clients_should_use() -> None:
    assert Settings(host="127.0.0.1", port=1).endpoint == "http://localhost:1"
    assert Settings(host="::1", port=2).endpoint == "http://localhost:2"
    assert Settings(host="10.0.0.5", port=3).endpoint == "http://10.0.0.5:3"
