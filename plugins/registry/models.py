"""Tables of the registry plugin: reference data, registries, sequences and numbers.

Every table is tenant-scoped (``core.TenantModel``); every unique constraint starts with
``tenant_id``. Field names follow the ND30 metadata (Phụ lục VI) in snake_case:
``type_name``, ``code_number``, ``code_notation``, ``issued_date`` …; incoming documents will
add ``arrival_number``, ``organ_name`` and the rest on top of these tables.
"""

from __future__ import annotations

from tortoise import fields

from core import TenantModel, TimestampMixin

MAX_ID = 2_147_483_647  # ids are 32-bit integers: a larger one names nothing

# Directions of a registry (and of the documents entered in it).
INCOMING = "incoming"
OUTGOING = "outgoing"
INTERNAL = "internal"
DIRECTIONS = (INCOMING, OUTGOING, INTERNAL)

# Which documents share one number sequence.
SCOPE_AGENCY = "agency"  # every registry of the agency unit with the same direction
SCOPE_REGISTRY = "registry"  # the registry alone
SCOPE_TYPE = "type"  # one sequence per document type, in the agency unit and direction
SCOPES = (SCOPE_AGENCY, SCOPE_REGISTRY, SCOPE_TYPE)

# States of a number in the register.
RESERVED = "reserved"  # giữ số: held for a document being signed
ISSUED = "issued"  # given to a document (directly, or a reservation that was used)
RELEASED = "released"  # a reservation given up with a reason; never reused
STATES = (RESERVED, ISSUED, RELEASED)

DEFAULT_NOTATION = "{type}-{agency}"


