"""Outgoing documents, part A, through the services on SQLite and PostgreSQL: draft → review
(sequence, parallel, changes) → submit → return → resubmit → approve → sign (manual path and a
signing plugin through the hook) → signed, with the roles that may take each step."""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import pytest
from incoming_support import PDF, blobs, make_pdf, make_png  # noqa: F401 (fixture)
from outgoing_draft_support import DOCX_TYPE, as_user, docx_file, draft, make_people
from registry_support import make_tree, new_registry

from core import Conflict, InvalidInput, NotFound, PermissionDenied, PluginInfo, hookimpl
from core.audit.models import AuditEvent
from core.context import acting_as, tenant_context
from plugins.registry.models_documents import Document, DocumentFile
from plugins.registry.models_flow import DocumentParticipant, TimelineEntry
from plugins.registry.models_outgoing import DraftComment, OutgoingDetail, Review
from plugins.registry.services import outgoing_drafts as drafts
from plugins.registry.services import outgoing_review as review
from plugins.registry.services import outgoing_signing as signing
from plugins.registry.services.incoming_files import IncomingFile
from plugins.registry.services.outgoing_lists import ListFilter, list_outgoing


async def steps(document_id: int) -> list[str]:
    return list(
        await TimelineEntry.filter(document_id=document_id)
        .order_by("at", "id")
        .values_list("step", flat=True)
    )


async def statuses(document_id: int) -> list[tuple[int, str]]:
    rows = await Review.filter(document_id=document_id).order_by("round", "position")
    return [(r.reviewer_user_id, r.status) for r in rows]


