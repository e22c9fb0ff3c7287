"""Hooks a plugin publishes (``register_hookspecs``) and ``core.call_hook``."""

from __future__ import annotations

import pytest

from core import PluginInfo, call_hook, hookimpl, hookspec
from core.context import TenantInfo, tenant_context
from core.plugins.manager import PluginError, build_host, set_host


class SignerSpecs:
    @hookspec
    def probe_sign(self, document_id: int) -> str | None:
        """Sign ``document_id``. Tenant-scoped."""


class Publisher:
    @hookimpl
    def plugin_info(self) -> PluginInfo:
        return PluginInfo("publisher", "1.0", "Publisher")

    @hookimpl
    def register_hookspecs(self) -> list[type]:
        return [SignerSpecs]


class Signer:
    @hookimpl
    def plugin_info(self) -> PluginInfo:
        return PluginInfo("signer", "1.0", "Signer")

    @hookimpl
    async def probe_sign(self, document_id: int) -> str | None:
        return f"signed:{document_id}"


class Abstainer:
    @hookimpl
    def plugin_info(self) -> PluginInfo:
        return PluginInfo("abstainer", "1.0", "Abstainer")

    @hookimpl
    def probe_sign(self, document_id: int) -> str | None:
        return None


def _tenant(*plugins: str) -> TenantInfo:
    return TenantInfo(id=7, slug="t", name="t", enabled_plugins=frozenset(plugins))


async def test_published_hook_is_called_on_enabled_plugins_only() -> None:
    host = build_host(entry_points_too=False)
    for plugin in (Publisher(), Signer(), Abstainer()):
        host.register(plugin)
    host.check()
    previous = set_host(host)
    try:
        with tenant_context(_tenant("publisher", "signer", "abstainer")):
            assert await call_hook("probe_sign", document_id=5) == ["signed:5"]
        with tenant_context(_tenant("publisher", "abstainer")):
            assert await call_hook("probe_sign", document_id=5) == []
    finally:
        set_host(previous)


def test_implementation_with_wrong_arguments_is_refused() -> None:
    class Wrong:
        @hookimpl
        def plugin_info(self) -> PluginInfo:
            return PluginInfo("wrong", "1.0", "Wrong")

        @hookimpl
        def probe_sign(self, document: int, extra: str) -> str:
            return "x"

    host = build_host(entry_points_too=False)
    host.register(Publisher())
    host.register(Wrong())
    with pytest.raises(PluginError, match="probe_sign"):
        host.check()


def test_implementation_of_a_hook_nobody_published_is_refused() -> None:
    host = build_host(entry_points_too=False)
    host.register(Signer())  # the publisher is not installed
    with pytest.raises(PluginError, match="probe_sign"):
        host.check()


async def test_example_plugin_publishes_and_answers_its_hook() -> None:
    host = build_host(entry_points_too=False)
    previous = set_host(host)
    try:
        with tenant_context(_tenant("example")):
            assert await call_hook("example_note_badge", title="URGENT") == ["!"]
            assert await call_hook("example_note_badge", title="calm") == []
    finally:
        set_host(previous)


def test_unknown_hook_name_raises() -> None:
    host = build_host(entry_points_too=False)
    previous = set_host(host)
    try:
        with tenant_context(_tenant("example")), pytest.raises(AttributeError):
            host.relay().no_such_hook  # noqa: B018
    finally:
        set_host(previous)
