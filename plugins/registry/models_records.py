"""Tables of records (hồ sơ, ND30 Điều 28–31): the records list of an agency and year, and
the documents filed in each record.

* ``Record`` — one record of an agency unit's records list (danh mục hồ sơ) of a calendar
  year (Vietnam time). ``number`` is given by the system per agency and year (1, 2, …; the
  row ``record:<unit id>`` of ``NumberSequence`` is the locked counter) and ``code`` is its
  printed form (``01``); ``(tenant, unit, year, number)`` is unique as a safety net.
  ``handler_unit_id`` is the unit (inside the agency) whose handler keeps the record;
  ``creator_id`` the user who opened it.
* ``RecordItem`` — a document filed in a record at ``position`` (1, 2, … in the order they were
  added; removing one closes the gap). A document is never copied: it may sit in several
  records, once in each (unique ``(tenant, record, document)``). A filed document cannot be
  deleted while a record holds it (``RESTRICT``).
"""

from __future__ import annotations

from tortoise import fields

from core import TenantModel, TimestampMixin
from plugins.registry.models import RetentionPeriod
from plugins.registry.models_documents import Document

RECORD_OPEN = "open"
RECORD_CLOSED = "closed"
RECORD_STATUSES = (RECORD_OPEN, RECORD_CLOSED)


class Record(TenantModel, TimestampMixin):
    """A record (hồ sơ) of the records list of ``unit_id`` for ``year``."""

    id = fields.IntField(primary_key=True)
    unit_id = fields.IntField(db_index=True)
    year = fields.IntField()
    number = fields.IntField()
    code = fields.CharField(max_length=20)
    title = fields.CharField(max_length=500)
    retention: fields.ForeignKeyRelation[RetentionPeriod] = fields.ForeignKeyField(
        "registry.RetentionPeriod", related_name="records", on_delete=fields.RESTRICT
    )
    retention_id: int
    creator_id = fields.IntField(null=True)
    handler_unit_id = fields.IntField()
    status = fields.CharField(max_length=10, default=RECORD_OPEN)
    opened_at = fields.DatetimeField()
    closed_at = fields.DatetimeField(null=True)
    description = fields.CharField(max_length=500, default="")

    items: fields.ReverseRelation[RecordItem]

    class Meta:
        table = "registry_record"
        unique_together = (("tenant_id", "unit_id", "year", "number"),)
        indexes = (("tenant_id", "creator_id"),)


class RecordItem(TenantModel):
    """``document`` filed in ``record`` at ``position``, by the user ``added_by``."""

    id = fields.IntField(primary_key=True)
    record: fields.ForeignKeyRelation[Record] = fields.ForeignKeyField(
        "registry.Record", related_name="items", on_delete=fields.CASCADE
    )
    record_id: int
    document: fields.ForeignKeyRelation[Document] = fields.ForeignKeyField(
        "registry.Document", related_name="record_items", on_delete=fields.RESTRICT
    )
    document_id: int
    position = fields.IntField()
    added_by = fields.IntField(null=True)
    added_at = fields.DatetimeField()

    class Meta:
        table = "registry_record_item"
        unique_together = (("tenant_id", "record", "document"),)
        indexes = (("tenant_id", "record_id", "position"), ("tenant_id", "document_id"))
