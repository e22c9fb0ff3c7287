"""Routes of the registry plugin: records (hồ sơ) and their export.

JSON under ``/api/v1/registry/records``; pages under ``/registry/records``.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from plugins.registry.views import records, records_filing, records_pages

PREFIX = "/api/v1/registry/records"
PAGES = "/registry/records"
ONE = "{record_id:int}"

ROUTES: list[BaseRoute] = [
    Route(PREFIX, records.list_records, methods=["GET"]),
    Route(PREFIX, records.open_record, methods=["POST"]),
    Route(f"{PREFIX}/{ONE}", records.get_record, methods=["GET"]),
    Route(f"{PREFIX}/{ONE}/items", records.add_item, methods=["POST"]),
    Route(f"{PREFIX}/{ONE}/items/{{document_id:int}}", records.remove_item, methods=["DELETE"]),
    Route(f"{PREFIX}/{ONE}/close", records.close_record, methods=["POST"]),
    Route(f"{PREFIX}/{ONE}/reopen", records.reopen_record, methods=["POST"]),
    Route(f"{PREFIX}/{ONE}/candidates", records.candidates, methods=["GET"]),
    Route(f"{PREFIX}/{ONE}/export", records.export_record, methods=["GET"]),
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
