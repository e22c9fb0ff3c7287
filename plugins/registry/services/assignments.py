"""Assignment and processing of registered incoming documents (ND30 Điều 24).

* :func:`assign` — a holder of ``registry.incoming.assign`` in the registry's unit gives the
  document to one lead (chủ trì), co-handlers (phối hợp) and for-information recipients (nhận
  để biết), each a user or a unit, with an optional deadline and the direction text. With
  ``parent_assignment_id`` a holder of the action in a unit that received an assignment passes
  it on to users (or sub-units) of that unit. ``registered → assigned``.
* :func:`add_opinion` — an assignee writes an opinion (optional file, same checks as
  registration); the first opinion moves the document to ``processing``.
* :func:`mark_done` — an assignee finishes its part.
* :func:`complete` — the lead (or someone acting for a lead unit) completes the document,
  optionally with its reply document: ``completed``.

The request's checks are in :mod:`.assignment_checks`; the inbox and the following list in
:mod:`.assignment_lists`.

Someone *acts for* an assignment when it names them, or names a unit where they hold a
position (``core_position``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from tortoise.expressions import Q

from core import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    atomic,
    check_permission,
    current_actor,
    publish,
    record_audit,
)
from plugins.registry.actions import INCOMING_ASSIGN
from plugins.registry.events import DocumentAssigned, DocumentCompleted, DocumentProcessing
from plugins.registry.models import INCOMING
from plugins.registry.models_assignments import (
    ASSIGNED,
    COMPLETED,
    DONE,
    OPEN,
    PROCESSING,
    REPLACED,
    ROLE_COHANDLER,
    ROLE_INFO,
    ROLE_LEAD,
    Assignment,
    AssignmentOpinion,
)
from plugins.registry.models_documents import REGISTERED, ROLE_ATTACHMENT, Document
from plugins.registry.notation import moment_of, vietnam_date
from plugins.registry.services import assignment_steps as steps
from plugins.registry.services.assignment_checks import (
    check_assignable,
    check_assignee,
    check_direction,
)
from plugins.registry.services.documents import check_visible
from plugins.registry.services.incoming_files import IncomingFile, store_files
from plugins.registry.services.registries import MAX_ID

# position_units: also read from here by documents and outgoing (who acts for what).
from plugins.registry.units import UnitRef, get_unit, position_units

MAX_OPINION = 4000
HANDLER = "registry.assignment.handle"  # named in 403s of assignees-only steps (not a grant)


@dataclass(frozen=True)
class Assignee:
    """A user or a unit (exactly one of ``user_id`` and ``unit_id``), with a deadline."""

    user_id: int | None = None
    unit_id: int | None = None
    deadline: date | None = None


@dataclass(frozen=True)
class AssignmentRequest:
    lead: Assignee | None = None
    cohandlers: list[Assignee] = field(default_factory=list)
    informed: list[Assignee] = field(default_factory=list)
    direction: str = ""
    replace_lead: bool = False
    parent_assignment_id: int | None = None


def current_user_id() -> int | None:
    actor = current_actor()
    return actor.id if actor.kind == "user" else None


async def _document(document_id: int) -> Document:
    document = None
    if 1 <= document_id <= MAX_ID:
        document = await Document.get_or_none(id=document_id, direction=INCOMING)
    if document is None:
        raise NotFound(f"No incoming document with id {document_id} in this tenant.")
    return document


async def get_assignment(assignment_id: int) -> Assignment:
    found = None
    if 1 <= assignment_id <= MAX_ID:
        found = await Assignment.get_or_none(id=assignment_id)
    if found is None:
        raise NotFound(f"No assignment with id {assignment_id} in this tenant.")
    return found


def acting_filter(user_id: int, units: list[int]) -> Q:
    """Assignments that ``user_id`` acts for (directly or through one of ``units``)."""
    mine = Q(assignee_user_id=user_id)
    if units:
        mine |= Q(assignee_unit_id__in=units)
    return mine


async def acts_for(assignment: Assignment) -> bool:
    user_id = current_user_id()
    if user_id is None:
        return current_actor().kind == "system"
    if assignment.assignee_user_id == user_id:
        return True
    return assignment.assignee_unit_id in await position_units(user_id)


# ------------------------------------------------------------------------------ assign


async def _scope(
    document: Document, parent_id: int | None
) -> tuple[int, Assignment | None, UnitRef | None]:
    """(the unit where the action is checked, the parent assignment, the unit assignees must
    lie in) — and the permission check itself."""
    if parent_id is None:
        await check_permission(INCOMING_ASSIGN, unit_id=document.registered_unit_id)
        return document.registered_unit_id, None, None
    parent = await get_assignment(parent_id)
    if parent.document_id != document.id or parent.assignee_unit_id is None:
        raise InvalidInput(
            f"Assignment {parent_id} is not a unit assignment of document {document.id}.",
            {"parent_assignment_id": "not a unit assignment of this document"},
        )
    if parent.status != OPEN:
        raise Conflict(f"Assignment {parent_id} is {parent.status}; it cannot be passed on.")
    await check_permission(INCOMING_ASSIGN, unit_id=parent.assignee_unit_id)
    return parent.assignee_unit_id, parent, await get_unit(parent.assignee_unit_id)


async def assign(
    document_id: int, request: AssignmentRequest, *, now: datetime | None = None
) -> list[Assignment]:
    """Assign the document (see the module docstring); returns the new assignments."""
    moment = moment_of(now)
    document = await _document(document_id)
    scope_unit, parent, within = await _scope(document, request.parent_assignment_id)
    check_assignable(document)
    direction = check_direction(request.direction)
    earliest = vietnam_date(document.arrival_date or document.received_at)
    wanted: list[tuple[str, str, Assignee]] = []
    if request.lead is not None:
        wanted.append(("lead", ROLE_LEAD, request.lead))
    wanted += [(f"cohandlers.{i}", ROLE_COHANDLER, a) for i, a in enumerate(request.cohandlers)]
    wanted += [(f"informed.{i}", ROLE_INFO, a) for i, a in enumerate(request.informed)]
    if not wanted:
        raise InvalidInput("Name at least one assignee.", {"lead": "required"})
    for name, _role, assignee in wanted:
        await check_assignee(name, assignee, within, earliest)
    parent_id = parent.id if parent is not None else None
    async with atomic():
        locked = await Document.select_for_update().get(id=document.id)
        check_assignable(locked)  # a completion may have committed since the first check
        current_lead = await Assignment.filter(
            document_id=document.id, parent_id=parent_id, role=ROLE_LEAD, status__in=[OPEN, DONE]
        ).first()
        if request.lead is not None and current_lead is not None:
            if not request.replace_lead:
                raise Conflict(
                    f"Document {document.id} already has a lead (assignment {current_lead.id}); "
                    "send replace_lead: true to replace it.",
                    lead_assignment_id=current_lead.id,
                )
            current_lead.status = REPLACED
            await current_lead.save(update_fields=["status"])
        if request.lead is None and current_lead is None and parent is None:
            raise InvalidInput("The document has no lead yet; name one.", {"lead": "required"})
        made = [
            await Assignment.create(
                document_id=document.id,
                parent_id=parent_id,
                role=role,
                assignee_user_id=a.user_id,
                assignee_unit_id=a.unit_id,
                scope_unit_id=scope_unit,
                deadline=a.deadline,
                direction=direction,
                assigned_by=current_user_id(),
                assigned_at=moment,
            )
            for _name, role, a in wanted
        ]
        before = locked.status
        if locked.status == REGISTERED:
            locked.status = ASSIGNED
            await locked.save(update_fields=["status", "updated_at"])
        await steps.assigned(locked, made, direction, moment)
        await record_audit(
            "registry.document.assign",
            object_type="registry.document",
            object_id=document.id,
            before={"status": before},
            after={
                "status": locked.status,
                "parent_assignment_id": parent_id,
                "replaced_lead": current_lead.id if request.lead and current_lead else None,
                "direction": direction,
                "assignments": [assignment_view(a) for a in made],
            },
            unit_id=scope_unit,
        )
        await publish(DocumentAssigned(document.id, tuple(a.id for a in made), parent_id))
    return made


def assignment_view(a: Assignment) -> dict[str, Any]:
    return {
        "id": a.id,
        "role": a.role,
        "user_id": a.assignee_user_id,
        "unit_id": a.assignee_unit_id,
        "deadline": a.deadline.isoformat() if a.deadline else None,
        "status": a.status,
    }


# ------------------------------------------------------------------------------ handle


async def _acting(assignment_id: int) -> Assignment:
    assignment = await get_assignment(assignment_id)
    if not await acts_for(assignment):
        raise PermissionDenied(HANDLER, f"Assignment {assignment_id} is not yours.")
    if assignment.status != OPEN:
        raise Conflict(f"Assignment {assignment_id} is {assignment.status}.")
    return assignment


async def _start_processing(document_id: int, assignment_id: int) -> Document:
    document = await Document.select_for_update().get(id=document_id)
    if document.status in (REGISTERED, ASSIGNED):
        document.status = PROCESSING
        await document.save(update_fields=["status", "updated_at"])
        await publish(DocumentProcessing(document_id, assignment_id))
    return document


async def add_opinion(
    assignment_id: int,
    text: str,
    file: IncomingFile | None = None,
    *,
    now: datetime | None = None,
) -> AssignmentOpinion:
    """An assignee's opinion (required text, at most 4000 characters; an optional file)."""
    moment = moment_of(now)
    assignment = await _acting(assignment_id)
    body = text.strip()
    if not body:
        raise InvalidInput("The opinion is empty.", {"text": "required"})
    if len(body) > MAX_OPINION:
        raise InvalidInput("The opinion is too long.", {"text": f"at most {MAX_OPINION}"})
    stored = None
    if file is not None:
        files, _warnings = await store_files(
            [replace(file, role=ROLE_ATTACHMENT)], require_main=False
        )
        stored = files[0]
    async with atomic():
        opinion = await AssignmentOpinion.create(
            assignment_id=assignment.id,
            author_id=current_user_id(),
            text=body,
            filename=stored.filename if stored else "",
            content_type=stored.content_type if stored else "",
            size=stored.size if stored else None,
            sha256=stored.sha256 if stored else "",
            created_at=moment,
        )
        document = await _start_processing(assignment.document_id, assignment.id)
        await steps.opinion(document, assignment, opinion, moment)
        await record_audit(
            "registry.assignment.opinion",
            object_type="registry.assignment",
            object_id=assignment.id,
            after={"opinion_id": opinion.id, "text": body, "sha256": opinion.sha256},
            unit_id=assignment.scope_unit_id,
        )
    return opinion


