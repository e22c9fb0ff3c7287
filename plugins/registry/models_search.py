"""Tables of full-text search: the extracted text of each file, and users' saved searches.

``DocumentText`` holds one row per extracted ``DocumentFile`` (unique per file): the status of
the extraction (the same value is kept on ``DocumentFile.text_status``), the technical reason
when it failed, the text (NFC, as :func:`plugins.registry.extract.extract_text` gives it) and
its :func:`~plugins.registry.searchtext.fold` for diacritic-insensitive ``LIKE`` search. A
separate table keeps the (possibly megabytes of) text out of the document lists' rows.

``SavedSearch`` is a user's named query with its filters (JSON), private to its owner.
"""

from __future__ import annotations

from tortoise import fields

from core import TenantModel
from plugins.registry.models_documents import Document, DocumentFile


class DocumentText(TenantModel):
    """The extracted text of one file of a document (see the module docstring)."""

    id = fields.IntField(primary_key=True)
    document: fields.ForeignKeyRelation[Document] = fields.ForeignKeyField(
        "registry.Document", related_name="texts", on_delete=fields.CASCADE
    )
    document_id: int
    file: fields.ForeignKeyRelation[DocumentFile] = fields.ForeignKeyField(
        "registry.DocumentFile", related_name="texts", on_delete=fields.CASCADE
    )
    file_id: int
    status = fields.CharField(max_length=10)
    reason = fields.CharField(max_length=500, default="")
    ocr = fields.BooleanField(default=False)
    truncated = fields.BooleanField(default=False)
    text = fields.TextField(default="")
    folded = fields.TextField(default="")
    extracted_at = fields.DatetimeField()

    class Meta:
        table = "registry_document_text"
        unique_together = (("tenant_id", "file"),)
        indexes = (("tenant_id", "document_id"),)


class SavedSearch(TenantModel):
    """A named search of one user: ``params`` is the query and filters as JSON."""

    id = fields.IntField(primary_key=True)
    owner_id = fields.IntField()
    name = fields.CharField(max_length=100)
    params: dict[str, object] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "registry_saved_search"
        unique_together = (("tenant_id", "owner_id", "name"),)
