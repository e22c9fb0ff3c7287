"""Tables every document flow shares: participants, the timeline, presentations to a leader.

* ``DocumentParticipant`` — who takes part in a document (the clerk who registered it, the
  leader it was presented to, assignees, drafter, reviewers, signer, recipients…): one row per
  (document, user or unit, role). Visibility reads it (``services/documents.py``): a
  participant sees the document; a *unit* participant means every holder of a position in
  that unit.
* ``TimelineEntry`` — one step of the document's life (registered, presented, assigned,
  opinion, viewed, downloaded, printed, numbered, issued, recalled…), shown on its timeline.
  Steps that change something are also in the hash-chained audit trail (``core.record_audit``).
* ``Presentation`` — an incoming document presented by the clerk to a leader (ND30 Điều 24):
  open until that leader (or another holder of the assign action) assigns it.
"""

from __future__ import annotations

from typing import Any

from tortoise import fields

from core import TenantModel
from plugins.registry.models_documents import Document

# Participant roles.
PART_CLERK = "clerk"  # registered, numbered or issued it
PART_PRESENTED = "presented"  # the leader it was presented to
PART_ASSIGNEE = "assignee"
PART_ASSIGNER = "assigner"
PART_DRAFTER = "drafter"
PART_REVIEWER = "reviewer"
PART_SIGNER = "signer"
PART_RECIPIENT = "recipient"
PARTICIPANT_ROLES = (
    PART_CLERK,
    PART_PRESENTED,
    PART_ASSIGNEE,
    PART_ASSIGNER,
    PART_DRAFTER,
    PART_REVIEWER,
    PART_SIGNER,
    PART_RECIPIENT,
)

PRESENTATION_OPEN = "open"
PRESENTATION_HANDLED = "handled"  # the document was assigned


class DocumentParticipant(TenantModel):
    """``user_id`` or ``unit_id`` (exactly one) takes part in ``document`` as ``role``.

    ``key`` is ``u:<id>`` or ``n:<id>`` so that the unique constraint holds without NULLs.
    """

    id = fields.IntField(primary_key=True)
    document: fields.ForeignKeyRelation[Document] = fields.ForeignKeyField(
        "registry.Document", related_name="participants", on_delete=fields.CASCADE
    )
    document_id: int
    user_id = fields.IntField(null=True, db_index=True)
    unit_id = fields.IntField(null=True, db_index=True)
    key = fields.CharField(max_length=24)
    role = fields.CharField(max_length=12)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "registry_document_participant"
        unique_together = (("tenant_id", "document_id", "key", "role"),)


class TimelineEntry(TenantModel):
    """One step of a document's life, in order (``id`` breaks ties of equal ``at``)."""

    id = fields.IntField(primary_key=True)
    document: fields.ForeignKeyRelation[Document] = fields.ForeignKeyField(
        "registry.Document", related_name="timeline", on_delete=fields.CASCADE
    )
    document_id: int
    step = fields.CharField(max_length=32)
    at = fields.DatetimeField()
    actor_ref = fields.CharField(max_length=100, default="")
    actor_name = fields.CharField(max_length=200, default="")
    actor_user_id = fields.IntField(null=True)
    summary = fields.TextField(default="")
    detail: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)

    class Meta:
        table = "registry_timeline"
        indexes = (("tenant_id", "document_id", "at", "id"),)


class Presentation(TenantModel):
    """An incoming document presented to ``leader_user_id`` by ``presented_by``."""

    id = fields.IntField(primary_key=True)
    document: fields.ForeignKeyRelation[Document] = fields.ForeignKeyField(
        "registry.Document", related_name="presentations", on_delete=fields.CASCADE
    )
    document_id: int
    leader_user_id = fields.IntField(db_index=True)
    presented_by = fields.IntField(null=True)
    presented_at = fields.DatetimeField()
    note = fields.TextField(default="")
    status = fields.CharField(max_length=10, default=PRESENTATION_OPEN)
    handled_at = fields.DatetimeField(null=True)

    class Meta:
        table = "registry_presentation"
        indexes = (("tenant_id", "leader_user_id", "status"),)
