"""The steps of applying a validated manifest: tenant and plugins, units, users, grants.

Each step compares what the manifest declares with what exists, writes only the differences
through the owning services (which audit every change), and records them in the report.
Nothing is deleted: what exists but is not declared is listed as unmanaged.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.context import TenantInfo
from core.errors import Conflict, CongvanError, InvalidInput
from core.plugins.manager import get_host
from core.tenancy import plugins as tenant_plugins
from core.tenancy import services, validation

if TYPE_CHECKING:
    from core.tenancy.manifest import ManifestReport, Plan, UnitEntry, UserEntry


@contextmanager
def at_key(source: str, where: str = "") -> Iterator[None]:
    """Re-raise an error as one line naming the manifest file and the key."""
    prefix = ": ".join(part for part in (source, where) if part) + ": "
    try:
        yield
    except Conflict as exc:
        raise Conflict(prefix + exc.detail.rstrip(".")) from None
    except CongvanError as exc:
        raise InvalidInput(prefix + exc.detail.rstrip(".")) from None


@dataclass
class AppliedUnits:
    ids: dict[str, int] = field(default_factory=dict)  # code → id, for every unit of the tenant
    moved: bool = False


async def apply_tenant(plan: Plan, report: ManifestReport) -> tuple[TenantInfo, bool]:
    """Tenant row, domains, plugins; returns the snapshot and whether a plugin was enabled."""
    spec = plan.manifest.tenant
    domains = validation.validate_domains(spec.domains, slug=spec.slug)
    if plan.existing is None:
        sections = plan.manifest.plugins
        enabled = [n for n, s in sections.items() if s.enabled and n not in get_host().essential]
        info, _ = await services.provision_tenant(
            services.TenantSpec(
                slug=spec.slug,
                name=spec.name,
                domains=domains,
                theme=spec.theme,
                plugins=tuple(enabled),
                plugin_settings={
                    n: tenant_plugins.merge_settings(n, {}, sections[n].settings) for n in enabled
                },
            )
        )
        report.created.append(f"tenant {spec.slug}")
        report.created.extend(f"plugin {name} (enabled)" for name in enabled)
        # Settings of plugins the manifest leaves disabled are stored now too, so a second
        # apply finds nothing to change.
        async with services.in_tenant(info):
            info, _ = await _apply_plugins(plan, report, info)
        return info, bool(enabled)
    current = await services.get_tenant(spec.slug)
    report.unmanaged.extend(f"domain {d}" for d in current.domains if d not in domains)
    missing = [d for d in domains if d not in current.domains]
    changed = [key for key in ("name", "theme") if getattr(current, key) != getattr(spec, key)]
    if changed or missing:
        current = await services.apply_tenant_change(
            spec.slug,
            "tenant.update",
            name=spec.name,
            theme=spec.theme,
            domains=(*current.domains, *missing),
        )
        what = [*changed, *(["domains"] if missing else [])]
        report.updated.append(f"tenant {spec.slug} ({', '.join(what)})")
    async with services.in_tenant(current):
        return await _apply_plugins(plan, report, current)


async def _apply_plugins(
    plan: Plan, report: ManifestReport, current: TenantInfo
) -> tuple[TenantInfo, bool]:
    sections = plan.manifest.plugins
    essential = get_host().essential
    enabled_any = False
    stored: dict[str, dict[str, Any]] = {
        name: dict(values) for name, values in current.plugin_settings.items()
    }
    for name, section in sections.items():
        if name not in essential and section.enabled != (name in current.enabled_plugins):
            if section.enabled:
                current = await tenant_plugins.apply_enable(name)
                enabled_any = True
            else:
                current = await tenant_plugins.apply_disable(name)
            state = "enabled" if section.enabled else "disabled"
            report.updated.append(f"plugin {name} ({state})")
        before = stored.get(name, {})
        if tenant_plugins.merge_settings(name, before, section.settings) != before:
            current = await tenant_plugins.apply_configure(name, section.settings)
            report.updated.append(f"plugin {name} (settings)")
    report.unmanaged.extend(
        f"plugin {name} (enabled)"
        for name in sorted(current.enabled_plugins)
        if name not in sections
    )
    return current, enabled_any


def _wanted_unit(entry: UnitEntry) -> dict[str, Any]:
    from core.units import services as units
    from core.units.organid import clean_organ_id, clean_organ_id_v2

    return {
        "name": units.clean_name(entry.name),
        "short_name": units.clean_short_name(entry.short_name),
        "kind": units.clean_kind(entry.kind),
        "organ_id": clean_organ_id(entry.organ_id),
        "organ_id_v2": clean_organ_id_v2(entry.organ_id_v2),
        "sort_order": entry.sort_order or 0,
    }


async def apply_units(plan: Plan, report: ManifestReport) -> AppliedUnits:
    """Create missing units (parents first), update changed ones, move re-parented ones."""
    from core.units.services import list_units

    existing = {unit.code: unit for unit in await list_units()}
    applied = AppliedUnits({code: int(unit.id) for code, unit in existing.items()})
    for entry in plan.units:
        with at_key(plan.source, f"units (code {entry.code})"):
            await _apply_unit(entry, existing, applied, report)
    declared = {entry.code for entry in plan.units}
    report.unmanaged.extend(f"unit {code}" for code in existing if code not in declared)
    return applied


async def _apply_unit(
    entry: UnitEntry, existing: dict[str, Any], applied: AppliedUnits, report: ManifestReport
) -> None:
    from core.units import services as units

    parent_id = applied.ids[entry.parent] if entry.parent else None
    wanted = _wanted_unit(entry)
    unit = existing.get(entry.code)
    if unit is None:
        unit = await units.create_unit(entry.code, parent_id=parent_id, **wanted)
        applied.ids[entry.code] = int(unit.id)
        report.created.append(f"unit {entry.code}")
        return
    changes = {key: value for key, value in wanted.items() if getattr(unit, key) != value}
    if changes:
        await units.update_unit(unit.id, **changes)
    if unit.parent_id != parent_id:
        await units.move_unit(unit.id, parent_id)
        applied.moved = True
        changes["parent"] = entry.parent
    if changes:
        report.updated.append(f"unit {entry.code} ({', '.join(changes)})")


async def apply_users(
    plan: Plan, report: ManifestReport, unit_ids: dict[str, int]
) -> dict[str, int]:
    """Create missing users; update names and contacts; give them their (primary) position.

    Passwords are set only when a user is created; returns username → id.
    """
    from core.users.models import User

    ids: dict[str, int] = {}
    for index, entry in enumerate(plan.manifest.users):
        with at_key(plan.source, f"users[{index}]"):
            ids[entry.username] = await _apply_user(plan, report, entry, unit_ids)
    declared = {entry.username for entry in plan.manifest.users}
    others = (
        await User.exclude(username__in=declared)
        .order_by("username")
        .values_list("username", flat=True)
    )
    report.unmanaged.extend(f"user {name}" for name in others)
    return ids


async def _apply_user(
    plan: Plan, report: ManifestReport, entry: UserEntry, unit_ids: dict[str, int]
) -> int:
    from core.users import services as users
    from core.users.models import Position

    unit_id = unit_ids[entry.unit] if entry.unit else None
    user = await users.get_user_by_username(entry.username)
    if user is None:
        user = await users.create_user(
            entry.username,
            entry.full_name,
            password=plan.passwords.get(entry.username),
            email=entry.email,
            phone=entry.phone,
            unit_id=unit_id,
            position_title=entry.position,
        )
        report.created.append(f"user {entry.username}")
        return int(user.id)
    wanted = {
        "full_name": " ".join(entry.full_name.split()),
        "email": entry.email,
        "phone": entry.phone,
    }
    changes: dict[str, Any] = {k: v for k, v in wanted.items() if getattr(user, k) != v}
    if changes:
        await users.update_user(user.id, **changes)
    if unit_id is not None:
        # The manifest's unit is the user's primary position.
        position = await Position.filter(user_id=user.id, unit_id=unit_id).first()
        if position is None or position.title != entry.position or not position.is_primary:
            await users.add_position(user.id, unit_id, entry.position, is_primary=True)
            changes["position"] = f"{entry.position} in {entry.unit}"
    if changes:
        report.updated.append(f"user {entry.username} ({', '.join(changes)})")
    return int(user.id)


async def apply_grants(
    plan: Plan, report: ManifestReport, unit_ids: dict[str, int], user_ids: dict[str, int]
) -> None:
    """Grant the declared roles the users do not hold yet (after the commit of the rest)."""
    from core.authz.grants import grant_role, list_grants

    codes = {unit_id: code for code, unit_id in unit_ids.items()}
    for entry in plan.manifest.users:
        user_id = user_ids[entry.username]
        held = {(g.role_key, g.unit_id, g.descendants) for g in await list_grants(user_id=user_id)}
        wanted = set()
        for role in entry.roles:
            unit_id = unit_ids[role.unit] if role.unit else None
            key = (role.role, unit_id, role.descendants and unit_id is not None)
            wanted.add(key)
            if key not in held:
                await grant_role(user_id, role.role, unit_id=unit_id, descendants=key[2])
                report.created.append(f"grant {role.role} to {entry.username} {_where(key, codes)}")
        report.unmanaged.extend(
            f"grant {key[0]} to {entry.username} {_where(key, codes)}" for key in held - wanted
        )


def _where(key: tuple[str, int | None, bool], codes: dict[int, str]) -> str:
    _, unit_id, descendants = key
    if unit_id is None:
        return "tenant-wide"
    return f"in {codes.get(unit_id, unit_id)}" + (" and below" if descendants else "")
