"""Tables of the documents entered in the registries: the document and its files.

One ``Document`` table serves every direction (``incoming`` now; ``outgoing`` and ``internal``
later): the ND30 metadata (Phụ lục VI, Part II) in snake_case, the registry it is entered in
and the number that registry gave it. Every table is tenant-scoped; every unique constraint
starts with ``tenant_id``.

Duplicates (ND30: warn on the same number, notation and issuer, or the same identifier):
``identity_key`` is the normalised (number, notation, issuer, year) of every registered
document; ``dedupe_key`` and ``identifier_key`` carry digests of the same values together with
the receiving agency (``services.incoming.unit_key``), are *unique*, and are left empty on a
duplicate the clerk confirmed (and on refused documents), so two clerks of one agency
registering the same document at the same moment cannot both succeed, while other agencies of
the tenant receive their own copies.
"""

from __future__ import annotations

from tortoise import fields

from core import TenantModel, TimestampMixin
from plugins.registry.models import (
    ConfidentialityLevel,
    DocumentType,
    Registry,
    RegistryNumber,
    UrgencyLevel,
)

# Status of a document (more come with processing: assigned, handled, …).
REGISTERED = "registered"
REFUSED = "refused"  # returned to the sender with a reason; kept, never numbered
DOCUMENT_STATUSES = (REGISTERED, REFUSED)

# How an incoming document arrived.
SOURCE_UPLOAD = "upload"  # files uploaded by the clerk (electronic documents received by mail…)
SOURCE_SCAN = "scan"  # a paper document scanned by the clerk
SOURCE_INTERCONNECT = "interconnect"  # received over the document exchange axis (edXML)
SOURCES = (SOURCE_UPLOAD, SOURCE_SCAN, SOURCE_INTERCONNECT)

# Files of a document.
ROLE_MAIN = "main"
ROLE_ATTACHMENT = "attachment"
FILE_ROLES = (ROLE_MAIN, ROLE_ATTACHMENT)

PDF_OK = "ok"
PDF_ENCRYPTED = "encrypted"
PDF_CORRUPT = "corrupt"
PDF_NOT_APPLICABLE = "n/a"
PDF_STATES = (PDF_OK, PDF_ENCRYPTED, PDF_CORRUPT, PDF_NOT_APPLICABLE)

TEXT_PENDING = "pending"
TEXT_OK = "ok"
TEXT_EMPTY = "empty"
TEXT_FAILED = "failed"
TEXT_ENCRYPTED = "encrypted"
TEXT_STATUSES = (TEXT_PENDING, TEXT_OK, TEXT_EMPTY, TEXT_FAILED, TEXT_ENCRYPTED)


class Document(TenantModel, TimestampMixin):
    """A document entered in a registry (ND30 metadata names, snake_case).

    ``registered_unit_id`` is the unit of the registry (the receiving agency), kept on the
    row so that visibility and per-unit lists need no join. ``registered_by`` is the user id of
    the clerk who recorded it (registered or refused; null when the system did, e.g. the
    interconnect); ``created_by`` is the actor reference (``user:4``, ``system``).
    """

    id = fields.IntField(primary_key=True)
    registry: fields.ForeignKeyRelation[Registry] = fields.ForeignKeyField(
        "registry.Registry", related_name="documents", on_delete=fields.RESTRICT
    )
    registry_id: int
    direction = fields.CharField(max_length=10)
    status = fields.CharField(max_length=20)
    source = fields.CharField(max_length=20)
    # As printed on the document (ND30 CodeNumber, CodeNotation, TypeName …).
    code_number = fields.CharField(max_length=11)
    code_notation = fields.CharField(max_length=30)
    document_type: fields.ForeignKeyRelation[DocumentType] = fields.ForeignKeyField(
        "registry.DocumentType", related_name="documents", on_delete=fields.RESTRICT
    )
    document_type_id: int
    type_name = fields.CharField(max_length=100)
    subject = fields.CharField(max_length=500)
    issued_date = fields.DateField()
    organ_name = fields.CharField(max_length=200)
    organ_id = fields.CharField(max_length=35, default="")
    signer_position = fields.CharField(max_length=100, default="")
    signer_full_name = fields.CharField(max_length=50)
    priority: fields.ForeignKeyRelation[UrgencyLevel] = fields.ForeignKeyField(
        "registry.UrgencyLevel", related_name="documents", on_delete=fields.RESTRICT
    )
    priority_id: int
    priority_weight = fields.IntField(default=0)  # the urgency's weight: urgent sorts first
    confidentiality: fields.ForeignKeyRelation[ConfidentialityLevel] = fields.ForeignKeyField(
        "registry.ConfidentialityLevel", related_name="documents", on_delete=fields.RESTRICT
    )
    confidentiality_id: int
    confidentiality_level = fields.IntField(default=0)  # above 0: confidential
    page_amount = fields.IntField()
    description = fields.CharField(max_length=500, default="")
    due_date = fields.DateField(null=True)
    document_identifier = fields.CharField(max_length=100, null=True)  # e.g. edXML DocumentId
    # Given by the registry (incoming: the arrival number, per year).
    registry_number: fields.ForeignKeyNullableRelation[RegistryNumber] = fields.ForeignKeyField(
        "registry.RegistryNumber", related_name="documents", null=True, on_delete=fields.RESTRICT
    )
    registry_number_id: int | None
    arrival_number = fields.IntField(null=True)
    arrival_date = fields.DatetimeField(null=True)
    received_at = fields.DatetimeField()  # when the clerk (or the system) recorded it
    refusal_reason = fields.TextField(default="")
    # Duplicates (see the module docstring).
    identity_key = fields.CharField(max_length=64, db_index=True)
    dedupe_key = fields.CharField(max_length=64, null=True)
    identifier_key = fields.CharField(max_length=100, null=True)
    duplicate_confirmed = fields.BooleanField(default=False)
    duplicate_of_id = fields.IntField(null=True)
    registered_by = fields.IntField(null=True)
    registered_unit_id = fields.IntField(db_index=True)
    created_by = fields.CharField(max_length=100, default="")
    search_text = fields.TextField(default="")

    files: fields.ReverseRelation[DocumentFile]

    class Meta:
        table = "registry_document"
        unique_together = (
            ("tenant_id", "dedupe_key"),
            ("tenant_id", "identifier_key"),
            ("tenant_id", "registry_number"),
        )
        # Lists: urgent first, then newest.
        indexes = (
            ("tenant_id", "priority_weight", "received_at", "id"),
            ("tenant_id", "document_identifier"),
        )


class DocumentFile(TenantModel):
    """A file of a document: the bytes are a blob of ``core.blob_store()`` named ``sha256``.

    ``pdf_state`` is what the upload check found (``n/a`` for other kinds); ``text_status``
    is that of the text extraction, which a background job does later (``pending``).
    """

    id = fields.IntField(primary_key=True)
    document: fields.ForeignKeyRelation[Document] = fields.ForeignKeyField(
        "registry.Document", related_name="files", on_delete=fields.CASCADE
    )
    document_id: int
    role = fields.CharField(max_length=12)
    position = fields.IntField(default=0)
    filename = fields.CharField(max_length=255)
    content_type = fields.CharField(max_length=100)
    size = fields.BigIntField()
    sha256 = fields.CharField(max_length=64)
    pdf_state = fields.CharField(max_length=10, default=PDF_NOT_APPLICABLE)
    pages = fields.IntField(null=True)
    text_status = fields.CharField(max_length=10, default=TEXT_PENDING)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "registry_document_file"
        indexes = (("tenant_id", "document_id", "position"),)
