"""Routes of the registry plugin: JSON under ``/api/v1/registry/``, pages under ``/registry/``.

Each area keeps its routes in its own ``routes_<area>`` module; this list joins them.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from plugins.registry import (
    routes_outgoing,
    routes_pages,
    routes_records,
    routes_registers,
    routes_search,
)
from plugins.registry.views import assignments, flow, incoming, numbers, reference, registries

PREFIX = "/api/v1/registry"

routes: list[BaseRoute] = [
    Route(f"{PREFIX}/reference/{{kind}}", reference.list_reference, methods=["GET"]),
    Route(f"{PREFIX}/reference/{{kind}}", reference.create_reference, methods=["POST"]),
    Route(f"{PREFIX}/reference/{{kind}}/{{code}}", reference.update_reference, methods=["PATCH"]),
    Route(f"{PREFIX}/registries", registries.list_registries, methods=["GET"]),
    Route(f"{PREFIX}/registries", registries.create_registry, methods=["POST"]),
    Route(f"{PREFIX}/registries/{{registry_id:int}}", registries.get_registry, methods=["GET"]),
    Route(
        f"{PREFIX}/registries/{{registry_id:int}}", registries.update_registry, methods=["PATCH"]
    ),
    Route(
        f"{PREFIX}/registries/{{registry_id:int}}",
        registries.delete_registry,
        methods=["DELETE"],
    ),
    Route(
        f"{PREFIX}/registries/{{registry_id:int}}/numbers", numbers.list_numbers, methods=["GET"]
    ),
    Route(
        f"{PREFIX}/registries/{{registry_id:int}}/numbers",
        numbers.allocate_number,
        methods=["POST"],
    ),
    Route(
        f"{PREFIX}/registries/{{registry_id:int}}/reservations",
        numbers.reserve_number,
        methods=["POST"],
    ),
    Route(
        f"{PREFIX}/reservations/{{number_id:int}}/release",
        numbers.release_reservation,
        methods=["POST"],
    ),
    Route(f"{PREFIX}/incoming", incoming.list_incoming, methods=["GET"]),
    Route(f"{PREFIX}/incoming", incoming.register, methods=["POST"]),
    Route(f"{PREFIX}/incoming/refusals", incoming.refuse, methods=["POST"]),
    Route(f"{PREFIX}/incoming/{{document_id:int}}", incoming.get_incoming, methods=["GET"]),
    Route(
        f"{PREFIX}/incoming/{{document_id:int}}/files/{{file_id:int}}",
        incoming.download_file,
        methods=["GET"],
    ),
    Route(
        f"{PREFIX}/incoming/{{document_id:int}}/assignments",
        assignments.assign,
        methods=["POST"],
    ),
    Route(
        f"{PREFIX}/incoming/{{document_id:int}}/complete", assignments.complete, methods=["POST"]
    ),
    Route(
        f"{PREFIX}/assignments/{{assignment_id:int}}/opinions",
        assignments.add_opinion,
        methods=["POST"],
    ),
    Route(
        f"{PREFIX}/assignments/{{assignment_id:int}}/done", assignments.mark_done, methods=["POST"]
    ),
    Route(f"{PREFIX}/inbox", assignments.inbox, methods=["GET"]),
    Route(f"{PREFIX}/incoming/{{document_id:int}}/presentations", flow.present, methods=["POST"]),
    Route(f"{PREFIX}/presented", flow.presented, methods=["GET"]),
    Route(
        f"{PREFIX}/documents/{{document_id:int}}/timeline",
        flow.document_timeline,
        methods=["GET"],
    ),
    Route(f"{PREFIX}/following", assignments.following, methods=["GET"]),
]
routes += (
    routes_outgoing.ROUTES
    + routes_records.ROUTES
    + routes_search.ROUTES
    + routes_registers.ROUTES
    + routes_pages.ROUTES
)
