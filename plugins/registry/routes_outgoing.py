"""Routes of the registry plugin: outgoing and internal documents (draft to recall)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from plugins.registry.views import outgoing_api, outgoing_page_steps, outgoing_pages, outgoing_steps
from plugins.registry.views import outgoing_issue as issue
from plugins.registry.views import outgoing_issue_pages as issue_pages

API = "/api/v1/registry"

ROUTES: list[BaseRoute] = []

# ---- Part A: draft → review → submit → approve/return → sign (docs/registry-outgoing.md) ----
A_API = "/api/v1/registry/outgoing"
A_PAGES = "/registry/outgoing"
A_DOC = "{document_id:int}"
ROUTES += [
    Route(A_API, outgoing_api.list_drafts, methods=["GET"]),
    Route(A_API, outgoing_api.create_draft, methods=["POST"]),
    Route(f"{A_API}/{A_DOC}", outgoing_api.get_draft, methods=["GET"]),
    Route(f"{A_API}/{A_DOC}", outgoing_api.update_draft, methods=["PATCH"]),
    Route(f"{A_API}/{A_DOC}/files", outgoing_api.change_files, methods=["POST"]),
    Route(f"{A_API}/{A_DOC}/files/{{file_id:int}}", outgoing_api.download_file, methods=["GET"]),
    Route(f"{A_API}/{A_DOC}/reviews", outgoing_steps.request_review, methods=["POST"]),
    Route(f"{A_API}/{A_DOC}/review-decisions", outgoing_steps.decide, methods=["POST"]),
    Route(f"{A_API}/{A_DOC}/comments", outgoing_steps.comment, methods=["POST"]),
    Route(f"{A_API}/{A_DOC}/submission", outgoing_steps.submit, methods=["POST"]),
    Route(f"{A_API}/{A_DOC}/approval", outgoing_steps.approve, methods=["POST"]),
    Route(f"{A_API}/{A_DOC}/return", outgoing_steps.return_document, methods=["POST"]),
    Route(f"{A_API}/{A_DOC}/signature", outgoing_steps.sign, methods=["POST"]),
    Route(f"{A_API}/{A_DOC}/signed-file", outgoing_steps.attach_signed, methods=["POST"]),
    Route(A_PAGES, outgoing_pages.outgoing_page, methods=["GET"]),
    Route(f"{A_PAGES}/new", outgoing_pages.new_draft, methods=["GET", "POST"]),
    Route(f"{A_PAGES}/{A_DOC}", outgoing_pages.draft_page, methods=["GET"]),
    Route(f"{A_PAGES}/{A_DOC}/files/{{file_id:int}}", outgoing_api.download_file, methods=["GET"]),
    Route(f"{A_PAGES}/{A_DOC}/edit", outgoing_page_steps.edit, methods=["POST"]),
    Route(f"{A_PAGES}/{A_DOC}/files", outgoing_page_steps.files, methods=["POST"]),
    Route(f"{A_PAGES}/{A_DOC}/review", outgoing_page_steps.review, methods=["POST"]),
    Route(f"{A_PAGES}/{A_DOC}/decision", outgoing_page_steps.decide, methods=["POST"]),
    Route(f"{A_PAGES}/{A_DOC}/comments", outgoing_page_steps.comment, methods=["POST"]),
    Route(f"{A_PAGES}/{A_DOC}/submit", outgoing_page_steps.submit, methods=["POST"]),
    Route(f"{A_PAGES}/{A_DOC}/approve", outgoing_page_steps.approve, methods=["POST"]),
    Route(f"{A_PAGES}/{A_DOC}/return", outgoing_page_steps.return_document, methods=["POST"]),
    Route(f"{A_PAGES}/{A_DOC}/sign", outgoing_page_steps.sign, methods=["POST"]),
    Route(f"{A_PAGES}/{A_DOC}/signed-file", outgoing_page_steps.signed_file, methods=["POST"]),
]
# ---- end of part A ----

# ---- Part B: numbering, issue, internal distribution, recall, received internal copies ----
ROUTES += [
    Route(f"{API}/outgoing/{{document_id:int}}/number", issue.number, methods=["POST"]),
    Route(f"{API}/outgoing/{{document_id:int}}/issue", issue.issue, methods=["POST"]),
    Route(f"{API}/outgoing/{{document_id:int}}/distribute", issue.distribute, methods=["POST"]),
    Route(f"{API}/outgoing/{{document_id:int}}/recipients", issue.recipients, methods=["GET"]),
    Route(f"{API}/outgoing/{{document_id:int}}/recall", issue.recall, methods=["POST"]),
    Route(f"{API}/incoming/received", issue.list_received, methods=["GET"]),
    Route(
        f"{API}/incoming/{{document_id:int}}/register-received",
        issue.register_received,
        methods=["POST"],
    ),
    Route(
        f"{API}/incoming/{{document_id:int}}/refuse-received",
        issue.refuse_received,
        methods=["POST"],
    ),
    Route("/registry/outgoing/{document_id:int}/issue", issue_pages.issue_page, methods=["GET"]),
    Route("/registry/outgoing/{document_id:int}/issue", issue_pages.issue_post, methods=["POST"]),
    Route("/registry/outgoing/{document_id:int}/number", issue_pages.number_post, methods=["POST"]),
    Route("/registry/outgoing/{document_id:int}/recall", issue_pages.recall_post, methods=["POST"]),
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
