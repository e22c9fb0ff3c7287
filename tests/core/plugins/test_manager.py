import pytest
from pydantic import BaseModel, Field

from core import hookimpl
from core.context import tenant_context
from core.errors import InvalidInput, NotFound
from core.plugins.manager import PluginError, PluginHost, build_host, call_async
from core.plugins.types import Action, PluginInfo


class Settings(BaseModel):
    level: int = Field(1, ge=1, le=5)
    label: str = "x"


class Probe:
    """A plugin that records which tenants its hooks ran for."""

    def __init__(self) -> None:
        self.events: list[str] = []

    @hookimpl
    def plugin_info(self) -> PluginInfo:
        return PluginInfo("probe", "1.0", "Probe", settings_model=Settings)

    @hookimpl
    def register_actions(self) -> list[Action]:
        return [Action("probe.run", "Run")]

    @hookimpl
    async def on_event(self, event: object) -> None:
        from core.context import current_tenant

        self.events.append(current_tenant().slug)


def tenant_with(slug: str, tenant_id: int, *plugins: str):
    from core.context import TenantInfo

    return TenantInfo(id=tenant_id, slug=slug, name=slug, enabled_plugins=frozenset(plugins))


async def test_hooks_run_only_for_tenants_that_enabled_the_plugin():
    host = build_host(entry_points_too=False)
    probe = Probe()
    host.register(probe)
    on, off = tenant_with("on", 1, "probe"), tenant_with("off", 2)
    for tenant in (on, off):
        with tenant_context(tenant):
            await call_async(host.relay().on_event(event=object()))
    assert probe.events == ["on"]


async def test_relay_is_cached_per_tenant_and_follows_changes():
    host = build_host(entry_points_too=False)
    host.register(Probe())
    first = host.relay(tenant_with("t", 1, "probe"))
    assert host.relay(tenant_with("t", 1, "probe")) is first
    assert first.on_event is first.on_event
    changed = host.relay(tenant_with("t", 1))
    assert changed is not first
    assert host.relay(tenant_with("u", 2, "probe")) is not first


def test_essential_core_cannot_be_listed_as_optional():
    host = build_host(entry_points_too=False)
    assert "core" in host.essential
    assert "core" not in host.names()
    assert "example" in host.names()
    assert host.is_enabled("core", tenant_with("t", 1))
    assert not host.is_enabled("example", tenant_with("t", 1))


def test_settings_are_typed_and_validated():
    host = PluginHost()
    host.register(Probe())
    assert host.validate_settings("probe", {"level": "3"}) == {"level": 3, "label": "x"}
    with pytest.raises(InvalidInput) as info:
        host.validate_settings("probe", {"level": "high"})
    assert "level" in info.value.errors
    assert "Invalid settings for plugin 'probe': level:" in info.value.detail
    with pytest.raises(InvalidInput):
        host.validate_settings("probe", {"level": 9})
    with pytest.raises(NotFound, match=r"No plugin named 'ghost'"):
        host.validate_settings("ghost", {})


def test_plugin_without_info_or_with_duplicate_name_is_refused():
    host = build_host(entry_points_too=False)
    with pytest.raises(PluginError, match="no plugin_info"):
        host.register(object())
    with pytest.raises(PluginError, match="already registered"):
        host.register(Probe()) and host.register(Probe())


def test_unimportable_builtin_is_reported_clearly():
    with pytest.raises(PluginError, match=r"cannot import plugin module plugins\.nope"):
        build_host(("plugins.nope",), entry_points_too=False)


def test_collect_flattens_register_hooks():
    host = build_host(entry_points_too=False)
    keys = {action.key for action in host.collect("register_actions")}
    assert {"core.units.manage", "example.notes.view"} <= keys
    per_plugin = host.call_each("register_actions")
    assert {"core", "example"} <= set(per_plugin)
