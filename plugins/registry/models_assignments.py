"""Tables of the assignment and processing of incoming documents (ND30 Điều 24).

An ``Assignment`` gives a registered document to one assignee — a user or a unit — in a role:
the lead (chủ trì), a co-handler (phối hợp) or a for-information recipient (nhận để biết),
with an optional deadline and the leader's direction. A unit that received an assignment may
pass it on to one of its users (``parent``). An ``AssignmentOpinion`` is an assignee's
opinion, with an optional file stored as a blob like the document's files.

Document statuses added by this slice (the ``Document.status`` column):
``registered → assigned → processing → completed``.
"""

from __future__ import annotations

from tortoise import fields

from core import TenantModel
from plugins.registry.models_documents import Document

ASSIGNED = "assigned"
PROCESSING = "processing"
COMPLETED = "completed"

ROLE_LEAD = "lead"
ROLE_COHANDLER = "cohandler"
ROLE_INFO = "info"
ASSIGNMENT_ROLES = (ROLE_LEAD, ROLE_COHANDLER, ROLE_INFO)

OPEN = "open"
DONE = "done"
REPLACED = "replaced"  # a lead replaced explicitly by another
ASSIGNMENT_STATUSES = (OPEN, DONE, REPLACED)


class Assignment(TenantModel):
    """One assignee of a document: ``assignee_user_id`` or ``assignee_unit_id`` (exactly one).

    ``scope_unit_id`` is the unit where the assignment was made: the document's registry unit
    for a leader's assignment, the assignee unit of ``parent`` for a re-assignment inside it.
    """

    id = fields.IntField(primary_key=True)
    document: fields.ForeignKeyRelation[Document] = fields.ForeignKeyField(
        "registry.Document", related_name="assignments", on_delete=fields.CASCADE
    )
    document_id: int
    parent: fields.ForeignKeyNullableRelation[Assignment] = fields.ForeignKeyField(
        "registry.Assignment", related_name="children", null=True, on_delete=fields.CASCADE
    )
    parent_id: int | None
    role = fields.CharField(max_length=12)
    status = fields.CharField(max_length=10, default=OPEN)
    assignee_user_id = fields.IntField(null=True, db_index=True)
    assignee_unit_id = fields.IntField(null=True, db_index=True)
    scope_unit_id = fields.IntField()
    deadline = fields.DateField(null=True)
    direction = fields.TextField(default="")
    assigned_by = fields.IntField(null=True, db_index=True)
    assigned_at = fields.DatetimeField()
    done_at = fields.DatetimeField(null=True)
    reply_document_id = fields.IntField(null=True)  # set on the lead when the document completes

    class Meta:
        table = "registry_assignment"
        indexes = (("tenant_id", "document_id", "status"),)


class AssignmentOpinion(TenantModel):
    """An assignee's opinion on its assignment, with an optional file (a blob)."""

    id = fields.IntField(primary_key=True)
    assignment: fields.ForeignKeyRelation[Assignment] = fields.ForeignKeyField(
        "registry.Assignment", related_name="opinions", on_delete=fields.CASCADE
    )
    assignment_id: int
    author_id = fields.IntField(null=True)
    text = fields.TextField()
    filename = fields.CharField(max_length=255, default="")
    content_type = fields.CharField(max_length=100, default="")
    size = fields.BigIntField(null=True)
    sha256 = fields.CharField(max_length=64, default="")
    created_at = fields.DatetimeField()

    class Meta:
        table = "registry_assignment_opinion"
        indexes = (("tenant_id", "assignment_id"),)
