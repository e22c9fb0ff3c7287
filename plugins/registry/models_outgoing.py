"""Tables of outgoing and internal documents (văn bản đi, văn bản nội bộ; ND30 Điều 10–19).

An outgoing or internal document is a ``Document`` row (``direction`` ``outgoing`` or
``internal``) from its first draft: its timeline, participants and visibility are those of every
document. Until it is numbered, ``code_number`` is empty and ``issued_date`` is the date of the
draft; numbering sets both (ND30: the date of a document is the date it is signed and issued).

* ``OutgoingDetail`` — one per outgoing/internal document: drafter, signer and signing form,
  review mode, approval, signature, issue and recall.
* ``Review`` — one reviewer of a draft (in sequence: ``position`` orders them; in parallel all
  are asked at once), per review round.
* ``DraftComment`` — a comment on a draft (reviewers, the signer, the drafter).
* ``Recipient`` — where an issued document goes: a unit of the same tenant (it receives an
  incoming copy, ``copy_document``) or an external organisation (handed to the interconnect
  plugin; ``to_be_sent`` until it reports).

Statuses of an outgoing/internal document (``Document.status``):
``draft → in_review → draft`` (changes requested) ``→ submitted → approved`` (or ``returned``
to the drafter) ``→ signed → issued → recalled``. An incoming copy made by an internal issue
starts ``received`` (arrived, waiting for the recipient's clerk) and becomes ``registered``
(or ``refused``) like any incoming document; a recall makes it ``cancelled``.
"""

from __future__ import annotations

from tortoise import fields

from core import TenantModel
from plugins.registry.models_documents import Document

# Document.status of outgoing/internal documents.
DRAFT = "draft"
IN_REVIEW = "in_review"
SUBMITTED = "submitted"
RETURNED = "returned"
APPROVED = "approved"
SIGNED = "signed"
ISSUED = "issued"
RECALLED = "recalled"
# Document.status of incoming copies of internal issues.
RECEIVED = "received"
CANCELLED = "cancelled"

# Signing forms (ND30 Điều 13): on behalf of the collective, deputy, by order, by authority,
# acting.
SIGNING_FORMS = ("", "TM.", "KT.", "TL.", "TUQ.", "Q.")

REVIEW_SEQUENCE = "sequence"
REVIEW_PARALLEL = "parallel"
REVIEW_MODES = (REVIEW_SEQUENCE, REVIEW_PARALLEL)

REVIEW_WAITING = "waiting"  # in sequence, not their turn yet
REVIEW_PENDING = "pending"  # asked, no decision yet
REVIEW_AGREED = "agreed"
REVIEW_CHANGES = "changes_requested"
REVIEW_CANCELLED = "cancelled"  # the round ended before their turn
REVIEW_STATUSES = (REVIEW_WAITING, REVIEW_PENDING, REVIEW_AGREED, REVIEW_CHANGES, REVIEW_CANCELLED)

RECIPIENT_INTERNAL = "internal"  # a unit of the same tenant
RECIPIENT_EXTERNAL = "external"  # an organisation reached over the exchange axis
RECIPIENT_KINDS = (RECIPIENT_INTERNAL, RECIPIENT_EXTERNAL)

# Recipient.status: internal ones follow their copy's status (received, registered, refused,
# assigned, processing, completed, cancelled); external ones start to_be_sent.
TO_BE_SENT = "to_be_sent"
SENT = "sent"
SEND_FAILED = "send_failed"

ROLE_ANNEX = "annex"  # a DocumentFile role of outgoing documents (phụ lục)


class OutgoingDetail(TenantModel):
    """The outgoing/internal part of a document (one per document)."""

    id = fields.IntField(primary_key=True)
    document: fields.ForeignKeyRelation[Document] = fields.ForeignKeyField(
        "registry.Document", related_name="outgoing", on_delete=fields.CASCADE
    )
    document_id: int
    drafter_user_id = fields.IntField(null=True, db_index=True)
    drafter_unit_id = fields.IntField(null=True)
    review_mode = fields.CharField(max_length=10, default=REVIEW_SEQUENCE)
    review_round = fields.IntField(default=0)
    signer_user_id = fields.IntField(null=True, db_index=True)
    signing_form = fields.CharField(max_length=6, default="")
    recipients_text = fields.TextField(default="")  # "Nơi nhận" as printed
    copies = fields.IntField(default=1)  # số lượng bản
    keeping_unit_id = fields.IntField(null=True)  # đơn vị lưu hồ sơ
    reply_to_document_id = fields.IntField(null=True)  # the incoming document it answers
    submitted_at = fields.DatetimeField(null=True)
    approved_at = fields.DatetimeField(null=True)
    approved_by = fields.IntField(null=True)
    returned_reason = fields.TextField(default="")
    signed_at = fields.DatetimeField(null=True)
    signed_by = fields.CharField(max_length=100, default="")  # actor ref or plugin name
    signature_provider = fields.CharField(max_length=50, default="")  # "manual" or a plugin
    issued_at = fields.DatetimeField(null=True)
    issued_by = fields.IntField(null=True)
    recalled_at = fields.DatetimeField(null=True)
    recalled_by = fields.IntField(null=True)
    recall_reason = fields.TextField(default="")

    class Meta:
        table = "registry_outgoing"
        unique_together = (("tenant_id", "document_id"),)


class Review(TenantModel):
    """One reviewer of a draft in one review round."""

    id = fields.IntField(primary_key=True)
    document: fields.ForeignKeyRelation[Document] = fields.ForeignKeyField(
        "registry.Document", related_name="reviews", on_delete=fields.CASCADE
    )
    document_id: int
    round = fields.IntField(default=1)
    position = fields.IntField(default=0)
    reviewer_user_id = fields.IntField(db_index=True)
    status = fields.CharField(max_length=20, default=REVIEW_PENDING)
    comment = fields.TextField(default="")
    requested_at = fields.DatetimeField()
    decided_at = fields.DatetimeField(null=True)

    class Meta:
        table = "registry_review"
        indexes = (("tenant_id", "document_id", "round", "position"),)


class DraftComment(TenantModel):
    """A comment on a draft (reviewers, the signer, the drafter)."""

    id = fields.IntField(primary_key=True)
    document: fields.ForeignKeyRelation[Document] = fields.ForeignKeyField(
        "registry.Document", related_name="draft_comments", on_delete=fields.CASCADE
    )
    document_id: int
    author_id = fields.IntField(null=True)
    text = fields.TextField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "registry_draft_comment"
        indexes = (("tenant_id", "document_id"),)


class Recipient(TenantModel):
    """Where an issued document goes (see the module docstring)."""

    id = fields.IntField(primary_key=True)
    document: fields.ForeignKeyRelation[Document] = fields.ForeignKeyField(
        "registry.Document", related_name="recipients", on_delete=fields.CASCADE
    )
    document_id: int
    kind = fields.CharField(max_length=10)
    unit_id = fields.IntField(null=True)  # internal
    organ_id = fields.CharField(max_length=35, default="")  # external (edXML OrganId)
    organ_name = fields.CharField(max_length=200, default="")
    status = fields.CharField(max_length=20, default=TO_BE_SENT)
    copy_document: fields.ForeignKeyNullableRelation[Document] = fields.ForeignKeyField(
        "registry.Document", related_name="copy_of", null=True, on_delete=fields.SET_NULL
    )
    copy_document_id: int | None
    sent_at = fields.DatetimeField(null=True)
    status_at = fields.DatetimeField(null=True)

    class Meta:
        table = "registry_recipient"
        indexes = (("tenant_id", "document_id"), ("tenant_id", "copy_document_id"))
