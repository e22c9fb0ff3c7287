"""Helpers of the register tests: a year of incoming and outgoing numbers with documents,
leads, a reply, reserved, released and confidential numbers (all in 2025)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from incoming_support import main_pdf, metadata
from registry_support import Tree, as_user, new_registry

from core.context import acting_as
from core.testing_web import make_account
from plugins.registry.models import (
    ConfidentialityLevel,
    DocumentType,
    RegistryNumber,
    UrgencyLevel,
)
from plugins.registry.models_documents import Document
from plugins.registry.services import assignments as svc
from plugins.registry.services import numbering, reservations
from plugins.registry.services.incoming import register_incoming

ARRIVAL = datetime(2025, 3, 12, 2, 0, tzinfo=UTC)
LATER = datetime(2025, 3, 13, 2, 0, tzinfo=UTC)
SUBJECT_VN = "Về việc tăng cường phòng chống lụt bão, bảo vệ đường sông mùa mưa"


async def outgoing_document(
    registry_id: int, number: RegistryNumber, subject: str, *, linked: bool = True
) -> Document:
    """An outgoing document holding ``number``, made as the outgoing slice would (through
    ``registry_number`` when ``linked``, else only named by the number)."""
    secret = number.confidential
    doc_type = await DocumentType.get(id=number.document_type_id)
    level = await ConfidentialityLevel.get(code="mat" if secret else "thuong")
    doc = await Document.create(
        registry_id=registry_id,
        direction="outgoing",
        status="issued",
        source="upload",
        code_number=number.code_number,
        code_notation=number.code_notation,
        document_type=doc_type,
        type_name=doc_type.name,
        subject=subject,
        issued_date=date(2025, 3, 14),
        organ_name="Ủy ban nhân dân tỉnh",
        signer_full_name="Trần Thị Bình",
        priority=await UrgencyLevel.get(code="thuong"),
        confidentiality=level,
        confidentiality_level=level.level,
        page_amount=1,
        identity_key=f"out-{number.id}",
        received_at=ARRIVAL,
        registered_unit_id=(await number.registry).unit_id,
        registry_number=number if linked else None,
    )
    if not linked:
        number.document_model, number.document_id = "registry.document", doc.id
        await number.save(update_fields=["document_model", "document_id"])
    return doc


@dataclass
class Year:
    """What :func:`make_year` made."""

    incoming: int
    outgoing: int
    docs: list[int]  # incoming documents, in arrival order (the third is confidential)
    reply: int  # the outgoing document 02/UBND-VX, the reply to docs[0]
    leader: int  # user id of hung (leader of UBND, and lead of docs[0])


async def make_year(tenant: object, tree: Tree) -> Year:
    """In the current tenant: an incoming registry with four documents (arrival numbers 01–04;
    03 confidential in its own sequence, so it is 01 there) plus a released reservation and a
    confidential reservation; an outgoing registry with a released, an issued (with its
    document), a reserved and a confidential number. docs[0] is led by hung and completed with
    the reply; docs[1] is led by the unit VX with a deadline of 25 March."""
    from core.context import TenantInfo

    assert isinstance(tenant, TenantInfo)
    leader = await make_account(tenant, "hung", role="leader", unit_id=tree.ubnd, descendants=True)
    incoming = await new_registry(tree.ubnd, "incoming", name="Sổ văn bản đến")
    outgoing = await new_registry(tree.ubnd, "outgoing", name="Sổ văn bản đi")
    docs = []
    plan = [
        {"code_number": "15", "subject": SUBJECT_VN},
        {"code_number": "7", "code_notation": "QĐ-STP", "document_type": "quyet_dinh"},
        {"code_number": "3", "confidentiality": "mat", "subject": "Kế hoạch bảo vệ bí mật"},
        {"code_number": "21", "subject": "Về việc cử cán bộ dự họp"},
    ]
    for changes in plan:
        result = await register_incoming(
            incoming, metadata(**changes), main_pdf(), source="upload", now=ARRIVAL
        )
        assert result.document is not None
        docs.append(result.document.id)
    held = await numbering.reserve_number(incoming, numbering.NumberRequest(), now=LATER)
    await reservations.release_reservation(held.id, "Nhập nhầm", now=LATER)
    await numbering.reserve_number(
        incoming, numbering.NumberRequest(confidentiality="mat", note="Bí mật: hồ sơ X"), now=LATER
    )
    qd = numbering.NumberRequest(document_type="quyet_dinh")
    first = await numbering.reserve_number(outgoing, qd, now=ARRIVAL)
    await reservations.release_reservation(first.id, "Không ban hành", now=ARRIVAL)
    cv = numbering.NumberRequest(document_type="cong_van", drafting_unit_id=tree.vx)
    second = await numbering.allocate_number(outgoing, cv, now=ARRIVAL)
    reply = await outgoing_document(outgoing, second, "Về việc trả lời Sở Tư pháp")
    await numbering.reserve_number(outgoing, qd, now=ARRIVAL)
    secret_qd = numbering.NumberRequest(document_type="quyet_dinh", confidentiality="mat")
    secret = await numbering.allocate_number(outgoing, secret_qd, now=ARRIVAL)
    await outgoing_document(outgoing, secret, "Quyết định mật về nhân sự")
    # A number of 2024 never shows in the 2025 register.
    await numbering.allocate_number(outgoing, qd, now=datetime(2024, 12, 31, 10, tzinfo=UTC))

    with acting_as(as_user(leader.user_id)):
        await svc.assign(
            docs[0],
            svc.AssignmentRequest(
                lead=svc.Assignee(user_id=leader.user_id, deadline=date(2025, 3, 20))
            ),
            now=ARRIVAL,
        )
        await svc.assign(
            docs[1],
            svc.AssignmentRequest(lead=svc.Assignee(unit_id=tree.vx, deadline=date(2025, 3, 25))),
            now=LATER,
        )
        await svc.complete(docs[0], reply_document_id=reply.id, now=LATER)
    return Year(incoming, outgoing, docs, reply.id, leader.user_id)
