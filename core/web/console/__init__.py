"""The platform console (``/platform/…`` on the base domain): tenants and failed jobs."""

from __future__ import annotations

from starlette.routing import BaseRoute

from core.web.console import jobs, tenants


def console_routes() -> list[BaseRoute]:
    return [*tenants.routes(), *jobs.routes()]
