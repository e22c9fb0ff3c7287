"""Model bases: every table is declared either tenant-scoped or platform-wide.

:class:`TenantModel` is the first of the three isolation locks: its default manager filters by
the tenant in context and raises :class:`~core.errors.TenantRequired` when there is none, and
``save`` fills ``tenant_id``. Platform code that must see every tenant enters
:func:`core.context.platform_scope` — the one named escape hatch.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, Self

from tortoise import fields
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.manager import Manager
from tortoise.models import Model, ModelMeta
from tortoise.queryset import QuerySet

from core.context import current_tenant_or_none, in_platform_scope
from core.errors import TenantRequired


def _scope_tenant_id(model_name: str) -> int | None:
    """The tenant id to filter by, ``None`` for platform scope, or raise."""
    tenant = current_tenant_or_none()
    if tenant is not None:
        return tenant.id
    if in_platform_scope():
        return None
    raise TenantRequired(f"{model_name} is tenant-scoped and no tenant is set in this context.")


class TenantManager(Manager):
    """Default manager of tenant-scoped models: every queryset starts filtered by tenant."""

    def get_queryset(self) -> QuerySet[Any]:
        model = self._model
        tenant_id = _scope_tenant_id(model.__name__)
        queryset: QuerySet[Any] = QuerySet(model)
        if tenant_id is None:
            return queryset
        return queryset.filter(tenant_id=tenant_id)


def _plain_description(doc: str | None) -> str:
    """The first docstring line, reduced to characters safe in SQL comments.

    No quotes, no ``/*``, no ``;``.

    tortoise copies the docstring into a table comment unescaped; on SQLite a quote or ``/*``
    breaks the DDL.
    """
    first = (doc or "").strip().split("\n")[0]
    return re.sub(r"[^\w\s.,:()-]", "", first).strip()


class _CongvanModelMeta(ModelMeta):
    """Sanitises table comments; gives every concrete tenant-scoped model a TenantManager.

    tortoise reads ``Meta.manager`` from the concrete class only, so inheriting it from the
    abstract base is not enough.
    """

    def __new__(mcs, name: str, bases: tuple[type, ...], attrs: dict[str, Any]) -> Any:
        meta: Any = attrs.get("Meta")
        if meta is None:
            meta = type("Meta", (), {})
            attrs["Meta"] = meta
        if not getattr(meta, "abstract", False):
            if not hasattr(meta, "table_description"):
                meta.table_description = _plain_description(attrs.get("__doc__"))
            tenant_scoped = any(getattr(b, "tenant_scoped", False) for b in bases)
            if tenant_scoped and not hasattr(meta, "manager"):
                meta.manager = TenantManager()
        return super().__new__(mcs, name, bases, attrs)


class PlatformModel(Model, metaclass=_CongvanModelMeta):
    """A platform-wide table (tenants, platform admins, the outbox): no tenant filter, no RLS."""

    tenant_scoped: ClassVar[bool] = False

    class Meta:
        abstract = True


class TenantModel(Model, metaclass=_CongvanModelMeta):
    """A tenant-scoped table: filtered by the current tenant, protected by RLS on PostgreSQL.

    Unique constraints must include ``tenant_id`` (a test checks every model).
    """

    tenant_scoped: ClassVar[bool] = True

    tenant_id = fields.IntField(db_index=True)

    class Meta:
        abstract = True

    async def save(self, *args: Any, **kwargs: Any) -> None:
        self._claim_tenant()
        await super().save(*args, **kwargs)

    async def delete(self, using_db: BaseDBAsyncClient | None = None) -> None:
        self._check_tenant()
        await super().delete(using_db=using_db)

    def _claim_tenant(self) -> None:
        tenant = current_tenant_or_none()
        if tenant is None:
            if in_platform_scope() and getattr(self, "tenant_id", None) is not None:
                return
            raise TenantRequired(f"Cannot save {type(self).__name__} without a tenant in context.")
        if getattr(self, "tenant_id", None) is None:
            self.tenant_id = tenant.id
        elif self.tenant_id != tenant.id:
            raise TenantRequired(
                f"{type(self).__name__} belongs to tenant {self.tenant_id}, "
                f"not to the current tenant {tenant.id}."
            )

    def _check_tenant(self) -> None:
        tenant_id = _scope_tenant_id(type(self).__name__)
        if tenant_id is not None and self.tenant_id != tenant_id:
            raise TenantRequired(f"{type(self).__name__} belongs to another tenant.")

    @classmethod
    def bulk_create(cls, objects: Any, *args: Any, **kwargs: Any) -> Any:
        objects = list(objects)
        for obj in objects:
            obj._claim_tenant()
        return super().bulk_create(objects, *args, **kwargs)

    @classmethod
    def unscoped(cls) -> QuerySet[Self]:
        """Every tenant's rows. Only inside :func:`core.context.platform_scope`."""
        if not in_platform_scope():
            raise TenantRequired(f"{cls.__name__}.unscoped() is only allowed in platform_scope().")
        return QuerySet(cls)


class TimestampMixin:
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
