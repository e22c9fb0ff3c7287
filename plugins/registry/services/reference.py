"""Reference data of the current tenant: seed, list, create and change (no deletes).

Five kinds share one shape (``code``, ``name``, ``sort_order``, ``is_active``) plus fields of
their own. Codes are stable keys and never change; retire an item with ``is_active=False``.
Every change is audited in the transaction that makes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tortoise.exceptions import IntegrityError

from core import Conflict, InvalidInput, NotFound, atomic, record_audit
from plugins.registry import seed_data
from plugins.registry.models import (
    ConfidentialityLevel,
    CopyForm,
    DocumentType,
    ReferenceItem,
    RetentionPeriod,
    UrgencyLevel,
)
from plugins.registry.notation import abbreviation_problem, pattern_problem

CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_]{0,49}$")
BASE_FIELDS = ("code", "name", "sort_order", "is_active")


@dataclass(frozen=True)
class Kind:
    """One kind of reference data: its URL key, model, own fields and list order."""

    key: str
    model: type[ReferenceItem]
    fields: tuple[str, ...]
    ordering: tuple[str, ...]

    @property
    def object_type(self) -> str:
        return f"registry.{self.key}"


KINDS: dict[str, Kind] = {
    kind.key: kind
    for kind in (
        Kind(
            "document-types",
            DocumentType,
            ("abbreviation", "notation_pattern"),
            ("sort_order", "id"),
        ),
        Kind("copy-forms", CopyForm, ("abbreviation",), ("sort_order", "id")),
        # The most urgent first.
        Kind("urgency-levels", UrgencyLevel, ("weight",), ("-weight", "sort_order", "id")),
        Kind("confidentiality-levels", ConfidentialityLevel, ("level",), ("level", "id")),
        Kind("retention-periods", RetentionPeriod, ("years",), ("sort_order", "id")),
    )
}


def get_kind(key: str) -> Kind:
    kind = KINDS.get(key)
    if kind is None:
        raise NotFound(f"No reference data kind {key!r}; use one of {', '.join(KINDS)}.")
    return kind


def as_dict(kind: Kind, item: ReferenceItem) -> dict[str, Any]:
    return {name: getattr(item, name) for name in (*BASE_FIELDS, *kind.fields)}


# ------------------------------------------------------------------------------ seeding


def _seed_rows() -> dict[str, list[dict[str, Any]]]:
    return {
        "document-types": [
            {"code": c, "name": n, "abbreviation": a, "notation_pattern": p}
            for c, n, a, p in seed_data.DOCUMENT_TYPES
        ],
        "copy-forms": [
            {"code": c, "name": n, "abbreviation": a} for c, n, a in seed_data.COPY_FORMS
        ],
        "urgency-levels": [
            {"code": c, "name": n, "weight": w} for c, n, w in seed_data.URGENCY_LEVELS
        ],
        "confidentiality-levels": [
            {"code": c, "name": n, "level": lv} for c, n, lv in seed_data.CONFIDENTIALITY_LEVELS
        ],
        "retention-periods": [
            {"code": c, "name": n, "years": y} for c, n, y in seed_data.RETENTION_PERIODS
        ],
    }


async def seed_reference_data() -> dict[str, int]:
    """Create the missing seeded items of the current tenant; returns how many per kind.

    Idempotent: codes that exist (renamed or deactivated by an admin, too) are left alone.
    Safe against a concurrent run: conflicting inserts are ignored.
    """
    created: dict[str, int] = {}
    async with atomic():
        for key, rows in _seed_rows().items():
            model = KINDS[key].model
            existing = set(await model.all().values_list("code", flat=True))
            missing = [
                model(sort_order=(index + 1) * 10, **row)
                for index, row in enumerate(rows)
                if row["code"] not in existing
            ]
            if missing:
                await model.bulk_create(missing, ignore_conflicts=True)
                created[key] = len(missing)
        if created:
            await record_audit(
                "registry.reference.seed", object_type="registry.reference", after=created
            )
    return created


# ------------------------------------------------------------------------------ reads


async def list_items(kind_key: str, *, include_inactive: bool = True) -> list[ReferenceItem]:
    kind = get_kind(kind_key)
    query = kind.model.all()
    if not include_inactive:
        query = query.filter(is_active=True)
    return list(await query.order_by(*kind.ordering))


async def get_item(kind_key: str, code: str) -> ReferenceItem:
    kind = get_kind(kind_key)
    item = await kind.model.get_or_none(code=code)
    if item is None:
        raise NotFound(f"No {kind.key} item with the code {code!r} in this tenant.")
    return item


async def active_item(kind_key: str, code: str, field: str) -> Any:
    """The active item ``code`` for the input field ``field`` (InvalidInput otherwise)."""
    kind = get_kind(kind_key)
    item = await kind.model.get_or_none(code=code)
    if item is None:
        raise InvalidInput(f"Unknown {kind.key} code {code!r}.", {field: "unknown code"})
    if not item.is_active:
        raise InvalidInput(f"The {kind.key} item {code!r} is inactive.", {field: "inactive"})
    return item


# ------------------------------------------------------------------------------ changes


def _clean(kind: Kind, values: dict[str, Any]) -> dict[str, Any]:
    """Checked and normalised values; InvalidInput names every bad field."""
    allowed = {"name", "sort_order", "is_active", *kind.fields}
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for name, value in values.items():
        if name not in allowed:
            errors[name] = f"not a field of {kind.key}"
            continue
        problem, value = _check(name, value)
        if problem:
            errors[name] = problem
        else:
            clean[name] = value
    if errors:
        summary = "; ".join(f"{k}: {v}" for k, v in errors.items())
        raise InvalidInput(f"Invalid {kind.key} item: {summary}", errors)
    return clean


def _check(name: str, value: Any) -> tuple[str | None, Any]:
    if name == "name":
        text = str(value or "").strip()
        if not text:
            return "required", text
        return ("at most 100 characters" if len(text) > 100 else None), text
    if name == "abbreviation":
        text = str(value or "").strip()
        if len(text) > 20:
            return "at most 20 characters", text
        return abbreviation_problem(text), text
    if name == "notation_pattern":
        text = str(value or "").strip()
        if len(text) > 50:
            return "at most 50 characters", text
        return (pattern_problem(text) if text else None), text
    if name == "is_active":
        return (None if isinstance(value, bool) else "must be true or false"), value
    if name == "years":
        if value is None:
            return None, None
        ok = isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 1000
        return (None if ok else "a number of years from 1 to 1000, or null"), value
    bounds = {"level": (0, 100), "weight": (-1000, 1000), "sort_order": (-(10**6), 10**6)}
    low, high = bounds[name]
    ok = isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
    return (None if ok else f"a whole number from {low} to {high}"), value


async def create_item(kind_key: str, code: str, **values: Any) -> ReferenceItem:
    """Add an item (a tenant's specialised document type, say); its code never changes."""
    kind = get_kind(kind_key)
    code = code.strip()
    if not CODE_RE.match(code):
        raise InvalidInput(
            f"Invalid code {code!r}: lowercase letters, digits and '_', at most 50.",
            {"code": "lowercase letters, digits and '_' (at most 50)"},
        )
    if "name" not in values:
        raise InvalidInput("A reference item needs a name.", {"name": "required"})
    clean = _clean(kind, values)
    async with atomic():
        if await kind.model.exists(code=code):
            raise Conflict(f"A {kind.key} item with the code {code!r} already exists.")
        try:
            async with atomic():
                item = await kind.model.create(code=code, **clean)
        except IntegrityError:  # created concurrently since the check above
            raise Conflict(f"A {kind.key} item with the code {code!r} already exists.") from None
        await record_audit(
            "registry.reference.create",
            object_type=kind.object_type,
            object_id=code,
            after=as_dict(kind, item),
        )
    return item


async def update_item(kind_key: str, code: str, **values: Any) -> ReferenceItem:
    """Change the fields given (not the code); audited with before and after."""
    kind = get_kind(kind_key)
    if "code" in values:
        raise InvalidInput("The code of a reference item never changes.", {"code": "read-only"})
    clean = _clean(kind, values)
    async with atomic():
        item = await kind.model.select_for_update().get_or_none(code=code)
        if item is None:
            raise NotFound(f"No {kind.key} item with the code {code!r} in this tenant.")
        before = as_dict(kind, item)
        changed = {k: v for k, v in clean.items() if getattr(item, k) != v}
        if changed:
            for name, value in changed.items():
                setattr(item, name, value)
            await item.save(update_fields=[*changed, "updated_at"])
            await record_audit(
                "registry.reference.update",
                object_type=kind.object_type,
                object_id=code,
                before={k: before[k] for k in changed},
                after={k: getattr(item, k) for k in changed},
            )
    return item
