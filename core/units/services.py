"""The org tree of the current tenant: create, rename, move, deactivate and delete units.

``path`` (``/3/7/``) and ``level`` (0 for a root) are derived here and nowhere else. Changes
to the tree's shape (create, move, delete, (de)activate) take a per-tenant lock on PostgreSQL so
two concurrent moves cannot build a cycle and a child is never created under a stale path;
SQLite serialises writers anyway. Every change records an audit event in its transaction.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from typing import Any, Final

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError

from core.audit.services import record_audit
from core.context import current_tenant
from core.db.connection import atomic, on_commit
from core.errors import Conflict, InvalidInput, NotFound
from core.units.models import UNIT_KINDS, Unit
from core.units.organid import clean_organ_id, clean_organ_id_v2

# Tree order lives in core.units.tree; re-exported for callers of the service API.
from core.units.tree import UNIT_FIELDS as UNIT_FIELDS
from core.units.tree import TreeKey as TreeKey
from core.units.tree import list_units as list_units
from core.units.tree import tree_keys as tree_keys
from core.units.tree import unit_rows as unit_rows


class _Unset(enum.Enum):
    UNSET = "unset"


UNSET: Final = _Unset.UNSET
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$")
# pg_advisory_xact_lock(key, tenant_id): one lock per tenant for changes to the tree's shape.
TREE_LOCK_KEY: Final = 0x0C0A0001


# ------------------------------------------------------------------------------ validation


def clean_code(code: str) -> str:
    code = code.strip()
    if not CODE_PATTERN.fullmatch(code):
        raise InvalidInput(
            f"Unit code {code!r} is not valid: use 1–50 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit.",
            {"code": "1–50 of A–Z, a–z, 0–9, '.', '_', '-'"},
        )
    return code


def clean_name(name: str) -> str:
    # NFC: Vietnamese keyboards may send decomposed diacritics; stored text is composed.
    name = unicodedata.normalize("NFC", " ".join(name.split()))
    if not name or len(name) > 300:
        raise InvalidInput("A unit needs a name of 1–300 characters.", {"name": "1–300 characters"})
    return name


def clean_short_name(short_name: str) -> str:
    """Capitals (Vietnamese ones such as Đ included) and digits, no spaces: ``UBND``, ``HĐND``."""
    cleaned = unicodedata.normalize("NFC", short_name.strip().upper())
    valid = all(c in "0123456789" or (c.isalpha() and c.isupper()) for c in cleaned)
    if not valid or len(cleaned) > 30:
        raise InvalidInput(
            f"Short name {short_name!r} is not valid: up to 30 capital letters and digits, "
            "no spaces or dashes (e.g. UBND, STP, HĐND).",
            {"short_name": "capital letters and digits only, like UBND"},
        )
    return cleaned


def clean_kind(kind: str) -> str:
    if kind not in UNIT_KINDS:
        raise InvalidInput(
            f"Unit kind {kind!r} is not one of {', '.join(UNIT_KINDS)}.",
            {"kind": f"one of {', '.join(UNIT_KINDS)}"},
        )
    return kind


def unit_snapshot(unit: Unit) -> dict[str, Any]:
    """The audited fields of a unit."""
    return {
        "code": unit.code,
        "name": unit.name,
        "short_name": unit.short_name,
        "kind": unit.kind,
        "parent_id": unit.parent_id,  # type: ignore[attr-defined]
        "path": unit.path,
        "level": unit.level,
        "organ_id": unit.organ_id,
        "organ_id_v2": unit.organ_id_v2,
        "is_active": unit.is_active,
        "sort_order": unit.sort_order,
    }


# ------------------------------------------------------------------------------- queries


async def get_unit(unit_id: int) -> Unit:
    """The unit ``unit_id`` of the current tenant; another tenant's id is NotFound too."""
    unit = await Unit.get_or_none(id=unit_id)
    if unit is None:
        raise NotFound(f"No unit with id {unit_id}")
    return unit


async def get_unit_by_code(code: str) -> Unit | None:
    return await Unit.get_or_none(code=code.strip())


async def unit_path(unit_id: int) -> str:
    """The materialised path (``/3/7/``) of a unit, for authorization scopes."""
    return (await get_unit(unit_id)).path


async def subtree_ids(unit_id: int) -> list[int]:
    """The ids of a unit and all its descendants."""
    ids: list[Any] = await Unit.filter(path__startswith=await unit_path(unit_id)).values_list(
        "id", flat=True
    )
    return [int(i) for i in ids]


# ------------------------------------------------------------------------------- changes


async def _audit(
    action: str, unit_id: int, before: dict[str, Any] | None, after: dict[str, Any] | None
) -> None:
    await record_audit(
        action, object_type="unit", object_id=unit_id, before=before, after=after, unit_id=unit_id
    )


