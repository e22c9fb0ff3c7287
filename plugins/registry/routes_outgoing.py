"""Routes of the registry plugin: outgoing and internal documents (draft to recall)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from plugins.registry.api import api_route
from plugins.registry.views import outgoing_api, outgoing_page_steps, outgoing_pages, outgoing_steps
from plugins.registry.views import outgoing_issue as issue
from plugins.registry.views import outgoing_issue_pages as issue_pages

ROUTES: list[BaseRoute] = []

# ---- Part A: draft → review → submit → approve/return → sign (docs/registry-outgoing.md) ----
_OUT = "/outgoing/{document_id:int}"  # under /api/v1/registry
_PAGES = "/registry/outgoing"
_PAGE = "/registry/outgoing/{document_id:int}"
ROUTES += [
    api_route("GET", "/outgoing", outgoing_api.list_drafts),
    api_route("POST", "/outgoing", outgoing_api.create_draft),
    api_route("GET", _OUT, outgoing_api.get_draft),
    api_route("PATCH", _OUT, outgoing_api.update_draft),
    api_route("POST", f"{_OUT}/files", outgoing_api.change_files),
    api_route("GET", f"{_OUT}/files/{{file_id:int}}", outgoing_api.download_file),
    api_route("POST", f"{_OUT}/reviews", outgoing_steps.request_review),
    api_route("POST", f"{_OUT}/review-decisions", outgoing_steps.decide),
    api_route("POST", f"{_OUT}/comments", outgoing_steps.comment),
    api_route("POST", f"{_OUT}/submission", outgoing_steps.submit),
    api_route("POST", f"{_OUT}/approval", outgoing_steps.approve),
    api_route("POST", f"{_OUT}/return", outgoing_steps.return_document),
    api_route("POST", f"{_OUT}/signature", outgoing_steps.sign),
    api_route("POST", f"{_OUT}/signed-file", outgoing_steps.attach_signed),
    Route(_PAGES, outgoing_pages.outgoing_page, methods=["GET"]),
    Route(f"{_PAGES}/new", outgoing_pages.new_draft, methods=["GET", "POST"]),
    Route(_PAGE, outgoing_pages.draft_page, methods=["GET"]),
    Route(f"{_PAGE}/files/{{file_id:int}}", outgoing_api.download_file, methods=["GET"]),
    Route(f"{_PAGE}/edit", outgoing_page_steps.edit, methods=["POST"]),
    Route(f"{_PAGE}/files", outgoing_page_steps.files, methods=["POST"]),
    Route(f"{_PAGE}/review", outgoing_page_steps.review, methods=["POST"]),
    Route(f"{_PAGE}/decision", outgoing_page_steps.decide, methods=["POST"]),
    Route(f"{_PAGE}/comments", outgoing_page_steps.comment, methods=["POST"]),
    Route(f"{_PAGE}/submit", outgoing_page_steps.submit, methods=["POST"]),
    Route(f"{_PAGE}/approve", outgoing_page_steps.approve, methods=["POST"]),
    Route(f"{_PAGE}/return", outgoing_page_steps.return_document, methods=["POST"]),
    Route(f"{_PAGE}/sign", outgoing_page_steps.sign, methods=["POST"]),
    Route(f"{_PAGE}/signed-file", outgoing_page_steps.signed_file, methods=["POST"]),
]
# ---- end of part A ----

# ---- Part B: numbering, issue, internal distribution, recall, received internal copies ----
ROUTES += [
    api_route("POST", f"{_OUT}/number", issue.number),
    api_route("POST", f"{_OUT}/issue", issue.issue),
    api_route("POST", f"{_OUT}/distribute", issue.distribute),
    api_route("GET", f"{_OUT}/recipients", issue.recipients),
    api_route("POST", f"{_OUT}/recall", issue.recall),
    api_route("GET", "/incoming/received", issue.list_received),
    api_route("POST", "/incoming/{document_id:int}/register-received", issue.register_received),
    api_route("POST", "/incoming/{document_id:int}/refuse-received", issue.refuse_received),
    Route(f"{_PAGE}/issue", issue_pages.issue_page, methods=["GET"]),
    Route(f"{_PAGE}/issue", issue_pages.issue_post, methods=["POST"]),
    Route(f"{_PAGE}/number", issue_pages.number_post, methods=["POST"]),
    Route(f"{_PAGE}/recall", issue_pages.recall_post, methods=["POST"]),
    Route("/registry/incoming/received", issue_pages.received_page, methods=["GET"]),
    Route(
        "/registry/incoming/{document_id:int}/register-received",
        issue_pages.register_received_post,
        methods=["POST"],
    ),
    Route(
        "/registry/incoming/{document_id:int}/refuse-received",
        issue_pages.refuse_received_post,
        methods=["POST"],
    ),
]
# ---- end of part B ----
