"""Numbering, issue, the recipient's register/refuse, internal distribution and recall,
through the services on SQLite and PostgreSQL (row-level security on)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from outgoing_issue_support import PDF_SHA, World, as_user, capture, make_world, signed_document

from core import Conflict, InvalidInput, NotFound, PermissionDenied
from core.audit.models import AuditEvent
from core.context import acting_as, tenant_context
from core.jobs.models import OutboxMessage
from plugins.registry.events import DocumentIssued, DocumentRecalled
from plugins.registry.models import RegistryNumber
from plugins.registry.models_documents import Document, DocumentFile
from plugins.registry.models_flow import TimelineEntry
from plugins.registry.models_outgoing import OutgoingDetail, Recipient
from plugins.registry.services import documents, outgoing_issue, outgoing_recall, outgoing_review
from plugins.registry.services import received as rcv
from plugins.registry.services.numbering import NumberRequest, reserve_number
from plugins.registry.services.outgoing_issue import ExternalRecipient, issue_document
from plugins.registry.services.outgoing_issue_dispatch import dispatch
from plugins.registry.services.outgoing_issue_internal import distribute_internal
from plugins.registry.services.outgoing_issue_number import number_document
from plugins.registry.services.outgoing_issue_status import distribution_of, statuses_of
from plugins.registry.services.outgoing_recall import recall_document

# 18:00 UTC on 14 March is 01:00 on 15 March in Vietnam: the document's date is the 15th.
LATE = datetime(2025, 3, 14, 18, 0, tzinfo=UTC)
NOON = datetime(2025, 3, 15, 5, 0, tzinfo=UTC)
BXD = ExternalRecipient("000.00.00.G10", "Bộ Xây dựng")


@pytest.fixture
async def world(any_db, tenant) -> World:
    return await make_world(tenant)


async def numbered(world: World, **options: object) -> int:
    doc = await signed_document(world.outgoing, signer_user_id=world.signer, **options)  # type: ignore[arg-type]
    with acting_as(as_user(world.clerk)):
        await number_document(doc, now=NOON)
    return doc


async def steps(doc: int) -> list[str]:
    return [e.step for e in await TimelineEntry.filter(document_id=doc).order_by("id")]


async def test_numbering_gives_number_notation_and_the_vietnam_date(world, tenant):
    with tenant_context(tenant):
        first = await signed_document(world.outgoing, signer_user_id=world.signer)
        letter = await signed_document(
            world.outgoing, document_type="cong_van", drafter_unit_id=world.vx
        )
        with acting_as(as_user(world.clerk)):
            doc = await number_document(first, now=LATE)
            other = await number_document(letter, now=LATE)
            assert (doc.code_number, doc.code_notation) == ("01", "QĐ-UBND")
            assert doc.issued_date == date(2025, 3, 15)
            assert doc.identity_key and doc.status == "signed"
            entry = await RegistryNumber.get(id=doc.registry_number_id)
            assert (entry.document_model, entry.document_id) == ("registry.Document", first)
            assert (other.code_number, other.code_notation) == ("02", "UBND-VX")
            assert "numbered" in await steps(first)
            with pytest.raises(Conflict, match="already numbered"):
                await number_document(first)
            draft = await signed_document(world.outgoing)
            await Document.filter(id=draft).update(status="approved")
            with pytest.raises(Conflict, match="only a signed document"):
                await number_document(draft)
        assert await AuditEvent.filter(action="registry.document.numbered").count() == 2


async def test_numbering_keeps_the_recipients_in_the_search_text(world, tenant):
    with tenant_context(tenant):
        doc = await signed_document(world.outgoing, signer_user_id=world.signer)
        await OutgoingDetail.filter(document_id=doc).update(recipients_text="Sở Tư pháp")
        with acting_as(as_user(world.clerk)):
            numbered_doc = await number_document(doc, now=NOON)
        assert "so tu phap" in numbered_doc.search_text
        assert "01/qd-ubnd" in numbered_doc.search_text


async def test_a_reserved_number_numbers_the_document(world, tenant):
    with tenant_context(tenant):
        with acting_as(as_user(world.clerk)):
            reserved = await reserve_number(world.outgoing, NumberRequest("quyet_dinh"), now=NOON)
            await reserve_number(world.outgoing, NumberRequest("quyet_dinh"), now=NOON)
            wrong_type = await reserve_number(world.outgoing, NumberRequest("to_trinh"), now=NOON)
            doc = await signed_document(world.outgoing)
            with pytest.raises(InvalidInput) as bad:
                await number_document(doc, reservation_id=wrong_type.id, now=NOON)
            assert "reservation_id" in bad.value.errors
            made = await number_document(doc, reservation_id=reserved.id, now=NOON)
        assert made.code_number == "01" and made.registry_number_id == reserved.id
        entry = await RegistryNumber.get(id=reserved.id)
        assert (entry.state, entry.document_id) == ("issued", doc)


async def test_issue_to_two_units_and_an_organisation(world, tenant, monkeypatch):
    events = capture(monkeypatch, outgoing_issue)
    with tenant_context(tenant):
        doc = await numbered(world)
        with acting_as(as_user(world.clerk)):
            made = await issue_document(
                doc, units=[world.stp, world.syt], organisations=[BXD], now=NOON
            )
        assert [(r.kind, r.status) for r in made] == [
            ("internal", "received"),
            ("internal", "received"),
            ("external", "to_be_sent"),
        ]
        assert (await Document.get(id=doc)).status == "issued"
        assert (await OutgoingDetail.get(document_id=doc)).issued_by == world.clerk
        stp_copy = await Document.get(id=made[0].copy_document_id)
        assert (stp_copy.direction, stp_copy.status, stp_copy.source) == (
            "incoming",
            "received",
            "internal",
        )
        assert stp_copy.registry_id == world.stp_incoming
        assert (stp_copy.arrival_number, stp_copy.registry_number_id) == (None, None)
        assert (stp_copy.code_number, stp_copy.code_notation) == ("01", "QĐ-UBND")
        files = await DocumentFile.filter(document_id=stp_copy.id)
        assert [(f.role, f.sha256) for f in files] == [("main", PDF_SHA)]  # no draft file
        assert "received" in await steps(stp_copy.id)
        issued = [e for e in events if isinstance(e, DocumentIssued)]
        assert issued and issued[0].external_recipient_ids == (made[2].id,)
        message = await OutboxMessage.get(handler="registry.outgoing.dispatch")
        assert message.payload == {"document_id": doc, "recipient_ids": [made[2].id]}
        # No interconnect plugin: the organisation stays to_be_sent; recorded once.
        await dispatch(message.payload, message.id)
        await dispatch(message.payload, message.id)
        assert (await Recipient.get(id=made[2].id)).status == "to_be_sent"
        assert (await steps(doc)).count("dispatch_waiting") == 1

        # The copy is STP's: its clerk sees it, SYT's clerk and the issuer's clerk do not.
        with acting_as(as_user(world.stp_clerk)):
            assert [d.id for d in await rcv.received_copies()] == [stp_copy.id]
            await documents.check_visible(stp_copy)
        with acting_as(as_user(world.syt_clerk)):
            assert stp_copy.id not in [d.id for d in await rcv.received_copies()]
            with pytest.raises(PermissionDenied):
                await documents.check_visible(stp_copy)
        with acting_as(as_user(world.clerk)):
            assert await rcv.received_copies() == []
            with pytest.raises(Conflict, match="already received"):
                await issue_document(doc, units=[world.stp])
        assert len(await Recipient.filter(document_id=doc)) == 3


async def test_one_unit_without_registry_issues_nothing(world, tenant):
    with tenant_context(tenant):
        doc = await numbered(world)
        with acting_as(as_user(world.clerk)), pytest.raises(InvalidInput) as failed:
            await issue_document(doc, units=[world.stp, world.sxd], organisations=[BXD])
        assert "Sở Xây dựng" in str(failed.value) and "units.1" in failed.value.errors
        assert await Recipient.filter(document_id=doc).count() == 0
        assert await Document.filter(direction="incoming").count() == 0
        assert (await Document.get(id=doc)).status == "signed"
        assert await OutboxMessage.filter(handler="registry.outgoing.dispatch").count() == 0


async def test_register_and_refuse_a_copy_update_the_issuer(world, tenant):
    with tenant_context(tenant):
        doc = await numbered(world)
        with acting_as(as_user(world.clerk)):
            stp, syt = await issue_document(doc, units=[world.stp, world.syt], now=NOON)
        with acting_as(as_user(world.syt_clerk)):
            with pytest.raises(PermissionDenied):
                await rcv.register_received(stp.copy_document_id)
            with pytest.raises(InvalidInput):
                await rcv.refuse_received(syt.copy_document_id, "  ")
            refused = await rcv.refuse_received(syt.copy_document_id, "Gửi nhầm đơn vị.")
        assert (refused.status, refused.refusal_reason) == ("refused", "Gửi nhầm đơn vị.")
        with acting_as(as_user(world.stp_clerk)):
            result = await rcv.register_received(stp.copy_document_id, now=NOON)
            assert result.document is not None
            assert (result.document.status, result.document.arrival_number) == ("registered", 1)
            with pytest.raises(Conflict, match="only a received copy"):
                await rcv.register_received(stp.copy_document_id)
        statuses = {r.id: r.status for r in await statuses_of(await Document.get(id=doc))}
        assert statuses == {stp.id: "registered", syt.id: "refused"}
        assert (await Recipient.get(id=stp.id)).status == "registered"
        # A second copy of the same document in STP is a duplicate unless confirmed.
        again = await numbered(world)
        await Document.filter(id=again).update(
            code_number="01", identity_key=(await Document.get(id=doc)).identity_key
        )
        with acting_as(as_user(world.clerk)):
            (second,) = await issue_document(again, units=[world.stp])
        with acting_as(as_user(world.stp_clerk)):
            dup = await rcv.register_received(second.copy_document_id)
            assert dup.duplicate_of == [stp.copy_document_id]
            ok = await rcv.register_received(second.copy_document_id, confirm_duplicate=True)
            assert ok.document is not None and ok.document.duplicate_confirmed


async def test_recall_cancels_copies_and_freezes_the_document(world, tenant, monkeypatch):
    events = capture(monkeypatch, outgoing_recall)
    with tenant_context(tenant):
        doc = await numbered(world)
        with acting_as(as_user(world.clerk)):
            stp, syt, bxd = await issue_document(
                doc, units=[world.stp, world.syt], organisations=[BXD], now=NOON
            )
        with acting_as(as_user(world.stp_clerk)):
            await rcv.register_received(stp.copy_document_id, now=NOON)
        # Neither a clerk of UBND nor the signer:
        with acting_as(as_user(world.syt_clerk)), pytest.raises(PermissionDenied):
            await recall_document(doc, "Sai sót nội dung.")
        with acting_as(as_user(world.signer)):
            with pytest.raises(InvalidInput):
                await recall_document(doc, "")
            recalled = await recall_document(doc, "Sai sót nội dung, ban hành lại.")
            assert recalled.status == "recalled"
            with pytest.raises(Conflict, match="already recalled"):
                await recall_document(doc, "Lần nữa.")
        for copy_id in (stp.copy_document_id, syt.copy_document_id):
            copy = await Document.get(id=copy_id)
            assert (copy.status, copy.refusal_reason) == ("cancelled", recalled_reason())
            assert copy.subject and (await steps(copy_id))[-1] == "cancelled"
        assert {r.status for r in await statuses_of(recalled)} == {"cancelled", "to_be_sent"}
        cancelled = await TimelineEntry.filter(step="cancelled").order_by("document_id")
        assert [(e.document_id, e.detail["status_before"]) for e in cancelled] == [
            (stp.copy_document_id, "registered"),
            (syt.copy_document_id, "received"),
        ]
        (event,) = [e for e in events if isinstance(e, DocumentRecalled)]
        assert set(event.cancelled_copy_ids) == {stp.copy_document_id, syt.copy_document_id}
        assert event.external_recipient_ids == (bxd.id,)
        detail = await OutgoingDetail.get(document_id=doc)
        assert (detail.recalled_by, detail.recall_reason) == (world.signer, recalled_reason())
        # Frozen: nothing more is accepted.
        with acting_as(as_user(world.clerk)):
            with pytest.raises(Conflict, match="frozen"):
                await issue_document(doc, units=[world.syt])
            with pytest.raises(Conflict, match="frozen"):
                await number_document(doc)
        with acting_as(as_user(world.signer)), pytest.raises(Conflict, match="frozen"):
            await outgoing_review.add_comment(doc, "Góp ý sau thu hồi")
        with acting_as(as_user(world.syt_clerk)), pytest.raises(Conflict, match="recalled"):
            await rcv.register_received(syt.copy_document_id)
        assert "recalled" in await steps(doc)


def recalled_reason() -> str:
    return "Sai sót nội dung, ban hành lại."


async def test_an_internal_document_is_distributed_without_copies(world, tenant):
    with tenant_context(tenant):
        doc = await signed_document(world.internal, signer_user_id=world.signer)
        with acting_as(as_user(world.clerk)):
            with pytest.raises(Conflict, match="number it first"):
                await distribute_internal(doc, units=[world.vx])
            made = await number_document(doc, now=NOON)
            assert made.code_notation == "QĐ-UBND"
            with pytest.raises(Conflict, match="distribute"):
                await issue_document(doc, units=[world.stp])
            with pytest.raises(InvalidInput) as outside:
                await distribute_internal(doc, units=[world.vx, world.stp])
            assert "units.1" in outside.value.errors
            issued = await distribute_internal(doc, units=[world.vx], users=[world.lan])
        assert issued.status == "issued"
        assert await Document.filter(direction="incoming").count() == 0
        spread = await distribution_of(issued)
        assert (spread.unit_ids, spread.user_ids) == ([world.vx], [world.lan])
        with acting_as(as_user(world.lan)):
            await documents.check_visible(issued)
        with acting_as(as_user(world.stp_clerk)), pytest.raises(PermissionDenied):
            await documents.check_visible(issued)
        assert (await steps(doc))[-1] == "issued"
        with acting_as(as_user(world.clerk)):
            await recall_document(doc, "Thay thế bằng văn bản khác.")
            with pytest.raises(Conflict, match="frozen"):
                await distribute_internal(doc, users=[world.lan])


async def test_permission_and_tenant_boundary(world, tenant, other_tenant):
    with tenant_context(tenant):
        doc = await signed_document(world.outgoing)
        with acting_as(as_user(world.stp_clerk)), pytest.raises(PermissionDenied) as denied:
            await number_document(doc)
        assert denied.value.permission == "registry.numbers.allocate"
    with tenant_context(other_tenant):
        with pytest.raises(NotFound):
            await number_document(doc)
        with pytest.raises(NotFound):
            await issue_document(doc, units=[world.stp])
        with pytest.raises(NotFound):
            await recall_document(doc, "x")
        with pytest.raises(NotFound):
            await rcv.register_received(doc)


async def test_the_outgoing_register_prints_recipients_copies_and_the_date_sent(world, tenant):
    from plugins.registry.services.registers import build_register

    with tenant_context(tenant):
        doc = await numbered(world)
        with acting_as(as_user(world.clerk)):
            await issue_document(doc, units=[world.stp], organisations=[BXD], now=NOON)
            register = await build_register(world.outgoing, "outgoing", 2025)
        rows = {row["code"]: row for row in register.as_dict()["rows"]}
        row = rows["01/QĐ-UBND"]
        # No "Nơi nhận" text was written: the units and organisations it was issued to.
        assert row["recipients"] == "Sở Tư pháp; Bộ Xây dựng"
        assert (row["copies"], row["sent_date"]) == (1, "2025-03-15")
        await OutgoingDetail.filter(document_id=doc).update(
            recipients_text="- Như trên;\n- Lưu: VT.", copies=3
        )
        with acting_as(as_user(world.clerk)):
            again = await build_register(world.outgoing, "outgoing", 2025)
        row = {r["code"]: r for r in again.as_dict()["rows"]}["01/QĐ-UBND"]
        assert (row["recipients"], row["copies"]) == ("- Như trên;\n- Lưu: VT.", 3)
