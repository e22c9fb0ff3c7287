"""The numbering service on real databases: format, notation, years in Vietnam time, the
confidential sequence, numbering scopes, rollbacks and reservations."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from registry_support import make_tree, new_registry

from core.audit.models import AuditEvent
from core.context import tenant_context
from core.db.connection import atomic
from core.errors import Conflict, InvalidInput, NotFound
from plugins.registry.models import NumberSequence, Registry, RegistryNumber
from plugins.registry.services.numbering import (
    NumberRequest,
    allocate_number,
    list_numbers,
    reserve_number,
)
from plugins.registry.services.reference import update_item
from plugins.registry.services.registries import update_registry
from plugins.registry.services.reservations import release_reservation, use_reservation

QD = NumberRequest(document_type="quyet_dinh")
MAT = NumberRequest(document_type="quyet_dinh", confidentiality="mat")
NOON_2025 = datetime(2025, 3, 15, 5, 0, tzinfo=UTC)


@pytest.fixture
def alpha(tenant):
    with tenant_context(tenant):
        yield tenant


async def test_numbers_have_a_leading_zero_below_ten_and_a_full_code(any_db, alpha):
    tree = await make_tree()
    registry = await new_registry(tree.ubnd)
    codes = [(await allocate_number(registry, QD, now=NOON_2025)).code for _ in range(10)]
    assert codes[0] == "01/QĐ-UBND"
    assert codes[4] == "05/QĐ-UBND"
    assert codes[9] == "10/QĐ-UBND"
    entry = await RegistryNumber.get(code_number="05")
    assert (entry.number, entry.code_notation, entry.year) == (5, "QĐ-UBND", 2025)
    assert entry.state == "issued"
    assert entry.type_name == "Quyết định"
    assert entry.issued_date == date(2025, 3, 15)
    assert entry.created_by == "system"


async def test_notations_follow_the_type_the_registry_and_the_drafting_unit(alpha):
    tree = await make_tree()
    registry = await new_registry(tree.ubnd, agency_abbreviation="UBND")
    cong_van = NumberRequest(document_type="cong_van", drafting_unit_id=tree.vx)
    assert (await allocate_number(registry, cong_van)).code == "01/UBND-VX"
    thu_cong = await allocate_number(registry, NumberRequest(document_type="thu_cong"))
    assert thu_cong.code == "02/UBND"
    to_trinh = await allocate_number(registry, NumberRequest(document_type="to_trinh"))
    assert to_trinh.code == "03/TTr-UBND"
    with pytest.raises(InvalidInput) as missing:
        await allocate_number(registry, NumberRequest(document_type="cong_van"))
    assert missing.value.errors == {"drafting_unit_id": "required"}
    with pytest.raises(InvalidInput) as outside:
        await allocate_number(
            registry, NumberRequest(document_type="cong_van", drafting_unit_id=tree.stp)
        )
    assert outside.value.errors == {"drafting_unit_id": "outside the registry's unit"}
    await update_registry(registry, notation_pattern="{type}-{agency}-{unit}")
    custom = NumberRequest(document_type="ke_hoach", drafting_unit_id=tree.vp)
    assert (await allocate_number(registry, custom)).code == "04/KH-UBND-VP"
    assert await RegistryNumber.all().count() == 4


async def test_numbers_restart_on_the_first_of_january_in_vietnam_time(any_db, alpha):
    tree = await make_tree()
    registry = await new_registry(tree.ubnd)
    late_2024 = datetime(2024, 12, 31, 16, 59, 59, tzinfo=UTC)  # 23:59:59 in Hà Nội
    new_year = datetime(2024, 12, 31, 17, 0, 0, tzinfo=UTC)  # 00:00 on 1 January 2025
    first = await allocate_number(registry, QD, now=datetime(2024, 6, 1, tzinfo=UTC))
    second = await allocate_number(registry, QD, now=late_2024)
    third = await allocate_number(registry, QD, now=new_year)
    assert [(e.year, e.number) for e in (first, second, third)] == [(2024, 1), (2024, 2), (2025, 1)]
    assert second.issued_date == date(2024, 12, 31)
    assert third.issued_date == date(2025, 1, 1)
    assert [e.code for e in await list_numbers(registry, year=2024)] == [
        "01/QĐ-UBND",
        "02/QĐ-UBND",
    ]
    assert [e.code for e in await list_numbers(registry, year=2025)] == ["01/QĐ-UBND"]


async def test_confidential_documents_have_their_own_sequence(any_db, alpha):
    tree = await make_tree()
    registry = await new_registry(tree.ubnd)
    plain = NumberRequest(document_type="quyet_dinh", confidentiality="thuong")
    got = [
        (await allocate_number(registry, request, now=NOON_2025)).number
        for request in (QD, MAT, plain, MAT, NumberRequest("quyet_dinh", "tuyet_mat"))
    ]
    assert got == [1, 1, 2, 2, 3]
    register = await list_numbers(registry, year=2025)
    assert [(e.confidential, e.number) for e in register] == [
        (False, 1),
        (False, 2),
        (True, 1),
        (True, 2),
        (True, 3),
    ]
    assert await NumberSequence.filter(confidential=True).count() == 1


async def test_the_agency_scope_shares_one_sequence_across_registries(any_db, alpha):
    tree = await make_tree()
    first = await new_registry(tree.ubnd, name="Sổ đi 1")
    second = await new_registry(tree.ubnd, name="Sổ đi 2")
    other_agency = await new_registry(tree.stp, name="Sổ đi STP")
    incoming = await new_registry(tree.ubnd, "incoming", name="Sổ đến")
    numbers = [
        (await allocate_number(registry, QD)).code
        for registry in (first, second, first, other_agency, incoming)
    ]
    assert numbers == ["01/QĐ-UBND", "02/QĐ-UBND", "03/QĐ-UBND", "01/QĐ-STP", "01"]


async def test_the_registry_scope_numbers_each_registry_alone(alpha):
    tree = await make_tree()
    first = await new_registry(tree.ubnd, name="Sổ A", numbering_scope="registry")
    second = await new_registry(
        tree.ubnd, name="Sổ B", numbering_scope="registry", agency_abbreviation="VPUB"
    )
    codes = [(await allocate_number(r, QD)).code for r in (first, second, first, second)]
    assert codes == ["01/QĐ-UBND", "01/QĐ-VPUB", "02/QĐ-UBND", "02/QĐ-VPUB"]


async def test_the_type_scope_numbers_each_document_type_alone(any_db, alpha):
    tree = await make_tree()
    first = await new_registry(tree.ubnd, name="Sổ QĐ", numbering_scope="type")
    second = await new_registry(tree.ubnd, name="Sổ khác", numbering_scope="type")
    tb = NumberRequest(document_type="thong_bao")
    codes = [
        (await allocate_number(registry, request)).code
        for registry, request in ((first, QD), (first, tb), (second, QD), (first, QD))
    ]
    # One sequence per type in the agency, whichever of its type-scoped registries numbers.
    assert codes == ["01/QĐ-UBND", "01/TB-UBND", "02/QĐ-UBND", "03/QĐ-UBND"]


async def test_an_agency_sequence_cannot_be_mixed_with_other_scopes(alpha):
    tree = await make_tree()
    await new_registry(tree.ubnd, name="Sổ chung")
    with pytest.raises(Conflict):
        await new_registry(tree.ubnd, name="Sổ riêng", numbering_scope="registry")
    # Another direction or another agency is free to choose.
    await new_registry(tree.ubnd, "internal", name="Sổ nội bộ", numbering_scope="type")
    await new_registry(tree.stp, name="Sổ STP", numbering_scope="registry")


async def test_a_duplicate_number_and_notation_is_refused_and_gives_the_number_back(any_db, alpha):
    tree = await make_tree()
    first = await new_registry(tree.ubnd, name="Sổ A", numbering_scope="registry")
    # A second registry that would write 01/QĐ-UBND too is refused when it is set up …
    with pytest.raises(Conflict, match="same number and notation"):
        await new_registry(tree.ubnd, name="Sổ B", numbering_scope="registry")
    second = await new_registry(
        tree.ubnd, name="Sổ B", numbering_scope="registry", agency_abbreviation="VPUB"
    )
    assert (await allocate_number(first, QD)).code == "01/QĐ-UBND"
    # … and a register that holds such a code anyway (data from before the check) refuses the
    # second one and burns nothing.
    await Registry.filter(id=second).update(agency_abbreviation="UBND")
    with pytest.raises(Conflict, match="already in the register"):
        await allocate_number(second, QD)
    assert await RegistryNumber.all().count() == 1
    await Registry.filter(id=second).update(agency_abbreviation="VPUB")
    assert (await allocate_number(second, QD)).code == "01/QĐ-VPUB"


async def test_a_rolled_back_transaction_does_not_burn_a_number(any_db, tenant):
    with tenant_context(tenant):
        tree = await make_tree()
        registry = await new_registry(tree.ubnd)
        assert (await allocate_number(registry, QD)).number == 1
        with pytest.raises(RuntimeError):
            async with atomic():
                taken = await allocate_number(registry, QD)
                assert taken.number == 2
                raise RuntimeError("the document could not be saved")
        assert (await allocate_number(registry, QD)).number == 2
        assert [e.number for e in await list_numbers(registry)] == [1, 2]
        events = await AuditEvent.filter(action="registry.number.allocate").count()
        assert events == 2


async def test_a_released_reservation_stays_visible_and_is_never_reused(any_db, alpha):
    tree = await make_tree()
    registry = await new_registry(tree.ubnd)
    held = await reserve_number(registry, NumberRequest("quyet_dinh", note="QĐ khen thưởng"))
    assert (held.code, held.state, held.reserved_by) == ("01/QĐ-UBND", "reserved", "system")
    assert held.issued_date is None
    with pytest.raises(InvalidInput):
        await release_reservation(held.id, "   ")
    released = await release_reservation(held.id, "Không ký ban hành")
    assert (released.state, released.release_reason) == ("released", "Không ký ban hành")
    with pytest.raises(Conflict):
        await release_reservation(held.id, "again")
    with pytest.raises(Conflict):
        await use_reservation(held.id, ("outgoing", 1))
    following = await allocate_number(registry, QD)
    assert following.number == 2
    register = await list_numbers(registry)
    assert [(e.number, e.state) for e in register] == [(1, "released"), (2, "issued")]
    assert [e.state for e in await list_numbers(registry, state="released")] == ["released"]
    actions = await AuditEvent.filter(object_type="registry.number").order_by("seq")
    assert [a.action for a in actions] == [
        "registry.number.reserve",
        "registry.number.release",
        "registry.number.allocate",
    ]


async def test_a_used_reservation_is_issued_to_its_document(any_db, alpha):
    tree = await make_tree()
    registry = await new_registry(tree.ubnd)
    held = await reserve_number(registry, QD, now=NOON_2025)
    await allocate_number(registry, QD, now=NOON_2025)
    later = datetime(2025, 3, 17, 2, 0, tzinfo=UTC)
    used = await use_reservation(held.id, ("outgoing", 42), now=later)
    assert (used.state, used.document_model, used.document_id) == ("issued", "outgoing", 42)
    assert used.issued_date == date(2025, 3, 17)
    assert used.number == 1  # the reserved number, not a new one
    with pytest.raises(Conflict):
        await release_reservation(held.id, "too late")


async def test_requests_the_registry_cannot_number_are_refused(alpha):
    tree = await make_tree()
    registry = await new_registry(tree.ubnd, document_types=["quyet_dinh"])
    with pytest.raises(InvalidInput) as other_type:
        await allocate_number(registry, NumberRequest(document_type="thong_bao"))
    assert other_type.value.errors == {"document_type": "not taken by this registry"}
    with pytest.raises(InvalidInput) as no_type:
        await allocate_number(registry, NumberRequest())
    assert no_type.value.errors == {"document_type": "required"}
    with pytest.raises(InvalidInput) as unknown:
        await allocate_number(registry, NumberRequest("quyet_dinh", confidentiality="bi_mat"))
    assert unknown.value.errors == {"confidentiality": "unknown code"}
    await update_item("document-types", "quyet_dinh", is_active=False)
    with pytest.raises(InvalidInput):
        await allocate_number(registry, QD)
    await update_item("document-types", "quyet_dinh", is_active=True)
    await update_registry(registry, is_active=False)
    with pytest.raises(Conflict):
        await allocate_number(registry, QD)
    with pytest.raises(NotFound):
        await allocate_number(registry + 1000, QD)
    assert await RegistryNumber.all().count() == 0


async def test_an_incoming_registry_gives_arrival_numbers(alpha):
    tree = await make_tree()
    registry = await new_registry(tree.ubnd, "incoming", name="Sổ văn bản đến")
    first = await allocate_number(registry, NumberRequest())
    second = await allocate_number(registry, NumberRequest(document_type="cong_van"))
    secret = await allocate_number(registry, NumberRequest(confidentiality="toi_mat"))
    assert [(e.code, e.code_notation) for e in (first, second, secret)] == [
        ("01", ""),
        ("02", ""),
        ("01", ""),
    ]
    assert secret.confidential


async def test_numbers_of_another_tenant_are_out_of_reach(tenant, other_tenant):
    with tenant_context(tenant):
        tree = await make_tree()
        registry = await new_registry(tree.ubnd)
        held = await reserve_number(registry, QD)
    with tenant_context(other_tenant):
        with pytest.raises(NotFound):
            await allocate_number(registry, QD)
        with pytest.raises(NotFound):
            await release_reservation(held.id, "not mine")
        with pytest.raises(NotFound):
            await list_numbers(registry)
        assert await RegistryNumber.all().count() == 0
    with tenant_context(tenant):
        assert (await RegistryNumber.get(id=held.id)).state == "reserved"


async def test_an_allocation_may_name_its_document_and_a_bad_reference_burns_nothing(alpha):
    tree = await make_tree()
    registry = await new_registry(tree.ubnd)
    with pytest.raises(InvalidInput):
        await allocate_number(registry, QD, document=(" ", 7))
    entry = await allocate_number(registry, QD, document=("outgoing", 7))
    assert (entry.number, entry.document_model, entry.document_id) == (1, "outgoing", 7)
