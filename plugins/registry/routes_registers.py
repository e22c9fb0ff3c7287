"""Routes of the registry plugin: printable registers (ND30 Phụ lục IV)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from plugins.registry.views import registers

PREFIX = "/api/v1/registry"

ROUTES: list[BaseRoute] = [
    Route(
        f"{PREFIX}/registries/{{registry_id:int}}/registers/{{kind}}",
        registers.print_register,
        methods=["GET"],
    ),
]
