"""Submitting a draft to its signer, approval or return, and signing (trình ký, phê duyệt, ký).

* :func:`submit` — the drafter picks the signer (an active user holding
  ``registry.outgoing.sign`` in the registry's unit) and the signing form (``TM.``, ``KT.``,
  ``TL.``, ``TUQ.``, ``Q.`` or none): ``draft``/``returned`` → ``submitted``. While reviews are
  pending (``in_review``): 409.
* :func:`approve` / :func:`return_to_drafter` — the chosen signer: ``submitted`` →
  ``approved``, or ``returned`` with a reason (the drafter edits and submits again).
* :func:`sign` — the signer signs an ``approved`` document: the hook
  ``registry_sign_document`` is called. A signing plugin that answers takes over (its answer
  goes on the timeline; the status stays ``approved`` until it calls :func:`store_signed_pdf`).
  No answer: the manual path — the clerk attaches the PDF the signer signed elsewhere
  (:func:`attach_signed_pdf`, which calls :func:`store_signed_pdf` with ``provider="manual"``).
* :func:`store_signed_pdf` — the signed PDF becomes the main file (the draft's main file is
  kept as history, role ``draft``): ``approved`` → ``signed``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePath
from typing import Any

from tortoise.expressions import F

from core import (
    Actor,
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    atomic,
    call_hook,
    check_permission,
    current_actor,
    has_permission,
    publish,
)
from plugins.registry.actions import NUMBERS_ALLOCATE, OUTGOING_SIGN
from plugins.registry.events import (
    DocumentApproved,
    DocumentReturned,
    DocumentSigned,
    DraftSubmitted,
)
from plugins.registry.models_documents import ROLE_MAIN, Document, DocumentFile
from plugins.registry.models_flow import PART_SIGNER
from plugins.registry.models_outgoing import (
    APPROVED,
    IN_REVIEW,
    RETURNED,
    SIGNED,
    SIGNING_FORMS,
    SUBMITTED,
    OutgoingDetail,
)
from plugins.registry.services.incoming_files import IncomingFile, max_file_bytes, store_files
from plugins.registry.services.incoming_input import check_reason
from plugins.registry.services.outgoing_common import (
    EDITABLE,
    ROLE_DRAFT_FILE,
    Outgoing,
    create_files,
    current_user_id,
    find_outgoing,
    moment_of,
    position_title,
    require_drafter,
    user_row,
)
from plugins.registry.services.participants import add_participant
from plugins.registry.services.timeline import (
    STEP_APPROVED,
    STEP_RETURNED,
    STEP_SIGNED,
    STEP_SUBMITTED,
    record_step,
)

STEP_SIGNING = "signing"  # the signer signed: a plugin took over, or the manual path waits
MANUAL = "manual"  # signed outside the system; the clerk attaches the PDF


@dataclass(frozen=True)
class SignOutcome:
    """What :func:`sign` did: ``answers`` of the signing plugins (empty: the manual path)."""

    document: Document
    answers: list[Any] = field(default_factory=list)

    @property
    def manual(self) -> bool:
        return not self.answers


async def _move(document: Document, to: str, *, allowed: tuple[str, ...]) -> None:
    """Change the status only from ``allowed`` (a conditional UPDATE: two concurrent steps
    cannot both pass); 409 otherwise."""
    moved = await Document.filter(id=document.id, status__in=allowed).update(status=to)
    if not moved:
        current = await Document.get(id=document.id)
        raise Conflict(f"Document {document.id} is {current.status}; it cannot become {to}.")
    document.status = to


# ------------------------------------------------------------------------------ submit


async def _check_signer(signer_user_id: int, unit_id: int) -> dict[str, Any]:
    row = await user_row(signer_user_id)
    if row is None:
        raise NotFound(f"No user with id {signer_user_id} in this tenant.")
    if not row["is_active"]:
        raise InvalidInput(
            f"User {row['username']!r} is deactivated.",
            {"signer_user_id": f"user {row['username']} is deactivated"},
        )
    signer = Actor(kind="user", id=signer_user_id, name=str(row["full_name"]))
    if not await has_permission(OUTGOING_SIGN, unit_id=unit_id, actor=signer):
        raise InvalidInput(
            f"User {row['username']!r} does not hold {OUTGOING_SIGN} in unit {unit_id}.",
            {"signer_user_id": f"does not hold {OUTGOING_SIGN} in the registry's unit"},
        )
    return row


async def submit(
    document_id: int, signer_user_id: int, signing_form: str = "", *, now: datetime | None = None
) -> Document:
    """Submit the draft to its signer (see the module docstring)."""
    moment = moment_of(now)
    found = await find_outgoing(document_id)
    require_drafter(found)
    document, detail = found.document, found.detail
    if document.status == IN_REVIEW:
        raise Conflict(f"Document {document_id} has reviews pending; submit it when they end.")
    if document.status not in EDITABLE:
        raise Conflict(f"Document {document_id} is {document.status}; it was submitted already.")
    if signing_form not in SIGNING_FORMS:
        raise InvalidInput(
            f"Unknown signing form {signing_form!r}.",
            {"signing_form": "one of TM., KT., TL., TUQ., Q. or empty"},
        )
    row = await _check_signer(signer_user_id, document.registered_unit_id)
    async with atomic():
        await _move(document, SUBMITTED, allowed=EDITABLE)
        await OutgoingDetail.filter(id=detail.id).update(
            signer_user_id=signer_user_id,
            signing_form=signing_form,
            submitted_at=moment,
            returned_reason="",
        )
        # The signer's name and title as they will be printed, unless the drafter wrote them.
        names: dict[str, Any] = {}
        if not document.signer_full_name:
            names["signer_full_name"] = str(row["full_name"])[:50]
        if not document.signer_position:
            title = await position_title(signer_user_id, document.registered_unit_id)
            if title:
                names["signer_position"] = title[:100]
        if names:
            await Document.filter(id=document.id).update(**names)
        await add_participant(document.id, PART_SIGNER, user_id=signer_user_id)
        await record_step(
            document,
            STEP_SUBMITTED,
            summary=f"{signing_form} {row['full_name']}".strip(),
            detail={"signer_user_id": signer_user_id, "signing_form": signing_form},
            now=moment,
        )
        await publish(DraftSubmitted(document.id, signer_user_id, signing_form))
    await document.refresh_from_db()
    return document


# ------------------------------------------------------------------------------ the signer


async def _as_signer(document_id: int) -> Outgoing:
    """The document, when the current user is its chosen signer and still holds
    ``registry.outgoing.sign`` in the registry's unit (403 naming it otherwise)."""
    found = await find_outgoing(document_id)
    user_id = current_user_id()
    if user_id is None or user_id != found.detail.signer_user_id:
        raise PermissionDenied(
            OUTGOING_SIGN,
            f"Missing permission: {OUTGOING_SIGN}: you are not the signer of document "
            f"{document_id}.",
        )
    await check_permission(OUTGOING_SIGN, unit_id=found.document.registered_unit_id)
    return found