async def test_the_whole_flow_on_both_databases(any_db, tenant, blobs):  # noqa: F811
    with tenant_context(tenant):
        tree = await make_tree()
        registry = await new_registry(tree.ubnd, "outgoing", name="Sổ văn bản đi")
    p = await make_people(tenant, tree)
    with tenant_context(tenant):
        # 1. lan drafts (registry by default: UBND's, above her unit VP).
        with acting_as(as_user(p.lan)):
            doc = await drafts.create_draft(
                "outgoing",
                draft(),
                docx_file(),
                [IncomingFile("bang-so-lieu.pdf", make_pdf(2))],
                [IncomingFile("phu-luc-1.pdf", PDF)],
            )
        assert (doc.status, doc.code_number, doc.code_notation, doc.identity_key) == (
            "draft",
            "",
            "",
            "",
        )
        assert (doc.registry_id, doc.registered_unit_id, doc.registered_by) == (
            registry,
            tree.ubnd,
            p.lan.user_id,
        )
        assert doc.organ_name == "Ủy ban nhân dân tỉnh" and doc.type_name == "Công văn"
        detail = await OutgoingDetail.get(document_id=doc.id)
        assert (detail.drafter_user_id, detail.drafter_unit_id, detail.copies) == (
            p.lan.user_id,
            tree.vp,
            3,
        )
        files = await DocumentFile.filter(document_id=doc.id).order_by("position")
        assert [(f.role, f.content_type) for f in files] == [
            ("main", DOCX_TYPE),
            ("attachment", "application/pdf"),
            ("annex", "application/pdf"),
        ]

        # 2. sequence review: mai then tu.
        with acting_as(as_user(p.lan)):
            await review.request_review(doc.id, [p.mai.user_id, p.tu.user_id], "sequence")
        assert (await Document.get(id=doc.id)).status == "in_review"
        assert await statuses(doc.id) == [(p.mai.user_id, "pending"), (p.tu.user_id, "waiting")]
        with acting_as(as_user(p.tu)), pytest.raises(PermissionDenied) as out_of_turn:
            await review.decide(doc.id, "agree")
        assert out_of_turn.value.extra["permission"] == "registry.outgoing.review"
        with acting_as(as_user(p.lan)), pytest.raises(Conflict):
            await signing.submit(doc.id, p.hung.user_id)  # reviews pending
        with acting_as(as_user(p.mai)):
            await review.decide(doc.id, "agree", "Đồng ý.")
            with pytest.raises(Conflict):
                await review.decide(doc.id, "agree")  # twice
        assert await statuses(doc.id) == [(p.mai.user_id, "agreed"), (p.tu.user_id, "pending")]
        with acting_as(as_user(p.tu)):
            with pytest.raises(InvalidInput):  # changes need a comment
                await review.decide(doc.id, "changes")
            await review.decide(doc.id, "changes", "Bổ sung số liệu quý IV.")
        assert (await Document.get(id=doc.id)).status == "draft"

        # 3. lan edits, then a parallel round where both agree.
        with acting_as(as_user(p.lan)):
            await drafts.update_draft(doc.id, draft(subject="Về việc tổng kết năm 2025 (sửa)"))
            await drafts.replace_files(doc.id, main=docx_file("du-thao-2.docx"))
            await review.request_review(doc.id, [p.mai.user_id, p.tu.user_id], "parallel")
        with acting_as(as_user(p.tu)):
            await review.decide(doc.id, "agree")
        assert (await Document.get(id=doc.id)).status == "in_review"
        with acting_as(as_user(p.mai)):
            await review.decide(doc.id, "agree")
        state = await review.round_state(doc.id, 2)
        assert (state.state, (await Document.get(id=doc.id)).status) == ("agreed", "draft")

        # 4. submit, return, resubmit, approve.
        with acting_as(as_user(p.lan)):
            submitted = await signing.submit(doc.id, p.hung.user_id, "KT.")
            with pytest.raises(Conflict):
                await signing.submit(doc.id, p.hung.user_id, "KT.")  # resubmitting
        assert (submitted.status, submitted.signer_full_name) == ("submitted", "Hung")
        with acting_as(as_user(p.lan)), pytest.raises(PermissionDenied) as not_signer:
            await signing.approve(doc.id)
        assert not_signer.value.extra["permission"] == "registry.outgoing.sign"
        with acting_as(as_user(p.hung)):
            await signing.return_to_drafter(doc.id, "Sửa lại phần kết luận.")
        assert (await Document.get(id=doc.id)).status == "returned"
        with acting_as(as_user(p.lan)):
            await drafts.update_draft(doc.id, draft(subject="Về việc tổng kết năm 2025"))
            await signing.submit(doc.id, p.hung.user_id, "KT.")
        with acting_as(as_user(p.hung)):
            await signing.approve(doc.id)
            with pytest.raises(Conflict):
                await signing.approve(doc.id)
            outcome = await signing.sign(doc.id)  # no signing plugin: manual
            with pytest.raises(Conflict, match="already signed by hand"):
                await signing.sign(doc.id)  # a second press adds nothing
        assert outcome.manual and (await Document.get(id=doc.id)).status == "approved"

        # 5. the clerk attaches the PDF signed elsewhere.
        with acting_as(as_user(p.lan)), pytest.raises(PermissionDenied):
            await signing.attach_signed_pdf(doc.id, IncomingFile("ky.pdf", PDF))
        with acting_as(as_user(p.clerk)):
            with pytest.raises(InvalidInput):
                await signing.attach_signed_pdf(doc.id, IncomingFile("ky.png", make_png()))
            signed = await signing.attach_signed_pdf(doc.id, IncomingFile("ky.pdf", make_pdf(3)))
            with pytest.raises(Conflict):
                await signing.attach_signed_pdf(doc.id, IncomingFile("ky.pdf", PDF))
        assert (signed.status, signed.page_amount) == ("signed", 3)
        files = await DocumentFile.filter(document_id=doc.id).order_by("position", "id")
        assert [(f.role, f.filename) for f in files] == [
            ("main", "ky.pdf"),
            ("draft", "du-thao-2.docx"),
            ("draft", "du-thao.docx"),
            ("attachment", "bang-so-lieu.pdf"),
            ("annex", "phu-luc-1.pdf"),
        ]
        detail = await OutgoingDetail.get(document_id=doc.id)
        assert (detail.signature_provider, detail.signing_form) == ("manual", "KT.")
        assert detail.signed_by == f"user:{p.clerk.user_id}"
        assert await steps(doc.id) == [
            "drafted",
            "review_requested",
            "reviewed",
            "reviewed",
            "drafted",
            "drafted",
            "review_requested",
            "reviewed",
            "reviewed",
            "submitted",
            "returned",
            "drafted",
            "submitted",
            "approved",
            "signing",
            "signed",
        ]
        roles = set(
            await DocumentParticipant.filter(document_id=doc.id).values_list("role", "user_id")
        )
        assert roles == {
            ("drafter", p.lan.user_id),
            ("reviewer", p.mai.user_id),
            ("reviewer", p.tu.user_id),
            ("signer", p.hung.user_id),
        }
        assert await DraftComment.filter(document_id=doc.id).count() == 2
        audited = set(await AuditEvent.all().values_list("action", flat=True))
        assert {"registry.document.submitted", "registry.document.signed"} <= audited
        # The lists.
        with acting_as(as_user(p.lan)):
            mine = await list_outgoing(ListFilter(view="mine"))
        with acting_as(as_user(p.ba)):  # another agency's specialist sees nothing
            assert await list_outgoing(ListFilter(view="unit")) == []
        with acting_as(as_user(p.clerk)):
            unit = await list_outgoing(ListFilter(view="unit", unit_id=tree.ubnd))
        assert [d.id for d in mine] == [d.id for d in unit] == [doc.id]


