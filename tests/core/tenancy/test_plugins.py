from __future__ import annotations

import pytest

from core.audit.models import AuditEvent
from core.context import SYSTEM, tenant_context
from core.errors import Conflict, InvalidInput, NotFound
from core.jobs.models import OutboxMessage
from core.notify import get_change_bus
from core.plugins.api import publish
from core.plugins.manager import get_host
from core.tenancy.models import TenantPlugin
from core.tenancy.plugins import (
    configure_plugin,
    disable_plugin,
    enable_plugin,
    list_tenant_plugins,
)
from core.tenancy.services import create_tenant
from plugins.example.events import NoteCreated
from plugins.example.models import Note


@pytest.fixture
def registry(any_registry):
    return any_registry


@pytest.fixture
async def two(registry):
    alpha = await create_tenant("alpha", "Tỉnh Alpha")
    beta = await create_tenant("beta", "Bộ Beta")
    return alpha, beta


def _menu(info) -> list[str]:
    items = get_host().relay(info).register_menu_items(actor=SYSTEM)
    return [item.key for items_ in items for item in items_]


async def _events(info, prefix: str = "plugin.") -> list[AuditEvent]:
    with tenant_context(info):
        return [e async for e in AuditEvent.filter(action__startswith=prefix).order_by("seq")]


async def test_list_shows_state_settings_and_schema(two):
    alpha, _ = two
    with tenant_context(alpha):
        views = {v.name: v for v in await list_tenant_plugins()}
    assert views["core"].essential
    assert views["core"].enabled
    assert views["core"].settings_schema is None
    example = views["example"]
    assert example.enabled
    assert not example.essential
    assert example.settings == {"greeting": "Xin chào", "max_notes": 100}  # defaults
    assert set(example.settings_schema["properties"]) == {"greeting", "max_notes"}


async def test_disable_stops_hooks_for_that_tenant_only(two, registry):
    alpha, beta = two
    heard: list[str] = []
    get_change_bus().subscribe("tenant", heard.append)
    with tenant_context(alpha):
        view = await disable_plugin("example")
    assert not view.enabled
    assert heard == [str(alpha.id)]
    alpha_now = registry.by_slug("alpha")
    assert "example" not in alpha_now.enabled_plugins
    assert "example.notes" not in _menu(alpha_now)
    assert "example.notes" in _menu(beta)
    for info in (alpha_now, beta):
        with tenant_context(info):
            await publish(NoteCreated(note_id=1, title="x"))
    assert [m.tenant_id for m in await OutboxMessage.all()] == [beta.id]
    get_change_bus().unsubscribe("tenant", heard.append)


async def test_enable_runs_on_plugin_enabled_and_audits(two, registry):
    alpha, beta = two
    with tenant_context(alpha):
        await disable_plugin("example")
        await Note.all().delete()
    with tenant_context(registry.by_slug("alpha")):
        view = await enable_plugin("example")
        assert view.enabled
        assert [n.title for n in await Note.all()] == ["Chào mừng"]
    assert "example.notes" in _menu(registry.by_slug("alpha"))
    assert [e.action for e in await _events(alpha)] == ["plugin.disable", "plugin.enable"]
    assert await _events(beta) == []


async def test_essential_unknown_and_repeated_changes_are_refused(two):
    alpha, _ = two
    with tenant_context(alpha):
        with pytest.raises(Conflict, match="'core' is essential and cannot be disabled"):
            await disable_plugin("core")
        with pytest.raises(NotFound, match="'nope'"):
            await enable_plugin("nope")
        with pytest.raises(Conflict, match="already enabled"):
            await enable_plugin("example")
        with pytest.raises(InvalidInput, match="'core' has no settings"):
            await configure_plugin("core", {"x": 1})
    assert await _events(alpha) == []


async def test_configure_validates_with_the_typed_model_and_saves_nothing_on_error(two, registry):
    alpha, _beta = two
    with tenant_context(alpha):
        view = await configure_plugin("example", {"max_notes": 5})
        assert view.settings == {"greeting": "Xin chào", "max_notes": 5}
        with pytest.raises(InvalidInput) as error:
            await configure_plugin("example", {"max_notes": "lots", "greeting": "Chào"})
        assert "max_notes" in error.value.errors
        assert "max_notes: Input should be a valid integer" in error.value.detail
        with pytest.raises(InvalidInput, match="no setting 'max_note'"):
            await configure_plugin("example", {"max_note": 3})
        with pytest.raises(InvalidInput, match="max_notes"):
            await configure_plugin("example", {"max_notes": 5000})
    row = await TenantPlugin.get(tenant_id=alpha.id, plugin="example")
    assert row.settings == {"max_notes": 5}
    assert registry.by_slug("alpha").plugin_settings["example"] == {"max_notes": 5}
    assert get_host().settings_for("example", registry.by_slug("alpha")).max_notes == 5
    assert get_host().settings_for("example", registry.by_slug("beta")).max_notes == 100
    events = await _events(alpha)
    assert [(e.action, e.before, e.after) for e in events] == [
        ("plugin.configure", {}, {"max_notes": 5})
    ]
