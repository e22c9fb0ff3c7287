"""Every CLI command declares what it needs; the declaration is enforced (no database here)."""

from __future__ import annotations

from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner

from core.cli import build_cli
from core.cli.permissions import PLATFORM, READ_ONLY, cli_permission, declaration_of, read_only
from core.cli.runner import STATE
from core.errors import PermissionDenied


def walk(group: click.Group, prefix: str = "") -> Iterator[tuple[str, click.Command]]:
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}".strip()
        if isinstance(command, click.Group):
            yield from walk(command, path)
        else:
            yield path, command


def core_commands() -> dict[str, click.Command]:
    return {
        path: command
        for path, command in walk(build_cli())
        if (command.callback.__module__ or "").startswith("core.")
    }


def test_every_core_command_declares_a_permission_or_read_only():
    commands = core_commands()
    assert len(commands) > 25
    missing = [path for path, command in commands.items() if declaration_of(command) is None]
    assert missing == []


def test_changing_commands_declare_the_expected_actions():
    actions = {path: declaration_of(cmd).action for path, cmd in core_commands().items()}
    platform = [
        "tenant create",
        "tenant suspend",
        "tenant resume",
        "tenant apply",
        "tenant update",
        "platform-admin create",
        "migrate",
        "jobs retry",
        "demo",
        "serve",
        "worker",
    ]
    assert {path: actions[path] for path in platform} == dict.fromkeys(platform, PLATFORM)
    assert actions["unit create"] == "core.units.manage"
    assert actions["unit move"] == "core.units.manage"
    assert actions["user create"] == "core.users.manage"
    assert actions["role grant"] == "core.grants.manage"
    assert actions["role create"] == "core.roles.manage"
    assert actions["plugin configure"] == "core.plugins.manage"
    assert actions["plugin list"] == READ_ONLY


def test_plugin_commands_are_in_the_tree():
    assert "example hello" in dict(walk(build_cli()))


@pytest.fixture
def as_user() -> Iterator[None]:
    STATE.as_user = "nobody"
    yield
    STATE.as_user = None


def _tiny_group() -> click.Group:
    @click.group()
    def root() -> None:
        pass

    @root.command("platform-thing")
    @cli_permission(PLATFORM)
    def platform_thing() -> None:
        click.echo("ran")

    @root.command("look")
    @read_only
    def look() -> None:
        click.echo("looked")

    return root


def test_platform_commands_refuse_as_and_read_only_ones_run(as_user):
    root = _tiny_group()
    result = CliRunner().invoke(root, ["platform-thing"])
    assert isinstance(result.exception, PermissionDenied)
    assert "only the operator" in result.exception.detail
    assert "ran" not in result.output
    assert CliRunner().invoke(root, ["look"]).output == "looked\n"


def test_without_as_the_operator_runs_platform_commands():
    assert CliRunner().invoke(_tiny_group(), ["platform-thing"]).output == "ran\n"


def test_declaration_on_a_command_object_wraps_its_callback(as_user):
    @click.command("x")
    def plain() -> None:
        click.echo("ran")

    command = cli_permission(PLATFORM)(plain)
    assert declaration_of(command).action == PLATFORM
    assert isinstance(CliRunner().invoke(command, []).exception, PermissionDenied)