class FakeSigner:
    """A signing plugin: takes over the signing step and remembers what it was asked."""

    asked: ClassVar[list[tuple[int, int]]] = []

    @hookimpl
    def plugin_info(self) -> PluginInfo:
        return PluginInfo("fakesign", "1.0", "Fake signer")

    @hookimpl
    async def registry_sign_document(self, document_id: int, signer_user_id: int) -> Any:
        self.asked.append((document_id, signer_user_id))
        return {"provider": "fakesign", "status": "pending"}


async def approved_draft(tenant, tree, people) -> int:
    await new_registry(tree.ubnd, "outgoing", name="Sổ văn bản đi")
    with acting_as(as_user(people.lan)):
        doc = await drafts.create_draft("outgoing", draft(), docx_file())
        await signing.submit(doc.id, people.hung.user_id)
    with acting_as(as_user(people.hung)):
        await signing.approve(doc.id)
    return doc.id


async def test_a_signing_plugin_takes_over_through_the_hook(tenant, blobs, register_plugin):  # noqa: F811
    register_plugin(FakeSigner())
    with_plugin = dataclasses.replace(tenant, enabled_plugins=tenant.enabled_plugins | {"fakesign"})
    with tenant_context(tenant):
        tree = await make_tree()
    people = await make_people(tenant, tree)
    with tenant_context(with_plugin):
        doc_id = await approved_draft(tenant, tree, people)
        with acting_as(as_user(people.hung)):
            outcome = await signing.sign(doc_id)
        assert outcome.answers == [{"provider": "fakesign", "status": "pending"}]
        assert FakeSigner.asked[-1] == (doc_id, people.hung.user_id)
        assert (await Document.get(id=doc_id)).status == "approved"
        entry = await TimelineEntry.filter(document_id=doc_id, step="signing").first()
        assert entry is not None and entry.detail["answers"][0]["provider"] == "fakesign"
        with pytest.raises(InvalidInput):
            await signing.store_signed_pdf(
                doc_id, make_png(), provider="fakesign", signed_by="fakesign"
            )
        signed = await signing.store_signed_pdf(
            doc_id, PDF, provider="fakesign", signed_by="fakesign"
        )
        assert signed.status == "signed"
        detail = await OutgoingDetail.get(document_id=doc_id)
        assert (detail.signature_provider, detail.signed_by) == ("fakesign", "fakesign")
        main = await DocumentFile.get(document_id=doc_id, role="main")
        assert main.filename == "du-thao.signed.pdf"


