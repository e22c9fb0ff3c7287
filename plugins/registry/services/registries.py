"""Registries (sổ văn bản) of the current tenant: create, read, change, delete.

A registry belongs to a unit of the core's tree (the agency keeping it); its direction and
unit never change once created, because its numbers belong to them. Every change is audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tortoise.exceptions import IntegrityError

from core import Conflict, InvalidInput, NotFound, atomic, current_actor, record_audit
from plugins.registry.models import (
    DIRECTIONS,
    SCOPE_AGENCY,
    SCOPES,
    DocumentType,
    Registry,
    RegistryDocumentType,
    RegistryNumber,
)
from plugins.registry.models import MAX_ID as MAX_ID
from plugins.registry.notation import abbreviation_problem, number_year, pattern_problem
from plugins.registry.services.registry_overlap import check_overlap
from plugins.registry.units import UnitRef, get_unit

EDITABLE = (
    "name",
    "description",
    "document_types",
    "numbering_scope",
    "agency_abbreviation",
    "notation_pattern",
    "is_active",
)


@dataclass
class RegistryView:
    """A registry with the codes of the document types it takes (empty: every type)."""

    registry: Registry
    document_types: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        r = self.registry
        return {
            "id": r.id,
            "unit_id": r.unit_id,
            "direction": r.direction,
            "name": r.name,
            "description": r.description,
            "document_types": list(self.document_types),
            "numbering_scope": r.numbering_scope,
            "agency_abbreviation": r.agency_abbreviation,
            "notation_pattern": r.notation_pattern,
            "is_active": r.is_active,
        }


async def get_registry(registry_id: int) -> Registry:
    """The registry ``registry_id`` of the current tenant; NotFound otherwise."""
    registry = None
    if 1 <= registry_id <= MAX_ID:
        registry = await Registry.get_or_none(id=registry_id)
    if registry is None:
        raise NotFound(f"No registry with id {registry_id} in this tenant.")
    return registry


async def type_codes(registry: Registry) -> list[str]:
    rows = (
        await RegistryDocumentType.filter(registry_id=registry.id)
        .order_by("document_type__sort_order", "document_type_id")
        .values_list("document_type__code", flat=True)
    )
    return [str(code) for code in rows]


async def view(registry: Registry) -> RegistryView:
    return RegistryView(registry, await type_codes(registry))


async def get_registry_view(registry_id: int) -> RegistryView:
    return await view(await get_registry(registry_id))


async def list_registries(
    *, unit_id: int | None = None, direction: str | None = None, include_inactive: bool = True
) -> list[RegistryView]:
    query = Registry.all()
    if unit_id is not None:
        query = query.filter(unit_id=unit_id)
    if direction is not None:
        query = query.filter(direction=direction)
    if not include_inactive:
        query = query.filter(is_active=True)
    registries = await query.order_by("unit_id", "direction", "name", "id")
    links = (
        await RegistryDocumentType.filter(registry_id__in=[r.id for r in registries])
        .order_by("document_type__sort_order", "document_type_id")
        .values_list("registry_id", "document_type__code")
    )
    codes: dict[int, list[str]] = {}
    for registry_id, code in links:
        codes.setdefault(int(registry_id), []).append(str(code))
    return [RegistryView(r, codes.get(r.id, [])) for r in registries]


# ------------------------------------------------------------------------------ checks


def _invalid(errors: dict[str, str]) -> InvalidInput:
    summary = "; ".join(f"{k}: {v}" for k, v in errors.items())
    return InvalidInput(f"Invalid registry: {summary}", errors)


def _check_fields(values: dict[str, Any]) -> dict[str, Any]:
    """Normalised values of the editable fields; InvalidInput names every bad one."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for name, value in values.items():
        if name == "name":
            value = str(value or "").strip()
            if not value:
                errors[name] = "required"
            elif len(value) > 200:
                errors[name] = "at most 200 characters"
        elif name == "description":
            value = str(value or "").strip()
            if len(value) > 2000:
                errors[name] = "at most 2000 characters"
        elif name == "numbering_scope":
            if value not in SCOPES:
                errors[name] = f"one of {', '.join(SCOPES)}"
        elif name == "agency_abbreviation":
            value = str(value or "").strip()
            problem = abbreviation_problem(value)
            if not value:
                errors[name] = "required"
            elif len(value) > 30:
                errors[name] = "at most 30 characters"
            elif problem:
                errors[name] = problem
        elif name == "notation_pattern":
            value = str(value or "").strip()
            problem = pattern_problem(value)
            if problem or len(value) > 50:
                errors[name] = problem or "at most 50 characters"
        elif name == "is_active":
            if not isinstance(value, bool):
                errors[name] = "must be true or false"
        elif name == "document_types":
            if not isinstance(value, list | tuple) or not all(isinstance(c, str) for c in value):
                errors[name] = "a list of document type codes"
            else:
                value = list(dict.fromkeys(c.strip() for c in value))
        else:
            errors[name] = "not a field of a registry"
        clean[name] = value
    if errors:
        raise _invalid(errors)
    return clean


