"""The rows of the three registers through the service, on SQLite and PostgreSQL (row-level
security on): ordering, leading zeros, reserved and released numbers, leads, deadlines,
replies, the year filter, and confidential rows masked per role."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from incoming_support import blobs  # noqa: F401 (fixture)
from registers_support import SUBJECT_VN, as_user, make_year, outgoing_document
from registry_support import make_tree, new_registry

from core import InvalidInput, NotFound, PermissionDenied
from core.context import acting_as, tenant_context
from core.testing_web import make_account
from plugins.registry.services import numbering
from plugins.registry.services.registers import build_register, check_year

APRIL = datetime(2025, 4, 1, 3, 0, tzinfo=UTC)


def cols(rows, *names):
    return [tuple(r[n] for n in names) for r in rows]


async def test_the_three_registers_as_the_system_sees_them(any_db, tenant, blobs):  # noqa: F811
    with tenant_context(tenant):
        tree = await make_tree()
        year = await make_year(tenant, tree)
        incoming = await build_register(year.incoming, "incoming", 2025, now=APRIL)
        outgoing = await build_register(year.outgoing, "outgoing", 2025, now=APRIL)
        processing = await build_register(year.incoming, "processing", 2025, now=APRIL)

    assert incoming.agency_name == "Ủy ban nhân dân tỉnh"
    # Normal numbers in order, then the confidential sequence; nothing skipped.
    assert cols(incoming.rows, "arrival_number", "confidential", "state", "masked") == [
        ("01", False, "issued", False),
        ("02", False, "issued", False),
        ("03", False, "issued", False),
        ("04", False, "released", False),
        ("01", True, "issued", False),
        ("02", True, "reserved", False),
    ]
    first, second, third, released, secret, held = incoming.rows
    assert first["arrival_date"] == "2025-03-12"
    assert (first["organ_name"], first["code"]) == ("Sở Tư pháp tỉnh Alpha", "15/STP-VP")
    assert (first["issued_date"], first["type_name"]) == ("2025-03-10", "Công văn")
    assert first["subject"] == SUBJECT_VN
    assert (first["recipient"], first["forwarded_date"]) == ("Hung", "2025-03-12")
    assert first["received_by"] == ""
    assert (second["code"], second["type_name"]) == ("7/QĐ-STP", "Quyết định")  # as printed
    assert second["recipient"] == "Phòng Văn xã"  # a unit as the lead
    assert (third["recipient"], third["forwarded_date"]) == ("", None)  # not assigned
    assert released["document_id"] is None
    assert released["note"] == "Đã hủy giữ số, không dùng lại; lý do: Nhập nhầm"
    assert secret["subject"] == "Kế hoạch bảo vệ bí mật"
    assert secret["note"] == "Độ mật: Mật"
    assert held["note"] == "Đang giữ số; Độ mật: Mật; Bí mật: hồ sơ X"

    assert cols(outgoing.rows, "code", "state", "confidential") == [
        ("01/QĐ-UBND", "released", False),
        ("02/UBND-VX", "issued", False),
        ("03/QĐ-UBND", "reserved", False),
        ("01/QĐ-UBND", "issued", True),
    ]
    out = outgoing.rows[1]
    assert (out["issued_date"], out["type_name"], out["signer"]) == (
        "2025-03-14",
        "Công văn",
        "Trần Thị Bình",
    )
    assert out["subject"] == "Về việc trả lời Sở Tư pháp"
    assert out["document_id"] == year.reply
    assert (out["recipients"], out["keeping_unit"], out["copies"], out["sent_date"]) == (
        "",
        "",
        None,
        None,
    )
    assert outgoing.rows[0]["note"] == "Đã hủy giữ số, không dùng lại; lý do: Không ban hành"
    assert outgoing.rows[0]["type_name"] == "Quyết định"  # from the number: no document
    assert outgoing.rows[2]["note"] == "Đang giữ số"

    rows = processing.rows
    assert cols(rows, "arrival_number", "handler", "deadline", "status", "overdue") == [
        ("01", "Hung", "2025-03-20", "completed", False),
        ("02", "Phòng Văn xã", "2025-03-25", "assigned", True),
        ("03", "", None, "registered", False),
        ("04", "", None, "", False),
        ("01", "", None, "registered", False),
        ("02", "", None, "", False),
    ]
    assert (rows[0]["progress"], rows[0]["completed_date"]) == ("Đã giải quyết", "2025-03-13")
    assert rows[0]["reply_code"] == "02/UBND-VX"
    assert rows[1]["progress"] == "Đã phân công"
    assert rows[2]["progress"] == "Chưa phân công"
    assert (rows[1]["type_name"], rows[1]["code"], rows[1]["organ_name"]) == (
        "Quyết định",
        "7/QĐ-STP",
        "Sở Tư pháp tỉnh Alpha",
    )


async def test_confidential_rows_are_masked_per_role(any_db, tenant, blobs):  # noqa: F811
    with tenant_context(tenant):
        tree = await make_tree()
        year = await make_year(tenant, tree)
    clerk = await make_account(tenant, "lan", role="clerk", unit_id=tree.ubnd, descendants=True)
    admin = await make_account(tenant, "an", role="tenant_admin")
    with tenant_context(tenant):
        with acting_as(as_user(clerk.user_id)):
            incoming = await build_register(year.incoming, "incoming", 2025)
            outgoing = await build_register(year.outgoing, "outgoing", 2025)
            processing = await build_register(year.incoming, "processing", 2025)
        with acting_as(as_user(admin.user_id)):
            admin_view = await build_register(year.incoming, "incoming", 2025)
        with acting_as(as_user(year.leader)):
            leader_view = await build_register(year.incoming, "incoming", 2025)

    # The clerk sees every number; the confidential ones say only "(văn bản mật)".
    assert [r["masked"] for r in incoming.rows] == [False] * 4 + [True, True]
    secret, held = incoming.rows[4:]
    assert (secret["arrival_number"], secret["subject"]) == ("01", "(văn bản mật)")
    assert (secret["organ_name"], secret["code"], secret["type_name"]) == ("", "", "")
    assert (secret["document_id"], secret["recipient"]) == (None, "")
    assert secret["note"] == "Số văn bản mật"  # the level and the note stay hidden
    assert held["note"] == "Đang giữ số; Số văn bản mật"
    assert "Bí mật" not in str(incoming.as_dict())
    assert [r["masked"] for r in outgoing.rows] == [False, False, False, True]
    assert outgoing.rows[3]["code"] == "01/QĐ-UBND"
    assert outgoing.rows[3]["subject"] == "(văn bản mật)"
    assert outgoing.rows[3]["signer"] == ""
    assert "nhân sự" not in str(outgoing.as_dict())
    assert processing.rows[4]["type_name"] == "(văn bản mật)"
    assert processing.rows[4]["status"] == ""
    # The tenant admin has no registry.confidential.view either; the leader has.
    assert [r["masked"] for r in admin_view.rows] == [False] * 4 + [True, True]
    assert [r["masked"] for r in leader_view.rows] == [False] * 6
    assert leader_view.rows[4]["subject"] == "Kế hoạch bảo vệ bí mật"


async def test_a_masked_reply_keeps_its_secret(tenant, tree, blobs):  # noqa: F811
    """A confidential reply shows as "(văn bản mật)" to a clerk, its number to the leader."""
    with tenant_context(tenant):
        year = await make_year(tenant, tree)
        outgoing = await new_registry(tree.ubnd, "outgoing", name="Sổ đi mật")
        number = await numbering.allocate_number(
            outgoing,
            numbering.NumberRequest(document_type="quyet_dinh", confidentiality="mat"),
            now=APRIL,
        )
        secret_reply = await outgoing_document(outgoing, number, "Quyết định mật")
        with acting_as(as_user(year.leader)):
            from plugins.registry.services import assignments as svc

            lead = svc.Assignee(user_id=year.leader)
            await svc.assign(year.docs[3], svc.AssignmentRequest(lead=lead), now=APRIL)
            await svc.complete(year.docs[3], reply_document_id=secret_reply.id, now=APRIL)
            seen = await build_register(year.incoming, "processing", 2025)
    clerk = await make_account(tenant, "lan", role="clerk", unit_id=tree.ubnd, descendants=True)
    with tenant_context(tenant), acting_as(as_user(clerk.user_id)):
        masked = await build_register(year.incoming, "processing", 2025)
    assert seen.rows[2]["reply_code"] == "02/QĐ-UBND"  # the agency-wide secret sequence
    assert masked.rows[2]["reply_code"] == "(văn bản mật)"
    assert (masked.rows[2]["status"], masked.rows[2]["handler"]) == ("completed", "Hung")
    assert masked.rows[0]["reply_code"] == "02/UBND-VX"


async def test_a_document_named_only_by_its_number_joins_when_it_matches(tenant, tree, blobs):  # noqa: F811
    with tenant_context(tenant):
        registry = await new_registry(tree.ubnd, "outgoing", name="Sổ văn bản đi")
        other = await new_registry(tree.ubnd, "internal", name="Sổ nội bộ")
        request = numbering.NumberRequest(document_type="to_trinh")
        named = await numbering.allocate_number(registry, request, now=APRIL)
        await outgoing_document(registry, named, "Tờ trình xin kinh phí", linked=False)
        # A number naming a document of another registry is not joined with it.
        stray = await numbering.allocate_number(registry, request, now=APRIL)
        elsewhere_number = await numbering.allocate_number(other, request, now=APRIL)
        elsewhere = await outgoing_document(other, elsewhere_number, "Tờ trình nội bộ")
        stray.document_model, stray.document_id = "registry.document", elsewhere.id
        await stray.save(update_fields=["document_model", "document_id"])
        register = await build_register(registry, "outgoing", 2025)
        internal = await build_register(other, "outgoing", 2025)
    assert cols(register.rows, "code", "subject") == [
        ("01/TTr-UBND", "Tờ trình xin kinh phí"),
        ("02/TTr-UBND", ""),
    ]
    assert cols(internal.rows, "code", "subject") == [("01/TTr-UBND", "Tờ trình nội bộ")]


async def test_wrong_kind_year_permission_and_tenant(tenant, other_tenant, tree, blobs):  # noqa: F811
    with tenant_context(tenant):
        incoming = await new_registry(tree.ubnd, "incoming", name="Sổ văn bản đến")
        outgoing = await new_registry(tree.ubnd, "outgoing", name="Sổ văn bản đi")
        for registry, kind in [(incoming, "outgoing"), (outgoing, "incoming"), (outgoing, "x")]:
            with pytest.raises(InvalidInput) as caught:
                await build_register(registry, kind, 2025)
            assert "kind" in caught.value.errors
        for bad in (1999, 2028):
            with pytest.raises(InvalidInput) as caught:
                await build_register(incoming, "incoming", bad, now=APRIL.replace(year=2026))
            assert caught.value.errors == {"year": "between 2000 and 2027"}
        assert check_year(None, now=APRIL) == 2025
        assert (await build_register(incoming, "incoming", 2027)).rows == []
    specialist = await make_account(tenant, "minh", role="specialist", unit_id=tree.ubnd)
    stp_clerk = await make_account(tenant, "tuan", role="clerk", unit_id=tree.stp)
    with tenant_context(tenant):
        for user in (specialist, stp_clerk):
            with acting_as(as_user(user.user_id)), pytest.raises(PermissionDenied) as denied:
                await build_register(incoming, "incoming", 2025)
            assert denied.value.permission == "registry.registries.view"
    with tenant_context(other_tenant), pytest.raises(NotFound):
        await build_register(incoming, "incoming", 2025)