async def approve(document_id: int, *, now: datetime | None = None) -> Document:
    """The signer approves: ``submitted`` → ``approved``."""
    moment = moment_of(now)
    found = await _as_signer(document_id)
    document = found.document
    async with atomic():
        await _move(document, APPROVED, allowed=(SUBMITTED,))
        await OutgoingDetail.filter(id=found.detail.id).update(
            approved_at=moment, approved_by=current_user_id()
        )
        await record_step(document, STEP_APPROVED, now=moment)
        await publish(DocumentApproved(document.id, found.detail.signer_user_id or 0))
    return document


async def return_to_drafter(
    document_id: int, reason: str, *, now: datetime | None = None
) -> Document:
    """The signer returns the document with ``reason``: ``submitted``/``approved`` →
    ``returned``."""
    moment = moment_of(now)
    found = await _as_signer(document_id)
    text = check_reason(reason, "Say why the document is returned.")
    document = found.document
    async with atomic():
        await _move(document, RETURNED, allowed=(SUBMITTED, APPROVED))
        await OutgoingDetail.filter(id=found.detail.id).update(
            returned_reason=text, approved_at=None, approved_by=None
        )
        await record_step(document, STEP_RETURNED, summary=text, now=moment)
        await publish(DocumentReturned(document.id, found.detail.signer_user_id or 0, text))
    return document


def json_safe(value: Any) -> Any:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)
    return value