async def _lock_tree(connection: BaseDBAsyncClient) -> None:
    if connection.capabilities.dialect == "postgres":
        await connection.execute_query(
            "SELECT pg_advisory_xact_lock($1, $2)", [TREE_LOCK_KEY, current_tenant().id]
        )


async def _check_code_free(code: str, *, exclude_id: int | None = None) -> None:
    query = Unit.filter(code=code)
    if exclude_id is not None:
        query = query.exclude(id=exclude_id)
    if await query.exists():
        raise _code_taken(code)


def _code_taken(code: str) -> Conflict:
    return Conflict(f"A unit with code {code!r} already exists.", errors={"code": "taken"})


async def _active_parent(parent_id: int) -> Unit:
    parent = await get_unit(parent_id)
    if not parent.is_active:
        raise InvalidInput(
            f"Unit {parent.code!r} is deactivated; activate it before placing units under it.",
            {"parent_id": "deactivated unit"},
        )
    return parent


async def create_unit(
    code: str,
    name: str,
    *,
    parent_id: int | None = None,
    short_name: str = "",
    kind: str = "agency",
    organ_id: str | None = None,
    organ_id_v2: str | None = None,
    sort_order: int = 0,
) -> Unit:
    """Create a unit under ``parent_id`` (or as a root). Duplicate code → Conflict."""
    code = clean_code(code)
    fields: dict[str, Any] = {
        "code": code,
        "name": clean_name(name),
        "short_name": clean_short_name(short_name),
        "kind": clean_kind(kind),
        "organ_id": clean_organ_id(organ_id),
        "organ_id_v2": clean_organ_id_v2(organ_id_v2),
        "sort_order": int(sort_order),
    }
    try:
        async with atomic() as connection:
            await _lock_tree(connection)
            parent = await _active_parent(parent_id) if parent_id is not None else None
            await _check_code_free(code)
            unit = await Unit.create(
                **fields, parent=parent, level=parent.level + 1 if parent else 0, path="/"
            )
            unit.path = f"{parent.path if parent else '/'}{unit.id}/"
            await unit.save(update_fields=["path"])
            await _audit("unit.create", unit.id, None, unit_snapshot(unit))
    except IntegrityError as exc:
        raise _code_taken(code) from exc
    return unit


async def update_unit(
    unit_id: int,
    *,
    name: str | _Unset = UNSET,
    short_name: str | _Unset = UNSET,
    kind: str | _Unset = UNSET,
    organ_id: str | _Unset | None = UNSET,
    organ_id_v2: str | _Unset | None = UNSET,
    code: str | _Unset = UNSET,
    sort_order: int | _Unset = UNSET,
) -> Unit:
    """Change the given fields (rename, new OrganId, …); the tree's shape stays as it is."""
    wanted: dict[str, Any] = {}
    if name is not UNSET:
        wanted["name"] = clean_name(name)
    if short_name is not UNSET:
        wanted["short_name"] = clean_short_name(short_name)
    if kind is not UNSET:
        wanted["kind"] = clean_kind(kind)
    if organ_id is not UNSET:
        wanted["organ_id"] = clean_organ_id(organ_id)
    if organ_id_v2 is not UNSET:
        wanted["organ_id_v2"] = clean_organ_id_v2(organ_id_v2)
    if code is not UNSET:
        wanted["code"] = clean_code(code)
    if sort_order is not UNSET:
        wanted["sort_order"] = int(sort_order)
    new_code = str(wanted.get("code", ""))
    try:
        async with atomic():
            unit = await get_unit(unit_id)
            changes = {k: v for k, v in wanted.items() if getattr(unit, k) != v}
            if not changes:
                return unit
            if "code" in changes:
                await _check_code_free(new_code, exclude_id=unit.id)
            before = {k: getattr(unit, k) for k in changes}
            for key, value in changes.items():
                setattr(unit, key, value)
            await unit.save(update_fields=list(changes))
            await _audit("unit.update", unit.id, before, changes)
    except IntegrityError as exc:
        raise _code_taken(new_code) from exc
    return unit


