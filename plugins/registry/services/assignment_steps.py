"""Timeline steps and participants written by the assignment flow (its own audit events are
written by ``services/assignments.py``, so these steps are not audited twice)."""

from __future__ import annotations

from datetime import datetime

from plugins.registry.models_assignments import Assignment, AssignmentOpinion
from plugins.registry.models_documents import Document
from plugins.registry.models_flow import (
    PART_ASSIGNEE,
    PART_ASSIGNER,
    PRESENTATION_HANDLED,
    PRESENTATION_OPEN,
    Presentation,
)
from plugins.registry.services.participants import add_participant, add_participants
from plugins.registry.services.timeline import (
    STEP_ASSIGNED,
    STEP_COMPLETED,
    STEP_DONE,
    STEP_OPINION,
    record_step,
)


def _who(a: Assignment) -> dict[str, int | None]:
    return {"user_id": a.assignee_user_id, "unit_id": a.assignee_unit_id}


async def assigned(
    document: Document, made: list[Assignment], direction: str, moment: datetime
) -> None:
    await add_participants(
        document.id,
        PART_ASSIGNEE,
        user_ids=[a.assignee_user_id for a in made if a.assignee_user_id is not None],
        unit_ids=[a.assignee_unit_id for a in made if a.assignee_unit_id is not None],
    )
    assigner = made[0].assigned_by if made else None
    if assigner is not None:
        await add_participant(document.id, PART_ASSIGNER, user_id=assigner)
    # Any open presentation of the document is answered by this assignment.
    await Presentation.filter(document_id=document.id, status=PRESENTATION_OPEN).update(
        status=PRESENTATION_HANDLED, handled_at=moment
    )
    await record_step(
        document,
        STEP_ASSIGNED,
        summary=direction,
        detail={
            "assignments": [
                {
                    "id": a.id,
                    "role": a.role,
                    "deadline": a.deadline.isoformat() if a.deadline else None,
                }
                | _who(a)
                for a in made
            ],
            "parent_assignment_id": made[0].parent_id if made else None,
        },
        audit=False,
        now=moment,
    )


async def opinion(
    document: Document, a: Assignment, written: AssignmentOpinion, moment: datetime
) -> None:
    await record_step(
        document,
        STEP_OPINION,
        summary=written.text[:200],
        detail={"assignment_id": a.id, "opinion_id": written.id, "filename": written.filename},
        audit=False,
        now=moment,
    )


async def done(document: Document, a: Assignment, moment: datetime) -> None:
    await record_step(
        document, STEP_DONE, detail={"assignment_id": a.id, "role": a.role}, audit=False, now=moment
    )


async def completed(document: Document, reply_document_id: int | None, moment: datetime) -> None:
    await record_step(
        document,
        STEP_COMPLETED,
        detail={"reply_document_id": reply_document_id},
        audit=False,
        now=moment,
    )
