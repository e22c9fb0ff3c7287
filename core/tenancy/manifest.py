"""Declarative tenants: ``congvan tenant apply tenants/<name>.toml`` (format: tenants/README.md).

Applying is idempotent and never deletes: what is missing is created, what differs is
updated, what exists but is not in the file is only reported. The whole file is validated
first (TOML, keys, references between units, users, roles and plugins, secrets), then the
tenant, its plugins, units and users are written in one transaction. Role grants follow right
after the commit, because the authorization layer announces each policy change once its own
transaction has committed; they are validated beforehand and re-applying the file repairs them.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core.context import TenantInfo, tenant_context
from core.db.connection import atomic
from core.errors import InvalidInput
from core.plugins.manager import get_host
from core.tenancy import plugins as tenant_plugins
from core.tenancy import services, validation
from core.tenancy.manifest_apply import at_key
from core.tenancy.models import Tenant, TenantPlugin
from core.tenancy.secrets import check_reference, resolve_secret
from core.users.passwords import check_password_policy


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TenantSection(_Strict):
    slug: str
    name: str
    domains: list[str] = Field(default_factory=list)
    theme: str = "default"


class PluginSection(_Strict):
    enabled: bool = True
    settings: dict[str, Any] = Field(default_factory=dict)


class UnitEntry(_Strict):
    code: str
    name: str
    short_name: str = ""
    kind: str = "agency"
    parent: str | None = None
    organ_id: str | None = None
    organ_id_v2: str | None = None
    sort_order: int | None = None  # default: the unit's position in the file


class RoleEntry(_Strict):
    role: str
    unit: str | None = None
    descendants: bool = False


class UserEntry(_Strict):
    username: str
    full_name: str
    email: str = ""
    phone: str = ""
    unit: str | None = None
    position: str = ""
    password: str | None = None
    roles: list[RoleEntry] = Field(default_factory=list)


class Manifest(_Strict):
    tenant: TenantSection
    plugins: dict[str, PluginSection] = Field(default_factory=dict)
    units: list[UnitEntry] = Field(default_factory=list)
    users: list[UserEntry] = Field(default_factory=list)


@dataclass
class ManifestReport:
    """What applying changed: ``created`` and ``updated`` are empty on a second run."""

    path: str
    tenant: str
    tenant_created: bool = False
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unmanaged: list[str] = field(default_factory=list)


@dataclass
class Plan:
    source: str  # the manifest's path, for error messages
    manifest: Manifest
    existing: Tenant | None
    units: list[UnitEntry]  # parents before children
    passwords: dict[str, str]  # username → secret, for users to create


# ---------------------------------------------------------------------------- reading


def load_manifest(path: Path) -> Manifest:
    """Parse and check the shape of a manifest (no database); InvalidInput naming the key."""
    source = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInput(f"{source}: cannot read the manifest ({exc.strerror or exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{source}: invalid TOML: {exc}") from None
    # Secrets are checked before the schema so a literal password is named as such.
    for index, user in enumerate(data.get("users") or []):
        if isinstance(user, dict) and user.get("password") is not None:
            with at_key(source):
                check_reference(user["password"], f"users[{index}].password")
    try:
        return Manifest.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error["loc"])
        raise InvalidInput(f"{source}: {where.lstrip('.') or 'manifest'}: {error['msg']}") from None


# ---------------------------------------------------------------------------- validation


async def _validate(manifest: Manifest, path: Path) -> Plan:
    """Check everything against the database without writing; returns what to apply."""
    source = str(path)
    existing = await _validate_tenant(manifest, source)
    with _context(existing) as info:
        from core.units.services import list_units

        rows = await list_units() if info else []
        db_parents = {u.code: _code_of(rows, u.parent_id) for u in rows}  # type: ignore[attr-defined]
        role_keys = await _role_keys(info)
        usernames = await _usernames(info)
    ordered = _validate_units(manifest, source, db_parents)
    known_units = {u.code for u in manifest.units} | set(db_parents)
    plan = Plan(source, manifest, existing, ordered, {})
    for index, user in enumerate(manifest.users):
        with at_key(source):
            _validate_user(user, f"users[{index}]", known_units, role_keys)
        if user.username not in usernames and user.password:
            where = f"users[{index}].password"
            with at_key(source):
                secret = resolve_secret(user.password, where, base_dir=path.parent)
            with at_key(source, where):
                check_password_policy(secret, username=user.username)
            plan.passwords[user.username] = secret
    names = [user.username for user in manifest.users]
    for index, name in enumerate(names):
        if name in names[:index]:
            raise InvalidInput(f"{source}: users[{index}].username: {name!r} appears twice")
    return plan


async def _validate_tenant(manifest: Manifest, source: str) -> Tenant | None:
    spec = manifest.tenant
    with at_key(source, "tenant"):
        validation.validate_slug(spec.slug)
        validation.validate_theme(spec.theme)
        if not spec.name:
            raise InvalidInput("a tenant needs a name")
    existing = await Tenant.get_or_none(slug=spec.slug)
    with at_key(source, "tenant.domains"):
        domains = validation.validate_domains(spec.domains, slug=spec.slug)
        await validation.check_domains_free(domains, tenant_id=existing.id if existing else None)
    stored = await _stored_settings(existing)
    host = get_host()
    for name, section in manifest.plugins.items():
        with at_key(source, f"plugins.{name}"):
            host.info(name)
            if name in host.essential and not section.enabled:
                raise InvalidInput(f"plugin {name!r} is essential and cannot be disabled")
        with at_key(source, f"plugins.{name}.settings"):
            tenant_plugins.merge_settings(name, stored.get(name, {}), section.settings)
    return existing


def _validate_units(
    manifest: Manifest, source: str, db_parents: dict[str, str | None]
) -> list[UnitEntry]:
    from core.units import services as units
    from core.units.organid import clean_organ_id, clean_organ_id_v2

    codes: set[str] = set()
    for index, unit in enumerate(manifest.units):
        with at_key(source, f"units[{index}]"):
            units.clean_code(unit.code)
            units.clean_name(unit.name)
            units.clean_short_name(unit.short_name)
            units.clean_kind(unit.kind)
            clean_organ_id(unit.organ_id)
            clean_organ_id_v2(unit.organ_id_v2)
            if unit.code in codes:
                raise InvalidInput(f"unit code {unit.code!r} appears twice")
            codes.add(unit.code)
        if unit.sort_order is None:
            unit.sort_order = index
    for index, unit in enumerate(manifest.units):
        if unit.parent and unit.parent not in codes | set(db_parents):
            raise InvalidInput(
                f"{source}: units[{index}].parent: no unit with code {unit.parent!r} "
                "in the manifest or the tenant"
            )
    with at_key(source, "units"):
        return _tree_order(
            manifest.units, {**db_parents, **{u.code: u.parent for u in manifest.units}}
        )


def _validate_user(user: UserEntry, where: str, known_units: set[str], role_keys: set[str]) -> None:
    from core.users.services import clean_username

    with at_key("", f"{where}.username"):
        user.username = clean_username(user.username)
    if user.unit and user.unit not in known_units:
        raise InvalidInput(f"{where}.unit: no unit with code {user.unit!r}")
    for index, grant in enumerate(user.roles):
        at = f"{where}.roles[{index}]"
        if grant.role not in role_keys:
            raise InvalidInput(
                f"{at}.role: no role {grant.role!r} (roles: {', '.join(sorted(role_keys))})"
            )
        if grant.unit and grant.unit not in known_units:
            raise InvalidInput(f"{at}.unit: no unit with code {grant.unit!r}")
        if grant.descendants and not grant.unit:
            raise InvalidInput(f"{at}.descendants: needs a unit (without one it is tenant-wide)")


@contextmanager
def _context(tenant: Tenant | None) -> Iterator[TenantInfo | None]:
    if tenant is None:
        yield None
        return
    info = TenantInfo(id=tenant.id, slug=tenant.slug, name=tenant.name)
    with tenant_context(info):
        yield info


def _code_of(rows: list[Any], unit_id: int | None) -> str | None:
    return next((u.code for u in rows if u.id == unit_id), None) if unit_id else None


async def _stored_settings(tenant: Tenant | None) -> dict[str, dict[str, Any]]:
    if tenant is None:
        return {}
    rows = await TenantPlugin.filter(tenant_id=tenant.id)
    return {row.plugin: dict(row.settings or {}) for row in rows}


async def _role_keys(info: TenantInfo | None) -> set[str]:
    from core.authz.roles import SYSTEM_ROLE_KEYS, list_roles

    keys = set(SYSTEM_ROLE_KEYS)
    if info is not None:
        keys |= {role.key for role in await list_roles()}
    return keys


async def _usernames(info: TenantInfo | None) -> set[str]:
    from core.users.models import User

    if info is None:
        return set()
    return {str(u) for u in await User.all().values_list("username", flat=True)}


def _tree_order(entries: list[UnitEntry], parents: dict[str, str | None]) -> list[UnitEntry]:
    """Parents before children; InvalidInput when the parents form a cycle."""
    for start in parents:
        seen = {start}
        code = parents.get(start)
        while code is not None:
            if code in seen:
                raise InvalidInput(f"unit {start!r} would be its own ancestor (a cycle of parents)")
            seen.add(code)
            code = parents.get(code)

    def depth(code: str) -> int:
        parent = parents.get(code)
        return 0 if parent is None else 1 + depth(parent)

    return sorted(entries, key=lambda u: depth(u.code))


# ---------------------------------------------------------------------------- applying


async def apply_manifest(path: Path) -> ManifestReport:
    """Create or update the tenant a manifest declares; validate all of it before writing.

    Raises InvalidInput (or Conflict for a domain another tenant uses) with one line naming
    the file and the key; nothing is written then.
    """
    from core.tenancy import manifest_apply as steps

    manifest = load_manifest(path)
    plan = await _validate(manifest, path)
    report = ManifestReport(str(path), manifest.tenant.slug, tenant_created=plan.existing is None)
    # One transaction, so a failure leaves nothing half applied; policy notifications (roles,
    # grants, unit moves) wait for the commit.
    async with atomic():
        info, enabled = await steps.apply_tenant(plan, report)
        if plan.existing is None:
            await services.finish_provisioning(info, None)
        elif enabled:
            await tenant_plugins.sync_actions(info)
        async with services.in_tenant(info):
            units = await steps.apply_units(plan, report)
            users = await steps.apply_users(plan, report, units.ids)
            await steps.apply_grants(plan, report, units.ids, users)
    await services.tenant_changed(info.id)
    return report
