"""Database access: model bases, configuration, transactions and row-level security."""

from core.db.base import PlatformModel, TenantManager, TenantModel, TimestampMixin
from core.db.connection import atomic, close_db, db, fetch_tenant_rows, init_db, is_postgres

__all__ = [
    "PlatformModel",
    "TenantManager",
    "TenantModel",
    "TimestampMixin",
    "atomic",
    "close_db",
    "db",
    "fetch_tenant_rows",
    "init_db",
    "is_postgres",
]
