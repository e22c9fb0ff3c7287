"""``/api/v1/registry/outgoing/{id}/…``: the steps of a draft — review, decision, comment,
submit, approve, return, sign, and the clerk's upload of the PDF signed elsewhere.

Each answers the document as ``OutgoingDetailOut`` (sign: ``SignOut``). Who may take a step is
checked by the services: 403 names the missing permission (``registry.outgoing.draft`` for
the drafter's steps, ``registry.outgoing.review`` for a reviewer out of turn,
``registry.outgoing.sign`` for the signer's, ``registry.numbers.allocate`` for the upload).
"""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from core import InvalidInput, api_doc, authenticated, requires
from plugins.registry.actions import NUMBERS_ALLOCATE, OUTGOING_SIGN
from plugins.registry.api import parse_body, path_id, respond
from plugins.registry.schemas_outgoing_draft import (
    SIGNED_PARTS,
    CommentCreate,
    CommentOut,
    OutgoingDetailOut,
    ReturnBody,
    ReviewDecision,
    ReviewRequest,
    SignOut,
    Submission,
)
from plugins.registry.services import outgoing_review, outgoing_signing
from plugins.registry.services.incoming_files import IncomingFile
from plugins.registry.services.outgoing_common import load_outgoing
from plugins.registry.views.outgoing_api import document_unit, read_upload
from plugins.registry.views.outgoing_out import comment_dict, outgoing_detail, outgoing_dicts


async def _answer(document_id: int, status: int = 200) -> Response:
    found = await load_outgoing(document_id)
    return respond(await outgoing_detail(found.document), status)


@api_doc(
    "Send a draft for review",
    body=ReviewRequest,
    response=OutgoingDetailOut,
    errors=[409],
)
@authenticated
async def request_review(request: Request) -> Response:
    """The drafter sends the draft to reviewers, in ``sequence`` or ``parallel``: a new review
    round; the document is ``in_review``."""
    body = await parse_body(request, ReviewRequest)
    document_id = path_id(request, "document_id")
    await outgoing_review.request_review(
        document_id, body.reviewer_user_ids, body.mode, note=body.note
    )
    return await _answer(document_id)


@api_doc(
    "Decide on a draft under review", body=ReviewDecision, response=OutgoingDetailOut, errors=[409]
)
@authenticated
async def decide(request: Request) -> Response:
    """The reviewer whose turn it is agrees or requests changes (with a comment). When every
    reviewer agreed, or one requested changes, the document is a ``draft`` again."""
    body = await parse_body(request, ReviewDecision)
    document_id = path_id(request, "document_id")
    await outgoing_review.decide(document_id, body.decision, body.comment)
    return await _answer(document_id)


@api_doc("Comment on a draft", body=CommentCreate, response=CommentOut, status=201)
@authenticated
async def comment(request: Request) -> Response:
    """The drafter, a reviewer or the signer comments the draft."""
    body = await parse_body(request, CommentCreate)
    made = await outgoing_review.add_comment(path_id(request, "document_id"), body.text)
    return respond(await comment_dict(made), 201)


@api_doc("Submit a draft to its signer", body=Submission, response=OutgoingDetailOut, errors=[409])
@authenticated
async def submit(request: Request) -> Response:
    """The drafter submits to a signer holding ``registry.outgoing.sign`` in the registry's
    unit, with the signing form; 409 while reviews are pending or when already submitted."""
    body = await parse_body(request, Submission)
    document_id = path_id(request, "document_id")
    await outgoing_signing.submit(document_id, body.signer_user_id, body.signing_form)
    return await _answer(document_id)


@api_doc("Approve a submitted document", response=OutgoingDetailOut, errors=[409])
@requires(OUTGOING_SIGN, unit=document_unit)
async def approve(request: Request) -> Response:
    """The chosen signer approves: ``submitted`` → ``approved``."""
    document_id = path_id(request, "document_id")
    await outgoing_signing.approve(document_id)
    return await _answer(document_id)


@api_doc(
    "Return a document to its drafter", body=ReturnBody, response=OutgoingDetailOut, errors=[409]
)
@requires(OUTGOING_SIGN, unit=document_unit)
async def return_document(request: Request) -> Response:
    """The chosen signer returns it with a reason (``returned``; the drafter edits and submits
    again)."""
    body = await parse_body(request, ReturnBody)
    document_id = path_id(request, "document_id")
    await outgoing_signing.return_to_drafter(document_id, body.reason)
    return await _answer(document_id)


@api_doc("Sign an approved document", response=SignOut, errors=[409])
@requires(OUTGOING_SIGN, unit=document_unit)
async def sign(request: Request) -> Response:
    """The signer signs: a signing plugin takes over (``answers``), or — none installed —
    ``manual`` is true and a clerk attaches the PDF signed elsewhere. The status stays
    ``approved`` until the signed PDF is stored."""
    outcome = await outgoing_signing.sign(path_id(request, "document_id"))
    data = (await outgoing_dicts([outcome.document]))[0]
    return respond(
        {
            "document": data,
            "manual": outcome.manual,
            "answers": [outgoing_signing.json_safe(a) for a in outcome.answers],
        }
    )


@api_doc(
    "Attach the PDF signed outside the system",
    multipart=SIGNED_PARTS,
    files=["file"],
    response=OutgoingDetailOut,
    errors=[409, 413],
)
@requires(NUMBERS_ALLOCATE, unit=document_unit)
async def attach_signed(request: Request) -> Response:
    """The clerk (``registry.numbers.allocate`` in the registry's unit) uploads the signed PDF
    of an ``approved`` document: it becomes the main file and the document ``signed``."""
    document_id = path_id(request, "document_id")
    form = await read_upload(request)
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InvalidInput("Send the signed PDF as the 'file' part.", {"file": "required"})
        await outgoing_signing.attach_signed_pdf(
            document_id, IncomingFile(upload.filename or "", upload.file)
        )
    finally:
        await form.close()
    return await _answer(document_id)
