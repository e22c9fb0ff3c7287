"""Row-level security on PostgreSQL: the second isolation lock.

Every tenant-scoped table gets a policy comparing ``tenant_id`` with the per-connection setting
``app.tenant_id``; platform code (``platform_scope()``) sets ``app.platform = on``. The pool's
``setup`` hook writes both settings on every acquire, and :func:`core.db.atomic` writes them
again with ``set_config(…, true)`` at the start of each transaction. FORCE makes the policies
bind the table owner too; only superusers and BYPASSRLS roles escape, and start-up refuses those.
"""

from __future__ import annotations

from typing import Any

from core.context import current_tenant_or_none, in_platform_scope

SET_SQL = "SELECT set_config('app.tenant_id', $1, {local}), set_config('app.platform', $2, {local})"
SESSION_SET_SQL = SET_SQL.format(local="false")
LOCAL_SET_SQL = SET_SQL.format(local="true")


def current_settings() -> tuple[str, str]:
    tenant = current_tenant_or_none()
    return (str(tenant.id) if tenant else "", "on" if in_platform_scope() else "off")


async def apply_tenant_setting(connection: Any) -> None:
    """asyncpg pool ``setup``: runs in the acquiring task, so it sees its context variables."""
    await connection.execute(SESSION_SET_SQL, *current_settings())


def enable_rls_sql(table: str) -> list[str]:
    """DDL that turns RLS on for one tenant-scoped table (idempotent)."""
    policy = f"{table}_tenant_isolation"
    predicate = (
        "tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::integer "
        "OR current_setting('app.platform', true) = 'on'"
    )
    return [
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY',
        f'DROP POLICY IF EXISTS "{policy}" ON "{table}"',
        f'CREATE POLICY "{policy}" ON "{table}" USING ({predicate}) WITH CHECK ({predicate})',
    ]


def disable_rls_sql(table: str) -> list[str]:
    return [
        f'DROP POLICY IF EXISTS "{table}_tenant_isolation" ON "{table}"',
        f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY',
    ]
