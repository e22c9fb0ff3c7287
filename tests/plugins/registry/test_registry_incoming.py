"""Registering incoming documents through the service: numbering, validation of every field,
files checked by their bytes, duplicates, rollback and refusal."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from incoming_support import (
    PDF,
    blobs,  # noqa: F401 (fixture)
    main_pdf,
    make_pdf,
    make_png,
    metadata,
    stored_blobs,
)
from registry_support import new_registry

from core import InvalidInput, NotFound, blob_store
from core.audit.models import AuditEvent
from core.context import tenant_context
from core.db.connection import atomic
from plugins.registry.models import NumberSequence, RegistryNumber
from plugins.registry.models_documents import Document, DocumentFile
from plugins.registry.searchtext import fold
from plugins.registry.services import incoming
from plugins.registry.services.incoming import (
    IncomingFile,
    IncomingMetadata,
    refuse_incoming,
    register_incoming,
)

NOW = datetime(2025, 3, 15, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội


@pytest.fixture
async def registry(tenant, tree, blobs):  # noqa: F811
    with tenant_context(tenant):
        return await new_registry(tree.ubnd, "incoming", name="Sổ văn bản đến")


async def register(registry_id: int, meta: IncomingMetadata | None = None, **options):
    files = options.pop("files", None) or main_pdf()
    options.setdefault("source", "upload")
    options.setdefault("now", NOW)
    return await register_incoming(registry_id, meta or metadata(), files, **options)


async def test_documents_get_consecutive_arrival_numbers_and_keep_their_files(
    tenant,
    registry,
    blobs,  # noqa: F811
):
    attachment = make_pdf(3)
    with tenant_context(tenant):
        first = await register(
            registry,
            files=[
                IncomingFile("Công văn 15.pdf", PDF),
                IncomingFile("phu-luc.pdf", attachment, "attachment"),
            ],
        )
        second = await register(registry, metadata(code_number="16", priority="khan"))
        assert first.registered and second.registered
        assert (first.warnings, first.duplicate_of) == ([], [])
        one, two = first.document, second.document
        assert (one.arrival_number, two.arrival_number) == (1, 2)
        assert one.arrival_date == NOW and one.status == "registered"
        assert (one.source, one.direction, one.registered_by) == ("upload", "incoming", None)
        assert (two.priority_weight, one.priority_weight) == (1, 0)
        number = await RegistryNumber.get(id=one.registry_number_id)
        assert (number.code_number, number.number, number.year) == ("01", 1, 2025)
        assert (number.document_model, number.document_id) == ("registry.Document", one.id)
        assert (await RegistryNumber.get(id=two.registry_number_id)).code_number == "02"
        files = await DocumentFile.filter(document_id=one.id).order_by("position")
        assert [(f.role, f.filename, f.pdf_state, f.pages, f.text_status) for f in files] == [
            ("main", "Công văn 15.pdf", "ok", 1, "pending"),
            ("attachment", "phu-luc.pdf", "ok", 3, "pending"),
        ]
        assert files[0].content_type == "application/pdf" and files[0].size == len(PDF)
        assert await blob_store().read(files[1].sha256) == attachment
        assert "ve viec bao cao cong tac tu phap" in one.search_text
        assert "15/stp-vp" in one.search_text and fold("Sở Tư pháp") in one.search_text
        events = await AuditEvent.filter(action="registry.document.register").order_by("seq")
        assert [e.object_id for e in events] == [str(one.id), str(two.id)]
        assert events[0].after["arrival_number"] == 1


async def test_every_required_field_is_named_at_once(tenant, registry):
    with tenant_context(tenant), pytest.raises(InvalidInput) as caught:
        await register(registry, IncomingMetadata())
    assert set(caught.value.errors) == {
        "organ_name",
        "code_number",
        "code_notation",
        "document_type",
        "issued_date",
        "subject",
        "signer_full_name",
        "priority",
        "confidentiality",
        "page_amount",
    }
    assert set(caught.value.errors.values()) == {"required"}
    with tenant_context(tenant):
        assert await Document.all().count() == 0
        assert await RegistryNumber.all().count() == 0


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"subject": "x" * 501}, "subject", "at most 500 characters"),
        ({"code_number": "15/STP"}, "code_number", "the number alone"),
        ({"page_amount": 0}, "page_amount", "between 1"),
        ({"document_type": "khong_co"}, "document_type", "unknown code"),
        ({"priority": "cuc_khan"}, "priority", "unknown code"),
        ({"organ_id": "H41 / 12"}, "organ_id", "letters and digits"),
    ],
)
async def test_bad_values_are_field_errors(tenant, registry, changes, field, message):
    with tenant_context(tenant), pytest.raises(InvalidInput) as caught:
        await register(registry, metadata(**changes))
    assert list(caught.value.errors) == [field]
    assert message in caught.value.errors[field]


async def test_issued_date_in_the_future_of_vietnam_is_refused(tenant, registry):
    late_evening_utc = datetime(2025, 3, 15, 18, 0, tzinfo=UTC)  # 16 March 01:00 in Hà Nội
    with tenant_context(tenant):
        accepted = await register(
            registry, metadata(issued_date=date(2025, 3, 16)), now=late_evening_utc
        )
        assert accepted.document.issued_date == date(2025, 3, 16)
        with pytest.raises(InvalidInput) as caught:
            await register(registry, metadata(issued_date=date(2025, 3, 17)), now=late_evening_utc)
    assert caught.value.errors == {"issued_date": "in the future (Vietnam time)"}


async def test_a_due_date_before_the_arrival_date_is_refused(tenant, registry):
    with tenant_context(tenant):
        with pytest.raises(InvalidInput) as caught:
            await register(registry, metadata(due_date=date(2025, 3, 14)))
        assert caught.value.errors == {"due_date": "before the arrival date"}
        result = await register(registry, metadata(due_date=date(2025, 3, 15)))
        assert result.document.due_date == date(2025, 3, 15)


async def test_a_pdf_that_is_really_a_png_registers_nothing(tenant, registry, blobs, tmp_path):  # noqa: F811
    files = [
        IncomingFile("cong-van.pdf", PDF),
        IncomingFile("phu-luc.pdf", make_png(), "attachment"),
    ]
    with tenant_context(tenant), pytest.raises(InvalidInput) as caught:
        await register(registry, files=files)
    assert list(caught.value.errors) == ["files.1"]
    assert "PNG" in caught.value.errors["files.1"] and ".pdf" in caught.value.errors["files.1"]
    with tenant_context(tenant):
        assert await Document.all().count() == 0
        assert await DocumentFile.all().count() == 0
        assert await RegistryNumber.all().count() == 0
    assert stored_blobs(tmp_path) == []  # nothing stored either: files are checked first


async def test_a_main_file_is_required_for_uploads(tenant, registry):
    only_attachment = [IncomingFile("phu-luc.pdf", PDF, "attachment")]
    with tenant_context(tenant), pytest.raises(InvalidInput) as caught:
        await register(registry, files=only_attachment)
    assert caught.value.errors == {"files": "a main file is required"}


async def test_encrypted_and_damaged_pdfs_are_kept_with_a_warning(tenant, registry):
    locked = make_pdf(password="bí-mật")
    broken = PDF[: len(PDF) // 2]
    files = [IncomingFile("cv.pdf", locked), IncomingFile("pl.pdf", broken, "attachment")]
    with tenant_context(tenant):
        result = await register(registry, files=files)
        assert result.registered and result.document.arrival_number == 1
        assert [(w.filename, w.code) for w in result.warnings] == [
            ("cv.pdf", "pdf_encrypted"),
            ("pl.pdf", "pdf_corrupt"),
        ]
        assert all(w.message for w in result.warnings)
        kept = await DocumentFile.filter(document_id=result.document.id).order_by("position")
        assert [(f.pdf_state, f.text_status) for f in kept] == [
            ("encrypted", "encrypted"),
            ("corrupt", "failed"),
        ]
        assert await blob_store().read(kept[0].sha256) == locked


async def test_only_active_incoming_registries_of_the_tenant_take_documents(
    tenant, other_tenant, tree, registry
):
    with tenant_context(tenant):
        outgoing = await new_registry(tree.ubnd, "outgoing")
        with pytest.raises(InvalidInput) as caught:
            await register(outgoing)
        assert caught.value.errors == {"registry_id": "not an incoming registry"}
        from plugins.registry.services.registries import update_registry

        await update_registry(registry, is_active=False)
        with pytest.raises(InvalidInput) as caught:
            await register(registry)
        assert caught.value.errors == {"registry_id": "inactive registry"}
    with tenant_context(other_tenant), pytest.raises(NotFound):
        await register(registry)


async def test_a_duplicate_is_reported_until_the_clerk_confirms_it(tenant, registry):
    with tenant_context(tenant):
        first = (await register(registry)).document
        # The same document typed differently: "015", lower case, no diacritics.
        same = metadata(
            code_number="015", code_notation="stp-vp", organ_name="SO TU PHAP TINH ALPHA"
        )
        warned = await register(registry, same)
        assert (warned.registered, warned.duplicate_of) == (False, [first.id])
        assert await Document.all().count() == 1
        assert (await NumberSequence.get()).last_number == 1
        confirmed = await register(registry, same, confirm_duplicate=True)
        assert confirmed.registered and confirmed.document.arrival_number == 2
        assert confirmed.document.duplicate_confirmed is True
        assert confirmed.document.duplicate_of_id == first.id
        again = await register(registry, same)
        assert again.duplicate_of == [first.id, confirmed.document.id]
        # Another year of issue is another document.
        next_year = await register(registry, metadata(issued_date=date(2024, 3, 10)))
        assert next_year.registered


async def test_another_agency_of_the_tenant_receives_its_own_copy(tenant, tree, registry):
    with tenant_context(tenant):
        first = await register(registry, metadata(document_identifier="000.00.00.H41-2025-78"))
        other_agency = await new_registry(tree.stp, "incoming", name="Sổ đến Sở Tư pháp")
        copy = await register(other_agency, metadata(document_identifier="000.00.00.H41-2025-78"))
        assert copy.registered and copy.duplicate_of == []
        assert copy.document.arrival_number == 1  # the other agency's own sequence
        again = await register(other_agency, metadata(document_identifier="000.00.00.H41-2025-78"))
        assert again.duplicate_of == [copy.document.id]
        assert first.document.id not in again.duplicate_of


async def test_a_probable_duplicate_stores_no_file_and_a_seekable_upload_is_read_again(
    tenant,
    registry,
    blobs,  # noqa: F811
    tmp_path,
):
    with tenant_context(tenant):
        first = (await register(registry)).document
        before = stored_blobs(tmp_path)
        scan = make_pdf(2)
        warned = await register(registry, files=[IncomingFile("ban-quet.pdf", io.BytesIO(scan))])
        assert warned.duplicate_of == [first.id]
        assert stored_blobs(tmp_path) == before  # answered before the files are stored
        upload = io.BytesIO(b"prefix" + scan)
        upload.seek(len(b"prefix"))  # read from its current position, as documented
        confirmed = await register(
            registry, files=[IncomingFile("ban-quet.pdf", upload)], confirm_duplicate=True
        )
        assert confirmed.registered
        (entry,) = await DocumentFile.filter(document_id=confirmed.document.id)
        assert (entry.size, entry.pages) == (len(scan), 2)
        assert await blob_store().read(entry.sha256) == scan


async def test_the_same_document_identifier_is_a_duplicate(tenant, registry):
    with tenant_context(tenant):
        first = await register(registry, metadata(document_identifier="000.00.00.H41-2025-77"))
        other = metadata(code_number="99", document_identifier="000.00.00.H41-2025-77")
        warned = await register(registry, other)
        assert warned.duplicate_of == [first.document.id]
        assert (await register(registry, other, confirm_duplicate=True)).registered


async def test_a_failure_after_numbering_burns_no_number(tenant, registry, monkeypatch):
    async def failing_publish(event):
        raise RuntimeError("a listener failed")

    with tenant_context(tenant):
        monkeypatch.setattr(incoming, "publish", failing_publish)
        with pytest.raises(RuntimeError):
            await register(registry)
        monkeypatch.undo()
        assert await Document.all().count() == 0
        assert await DocumentFile.all().count() == 0
        assert await RegistryNumber.all().count() == 0
        # The caller's own transaction failing later rolls everything back too.
        with pytest.raises(RuntimeError):
            async with atomic():
                await register(registry)
                raise RuntimeError("the caller failed")
        assert await Document.all().count() == 0
        result = await register(registry)
        assert result.document.arrival_number == 1
        assert await AuditEvent.filter(action="registry.document.register").count() == 1


async def test_a_refused_document_keeps_its_reason_and_gets_no_number(tenant, registry):
    with tenant_context(tenant):
        with pytest.raises(InvalidInput) as caught:
            await refuse_incoming(registry, metadata(), main_pdf(), reason=" ", source="scan")
        assert caught.value.errors == {"reason": "required"}
        result = await refuse_incoming(
            registry, metadata(), main_pdf(), reason="Thiếu chữ ký số", source="scan", now=NOW
        )
        refused = result.document
        assert (refused.status, refused.refusal_reason) == ("refused", "Thiếu chữ ký số")
        assert (refused.arrival_number, refused.arrival_date, refused.registry_number_id) == (
            None,
            None,
            None,
        )
        assert refused.received_at == NOW
        assert await DocumentFile.filter(document_id=refused.id).count() == 1
        assert await RegistryNumber.all().count() == 0
        event = await AuditEvent.get(action="registry.document.refuse")
        assert event.after["refusal_reason"] == "Thiếu chữ ký số"
        # A refused document is no duplicate: the corrected one registers with number 1.
        registered = await register(registry)
        assert registered.registered and registered.document.arrival_number == 1


async def test_interconnect_documents_may_come_without_files(tenant, registry):
    with tenant_context(tenant):
        result = await register_incoming(registry, metadata(), [], source="interconnect", now=NOW)
        assert result.document.source == "interconnect"
        with pytest.raises(InvalidInput) as caught:
            await register_incoming(registry, metadata(), [], source="fax", now=NOW)
        assert list(caught.value.errors) == ["source"]
