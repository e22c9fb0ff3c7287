"""Reviewing a draft (xem xét, góp ý dự thảo): rounds of reviewers, their decisions, comments.

* :func:`request_review` — the drafter sends a ``draft``/``returned`` document to active users
  of the tenant, in ``sequence`` (one after the other: the first ``pending``, the others
  ``waiting``) or ``parallel`` (all ``pending``). ``review_round`` goes up by one and the
  document is ``in_review``.
* :func:`decide` — the current pending reviewer agrees or requests changes. Changes: the
  document goes back to ``draft`` and the round's other reviews are ``cancelled``. Agreement:
  in sequence the next reviewer becomes ``pending``; when every reviewer of the round agreed
  the document goes back to ``draft``, *reviewed* (``round_state`` says so), ready to be
  submitted. Anyone else deciding: 403 naming ``registry.outgoing.review``; a reviewer
  deciding again: 409.
* :func:`add_comment` — the drafter, a reviewer or the signer comments the draft.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core import Conflict, InvalidInput, NotFound, PermissionDenied, atomic, publish
from plugins.registry.events import DraftReviewed, ReviewRequested
from plugins.registry.models_documents import Document
from plugins.registry.models_flow import PART_REVIEWER
from plugins.registry.models_outgoing import (
    DRAFT,
    IN_REVIEW,
    REVIEW_AGREED,
    REVIEW_CANCELLED,
    REVIEW_CHANGES,
    REVIEW_MODES,
    REVIEW_PENDING,
    REVIEW_SEQUENCE,
    REVIEW_WAITING,
    DraftComment,
    OutgoingDetail,
    Review,
)
from plugins.registry.services.outgoing_common import (
    EDITABLE,
    REVIEW_ACTION,
    current_user_id,
    find_outgoing,
    load_outgoing,
    moment_of,
    require_drafter,
    user_row,
)
from plugins.registry.services.outgoing_issue_common import check_not_recalled
from plugins.registry.services.participants import add_participants
from plugins.registry.services.timeline import STEP_REVIEW_REQUESTED, STEP_REVIEWED, record_step

MAX_REVIEWERS = 20
MAX_COMMENT = 4000
AGREE = "agree"
CHANGES = "changes"
DECISIONS = (AGREE, CHANGES)


@dataclass(frozen=True)
class RoundState:
    """Where the latest review round stands: ``none`` (never reviewed), ``open``, ``agreed``
    (every reviewer agreed) or ``changes_requested``."""

    round: int
    state: str
    reviews: list[Review]


async def round_state(document_id: int, review_round: int) -> RoundState:
    if review_round == 0:
        return RoundState(0, "none", [])
    reviews = await Review.filter(document_id=document_id, round=review_round).order_by("position")
    return state_of_round(review_round, list(reviews))


def state_of_round(review_round: int, reviews: list[Review]) -> RoundState:
    """:class:`RoundState` of ``review_round`` from the reviews already loaded (any round's:
    the others are left out)."""
    if review_round == 0:
        return RoundState(0, "none", [])
    reviews = sorted((r for r in reviews if r.round == review_round), key=lambda r: r.position)
    statuses = {r.status for r in reviews}
    if REVIEW_CHANGES in statuses:
        state = "changes_requested"
    elif statuses and statuses <= {REVIEW_AGREED}:
        state = "agreed"
    else:
        state = "open"
    return RoundState(review_round, state, reviews)


async def _check_reviewers(user_ids: list[int], drafter: int | None) -> list[int]:
    if not user_ids:
        raise InvalidInput("Name at least one reviewer.", {"reviewer_user_ids": "required"})
    if len(user_ids) > MAX_REVIEWERS:
        raise InvalidInput(
            f"At most {MAX_REVIEWERS} reviewers.",
            {"reviewer_user_ids": f"at most {MAX_REVIEWERS}"},
        )
    if len(set(user_ids)) != len(user_ids):
        raise InvalidInput("A reviewer is named twice.", {"reviewer_user_ids": "named twice"})
    for index, user_id in enumerate(user_ids):
        row = await user_row(user_id)
        if row is None:
            raise NotFound(f"No user with id {user_id} in this tenant.")
        if not row["is_active"]:
            raise InvalidInput(
                f"User {row['username']!r} is deactivated.",
                {f"reviewer_user_ids.{index}": f"user {row['username']} is deactivated"},
            )
        if user_id == drafter:
            raise InvalidInput(
                "The drafter does not review their own draft.",
                {f"reviewer_user_ids.{index}": "the drafter"},
            )
    return user_ids


async def request_review(
    document_id: int,
    reviewer_user_ids: list[int],
    mode: str = REVIEW_SEQUENCE,
    *,
    note: str = "",
    now: datetime | None = None,
) -> list[Review]:
    """Start a review round (see the module docstring); returns its reviews in order."""
    moment = moment_of(now)
    found = await find_outgoing(document_id)
    require_drafter(found)
    if mode not in REVIEW_MODES:
        raise InvalidInput(f"Unknown review mode {mode!r}.", {"mode": "sequence or parallel"})
    if found.document.status not in EDITABLE:
        raise Conflict(
            f"Document {document_id} is {found.document.status}; it is sent for review only "
            "while it is a draft or returned."
        )
    reviewers = await _check_reviewers(list(reviewer_user_ids), found.detail.drafter_user_id)
    text = _comment_text(note, required=False, field="note")
    document, detail = found.document, found.detail
    async with atomic():
        moved = await Document.filter(id=document.id, status=document.status).update(
            status=IN_REVIEW
        )
        if not moved:
            raise Conflict(f"Document {document_id} changed meanwhile; reload it.")
        review_round = detail.review_round + 1
        await OutgoingDetail.filter(id=detail.id).update(
            review_round=review_round, review_mode=mode
        )
        made: list[Review] = []
        for position, user_id in enumerate(reviewers):
            first = mode != REVIEW_SEQUENCE or position == 0
            made.append(
                await Review.create(
                    document_id=document.id,
                    round=review_round,
                    position=position,
                    reviewer_user_id=user_id,
                    status=REVIEW_PENDING if first else REVIEW_WAITING,
                    requested_at=moment,
                )
            )
        await add_participants(document.id, PART_REVIEWER, user_ids=reviewers)
        if text:
            await DraftComment.create(
                document_id=document.id, author_id=current_user_id(), text=text, created_at=moment
            )
        document.status = IN_REVIEW
        await record_step(
            document,
            STEP_REVIEW_REQUESTED,
            summary=text,
            detail={"round": review_round, "mode": mode, "reviewers": reviewers},
            now=moment,
        )
        await publish(ReviewRequested(document.id, review_round, tuple(reviewers), mode))
    return made


def _comment_text(text: str, *, required: bool, field: str = "comment") -> str:
    value = text.strip() if isinstance(text, str) else ""
    if required and not value:
        raise InvalidInput("A comment is required here.", {field: "required"})
    if len(value) > MAX_COMMENT:
        raise InvalidInput("The comment is too long.", {field: f"at most {MAX_COMMENT} characters"})
    return value


async def _my_review(document_id: int, review_round: int) -> Review:
    """The current user's review of the round: pending (ok), decided (409), else 403."""
    user_id = current_user_id()
    mine = None
    if user_id is not None:
        mine = await Review.filter(
            document_id=document_id, round=review_round, reviewer_user_id=user_id
        ).first()
    if mine is not None and mine.status in (REVIEW_AGREED, REVIEW_CHANGES):
        raise Conflict(f"You already decided on document {document_id} ({mine.status}).")
    if mine is not None and mine.status == REVIEW_CANCELLED:
        raise Conflict(f"The review round of document {document_id} ended before your turn.")
    if mine is None or mine.status != REVIEW_PENDING:
        raise PermissionDenied(
            REVIEW_ACTION,
            f"Missing permission: {REVIEW_ACTION}: you are not the reviewer whose turn it is "
            f"on document {document_id}.",
        )
    return mine


