"""The tenant administration pages (``/admin/…``): org tree, users, roles and grants, plugins,
theme and the audit trail. Each module owns one area and returns its routes."""

from __future__ import annotations

from starlette.routing import BaseRoute

from core.web.admin import audit, plugins, roles, theme, units, users


def admin_routes() -> list[BaseRoute]:
    return [
        *units.routes(),
        *users.routes(),
        *roles.routes(),
        *plugins.routes(),
        *theme.routes(),
        *audit.routes(),
    ]
