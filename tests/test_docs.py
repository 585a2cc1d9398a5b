"""The docs are tested: generated pages are current, every setting and command documented."""

from __future__ import annotations

from pathlib import Path

from nubes.cli import build_parser
from nubes.config import SETTINGS
from nubes.coverage import coverage_page
from nubes.services.registry import PROVIDER_CLASSES

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_service_coverage_pages_are_current() -> None:
    for service in PROVIDER_CLASSES:
        page = DOCS / "services" / f"{service}.md"
        assert page.read_text() == coverage_page(service), (
            f"{page} is stale: run `python -m nubes.coverage`")


def test_every_setting_is_documented() -> None:
    text = (DOCS / "configuration.md").read_text()
    for setting in SETTINGS:
        assert f"`{setting.name}`" in text
        assert f"NUBES_{setting.name.upper()}" in text


def test_every_command_is_documented() -> None:
    text = (DOCS / "cli.md").read_text()
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for name, sub in commands.items():
        nested = [a for a in sub._actions if a.__class__.__name__ == "_SubParsersAction"]
        names = [f"{name} {child}" for child in nested[0].choices] if nested else [name]
        for full in names:
            assert f"nubes {full}" in text, f"`nubes {full}` is not in docs/cli.md"
