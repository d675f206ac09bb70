"""Docs are checked: every setting and every CLI command is in the README."""

import re

import typer.main

from assistant.cli import app
from assistant.config import PROJECT_ROOT, Settings

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_configuration_table() -> None:
    for name in Settings.model_fields:
        env = f"ASSISTANT_{name.upper()}"
        assert re.search(rf"\| `{name}` \| `{env}` \|", README), f"{env} missing from README"


def _commands(group: object, prefix: str = "") -> list[str]:
    names = []
    for name, command in getattr(group, "commands", {}).items():
        full = f"{prefix}{name}"
        if hasattr(command, "commands"):
            names.extend(_commands(command, full + " "))
        else:
            names.append(full)
    return names


def test_every_cli_command_is_in_the_readme() -> None:
    commands = _commands(typer.main.get_command(app))
    assert {"train", "triage", "eval intents", "bench", "serve"} <= set(commands)
    for command in commands:
        assert f"`assistant {command}" in README, f"`assistant {command}` missing from README"


def test_vendored_datasets_carry_licence_and_provenance() -> None:
    for folder in (PROJECT_ROOT / "evals" / "datasets").iterdir():
        readme = (folder / "README.md").read_text(encoding="utf-8")
        assert "Licence" in readme or "License" in readme
        assert "Source" in readme
