"""The handler registry: the kernel's and the plugins' handlers, and clear errors for bad ones."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

from core import JobHandler, PluginInfo, hookimpl
from core.jobs.handlers import get_handler, handler_registry
from core.plugins.manager import PluginError, PluginHost


async def _noop(payload: dict[str, Any], message_id: str) -> None:
    pass


def _plugin(name: str, handlers: list[object]) -> object:
    @hookimpl
    def plugin_info() -> PluginInfo:
        return PluginInfo(name=name, version="0", title=name)

    @hookimpl
    def register_job_handlers() -> list[object]:
        return handlers

    return SimpleNamespace(plugin_info=plugin_info, register_job_handlers=register_job_handlers)


def test_registry_holds_the_kernel_and_plugin_handlers(congvan_host: PluginHost) -> None:
    registry = handler_registry()
    assert registry["core.ping"].max_attempts == 1
    assert registry["example.count_note"].max_attempts == 5
    assert get_handler("example.nope") is None


def test_registry_follows_plugins_being_registered(
    congvan_host: PluginHost, register_plugin: Callable[[object], str]
) -> None:
    assert get_handler("extra.go") is None
    register_plugin(_plugin("extra", [JobHandler("extra.go", _noop)]))
    assert get_handler("extra.go") is not None


@pytest.mark.parametrize(
    ("handlers", "message"),
    [
        ([JobHandler("go", _noop)], "handler names must start with 'bad.'"),
        ([JobHandler("example.count_note", _noop)], "handler names must start with 'bad.'"),
        ([JobHandler("bad.x", _noop), JobHandler("bad.x", _noop)], "registered twice"),
        ([JobHandler("bad.x", _noop, max_attempts=0)], "max_attempts=0"),
        (["bad.x"], "expected core.JobHandler items"),
    ],
)
def test_bad_registrations_fail_loudly(
    congvan_host: PluginHost,
    register_plugin: Callable[[object], str],
    handlers: list[object],
    message: str,
) -> None:
    register_plugin(_plugin("bad", handlers))
    with pytest.raises(PluginError, match=message):
        handler_registry()
