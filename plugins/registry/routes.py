"""Routes of the registry plugin: JSON under ``/api/v1/registry/``, pages under ``/registry/``.

Each area keeps its routes in its own ``routes_<area>`` module; this list joins them.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from plugins.registry import (
    routes_outgoing,
    routes_pages,
    routes_records,
    routes_registers,
    routes_search,
)
from plugins.registry.api import api_route
from plugins.registry.views import assignments, flow, incoming, numbers, reference, registries

_REGISTRY = "/registries/{registry_id:int}"
_INCOMING = "/incoming/{document_id:int}"

routes: list[BaseRoute] = [
    api_route("GET", "/reference/{kind}", reference.list_reference),
    api_route("POST", "/reference/{kind}", reference.create_reference),
    api_route("PATCH", "/reference/{kind}/{code}", reference.update_reference),
    api_route("GET", "/registries", registries.list_registries),
    api_route("POST", "/registries", registries.create_registry),
    api_route("GET", _REGISTRY, registries.get_registry),
    api_route("PATCH", _REGISTRY, registries.update_registry),
    api_route("DELETE", _REGISTRY, registries.delete_registry),
    api_route("GET", f"{_REGISTRY}/numbers", numbers.list_numbers),
    api_route("POST", f"{_REGISTRY}/numbers", numbers.allocate_number),
    api_route("POST", f"{_REGISTRY}/reservations", numbers.reserve_number),
    api_route("POST", "/reservations/{number_id:int}/release", numbers.release_reservation),
    api_route("GET", "/incoming", incoming.list_incoming),
    api_route("POST", "/incoming", incoming.register),
    api_route("POST", "/incoming/refusals", incoming.refuse),
    api_route("GET", _INCOMING, incoming.get_incoming),
    api_route("GET", f"{_INCOMING}/files/{{file_id:int}}", incoming.download_file),
    api_route("POST", f"{_INCOMING}/assignments", assignments.assign),
    api_route("POST", f"{_INCOMING}/complete", assignments.complete),
    api_route("POST", "/assignments/{assignment_id:int}/opinions", assignments.add_opinion),
    api_route("POST", "/assignments/{assignment_id:int}/done", assignments.mark_done),
    api_route("GET", "/inbox", assignments.inbox),
    api_route("POST", f"{_INCOMING}/presentations", flow.present),
    api_route("GET", "/presented", flow.presented),
    api_route("GET", "/documents/{document_id:int}/timeline", flow.document_timeline),
    api_route("GET", "/following", assignments.following),
]
routes += (
    routes_outgoing.ROUTES
    + routes_records.ROUTES
    + routes_search.ROUTES
    + routes_registers.ROUTES
    + routes_pages.ROUTES
)
