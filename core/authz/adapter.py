"""A filtered Casbin adapter over :class:`core.authz.models.CasbinRule`, one tenant at a time.

Every read and write goes through the tenant-scoped manager, so the adapter only ever sees the
current tenant's rows (and RLS holds on PostgreSQL). Writes use whatever transaction the caller
has open: a service wraps them in ``async with atomic():`` with its audit event, and publishes
the policy change after the block exits (see :mod:`core.notify`).

Only the ``p`` and ``g`` rows belong to the Casbin model; other ``ptype`` values in the table are
bookkeeping of :mod:`core.authz.roles` and are never loaded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from casbin.persist.adapters.asyncio import AsyncAdapter

from core.authz.models import CasbinRule

MODEL_PTYPES = ("p", "g")
FIELDS = ("v0", "v1", "v2", "v3", "v4", "v5")


@dataclass(frozen=True)
class PolicyFilter:
    """Which of the current tenant's rows to load; empty fields mean "all"."""

    ptypes: tuple[str, ...] = MODEL_PTYPES
    v0: tuple[str, ...] = ()


def rule_fields(rule: Sequence[str]) -> dict[str, str]:
    """``["role:clerk", "x.y"]`` → ``{"v0": "role:clerk", "v1": "x.y", "v2": "", …}``."""
    if len(rule) > len(FIELDS):
        raise ValueError(f"a policy rule has at most {len(FIELDS)} fields, got {len(rule)}")
    values = list(rule) + [""] * (len(FIELDS) - len(rule))
    return dict(zip(FIELDS, values, strict=True))


def row_rule(row: CasbinRule) -> list[str]:
    values = [row.v0, row.v1, row.v2, row.v3, row.v4, row.v5]
    while values and values[-1] == "":
        values.pop()
    return values


class TenantAdapter(AsyncAdapter):  # type: ignore[misc]
    """Loads and stores the current tenant's policy rows."""

    def __init__(self) -> None:
        self._filtered = False

    # A plain method: the enforcer calls it without awaiting (a coroutine would always be true).
    def is_filtered(self) -> bool:
        return self._filtered

    async def load_policy(self, model: Any) -> None:
        """Load every ``p`` and ``g`` row of the current tenant."""
        await self._load(model, PolicyFilter())
        self._filtered = False

    async def load_filtered_policy(self, model: Any, filter: PolicyFilter | None) -> None:
        await self._load(model, filter or PolicyFilter())
        self._filtered = True

    async def _load(self, model: Any, policy_filter: PolicyFilter) -> None:
        query = CasbinRule.filter(ptype__in=list(policy_filter.ptypes))
        if policy_filter.v0:
            query = query.filter(v0__in=list(policy_filter.v0))
        rows = await query.order_by("id").values_list("ptype", *FIELDS)
        for ptype, *values in rows:
            sec = ptype[0]
            assertion = model.model.get(sec, {}).get(ptype)
            if assertion is None:
                continue
            while values and values[-1] == "":
                values.pop()
            # Rows are unique in the database, so append directly: model.add_policy checks
            # membership in a list and turns a large load quadratic.
            assertion.policy.append(values)

    async def save_policy(self, model: Any) -> bool:
        """Replace the current tenant's ``p`` and ``g`` rows with the model's."""
        await CasbinRule.filter(ptype__in=list(MODEL_PTYPES)).delete()
        rows = [
            CasbinRule(ptype=ptype, **rule_fields(rule))
            for sec in MODEL_PTYPES
            for ptype, assertion in model.model.get(sec, {}).items()
            for rule in assertion.policy
        ]
        if rows:
            await CasbinRule.bulk_create(rows)
        return True

    async def add_policy(self, sec: str, ptype: str, rule: Sequence[str]) -> bool:
        """Add one rule; ``False`` when it is already there."""
        fields = rule_fields(rule)
        if await CasbinRule.filter(ptype=ptype, **fields).exists():
            return False
        await CasbinRule(ptype=ptype, **fields).save()
        return True

    async def add_policies(self, sec: str, ptype: str, rules: Iterable[Sequence[str]]) -> bool:
        """Add the rules that are not there yet (one bulk insert)."""
        wanted = {tuple(rule_fields(rule).values()) for rule in rules}
        existing = await self._existing(ptype, wanted)
        new = [
            CasbinRule(ptype=ptype, **dict(zip(FIELDS, key, strict=True)))
            for key in sorted(wanted - existing)
        ]
        if new:
            await CasbinRule.bulk_create(new)
        return True

    async def remove_policy(self, sec: str, ptype: str, rule: Sequence[str]) -> bool:
        """Remove one rule; ``False`` when it was not there."""
        return bool(await CasbinRule.filter(ptype=ptype, **rule_fields(rule)).delete())

    async def remove_policies(self, sec: str, ptype: str, rules: Iterable[Sequence[str]]) -> bool:
        removed = 0
        for rule in rules:
            removed += await CasbinRule.filter(ptype=ptype, **rule_fields(rule)).delete()
        return removed > 0

    async def remove_filtered_policy(
        self, sec: str, ptype: str, field_index: int, *field_values: str
    ) -> bool:
        """Remove the rules whose fields from ``field_index`` on equal ``field_values``
        (an empty value matches anything)."""
        if not 0 <= field_index < len(FIELDS) or field_index + len(field_values) > len(FIELDS):
            raise ValueError(
                f"field_index {field_index} with {len(field_values)} values is out of range"
            )
        filters = {
            FIELDS[field_index + i]: value for i, value in enumerate(field_values) if value != ""
        }
        return bool(await CasbinRule.filter(ptype=ptype, **filters).delete())

    async def _existing(self, ptype: str, keys: set[tuple[str, ...]]) -> set[tuple[str, ...]]:
        if not keys:
            return set()
        v0s = sorted({key[0] for key in keys})
        rows = await CasbinRule.filter(ptype=ptype, v0__in=v0s).values_list(*FIELDS)
        return {tuple(row) for row in rows} & keys
