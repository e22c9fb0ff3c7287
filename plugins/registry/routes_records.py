"""Routes of the registry plugin: records (hồ sơ) and their export.

JSON under ``/api/v1/registry/records``; pages under ``/registry/records``.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from plugins.registry.api import api_route
from plugins.registry.views import records, records_filing, records_pages

PAGES = "/registry/records"
ONE = "{record_id:int}"

ROUTES: list[BaseRoute] = [
    api_route("GET", "/records", records.list_records),
    api_route("POST", "/records", records.open_record),
    api_route("GET", f"/records/{ONE}", records.get_record),
    api_route("POST", f"/records/{ONE}/items", records.add_item),
    api_route("DELETE", f"/records/{ONE}/items/{{document_id:int}}", records.remove_item),
    api_route("POST", f"/records/{ONE}/close", records.close_record),
    api_route("POST", f"/records/{ONE}/reopen", records.reopen_record),
    api_route("GET", f"/records/{ONE}/candidates", records.candidates),
    api_route("GET", f"/records/{ONE}/export", records.export_record),
    Route(PAGES, records_pages.records_page, methods=["GET"]),
    Route(PAGES, records_pages.create_record, methods=["POST"]),
    Route(f"{PAGES}/file", records_filing.file_page, methods=["GET"]),
    Route(f"{PAGES}/file", records_filing.file_document, methods=["POST"]),
    Route(f"{PAGES}/{ONE}", records_pages.record_page, methods=["GET"]),
    Route(f"{PAGES}/{ONE}/candidates", records_pages.candidates_fragment, methods=["GET"]),
    Route(f"{PAGES}/{ONE}/items", records_pages.add_item, methods=["POST"]),
    Route(
        f"{PAGES}/{ONE}/items/{{document_id:int}}/remove",
        records_pages.remove_item,
        methods=["POST"],
    ),
    Route(f"{PAGES}/{ONE}/close", records_pages.close_record, methods=["POST"]),
    Route(f"{PAGES}/{ONE}/reopen", records_pages.reopen_record, methods=["POST"]),
]