async def _document_types(codes: list[str]) -> list[DocumentType]:
    """The tenant's document types for ``codes``; InvalidInput names the unknown ones."""
    found = {t.code: t for t in await DocumentType.filter(code__in=codes)} if codes else {}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise _invalid({"document_types": f"unknown document type: {', '.join(unknown)}"})
    return [found[c] for c in codes]


async def _check_scopes(
    unit_id: int, direction: str, scope: str, active: bool, registry_id: int | None
) -> None:
    """One agency-wide sequence cannot be mixed with other scopes in a unit and direction:
    their numbers would repeat (15/QĐ-UBND twice)."""
    if not active:
        return
    others = Registry.filter(unit_id=unit_id, direction=direction, is_active=True)
    if registry_id is not None:
        others = others.exclude(id=registry_id)
    scopes = {str(s) for s in await others.values_list("numbering_scope", flat=True)}
    if scopes and (scope == SCOPE_AGENCY) != (scopes == {SCOPE_AGENCY}):
        raise Conflict(
            f"The active {direction} registries of unit {unit_id} use the numbering scopes "
            f"{', '.join(sorted(scopes))}; an agency-wide sequence cannot be mixed with others.",
            errors={"numbering_scope": "mixes agency-wide numbering with other scopes"},
        )


async def _link_types(registry: Registry, types: list[DocumentType]) -> None:
    await RegistryDocumentType.filter(registry_id=registry.id).delete()
    for document_type in types:
        await RegistryDocumentType.create(registry=registry, document_type=document_type)


def _unique_name_conflict(unit_id: int, name: str) -> Conflict:
    return Conflict(
        f"Unit {unit_id} already has a registry named {name!r}.",
        errors={"name": "already used in this unit"},
    )


# ------------------------------------------------------------------------------ changes


async def create_registry(
    unit_id: int,
    direction: str,
    name: str,
    *,
    description: str = "",
    document_types: list[str] | None = None,
    numbering_scope: str = SCOPE_AGENCY,
    agency_abbreviation: str | None = None,
    notation_pattern: str = "{type}-{agency}",
    is_active: bool = True,
) -> RegistryView:
    """Create a registry of ``unit_id``; the agency abbreviation defaults to the unit's
    short name (or code). NotFound for an unknown unit, InvalidInput for bad values."""
    if direction not in DIRECTIONS:
        raise _invalid({"direction": f"one of {', '.join(DIRECTIONS)}"})
    unit = await _active_unit(unit_id)
    values = _check_fields(
        {
            "name": name,
            "description": description,
            "document_types": list(document_types or []),
            "numbering_scope": numbering_scope,
            "agency_abbreviation": (
                unit.abbreviation if agency_abbreviation is None else agency_abbreviation
            ),
            "notation_pattern": notation_pattern,
            "is_active": is_active,
        }
    )
    codes: list[str] = values.pop("document_types")
    async with atomic():
        types = await _document_types(codes)
        await _check_scopes(unit.id, direction, values["numbering_scope"], is_active, None)
        if is_active:
            await check_overlap(
                unit.id,
                direction,
                values["numbering_scope"],
                {t.id for t in types},
                None,
                abbreviation=values["agency_abbreviation"],
                pattern=values["notation_pattern"],
            )
        if await Registry.exists(unit_id=unit.id, name=values["name"]):
            raise _unique_name_conflict(unit.id, values["name"])
        try:
            async with atomic():
                registry = await Registry.create(
                    unit_id=unit.id,
                    direction=direction,
                    created_by=current_actor().ref,
                    **values,
                )
        except IntegrityError:
            raise _unique_name_conflict(unit.id, values["name"]) from None
        await _link_types(registry, types)
        result = await view(registry)
        await record_audit(
            "registry.registry.create",
            object_type="registry.registry",
            object_id=registry.id,
            after=result.as_dict(),
            unit_id=registry.unit_id,
        )
    return result


