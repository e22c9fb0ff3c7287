"""Lists of outgoing and internal documents for the current user, all through
``services.documents.visibility()``: urgent first, then newest.

* ``mine`` — the documents I drafted (every status);
* ``review`` — drafts whose review is pending with me;
* ``sign`` — documents submitted to me or approved by me and not signed yet;
* ``unit`` — what I may see of the units' outgoing/internal documents (clerks and leaders see
  their unit's through ``registry.registries.view``; ``unit_id`` narrows to one registry unit).
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.expressions import Q, Subquery

from core import InvalidInput, current_actor
from plugins.registry.models_documents import Document
from plugins.registry.models_outgoing import (
    APPROVED,
    REVIEW_PENDING,
    SUBMITTED,
    OutgoingDetail,
    Review,
)
from plugins.registry.services.documents import NOTHING, ListPosition, visibility
from plugins.registry.services.outgoing_common import OUTGOING_DIRECTIONS

VIEWS = ("mine", "review", "sign", "unit")


@dataclass(frozen=True)
class ListFilter:
    view: str = "unit"
    direction: str | None = None
    status: str | None = None
    unit_id: int | None = None


def _mine(view: str, user_id: int) -> Q:
    if view == "mine":
        drafted = OutgoingDetail.filter(drafter_user_id=user_id).values("document_id")
        return Q(id__in=Subquery(drafted))
    if view == "review":
        asked = Review.filter(reviewer_user_id=user_id, status=REVIEW_PENDING).values("document_id")
        return Q(id__in=Subquery(asked))
    if view == "sign":
        chosen = OutgoingDetail.filter(signer_user_id=user_id).values("document_id")
        return Q(id__in=Subquery(chosen), status__in=(SUBMITTED, APPROVED))
    return Q()


async def list_outgoing(
    filters: ListFilter, *, after: ListPosition | None = None, limit: int = 50
) -> list[Document]:
    """The visible outgoing/internal documents of ``filters.view`` (see the module docstring)."""
    if filters.view not in VIEWS:
        raise InvalidInput(f"Unknown list {filters.view!r}.", {"view": ", ".join(VIEWS)})
    actor = current_actor()
    user_id = actor.id if actor.kind == "user" and actor.id is not None else None
    personal = filters.view != "unit"
    mine = _mine(filters.view, user_id) if user_id is not None else NOTHING
    query = Document.filter(
        await visibility(),
        mine if personal else Q(),
        direction__in=(filters.direction,) if filters.direction else OUTGOING_DIRECTIONS,
    )
    if filters.status is not None:
        query = query.filter(status=filters.status)
    if filters.unit_id is not None:
        query = query.filter(registered_unit_id=filters.unit_id)
    if after is not None:
        w, t, i = after.priority_weight, after.received_at, after.id
        query = query.filter(
            Q(priority_weight__lt=w)
            | Q(priority_weight=w, received_at__lt=t)
            | Q(priority_weight=w, received_at=t, id__lt=i)
        )
    query = query.order_by("-priority_weight", "-received_at", "-id").limit(limit)
    return list(await query)


async def counts() -> dict[str, int]:
    """How many documents wait in each personal list (for the tabs)."""
    actor = current_actor()
    if actor.kind != "user" or actor.id is None:
        return dict.fromkeys(VIEWS[:3], 0)
    visible = await visibility()
    result: dict[str, int] = {}
    for view in ("mine", "review", "sign"):
        result[view] = await Document.filter(
            visible, _mine(view, actor.id), direction__in=OUTGOING_DIRECTIONS
        ).count()
    return result