async def sign(document_id: int, *, now: datetime | None = None) -> SignOutcome:
    """The signer signs an approved document (see the module docstring)."""
    moment = moment_of(now)
    found = await _as_signer(document_id)
    document = found.document
    if document.status != APPROVED:
        raise Conflict(f"Document {document_id} is {document.status}; only approved ones sign.")
    if found.detail.signature_provider == MANUAL:
        raise Conflict(
            f"Document {document_id} is already signed by hand; the clerk attaches the signed PDF."
        )
    signer = current_user_id() or 0
    # Outside the transaction: a signing plugin may talk to a remote signing service.
    answers = await call_hook(
        "registry_sign_document", document_id=document.id, signer_user_id=signer
    )
    async with atomic():
        if answers:
            provider = next(
                (
                    str(a["provider"])[:50]
                    for a in answers
                    if isinstance(a, dict) and "provider" in a
                ),
                "plugin",
            )
            await OutgoingDetail.filter(id=found.detail.id).update(signature_provider=provider)
            detail: dict[str, Any] = {"answers": [json_safe(a) for a in answers]}
        else:
            # No signing plugin: the signer signed elsewhere; signing again is refused.
            await OutgoingDetail.filter(id=found.detail.id).update(signature_provider=MANUAL)
            detail = {"manual": True}
        await record_step(document, STEP_SIGNING, detail=detail, now=moment)
    return SignOutcome(document, list(answers))


# ------------------------------------------------------------------------------ signed PDF


async def store_signed_pdf(
    document_id: int,
    pdf_bytes: bytes,
    *,
    provider: str,
    signed_by: str,
    filename: str | None = None,
    now: datetime | None = None,
) -> Document:
    """Store the signed PDF of an ``approved`` document as its main file and make it
    ``signed``. The service a signing plugin calls (no permission check: the plugin acts for
    the signer who started it); the manual upload checks the clerk first. A file that is not a
    PDF (or a damaged one): 422; a document not ``approved``: 409."""
    moment = moment_of(now)
    found = await find_outgoing(document_id)
    document = found.document
    if document.status != APPROVED:
        raise Conflict(f"Document {document_id} is {document.status}; only approved ones sign.")
    main = await DocumentFile.filter(document_id=document.id, role=ROLE_MAIN).first()
    stem = PurePath(main.filename).stem if main is not None else f"van-ban-{document.id}"
    name = filename or f"{stem}.signed.pdf"
    try:
        stored, _ = await store_files([IncomingFile(name, pdf_bytes)], require_main=True)
    except InvalidInput as exc:
        raise InvalidInput(
            exc.detail, {"file": next(iter(exc.errors.values()), exc.detail)}
        ) from None
    item = stored[0]
    if item.content_type != "application/pdf" or item.pdf_state != "ok":
        raise InvalidInput(
            f"{name}: the signed file must be a readable PDF.",
            {"file": "a readable PDF (not encrypted, not damaged)"},
        )
    async with atomic():
        await _move(document, SIGNED, allowed=(APPROVED,))
        await DocumentFile.filter(document_id=document.id, role=ROLE_MAIN).update(
            role=ROLE_DRAFT_FILE
        )
        await DocumentFile.filter(document_id=document.id).update(position=F("position") + 1)
        await create_files(document, [item])
        if item.pages:
            await Document.filter(id=document.id).update(page_amount=item.pages)
        await OutgoingDetail.filter(id=found.detail.id).update(
            signed_at=moment, signed_by=signed_by[:100], signature_provider=provider[:50]
        )
        await record_step(
            document,
            STEP_SIGNED,
            summary=item.filename,
            detail={"provider": provider, "signed_by": signed_by, "sha256": item.sha256},
            now=moment,
        )
        await publish(DocumentSigned(document.id, document.registry_id, provider, signed_by))
    await document.refresh_from_db()
    return document


async def attach_signed_pdf(
    document_id: int, upload: IncomingFile, *, now: datetime | None = None
) -> Document:
    """The manual path: a clerk (``registry.numbers.allocate`` in the registry's unit)
    attaches the PDF the signer signed elsewhere."""
    found = await find_outgoing(document_id)
    await check_permission(NUMBERS_ALLOCATE, unit_id=found.document.registered_unit_id)
    raw = upload.content
    # One byte over the limit is enough for the size check to refuse it.
    content = bytes(raw) if isinstance(raw, bytes | bytearray) else raw.read(max_file_bytes() + 1)
    return await store_signed_pdf(
        document_id,
        content,
        provider=MANUAL,
        signed_by=current_actor().ref,
        filename=upload.filename or None,
        now=now,
    )
