"""Migration operations for PostgreSQL-only DDL, skipped on SQLite.

Migration files import these from the public API (``from core import EnableRLS``) so one set of
migrations serves both databases.
"""

from __future__ import annotations

from typing import Any

from tortoise.migrations.operations import RunSQL

from core.db.rls import disable_rls_sql, enable_rls_sql


def _is_postgres(state_editor: Any) -> bool:
    dialect = getattr(getattr(state_editor, "client", None), "capabilities", None)
    return getattr(dialect, "dialect", "") == "postgres"


class RunPostgresSQL(RunSQL):
    """RunSQL that does nothing on databases other than PostgreSQL."""

    async def database_forward(
        self, app_label: str, old_state: Any, new_state: Any, state_editor: Any = None
    ) -> None:
        if state_editor is not None and _is_postgres(state_editor):
            await super().database_forward(app_label, old_state, new_state, state_editor)

    async def database_backward(
        self, app_label: str, old_state: Any, new_state: Any, state_editor: Any = None
    ) -> None:
        if state_editor is not None and _is_postgres(state_editor):
            await super().database_backward(app_label, old_state, new_state, state_editor)


class EnableRLS(RunPostgresSQL):
    """Row-level security for the given tenant-scoped tables."""

    def __init__(self, *tables: str) -> None:
        forward = [sql for table in tables for sql in enable_rls_sql(table)]
        backward = [sql for table in tables for sql in disable_rls_sql(table)]
        super().__init__(forward, backward)
        self.tables = tables

    def describe(self) -> str:
        return f"Enable row-level security on {', '.join(self.tables)}"