async def test_bad_drafts_and_wrong_people(tenant, tree, blobs):  # noqa: F811
    p = await make_people(tenant, tree)
    with tenant_context(tenant):
        registry = await new_registry(tree.ubnd, "outgoing", name="Sổ văn bản đi")
        closed = await new_registry(tree.ubnd, "outgoing", name="Sổ cũ", is_active=False)
        incoming = await new_registry(tree.ubnd, "incoming", name="Sổ đến")
        stp = await new_registry(tree.stp, "outgoing", name="Sổ đi STP")
        with acting_as(as_user(p.lan)):
            with pytest.raises(InvalidInput) as wrong_type:
                await drafts.create_draft("outgoing", draft(), IncomingFile("a.png", make_png()))
            assert wrong_type.value.errors == {"main": "the main file is a PDF or a DOCX"}
            with pytest.raises(InvalidInput) as lying:
                await drafts.create_draft("outgoing", draft(), IncomingFile("a.pdf", b"hello"))
            assert list(lying.value.errors) == ["main"]
            with pytest.raises(InvalidInput) as missing:
                await drafts.create_draft("outgoing", draft(subject="", priority="x"), None)
            assert missing.value.errors == {
                "subject": "required",
                "priority": "unknown code",
                "main": "required",
            }
            with pytest.raises(InvalidInput) as fields:
                await drafts.create_draft(
                    "outgoing", draft(subject="", priority="x", copies=0), docx_file()
                )
            assert fields.value.errors == {
                "subject": "required",
                "copies": "between 1 and 10000",
                "priority": "unknown code",
            }
            for chosen, message in [
                (closed, "inactive registry"),
                (incoming, "not an outgoing registry"),
            ]:
                with pytest.raises(InvalidInput) as bad:
                    await drafts.create_draft("outgoing", draft(), docx_file(), registry_id=chosen)
                assert bad.value.errors == {"registry_id": message}
            with pytest.raises(PermissionDenied) as other_unit:
                await drafts.create_draft("outgoing", draft(), docx_file(), registry_id=stp)
            assert other_unit.value.extra["permission"] == "registry.outgoing.draft"
            with pytest.raises(InvalidInput) as no_internal:
                await drafts.create_draft("internal", draft(), docx_file())
            assert no_internal.value.errors == {
                "registry_id": "no active internal registry for this unit"
            }
            doc = await drafts.create_draft("outgoing", draft(), docx_file(), registry_id=registry)
            with pytest.raises(InvalidInput) as no_signer:  # tu lacks registry.outgoing.sign
                await signing.submit(doc.id, p.tu.user_id)
            assert list(no_signer.value.errors) == ["signer_user_id"]
            with pytest.raises(InvalidInput):
                await signing.submit(doc.id, p.hung.user_id, "XX.")
            with pytest.raises(InvalidInput):
                await review.request_review(doc.id, [p.lan.user_id])  # herself
            with pytest.raises(NotFound):
                await review.request_review(doc.id, [999_999])
        with acting_as(as_user(p.mai)):  # not the drafter
            with pytest.raises(PermissionDenied):
                await drafts.update_draft(doc.id, draft(subject="Khác"))
            with pytest.raises(PermissionDenied):
                await review.add_comment(doc.id, "Góp ý.")
        # another agency: no outgoing.draft anywhere here
        with acting_as(as_user(p.ba)), pytest.raises(PermissionDenied):
            await drafts.create_draft("outgoing", draft(), docx_file(), registry_id=registry)
        assert await Document.filter(direction="outgoing").count() == 1


async def test_another_tenant_sees_nothing(tenant, other_tenant, tree, blobs):  # noqa: F811
    p = await make_people(tenant, tree)
    with tenant_context(tenant):
        doc_id = await approved_draft(tenant, tree, p)
    with tenant_context(other_tenant), acting_as(as_user(p.hung)):
        with pytest.raises(NotFound):
            await signing.sign(doc_id)
        with pytest.raises(NotFound):
            await signing.store_signed_pdf(doc_id, PDF, provider="x", signed_by="x")
