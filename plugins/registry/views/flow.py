"""``/api/v1/registry``: present a document to a leader, the leader's waiting list, and the
timeline of any visible document."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from core import api_doc, authenticated, requires
from plugins.registry.actions import INCOMING_REGISTER
from plugins.registry.api import parse_body, path_id, respond
from plugins.registry.models_documents import Document
from plugins.registry.models_flow import Presentation
from plugins.registry.schemas_flow import (
    PresentationOut,
    PresentBody,
    PresentedDocumentOut,
    PresentedOut,
    TimelineEntryOut,
    TimelineOut,
)
from plugins.registry.services import documents, presentation, timeline


def _presentation(p: Presentation) -> PresentationOut:
    return PresentationOut(
        id=p.id,
        document_id=p.document_id,
        leader_user_id=p.leader_user_id,
        presented_by=p.presented_by,
        presented_at=p.presented_at,
        note=p.note,
        status=p.status,
    )


@api_doc(
    "Present an incoming document to a leader",
    body=PresentBody,
    response=PresentationOut,
    status=201,
    errors=(409,),
)
@requires(INCOMING_REGISTER, anywhere=True)
async def present(request: Request) -> Response:
    """The clerk presents a registered document to a leader who may assign it in the unit of
    its registry (``registry.incoming.assign`` there); 409 when it already waits for them or
    is refused or completed."""
    body = await parse_body(request, PresentBody)
    made = await presentation.present(
        path_id(request, "document_id"), body.leader_user_id, note=body.note
    )
    return respond(_presentation(made), 201)


@api_doc("Documents presented to me, not assigned yet", response=PresentedOut)
@authenticated
async def presented(request: Request) -> Response:
    """The current user's waiting list: urgent first, then newest."""
    items = await presentation.presented_to_me()
    return respond(PresentedOut(items=[_presented(d) for d in items]))


def _presented(d: Document) -> PresentedDocumentOut:
    return PresentedDocumentOut(
        id=d.id,
        arrival_number=d.arrival_number,
        code_number=d.code_number,
        code_notation=d.code_notation,
        subject=d.subject,
        organ_name=d.organ_name,
        priority_weight=d.priority_weight,
        due_date=d.due_date.isoformat() if d.due_date else None,
        status=d.status,
    )


@api_doc("The timeline of a document", response=TimelineOut)
@authenticated
async def document_timeline(request: Request) -> Response:
    """Every step of a visible document (any direction), oldest first."""
    document = await documents.get_document(path_id(request, "document_id"), direction=None)
    steps = await timeline.timeline(document.id)
    return respond(
        TimelineOut(
            document_id=document.id,
            items=[
                TimelineEntryOut(
                    id=s.id,
                    step=s.step,
                    at=s.at,
                    actor_ref=s.actor_ref,
                    actor_name=s.actor_name,
                    summary=s.summary,
                    detail=s.detail,
                )
                for s in steps
            ],
        )
    )