async def _active_unit(unit_id: int) -> UnitRef:
    if not 1 <= unit_id <= MAX_ID:
        raise NotFound(f"No unit with id {unit_id} in this tenant.")
    unit = await get_unit(unit_id)
    if not unit.is_active:
        raise _invalid({"unit_id": "the unit is inactive"})
    return unit


async def update_registry(registry_id: int, **changes: Any) -> RegistryView:
    """Change the fields given. The numbering scope cannot change once the registry has
    numbers in the current year (the new scope starts with the next year)."""
    fixed = [name for name in changes if name in ("unit_id", "direction")]
    if fixed:
        raise _invalid(dict.fromkeys(fixed, "cannot change; create another registry"))
    values = _check_fields(changes)
    async with atomic():
        registry = await Registry.select_for_update().get_or_none(id=registry_id)
        if registry is None:
            raise NotFound(f"No registry with id {registry_id} in this tenant.")
        before = (await view(registry)).as_dict()
        codes = values.pop("document_types", None)
        changed = {k: v for k, v in values.items() if getattr(registry, k) != v}
        if "numbering_scope" in changed and await RegistryNumber.exists(
            registry_id=registry.id, year=number_year()
        ):
            raise Conflict(
                "The numbering scope cannot change in a year the registry already has "
                "numbers in; change it at the start of next year.",
                errors={"numbering_scope": "numbers already given this year"},
            )
        scope = changed.get("numbering_scope", registry.numbering_scope)
        active = changed.get("is_active", registry.is_active)
        if "numbering_scope" in changed or changed.get("is_active") is True:
            await _check_scopes(registry.unit_id, registry.direction, scope, active, registry.id)
        new_types = await _document_types(codes) if codes is not None else None
        numbering = {"numbering_scope", "is_active", "agency_abbreviation", "notation_pattern"}
        if active and (numbering & changed.keys() or new_types is not None):
            type_ids = (
                {t.id for t in new_types}
                if new_types is not None
                else {
                    link.document_type_id
                    for link in await RegistryDocumentType.filter(registry_id=registry.id)
                }
            )
            await check_overlap(
                registry.unit_id,
                registry.direction,
                scope,
                type_ids,
                registry.id,
                abbreviation=changed.get("agency_abbreviation", registry.agency_abbreviation),
                pattern=changed.get("notation_pattern", registry.notation_pattern),
            )
        if (
            "name" in changed
            and await Registry.filter(unit_id=registry.unit_id, name=changed["name"])
            .exclude(id=registry.id)
            .exists()
        ):
            raise _unique_name_conflict(registry.unit_id, changed["name"])
        for name, value in changed.items():
            setattr(registry, name, value)
        if changed:
            await registry.save(update_fields=[*changed, "updated_at"])
        if new_types is not None and codes != before["document_types"]:
            await _link_types(registry, new_types)
        after = (await view(registry)).as_dict()
        diff = [k for k in after if after[k] != before[k]]
        if diff:
            await record_audit(
                "registry.registry.update",
                object_type="registry.registry",
                object_id=registry.id,
                before={k: before[k] for k in diff},
                after={k: after[k] for k in diff},
                unit_id=registry.unit_id,
            )
    return await view(registry)


async def delete_registry(registry_id: int) -> None:
    """Delete a registry that has never given a number (else deactivate it: Conflict)."""
    async with atomic():
        registry = await Registry.select_for_update().get_or_none(id=registry_id)
        if registry is None:
            raise NotFound(f"No registry with id {registry_id} in this tenant.")
        if await RegistryNumber.exists(registry_id=registry.id):
            raise Conflict(
                f"Registry {registry.id} has numbers and stays in the record; "
                "deactivate it instead."
            )
        before = (await view(registry)).as_dict()
        await RegistryDocumentType.filter(registry_id=registry.id).delete()
        await registry.delete()
        await record_audit(
            "registry.registry.delete",
            object_type="registry.registry",
            object_id=registry_id,
            before=before,
            unit_id=before["unit_id"],
        )


async def accepts(registry: Registry, document_type: DocumentType) -> bool:
    """Whether ``registry`` takes documents of ``document_type`` (no list: every type)."""
    links = RegistryDocumentType.filter(registry_id=registry.id)
    if not await links.exists():
        return True
    return await links.filter(document_type_id=document_type.id).exists()
