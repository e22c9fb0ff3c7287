"""``/api/v1/registry``: assign incoming documents, opinions, done, complete, inbox, following.

``registry.incoming.assign`` is checked by the service in the registry's unit (or, for a
re-assignment, in the unit that received the assignment); the route only asks that the caller
holds it somewhere. The assignees' steps are open to signed-in users; the service checks that
the caller acts for the assignment.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response

from core import InvalidInput, api_doc, authenticated, requires
from plugins.registry.actions import INCOMING_ASSIGN
from plugins.registry.api import parse_body, path_id, respond
from plugins.registry.models_assignments import Assignment, AssignmentOpinion
from plugins.registry.models_documents import Document
from plugins.registry.schemas_assignments import (
    AssignBody,
    AssigneeBody,
    CompleteBody,
    OpinionBody,
)
from plugins.registry.schemas_responses import (
    AssignmentOut,
    AssignResultOut,
    CompleteOut,
    FollowingOut,
    InboxOut,
    OpinionOut,
)
from plugins.registry.services import assignment_lists, assignments
from plugins.registry.services.incoming_files import IncomingFile


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def assignment_dict(a: Assignment) -> dict[str, Any]:
    return {
        "id": a.id,
        "document_id": a.document_id,
        "parent_assignment_id": a.parent_id,
        "role": a.role,
        "status": a.status,
        "user_id": a.assignee_user_id,
        "unit_id": a.assignee_unit_id,
        "scope_unit_id": a.scope_unit_id,
        "deadline": _iso(a.deadline),
        "direction": a.direction,
        "assigned_by": a.assigned_by,
        "assigned_at": _iso(a.assigned_at),
        "done_at": _iso(a.done_at),
        "reply_document_id": a.reply_document_id,
    }


def _document_brief(d: Document) -> dict[str, Any]:
    return {
        "id": d.id,
        "status": d.status,
        "code": f"{d.code_number}/{d.code_notation}",
        "subject": d.subject,
        "organ_name": d.organ_name,
        "arrival_number": d.arrival_number,
        "priority_weight": d.priority_weight,
        "confidential": d.confidentiality_level > 0,
        "due_date": _iso(d.due_date),
    }


def _assignee(body: AssigneeBody) -> assignments.Assignee:
    return assignments.Assignee(body.user_id, body.unit_id, body.deadline)


@api_doc(
    "Assign an incoming document",
    body=AssignBody,
    response=AssignResultOut,
    status=201,
    errors=[409],
)
@requires(INCOMING_ASSIGN, anywhere=True)
async def assign(request: Request) -> Response:
    """Assign the document: ``lead``, ``cohandlers``, ``informed`` (each ``user_id`` or
    ``unit_id``, optional ``deadline``), ``direction``, ``replace_lead``,
    ``parent_assignment_id``; 201 with the new assignments and the document status."""
    body = await parse_body(request, AssignBody)
    document_id = path_id(request, "document_id")
    made = await assignments.assign(
        document_id,
        assignments.AssignmentRequest(
            lead=_assignee(body.lead) if body.lead is not None else None,
            cohandlers=[_assignee(a) for a in body.cohandlers],
            informed=[_assignee(a) for a in body.informed],
            direction=body.direction,
            replace_lead=body.replace_lead,
            parent_assignment_id=body.parent_assignment_id,
        ),
    )
    document = await Document.get(id=document_id)
    return respond(
        {"status": document.status, "assignments": [assignment_dict(a) for a in made]},
        status=201,
    )


def _opinion_form(form: FormData) -> tuple[str, IncomingFile | None]:
    text = form.get("text")
    if not isinstance(text, str):
        raise InvalidInput("'text' must be a text part.", {"text": "required"})
    upload = form.get("file")
    if upload is None:
        return text, None
    if not isinstance(upload, UploadFile):
        raise InvalidInput("'file' must be a file part.", {"file": "a file"})
    return text, IncomingFile(upload.filename or "", upload.file, content_type=upload.content_type)


def opinion_dict(o: AssignmentOpinion) -> dict[str, Any]:
    return {
        "id": o.id,
        "assignment_id": o.assignment_id,
        "author_id": o.author_id,
        "text": o.text,
        "filename": o.filename or None,
        "content_type": o.content_type or None,
        "size": o.size,
        "sha256": o.sha256 or None,
        "created_at": _iso(o.created_at),
    }


@api_doc(
    "Add an opinion to an assignment",
    body=OpinionBody,
    multipart={"text": "the opinion", "file": "an optional attached file"},
    files=["file"],
    response=OpinionOut,
    status=201,
    errors=[403, 409, 413],
)
@authenticated
async def add_opinion(request: Request) -> Response:
    """An assignee's opinion: JSON ``{"text"}`` or multipart ``text`` + optional ``file``."""
    assignment_id = path_id(request, "assignment_id")
    content_type = request.headers.get("content-type", "").lower()
    if not content_type.startswith("multipart/form-data"):
        body = await parse_body(request, OpinionBody)
        opinion = await assignments.add_opinion(assignment_id, body.text)
        return respond(opinion_dict(opinion), status=201)
    form = await request.form(max_files=1, max_fields=2)
    try:
        text, file = _opinion_form(form)
        opinion = await assignments.add_opinion(assignment_id, text, file)
    finally:
        await form.close()  # the spooled upload's temporary file
    return respond(opinion_dict(opinion), status=201)


@api_doc("Mark an assignment done", response=AssignmentOut, errors=[403, 409])
@authenticated
async def mark_done(request: Request) -> Response:
    """The assignee finished its part."""
    assignment = await assignments.mark_done(path_id(request, "assignment_id"))
    return respond(assignment_dict(assignment))


@api_doc(
    "Complete an incoming document", body=CompleteBody, response=CompleteOut, errors=[403, 409]
)
@authenticated
async def complete(request: Request) -> Response:
    """The lead completes the document (optional ``reply_document_id``)."""
    body = await parse_body(request, CompleteBody)
    document = await assignments.complete(
        path_id(request, "document_id"), reply_document_id=body.reply_document_id
    )
    return respond({"id": document.id, "status": document.status})


@api_doc("The caller's open assignments", response=InboxOut)
@authenticated
async def inbox(request: Request) -> Response:
    """The caller's open assignments: urgent first, then the nearest deadline."""
    items = await assignment_lists.inbox()
    return respond(
        {
            "items": [
                {
                    **assignment_dict(item.assignment),
                    "overdue": item.overdue,
                    "document": _document_brief(item.document),
                }
                for item in items
            ]
        }
    )


@api_doc("The documents the caller assigned", response=FollowingOut)
@authenticated
async def following(request: Request) -> Response:
    """The documents the caller assigned, with those assignments."""
    rows = await assignment_lists.following()
    return respond(
        {
            "items": [
                {**_document_brief(d), "assignments": [assignment_dict(a) for a in made]}
                for d, made in rows
            ]
        }
    )