async def mark_done(assignment_id: int, *, now: datetime | None = None) -> Assignment:
    """The assignee finished its part."""
    moment = moment_of(now)
    assignment = await _acting(assignment_id)
    async with atomic():
        assignment.status, assignment.done_at = DONE, moment
        await assignment.save(update_fields=["status", "done_at"])
        document = await _start_processing(assignment.document_id, assignment.id)
        await steps.done(document, assignment, moment)
        await record_audit(
            "registry.assignment.done",
            object_type="registry.assignment",
            object_id=assignment.id,
            before={"status": OPEN},
            after={"status": DONE},
            unit_id=assignment.scope_unit_id,
        )
    return assignment


async def complete(
    document_id: int, *, reply_document_id: int | None = None, now: datetime | None = None
) -> Document:
    """The lead completes the document; only someone acting for its (top-level) lead may."""
    moment = moment_of(now)
    document = await _document(document_id)
    lead = await Assignment.filter(
        document_id=document.id, parent_id=None, role=ROLE_LEAD, status__in=[OPEN, DONE]
    ).first()
    if lead is None or not await acts_for(lead):
        raise PermissionDenied(HANDLER, "Only the lead of the document may complete it.")
    if document.status not in (ASSIGNED, PROCESSING):
        raise Conflict(f"Document {document.id} is {document.status}; it cannot be completed.")
    if reply_document_id is not None:
        # The lead may link only a document they can see.
        reply = (
            await Document.get_or_none(id=reply_document_id)
            if reply_document_id <= MAX_ID
            else None
        )
        if reply is None:
            raise NotFound(f"No document with id {reply_document_id} in this tenant.")
        await check_visible(reply)
    async with atomic():
        locked = await Document.select_for_update().get(id=document.id)
        if locked.status not in (ASSIGNED, PROCESSING):
            raise Conflict(f"Document {document.id} is {locked.status}; it cannot be completed.")
        before = locked.status
        locked.status = COMPLETED
        await locked.save(update_fields=["status", "updated_at"])
        lead.status, lead.reply_document_id = DONE, reply_document_id
        lead.done_at = lead.done_at or moment
        await lead.save(update_fields=["status", "reply_document_id", "done_at"])
        await steps.completed(locked, reply_document_id, moment)
        await record_audit(
            "registry.document.complete",
            object_type="registry.document",
            object_id=document.id,
            before={"status": before},
            after={"status": COMPLETED, "reply_document_id": reply_document_id},
            unit_id=lead.scope_unit_id,
        )
        await publish(DocumentCompleted(document.id, lead.id, reply_document_id))
    return locked
