"""Routes of the registry plugin: search, saved searches and exports of results."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from plugins.registry.api import api_route
from plugins.registry.views import search, search_pages

_SAVED = "/saved-searches/{search_id:int}"

ROUTES: list[BaseRoute] = [
    api_route("GET", "/search", search.search),
    api_route("GET", "/search/export.xlsx", search.export_xlsx),
    api_route("GET", "/search/export.pdf", search.export_pdf),
    api_route("GET", "/saved-searches", search.list_saved),
    api_route("POST", "/saved-searches", search.create_saved),
    api_route("GET", _SAVED, search.run_saved),
    api_route("DELETE", _SAVED, search.delete_saved),
    Route("/registry/search", search_pages.search_page, methods=["GET"]),
    Route("/registry/search/saved", search_pages.save_search, methods=["POST"]),
    Route(
        "/registry/search/saved/{search_id:int}/delete",
        search_pages.delete_search,
        methods=["POST"],
    ),
]
