"""Export of a record (ND30 Điều 28–31, Phụ lục VI): its metadata and its documents' metadata
as XML, its documents as one PDF (``records_pdf``), or both in a ZIP.

* Only documents the actor may see are exported; the others are left out and counted
  (``omitted``): the XML says so in ``OmittedDocuments``, the PDF on its cover. ``Rights`` is
  restricted when an exported document is confidential (the left-out ones do not count, so
  the export does not tell what hidden documents are).
* Documents come in chronological order: issued date, then arrival (or recording) time, then
  id. ``DocOrdinal`` is that order (1, 2, …).
* XML element names are the ND30 metadata names (PascalCase, as edXML): the record's
  ``FileCode`` (OrganId + year + record code, joined by dots; the unit's OrganId, else its
  code), ``Title``, ``Maintenance``, ``Rights``, ``Creator``, ``Language``, ``StartDate``,
  ``EndDate``, ``DocTotal``, ``PageTotal``, ``Description``; per document ``DocOrdinal``,
  ``TypeName``, ``CodeNumber``, ``CodeNotation``, ``IssuedDate``, ``OrganName``, ``Subject``,
  ``Language``, ``PageAmount``, ``Description``, ``SignerInfo``/``Position``/``FullName``,
  ``Priority`` (the urgency weight, as edXML's Priority), ``DueDate`` and for incoming ones
  ``ArrivalDate``/``ArrivalNumber``. Dates are ISO 8601 (``2025-03-10``); the file is UTF-8.
* Every export is the step ``exported`` on the timeline of each exported document and
  ``registry.record.exported`` in the audit trail (format, documents, omitted count).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from xml.etree import ElementTree as ET

from core import atomic, fetch_tenant_rows
from plugins.registry.models import INCOMING
from plugins.registry.models_documents import ROLE_MAIN, Document, DocumentFile
from plugins.registry.notation import vietnam_time
from plugins.registry.services.records import RecordView, audit, get_record, view
from plugins.registry.services.records_items import document_code, record_items
from plugins.registry.services.timeline import STEP_EXPORTED, record_step

LANGUAGE = "Tiếng Việt"
RIGHTS_RESTRICTED = "Hạn chế"
RIGHTS_OPEN = "Công khai"
FORMATS = ("pdf", "xml", "zip")


@dataclass(frozen=True)
class ExportDocument:
    ordinal: int
    document: Document
    main_files: list[DocumentFile]

    @property
    def code(self) -> str:
        return document_code(self.document)


@dataclass(frozen=True)
class RecordExport:
    """What an export holds, gathered once for the PDF and the XML."""

    view: RecordView
    agency_name: str
    file_code: str
    documents: list[ExportDocument]
    omitted: int

    @property
    def restricted(self) -> bool:
        """Whether an exported document is confidential. Documents left out do not count:
        saying so would tell the caller that a document hidden from them is confidential."""
        return any(d.document.confidentiality_level > 0 for d in self.documents)

    @property
    def start_date(self) -> date | None:
        return self.documents[0].document.issued_date if self.documents else None

    @property
    def end_date(self) -> date | None:
        return max(d.document.issued_date for d in self.documents) if self.documents else None

    @property
    def page_total(self) -> int:
        return sum(d.document.page_amount for d in self.documents)

    @property
    def basename(self) -> str:
        return f"record-{self.view.record.code}"


def _chronological(document: Document) -> tuple[date, datetime, int]:
    moment = document.arrival_date or document.received_at
    return (document.issued_date, moment, document.id)


async def _organ_id(unit_id: int) -> str:
    rows = await fetch_tenant_rows(
        "SELECT code, organ_id, organ_id_v2 FROM core_unit WHERE {tenant} AND id = $2", [unit_id]
    )
    if not rows:
        return ""
    row = rows[0]
    return str(row["organ_id"] or row["organ_id_v2"] or row["code"] or "")


async def gather(record_id: int) -> RecordExport:
    """The record (404/403 as :func:`services.records.get_record`) and its visible documents
    in chronological order."""
    record = await get_record(record_id)
    record_view = await view(record)
    listed = await record_items(record)
    documents = sorted((i.document for i in listed.items), key=_chronological)
    files: dict[int, list[DocumentFile]] = {d.id: [] for d in documents}
    if documents:
        found = DocumentFile.filter(document_id__in=list(files), role=ROLE_MAIN)
        for f in await found.order_by("position", "id"):
            files[f.document_id].append(f)
    exported = [
        ExportDocument(ordinal, document, files[document.id])
        for ordinal, document in enumerate(documents, start=1)
    ]
    return RecordExport(
        view=record_view,
        agency_name=record_view.unit_name,
        file_code=".".join(
            p for p in (await _organ_id(record.unit_id), str(record.year), record.code) if p
        ),
        documents=exported,
        omitted=listed.hidden,
    )


# ------------------------------------------------------------------------------- XML


def _iso(value: date | None) -> str:
    return value.isoformat() if value is not None else ""


def _add(parent: ET.Element, name: str, value: Any) -> ET.Element:
    element = ET.SubElement(parent, name)
    element.text = "" if value is None else str(value)
    return element


def _document_element(parent: ET.Element, export: RecordExport, item: ExportDocument) -> None:
    d = item.document
    element = ET.SubElement(parent, "Document")
    _add(element, "FileCode", export.file_code)
    _add(element, "DocOrdinal", item.ordinal)
    _add(element, "TypeName", d.type_name)
    _add(element, "CodeNumber", d.code_number)
    _add(element, "CodeNotation", d.code_notation)
    _add(element, "IssuedDate", _iso(d.issued_date))
    _add(element, "OrganName", d.organ_name)
    _add(element, "Subject", d.subject)
    _add(element, "Language", LANGUAGE)
    _add(element, "PageAmount", d.page_amount)
    _add(element, "Description", d.description)
    signer = ET.SubElement(element, "SignerInfo")
    _add(signer, "Position", d.signer_position)
    _add(signer, "FullName", d.signer_full_name)
    _add(element, "Priority", d.priority_weight)
    _add(element, "DueDate", _iso(d.due_date))
    if d.direction == INCOMING:
        arrival = vietnam_time(d.arrival_date).date() if d.arrival_date else None
        _add(element, "ArrivalDate", _iso(arrival))
        _add(element, "ArrivalNumber", d.arrival_number)


def record_xml(export: RecordExport) -> bytes:
    """The record's metadata and its documents' metadata as UTF-8 XML (see the module doc)."""
    r = export.view.record
    root = ET.Element("Record")
    _add(root, "FileCode", export.file_code)
    _add(root, "FileCatalog", r.year)
    _add(root, "FileNotation", r.code)
    _add(root, "Title", r.title)
    _add(root, "Maintenance", export.view.retention_name)
    _add(root, "Rights", RIGHTS_RESTRICTED if export.restricted else RIGHTS_OPEN)
    _add(root, "Creator", export.view.creator_name)
    _add(root, "Language", LANGUAGE)
    _add(root, "StartDate", _iso(export.start_date))
    _add(root, "EndDate", _iso(export.end_date))
    _add(root, "DocTotal", len(export.documents))
    _add(root, "PageTotal", export.page_total)
    _add(root, "Description", r.description)
    _add(root, "OmittedDocuments", export.omitted)
    documents = ET.SubElement(root, "Documents")
    for item in export.documents:
        _document_element(documents, export, item)
    ET.indent(root)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


# ------------------------------------------------------------------------------- ZIP, trail


def record_zip(export: RecordExport, pdf: bytes, xml: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{export.basename}.pdf", pdf)
        archive.writestr(f"{export.basename}.xml", xml)
    return out.getvalue()


async def record_export(export: RecordExport, fmt: str) -> None:
    """The export on the timeline of each exported document and in the audit trail."""
    record = export.view.record
    moment = datetime.now(UTC)
    summary = f"{record.code}/{record.year} — {record.title}"
    async with atomic():
        for item in export.documents:
            await record_step(
                item.document,
                STEP_EXPORTED,
                summary=summary,
                detail={"record_id": record.id, "format": fmt},
                audit=False,
                now=moment,
            )
        await audit(
            record,
            "exported",
            after={
                "format": fmt,
                "documents": [i.document.id for i in export.documents],
                "omitted": export.omitted,
            },
        )
