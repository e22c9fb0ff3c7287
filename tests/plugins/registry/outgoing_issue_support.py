"""Helpers of the numbering/issue/recall tests: a small world of agencies with registries and
clerks, and signed documents made directly with the models (as part A's flow leaves them)."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from incoming_support import PDF
from registry_support import as_user as as_user  # re-exported for the tests
from registry_support import make_tree, new_registry

from core.context import TenantInfo, tenant_context
from core.testing_web import make_account
from plugins.registry.models import ConfidentialityLevel, DocumentType, Registry, UrgencyLevel
from plugins.registry.models_documents import Document, DocumentFile
from plugins.registry.models_outgoing import OutgoingDetail

SIGNED_AT = datetime(2025, 3, 14, 2, 0, tzinfo=UTC)
PDF_SHA = hashlib.sha256(PDF).hexdigest()


@dataclass(frozen=True)
class World:
    """UBND (issuer: outgoing + internal registries; VP, VX below it), STP and SYT (incoming
    registries), SXD (no registry); one clerk per agency, UBND's signer and a VP specialist."""

    ubnd: int
    vp: int
    vx: int
    stp: int
    syt: int
    sxd: int
    outgoing: int
    internal: int
    stp_incoming: int
    syt_incoming: int
    clerk: int
    signer: int
    stp_clerk: int
    syt_clerk: int
    lan: int
    accounts: dict[str, Any]


async def make_world(tenant: TenantInfo) -> World:
    from core.units.services import create_unit

    with tenant_context(tenant):
        tree = await make_tree()
        syt = (await create_unit("SYT", "Sở Y tế", short_name="SYT")).id
        sxd = (await create_unit("SXD", "Sở Xây dựng", short_name="SXD")).id
        outgoing = await new_registry(tree.ubnd, "outgoing", name="Sổ văn bản đi")
        internal = await new_registry(tree.ubnd, "internal", name="Sổ văn bản nội bộ")
        stp_incoming = await new_registry(tree.stp, "incoming", name="Sổ văn bản đến STP")
        syt_incoming = await new_registry(syt, "incoming", name="Sổ văn bản đến SYT")
    accounts = {
        "clerk": await make_account(
            tenant, "vanthu", role="clerk", unit_id=tree.ubnd, descendants=True
        ),
        "signer": await make_account(
            tenant, "chutich", role="leader", unit_id=tree.ubnd, descendants=True
        ),
        "stp_clerk": await make_account(tenant, "vanthustp", role="clerk", unit_id=tree.stp),
        "syt_clerk": await make_account(tenant, "vanthusyt", role="clerk", unit_id=syt),
        "lan": await make_account(tenant, "lan", role="specialist", unit_id=tree.vp),
    }
    return World(
        ubnd=tree.ubnd,
        vp=tree.vp,
        vx=tree.vx,
        stp=tree.stp,
        syt=syt,
        sxd=sxd,
        outgoing=outgoing,
        internal=internal,
        stp_incoming=stp_incoming,
        syt_incoming=syt_incoming,
        clerk=accounts["clerk"].user_id,
        signer=accounts["signer"].user_id,
        stp_clerk=accounts["stp_clerk"].user_id,
        syt_clerk=accounts["syt_clerk"].user_id,
        lan=accounts["lan"].user_id,
        accounts=accounts,
    )


async def signed_document(
    registry_id: int,
    *,
    signer_user_id: int | None = None,
    document_type: str = "quyet_dinh",
    confidentiality: str = "thuong",
    drafter_unit_id: int | None = None,
    subject: str = "Về việc ban hành kế hoạch cải cách hành chính năm 2025",
) -> int:
    """A document in status ``signed`` in ``registry_id`` (current tenant): its outgoing part,
    the signed PDF as main file and a superseded draft file."""
    registry = await Registry.get(id=registry_id)
    kind = await DocumentType.get(code=document_type)
    priority = await UrgencyLevel.get(code="thuong")
    secrecy = await ConfidentialityLevel.get(code=confidentiality)
    document = await Document.create(
        registry=registry,
        direction=registry.direction,
        status="signed",
        source="drafted",
        code_number="",
        code_notation="",
        document_type=kind,
        type_name=kind.name,
        subject=subject,
        issued_date=date(2025, 3, 10),
        organ_name="Ủy ban nhân dân tỉnh Alpha",
        signer_position="Chủ tịch",
        signer_full_name="Trần Văn Bình",
        priority=priority,
        priority_weight=priority.weight,
        confidentiality=secrecy,
        confidentiality_level=secrecy.level,
        page_amount=1,
        received_at=SIGNED_AT,
        identity_key="",
        registered_unit_id=registry.unit_id,
        created_by="user:1",
    )
    await OutgoingDetail.create(
        document=document,
        drafter_unit_id=drafter_unit_id,
        signer_user_id=signer_user_id,
        signing_form="TM.",
        signed_at=SIGNED_AT,
        signed_by=f"user:{signer_user_id}",
        signature_provider="manual",
    )
    for role, name in (("draft", "du-thao.pdf"), ("main", "quyet-dinh-ky-so.pdf")):
        await DocumentFile.create(
            document=document,
            role=role,
            position=0 if role == "main" else 1,
            filename=name,
            content_type="application/pdf",
            size=len(PDF),
            sha256=PDF_SHA,
            pdf_state="ok",
            pages=1,
            text_status="ok",
        )
    return document.id


def capture(monkeypatch: Any, *modules: Any) -> list[Any]:
    """Events published by ``modules`` (still delivered): a list filled as they come."""
    seen: list[Any] = []
    for module in modules:
        original: Callable[[Any], Awaitable[None]] = module.publish

        async def publish(event: Any, _original: Any = original) -> None:
            seen.append(event)
            await _original(event)

        monkeypatch.setattr(module, "publish", publish)
    return seen