class ReferenceItem(TenantModel, TimestampMixin):
    """Common columns of the reference tables: a stable code and a Vietnamese name."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=50)
    name = fields.CharField(max_length=100)
    sort_order = fields.IntField(default=0)
    is_active = fields.BooleanField(default=True)

    class Meta:
        abstract = True


class DocumentType(ReferenceItem):
    """A document type (ND30 TypeName): Quyết định QĐ, Công văn …

    ``notation_pattern`` overrides the registry's pattern for this type (Công văn:
    ``{agency}-{unit}``); empty means the registry's.
    """

    abbreviation = fields.CharField(max_length=20, default="")
    notation_pattern = fields.CharField(max_length=50, default="")

    class Meta:
        table = "registry_document_type"
        unique_together = (("tenant_id", "code"),)


class CopyForm(ReferenceItem):
    """A form of copy: bản sao y (SY), bản trích sao (TrS), bản sao lục (SL)."""

    abbreviation = fields.CharField(max_length=20, default="")

    class Meta:
        table = "registry_copy_form"
        unique_together = (("tenant_id", "code"),)


class UrgencyLevel(ReferenceItem):
    """Độ khẩn; a higher ``weight`` is more urgent and sorts first."""

    weight = fields.IntField(default=0)

    class Meta:
        table = "registry_urgency_level"
        unique_together = (("tenant_id", "code"),)


class ConfidentialityLevel(ReferenceItem):
    """Độ mật; ``level`` 0 is not confidential, above 0 numbers in the confidential sequence."""

    level = fields.IntField(default=0)

    class Meta:
        table = "registry_confidentiality_level"
        unique_together = (("tenant_id", "code"),)


class RetentionPeriod(ReferenceItem):
    """Thời hạn bảo quản of a record; ``years`` is null for permanent (vĩnh viễn)."""

    years = fields.IntField(null=True)

    class Meta:
        table = "registry_retention_period"
        unique_together = (("tenant_id", "code"),)


class Registry(TenantModel, TimestampMixin):
    """A registry (sổ văn bản) of an agency unit: the book documents are numbered in.

    ``unit_id`` is a unit of the core's tree (the registry belongs to it; permissions are
    checked there). ``agency_abbreviation`` is the ``{agency}`` of notations (default: the
    unit's short name or code).
    """

    id = fields.IntField(primary_key=True)
    unit_id = fields.IntField(db_index=True)
    direction = fields.CharField(max_length=10)
    name = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    numbering_scope = fields.CharField(max_length=10, default=SCOPE_AGENCY)
    agency_abbreviation = fields.CharField(max_length=30)
    notation_pattern = fields.CharField(max_length=50, default=DEFAULT_NOTATION)
    is_active = fields.BooleanField(default=True)
    created_by = fields.CharField(max_length=100, default="")

    document_types: fields.ReverseRelation[RegistryDocumentType]

    class Meta:
        table = "registry_registry"
        unique_together = (("tenant_id", "unit_id", "name"),)


class RegistryDocumentType(TenantModel):
    """A document type a registry takes (none listed: it takes every type)."""

    id = fields.IntField(primary_key=True)
    registry: fields.ForeignKeyRelation[Registry] = fields.ForeignKeyField(
        "registry.Registry", related_name="document_types", on_delete=fields.CASCADE
    )
    registry_id: int
    document_type: fields.ForeignKeyRelation[DocumentType] = fields.ForeignKeyField(
        "registry.DocumentType", related_name="registries", on_delete=fields.RESTRICT
    )
    document_type_id: int

    class Meta:
        table = "registry_registry_type"
        unique_together = (("tenant_id", "registry", "document_type"),)


class NumberSequence(TenantModel):
    """One number sequence: a scope key, a calendar year (Vietnam time) and normal/confidential.

    ``scope_key`` is ``agency:<unit>:<direction>``, ``registry:<id>`` or
    ``type:<unit>:<direction>:<type id>``. The row is locked (UPDATE) inside the allocating
    transaction, so numbers are consecutive and a rollback gives the number back.
    """

    id = fields.IntField(primary_key=True)
    scope_key = fields.CharField(max_length=100)
    year = fields.IntField()
    confidential = fields.BooleanField(default=False)
    last_number = fields.IntField(default=0)

    class Meta:
        table = "registry_sequence"
        unique_together = (("tenant_id", "scope_key", "year", "confidential"),)


class RegistryNumber(TenantModel):
    """A number of a registry: issued, reserved (giữ số) or released — always kept.

    For an incoming registry ``number`` is the arrival number (ND30 ArrivalNumber) and
    ``code_notation`` is empty. ``code_key`` (outgoing and internal registries) makes
    number + notation unique per agency, direction, year and confidentiality, whatever the
    sequences are. The document is a generic reference (``document_model``, ``document_id``)
    until the document tables exist.
    """

    id = fields.IntField(primary_key=True)
    registry: fields.ForeignKeyRelation[Registry] = fields.ForeignKeyField(
        "registry.Registry", related_name="numbers", on_delete=fields.RESTRICT
    )
    registry_id: int
    sequence: fields.ForeignKeyRelation[NumberSequence] = fields.ForeignKeyField(
        "registry.NumberSequence", related_name="numbers", on_delete=fields.RESTRICT
    )
    sequence_id: int
    year = fields.IntField()
    confidential = fields.BooleanField(default=False)
    number = fields.IntField()
    code_number = fields.CharField(max_length=11)
    code_notation = fields.CharField(max_length=30, default="")
    code_key = fields.CharField(max_length=120, null=True)
    state = fields.CharField(max_length=10)
    document_type: fields.ForeignKeyNullableRelation[DocumentType] = fields.ForeignKeyField(
        "registry.DocumentType", related_name="numbers", null=True, on_delete=fields.RESTRICT
    )
    document_type_id: int | None
    type_name = fields.CharField(max_length=100, default="")
    confidentiality: fields.ForeignKeyNullableRelation[ConfidentialityLevel] = (
        fields.ForeignKeyField(
            "registry.ConfidentialityLevel",
            related_name="numbers",
            null=True,
            on_delete=fields.RESTRICT,
        )
    )
    confidentiality_id: int | None
    drafting_unit_id = fields.IntField(null=True)
    issued_date = fields.DateField(null=True)
    note = fields.TextField(default="")
    reserved_at = fields.DatetimeField(null=True)
    reserved_by = fields.CharField(max_length=100, default="")
    used_at = fields.DatetimeField(null=True)
    used_by = fields.CharField(max_length=100, default="")
    released_at = fields.DatetimeField(null=True)
    released_by = fields.CharField(max_length=100, default="")
    release_reason = fields.TextField(default="")
    document_model = fields.CharField(max_length=100, null=True)
    document_id = fields.BigIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    created_by = fields.CharField(max_length=100, default="")

    class Meta:
        table = "registry_number"
        unique_together = (
            ("tenant_id", "sequence", "number"),
            ("tenant_id", "year", "code_key"),
        )
        # The register of a year, in order.
        indexes = (("tenant_id", "registry_id", "year", "confidential", "number"),)

    @property
    def code(self) -> str:
        """The full number and notation, ``15/QĐ-UBND`` (the number alone when no notation)."""
        if self.code_notation:
            return f"{self.code_number}/{self.code_notation}"
        return self.code_number
