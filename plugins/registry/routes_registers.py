"""Routes of the registry plugin: printable registers (ND30 Phụ lục IV)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from plugins.registry.api import api_route
from plugins.registry.views import registers

ROUTES: list[BaseRoute] = [
    api_route("GET", "/registries/{registry_id:int}/registers/{kind}", registers.print_register),
]
