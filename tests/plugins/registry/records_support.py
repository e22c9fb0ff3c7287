"""Helpers of the records tests: four incoming documents of 2025 issued out of order (the
third confidential, the fourth with a PNG as its main file), and the people of alpha."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from incoming_support import make_pdf, make_png, metadata
from registry_support import Tree, new_registry
from registry_support import as_user as as_user  # re-exported for the tests

from core.context import TenantInfo
from core.testing_web import make_account
from plugins.registry.services.incoming import IncomingFile, register_incoming

ARRIVAL = datetime(2025, 3, 25, 2, 0, tzinfo=UTC)
OPENED = datetime(2025, 4, 1, 3, 0, tzinfo=UTC)
SUBJECT_A = "Về việc tăng cường phòng chống lụt bão, bảo vệ đường sông mùa mưa"
SUBJECT_B = 'Quyết định về "đề án" R&D <giai đoạn 2> của Sở'
SECRET = "Kế hoạch bảo vệ bí mật nhà nước"
SUBJECT_D = "Giấy mời họp tổng kết công tác năm"


@dataclass
class Docs:
    """Document ids: a (10/03, 2 pages), b (01/02, 1 page), c (15/01, confidential, 3 pages),
    d (20/03, a PNG); chronological order is c, b, a, d."""

    registry: int
    a: int
    b: int
    c: int
    d: int


@dataclass
class People:
    clerk: int  # clerk of UBND (and below): sees the normal documents, not c
    leader: int  # leader of UBND: sees every document, may reopen
    specialist: int  # specialist of VX: may open records in VX, sees no document
    outsider: int  # clerk of STP, another agency


async def make_docs(tree: Tree) -> Docs:
    registry = await new_registry(tree.ubnd, "incoming", name="Sổ văn bản đến")
    plan = [
        ({"code_number": "15", "subject": SUBJECT_A, "issued_date": date(2025, 3, 10)}, 2),
        (
            {
                "code_number": "7",
                "code_notation": "QĐ-STP",
                "document_type": "quyet_dinh",
                "subject": SUBJECT_B,
                "issued_date": date(2025, 2, 1),
                "page_amount": 1,
            },
            1,
        ),
        (
            {
                "code_number": "3",
                "confidentiality": "mat",
                "subject": SECRET,
                "issued_date": date(2025, 1, 15),
                "page_amount": 3,
            },
            3,
        ),
        ({"code_number": "21", "subject": SUBJECT_D, "issued_date": date(2025, 3, 20)}, 0),
    ]
    ids = []
    for changes, pages in plan:
        if pages:
            files = [IncomingFile(f"van-ban-{changes['code_number']}.pdf", make_pdf(pages))]
        else:
            files = [IncomingFile("giay-moi.png", make_png())]
        result = await register_incoming(
            registry, metadata(**changes), files, source="upload", now=ARRIVAL
        )
        assert result.document is not None
        ids.append(result.document.id)
    return Docs(registry, *ids)


async def make_people(tenant: TenantInfo, tree: Tree) -> People:
    clerk = await make_account(tenant, "lan", role="clerk", unit_id=tree.ubnd, descendants=True)
    leader = await make_account(tenant, "hung", role="leader", unit_id=tree.ubnd, descendants=True)
    specialist = await make_account(tenant, "minh", role="specialist", unit_id=tree.vx)
    outsider = await make_account(tenant, "tam", role="clerk", unit_id=tree.stp)
    return People(clerk.user_id, leader.user_id, specialist.user_id, outsider.user_id)
