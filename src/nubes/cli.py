"""The ``nubes`` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from nubes import __version__, cli_functions
from nubes.accounts import AccountStore
from nubes.config import SETTINGS, Settings
from nubes.errors import NubesError
from nubes.server import serve
from nubes.storage.sqlite import Database


def _help(name: str) -> str:
    return next(s.help for s in SETTINGS if s.name == name)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nubes", description="The serverless cloud you run yourself."
    )
    parser.add_argument("--version", action="version", version=f"nubes {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    up = commands.add_parser("up", help="Start every service on one port.")
    up.add_argument("--host", help=_help("host"))
    up.add_argument("--port", type=int, help=_help("port"))
    up.add_argument("--data-dir", type=Path, help=_help("data_dir"))
    up.add_argument("--region", help=_help("region"))
    up.add_argument("--log-level", help=_help("log_level"))
    up.add_argument("--config", type=Path, help="TOML file of settings (docs/configuration.md).")

    keys = commands.add_parser("keys", help="Manage access keys.")
    key_commands = keys.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    create = key_commands.add_parser("create", help="Add an access key and print it.")
    create.add_argument("--data-dir", type=Path, help=_help("data_dir"))
    create.add_argument("--account", help="12-digit account id (a new account when omitted).")
    create.add_argument("--access-key", help="Access key id (generated when omitted).")
    create.add_argument("--secret", help="Secret access key (generated when omitted).")
    listing = key_commands.add_parser("list", help="List access keys and their accounts.")
    listing.add_argument("--data-dir", type=Path, help=_help("data_dir"))
    cli_functions.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "up":
            return _up(args)
        if args.command == "keys":
            return _keys(args)
        return cli_functions.run(args)
    except (NubesError, ValueError) as error:
        print(f"nubes: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _up(args: argparse.Namespace) -> int:
    explicit = {
        "host": args.host,
        "port": args.port,
        "data_dir": args.data_dir,
        "region": args.region,
        "log_level": args.log_level,
    }
    serve(Settings.build(explicit, config_file=args.config))
    return 0


def _keys(args: argparse.Namespace) -> int:
    settings = Settings.build({"data_dir": args.data_dir})
    db = Database(settings.data_dir / "nubes.db")
    try:
        accounts = AccountStore(db)
        accounts.ensure_default()
        if args.keys_command == "create":
            creds = accounts.create_key(args.account, args.access_key, args.secret)
            print(f"account_id            {creds.account_id}")
            print(f"aws_access_key_id     {creds.access_key}")
            print(f"aws_secret_access_key {creds.secret_key}")
        else:
            for creds in accounts.list_keys():
                print(f"{creds.account_id}  {creds.access_key}")
    finally:
        db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
