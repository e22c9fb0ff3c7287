from __future__ import annotations

from pathlib import Path

import pytest

from core.audit.models import AuditEvent
from core.authz.grants import list_grants
from core.context import platform_scope, tenant_context
from core.errors import Conflict, InvalidInput
from core.tenancy.manifest import apply_manifest
from core.tenancy.models import Tenant, TenantPlugin
from core.tenancy.services import create_tenant
from core.units.models import Unit
from core.users.models import Position, User
from core.users.passwords import verify_password

REPO = Path(__file__).resolve().parents[3]

MANIFEST = """
[tenant]
slug = "alpha"
name = "UBND tỉnh Alpha"
domains = ["vanban.alpha.gov.vn"]

[plugins.example]
enabled = true
settings = { max_notes = 50 }

[[units]]
code = "STP-VP"
name = "Văn phòng Sở Tư pháp"
short_name = "VP"
kind = "department"
parent = "STP"

[[units]]
code = "UBND"
name = "UBND tỉnh Alpha"
short_name = "UBND"
organ_id = "000.00.00.H41"
organ_id_v2 = "H41"

[[units]]
code = "STP"
name = "Sở Tư pháp"
short_name = "STP"
parent = "UBND"
organ_id = "000.00.14.H41"

[[users]]
username = "admin"
full_name = "Nguyễn Văn An"
unit = "UBND"
position = "Quản trị hệ thống"
password = "$env:ALPHA_ADMIN_PASSWORD"
roles = [{ role = "tenant_admin" }]

[[users]]
username = "vanthu"
full_name = "Lê Thị Thu"
unit = "STP-VP"
position = "Văn thư"
password = "$file:vanthu.secret"
roles = [{ role = "clerk", unit = "STP", descendants = true }]
"""


@pytest.fixture
def write(tmp_path, monkeypatch):
    monkeypatch.setenv("ALPHA_ADMIN_PASSWORD", "admin-secret-1")
    (tmp_path / "vanthu.secret").write_text("clerk-secret-1\n")

    def write_manifest(text: str, name: str = "alpha.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write_manifest


async def _state() -> dict[str, int]:
    """How many rows of everything a manifest writes (all tenants)."""
    with platform_scope():
        return {
            "tenants": await Tenant.all().count(),
            "plugins": await TenantPlugin.all().count(),
            "units": await Unit.all().count(),
            "users": await User.all().count(),
            "positions": await Position.all().count(),
            "events": await AuditEvent.all().count(),
        }


async def test_apply_creates_everything_then_is_idempotent(registry, write):
    path = write(MANIFEST)
    first = await apply_manifest(path)
    assert first.tenant_created
    assert first.updated == []
    assert "tenant alpha" in first.created
    assert "grant clerk to vanthu in STP and below" in first.created
    info = registry.by_slug("alpha")
    assert info.domains == ("vanban.alpha.gov.vn",)
    assert info.plugin_settings["example"] == {"max_notes": 50}
    with tenant_context(info):
        units = {u.code: u for u in await Unit.all()}
        assert units["STP-VP"].parent_id == units["STP"].id  # parents made first
        assert units["STP"].level == 1
        vanthu = await User.get(username="vanthu")
        assert verify_password(vanthu.password_hash, "clerk-secret-1")
        grants = await list_grants(user_id=vanthu.id)
        assert [(g.role_key, g.unit_id, g.descendants) for g in grants] == [
            ("clerk", units["STP"].id, True)
        ]
    before = await _state()
    second = await apply_manifest(path)
    assert (second.created, second.updated) == ([], [])
    assert not second.tenant_created
    assert await _state() == before


async def test_changes_are_updated_and_nothing_is_deleted(registry, write):
    await apply_manifest(write(MANIFEST))
    alpha = registry.by_slug("alpha")
    with tenant_context(alpha):
        from core.units.services import create_unit

        await create_unit("EXTRA", "Phòng thêm")
    changed = (
        MANIFEST.replace('name = "Sở Tư pháp"', 'name = "Sở Tư pháp tỉnh Alpha"')
        .replace('full_name = "Lê Thị Thu"', 'full_name = "Lê Thị Thu Hà"')
        .replace("max_notes = 50", "max_notes = 60")
        .replace('parent = "STP"\n', 'parent = "UBND"\n', 1)
    )
    report = await apply_manifest(write(changed))
    assert report.created == []
    assert sorted(report.updated) == [
        "plugin example (settings)",
        "unit STP (name)",
        "unit STP-VP (parent)",
        "user vanthu (full_name)",
    ]
    assert "unit EXTRA" in report.unmanaged
    info = registry.by_slug("alpha")
    assert info.plugin_settings["example"] == {"max_notes": 60}
    with tenant_context(info):
        assert await Unit.filter(code="EXTRA").exists()
        vp = await Unit.get(code="STP-VP")
        assert vp.parent_id == (await Unit.get(code="UBND")).id
        assert (await User.get(username="vanthu")).full_name == "Lê Thị Thu Hà"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda m: m.replace('"$file:vanthu.secret"', '"hunter2-plain"'),
            "users[1].password: secrets must be $env:NAME or $file:PATH references",
        ),
        (
            lambda m: m.replace('parent = "UBND"', 'parent = "NOPE"'),
            "units[2].parent: no unit with code 'NOPE' in the manifest or the tenant",
        ),
        (
            lambda m: m.replace('role = "clerk"', 'role = "boss"'),
            "users[1].roles[0].role: no role 'boss'",
        ),
        (
            lambda m: m.replace("[plugins.example]", "[plugins.nope]"),
            "plugins.nope: No plugin named 'nope'",
        ),
        (
            lambda m: m.replace("max_notes = 50", 'max_notes = "lots"'),
            "plugins.example.settings: Invalid settings for plugin 'example': max_notes: Input "
            "should be a valid integer",
        ),
        (
            lambda m: m.replace('short_name = "VP"', 'shortname = "VP"'),
            "units[0].shortname: Extra inputs",
        ),
        (lambda m: m + "\n[[units\n", "invalid TOML"),
        (
            lambda m: m.replace('organ_id = "000.00.14.H41"', 'organ_id = "14.H41"'),
            "units[2]: OrganId '14.H41'",
        ),
        (
            lambda m: m.replace('parent = "UBND"', 'parent = "STP-VP"'),
            "units: unit 'STP",  # … would be its own ancestor
        ),
        (
            lambda m: m.replace('"$env:ALPHA_ADMIN_PASSWORD"', '"$env:UNSET_PASSWORD_VAR"'),
            "users[0].password: environment variable UNSET_PASSWORD_VAR is not set",
        ),
        (
            lambda m: m.replace('slug = "alpha"', 'slug = "Alpha!"'),
            "tenant: Invalid tenant slug 'Alpha!'",
        ),
    ],
)
async def test_invalid_manifest_is_refused_with_one_line_and_nothing_written(
    registry, write, edit, message
):
    path = write(edit(MANIFEST))
    before = await _state()
    with pytest.raises(InvalidInput) as error:
        await apply_manifest(path)
    assert error.value.detail.startswith(f"{path}: ")
    assert message in error.value.detail
    assert "\n" not in error.value.detail
    assert await _state() == before