async def decide(
    document_id: int, decision: str, comment: str = "", *, now: datetime | None = None
) -> Review:
    """The current pending reviewer's decision (``agree`` or ``changes``; changes need a
    comment)."""
    moment = moment_of(now)
    found = await find_outgoing(document_id)
    if decision not in DECISIONS:
        raise InvalidInput(f"Unknown decision {decision!r}.", {"decision": "agree or changes"})
    review = await _my_review(document_id, found.detail.review_round)
    if found.document.status != IN_REVIEW:
        raise Conflict(f"Document {document_id} is {found.document.status}, not in review.")
    text = _comment_text(comment, required=decision == CHANGES)
    status = REVIEW_AGREED if decision == AGREE else REVIEW_CHANGES
    document = found.document
    async with atomic():
        decided = await Review.filter(id=review.id, status=REVIEW_PENDING).update(
            status=status, comment=text, decided_at=moment
        )
        if not decided:
            raise Conflict(f"Your review of document {document_id} was already decided.")
        others = Review.filter(document_id=document.id, round=review.round).exclude(id=review.id)
        if status == REVIEW_CHANGES:
            await others.filter(status__in=(REVIEW_PENDING, REVIEW_WAITING)).update(
                status=REVIEW_CANCELLED
            )
        else:
            following = await others.filter(status=REVIEW_WAITING).order_by("position").first()
            if following is not None:
                await Review.filter(id=following.id).update(
                    status=REVIEW_PENDING, requested_at=moment
                )
        left = await others.filter(status__in=(REVIEW_PENDING, REVIEW_WAITING)).exists()
        all_agreed = status == REVIEW_AGREED and not left
        if status == REVIEW_CHANGES or all_agreed:
            await Document.filter(id=document.id, status=IN_REVIEW).update(status=DRAFT)
            document.status = DRAFT
        if text:
            await DraftComment.create(
                document_id=document.id, author_id=current_user_id(), text=text, created_at=moment
            )
        await record_step(
            document,
            STEP_REVIEWED,
            summary=text,
            detail={"round": review.round, "decision": status, "all_agreed": all_agreed},
            now=moment,
        )
        await publish(DraftReviewed(document.id, review.id, status, all_agreed))
    await review.refresh_from_db()
    return review


async def add_comment(document_id: int, text: str, *, now: datetime | None = None) -> DraftComment:
    """A comment on the draft by its drafter, one of its reviewers or its signer (403 naming
    ``registry.outgoing.review`` for anyone else)."""
    moment = moment_of(now)
    found = await load_outgoing(document_id)
    user_id = current_user_id()
    detail = found.detail
    allowed = user_id is not None and (
        user_id in (detail.drafter_user_id, detail.signer_user_id)
        or await Review.filter(document_id=document_id, reviewer_user_id=user_id).exists()
    )
    if not allowed:
        raise PermissionDenied(
            REVIEW_ACTION,
            f"Missing permission: {REVIEW_ACTION}: only the drafter, the reviewers and the "
            f"signer comment document {document_id}.",
        )
    check_not_recalled(found.document)
    value = _comment_text(text, required=True, field="text")
    async with atomic():
        return await DraftComment.create(
            document_id=document_id, author_id=user_id, text=value, created_at=moment
        )


async def comments(document_id: int) -> list[DraftComment]:
    """The comments of a document, oldest first (the caller checked it is visible)."""
    return list(await DraftComment.filter(document_id=document_id).order_by("created_at", "id"))
