"""Routes of the registry plugin: search, saved searches and exports of results."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from plugins.registry.views import search, search_pages

PREFIX = "/api/v1/registry"

ROUTES: list[BaseRoute] = [
    Route(f"{PREFIX}/search", search.search, methods=["GET"]),
    Route(f"{PREFIX}/search/export.xlsx", search.export_xlsx, methods=["GET"]),
    Route(f"{PREFIX}/search/export.pdf", search.export_pdf, methods=["GET"]),
    Route(f"{PREFIX}/saved-searches", search.list_saved, methods=["GET"]),
    Route(f"{PREFIX}/saved-searches", search.create_saved, methods=["POST"]),
    Route(f"{PREFIX}/saved-searches/{{search_id:int}}", search.run_saved, methods=["GET"]),
    Route(f"{PREFIX}/saved-searches/{{search_id:int}}", search.delete_saved, methods=["DELETE"]),
    Route("/registry/search", search_pages.search_page, methods=["GET"]),
    Route("/registry/search/saved", search_pages.save_search, methods=["POST"]),
    Route(
        "/registry/search/saved/{search_id:int}/delete",
        search_pages.delete_search,
        methods=["POST"],
    ),
]