async def test_domain_of_another_tenant_is_a_conflict(registry, write):
    await create_tenant("beta", "Bộ Beta", domains=["vanban.alpha.gov.vn"])
    before = await _state()
    with pytest.raises(Conflict, match=r"tenant\.domains: The domain 'vanban\.alpha\.gov\.vn'"):
        await apply_manifest(write(MANIFEST))
    assert await _state() == before


async def test_existing_tenant_keeps_unlisted_plugins_and_reports_them(registry, write):
    await create_tenant("alpha", "UBND tỉnh Alpha", domains=["old.alpha.gov.vn"])
    text = MANIFEST.replace(
        "[plugins.example]\nenabled = true\nsettings = { max_notes = 50 }\n", ""
    )
    report = await apply_manifest(write(text))
    assert "tenant alpha (domains)" in report.updated
    assert "domain old.alpha.gov.vn" in report.unmanaged
    assert "plugin example (enabled)" in report.unmanaged
    info = registry.by_slug("alpha")
    assert "example" in info.enabled_plugins
    assert set(info.domains) == {"old.alpha.gov.vn", "vanban.alpha.gov.vn"}


@pytest.mark.parametrize("name", ["province-example.toml", "ministry-example.toml"])
async def test_shipped_examples_apply_twice(registry, monkeypatch, name):
    for prefix in ("PROVINCE", "MINISTRY"):
        for who in ("ADMIN", "CLERK", "LEADER"):
            monkeypatch.setenv(f"{prefix}_{who}_PASSWORD", f"{who.lower()}-secret-9")
    first = await apply_manifest(REPO / "tenants" / name)
    assert first.tenant_created
    assert len(first.created) > 10
    second = await apply_manifest(REPO / "tenants" / name)
    assert (second.created, second.updated) == ([], [])


@pytest.mark.postgres
async def test_tenant_manifest_and_plugins_under_row_level_security(pg_registry, write):
    """On PostgreSQL the app role meets RLS: seeding must run in the new tenant's context."""
    from core.tenancy.plugins import configure_plugin, disable_plugin, enable_plugin

    beta = await create_tenant(
        "beta", "Bộ Beta", admin_username="admin", admin_password="pw-12345678"
    )
    report = await apply_manifest(write(MANIFEST))
    assert report.tenant_created
    assert (await apply_manifest(write(MANIFEST))).created == []
    alpha = pg_registry.by_slug("alpha")
    with tenant_context(alpha):
        await disable_plugin("example")
        await enable_plugin("example")
        await configure_plugin("example", {"max_notes": 9})
        assert await User.all().count() == 2
        assert next(e.action for e in await AuditEvent.all().order_by("seq")) == "tenant.create"
    with tenant_context(beta):
        assert [u.username for u in await User.all()] == ["admin"]
        assert await Unit.all().count() == 0
        grants = await list_grants()
        assert [(g.role_key, g.unit_id) for g in grants] == [("tenant_admin", None)]
    assert pg_registry.by_slug("alpha").plugin_settings["example"] == {"max_notes": 9}


async def test_settings_of_a_disabled_plugin_are_stored_by_the_first_apply(registry, write):
    path = write(
        MANIFEST.replace(
            "enabled = true\nsettings = { max_notes = 50 }",
            "enabled = false\nsettings = { max_notes = 7 }",
        )
    )
    await apply_manifest(path)
    info = registry.by_slug("alpha")
    assert "example" not in info.enabled_plugins
    assert info.plugin_settings["example"] == {"max_notes": 7}
    second = await apply_manifest(path)
    assert (second.created, second.updated) == ([], [])