async def move_unit(unit_id: int, new_parent_id: int | None) -> Unit:
    """Put a unit (with its whole subtree) under ``new_parent_id``, or make it a root.

    Paths and levels of the subtree and the role grants scoped to them
    (``core.authz.grants.on_unit_moved``) are rewritten in one transaction; other processes
    learn of the changed grants after the commit.
    """
    async with atomic() as connection:
        await _lock_tree(connection)
        unit = await get_unit(unit_id)
        parent = await get_unit(new_parent_id) if new_parent_id is not None else None
        if parent is not None and parent.id == unit.id:
            raise InvalidInput(
                f"cannot move unit {unit.code} under itself", {"parent_id": "the unit itself"}
            )
        if parent is not None and parent.path.startswith(unit.path):
            raise InvalidInput(
                f"cannot move unit {unit.code} under its own descendant {parent.code}",
                {"parent_id": "a descendant of the unit"},
            )
        if parent is not None and not parent.is_active and unit.is_active:
            await _active_parent(parent.id)  # raises: an active unit under a deactivated one
        current_parent: int | None = unit.parent_id  # type: ignore[attr-defined]
        if current_parent == (parent.id if parent else None):
            return unit
        before = {"parent_id": current_parent, "path": unit.path, "level": unit.level}
        old_path = unit.path
        new_path = f"{parent.path if parent else '/'}{unit.id}/"
        delta = (parent.level + 1 if parent else 0) - unit.level
        subtree = await Unit.filter(path__startswith=old_path)
        for node in subtree:
            node.path = new_path + node.path[len(old_path) :]
            node.level += delta
            if node.id == unit.id:
                node.parent = parent
                unit = node
            await node.save(update_fields=["path", "level", "parent_id"])
        await _audit(
            "unit.move",
            unit.id,
            before,
            {"parent_id": parent.id if parent else None, "path": new_path, "level": unit.level},
        )
        # Grants scoped to the old paths move in the same transaction; other processes are
        # told after the (outermost) commit, so they never reload uncommitted rules.
        if await _move_grants(old_path, new_path):
            await on_commit(_announce_policy_change)
    return unit


async def _move_grants(old_path: str, new_path: str) -> int:
    try:
        from core.authz.grants import on_unit_moved
    except ModuleNotFoundError as exc:
        if exc.name in ("core.authz.grants", "core.authz"):
            return 0  # authorization not installed (partial checkouts, early tests)
        raise
    return int(await on_unit_moved(old_path, new_path) or 0)


async def _announce_policy_change() -> None:
    from core.authz.enforcer import policy_changed

    await policy_changed()


async def deactivate_unit(unit_id: int) -> Unit:
    """Deactivate a unit and every unit under it; nothing is deleted."""
    return await _set_active(unit_id, False, subtree=True)


async def activate_unit(unit_id: int, *, subtree: bool = False) -> Unit:
    """Activate a unit (and, with ``subtree``, every unit under it). Its parent must be active."""
    return await _set_active(unit_id, True, subtree=subtree)


async def _set_active(unit_id: int, active: bool, *, subtree: bool) -> Unit:
    async with atomic() as connection:
        await _lock_tree(connection)
        unit = await get_unit(unit_id)
        parent_id: int | None = unit.parent_id  # type: ignore[attr-defined]
        if active and parent_id is not None and not (parent := await get_unit(parent_id)).is_active:
            raise InvalidInput(
                f"Unit {unit.code!r} is under the deactivated unit {parent.code!r}; "
                "activate that first.",
                {"parent_id": "deactivated unit"},
            )
        query = Unit.filter(path__startswith=unit.path) if subtree else Unit.filter(id=unit.id)
        changed = sorted(await query.filter(is_active=not active).values_list("id", flat=True))
        if not changed:
            return unit
        await Unit.filter(id__in=changed).update(is_active=active)
        unit.is_active = active
        await _audit(
            "unit.activate" if active else "unit.deactivate",
            unit.id,
            {"is_active": not active},
            {"is_active": active, "changed_ids": changed},
        )
    return unit


async def _references(unit: Unit) -> list[str]:
    from core.authz.models import CasbinRule
    from core.users.models import Position

    found: list[str] = []
    if children := await Unit.filter(parent_id=unit.id).count():
        found.append(f"{children} child unit(s)")
    if positions := await Position.filter(unit_id=unit.id).count():
        found.append(f"{positions} position(s)")
    if grants := await CasbinRule.filter(v2__startswith=unit.path).count():
        found.append(f"{grants} role grant(s)")
    return found


async def delete_unit(unit_id: int) -> None:
    """Delete a unit nothing refers to; otherwise Conflict — deactivate it instead."""
    code = (await get_unit(unit_id)).code
    try:
        async with atomic() as connection:
            await _lock_tree(connection)
            unit = await get_unit(unit_id)
            if refs := await _references(unit):
                raise Conflict(
                    f"unit {unit.code} is referenced by {', '.join(refs)}; deactivate it instead"
                )
            before = unit_snapshot(unit)
            await unit.delete()
            await _audit("unit.delete", unit_id, before, None)
    except IntegrityError as exc:  # a row of a plugin's table refers to it
        raise Conflict(f"unit {code} is referenced by other rows; deactivate it instead") from exc
