"""Records (hồ sơ) through the services: numbering per agency and year (concurrent opens
included), adding/removing/closing rules, one document in two records, visibility per role
and per tenant, the timeline and the audit trail — on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from incoming_support import blobs  # noqa: F401 (fixture)
from records_support import OPENED, as_user, make_docs, make_people
from registry_support import make_tree

from core import Conflict, InvalidInput, NotFound, PermissionDenied
from core.audit.models import AuditEvent
from core.context import acting_as, tenant_context
from plugins.registry.models_flow import TimelineEntry
from plugins.registry.models_records import Record, RecordItem
from plugins.registry.services import records, records_items, records_list

NEXT_YEAR = datetime(2025, 12, 31, 17, 30, tzinfo=UTC)  # 1 January 2026 in Vietnam


@pytest.fixture
async def world(any_db, tenant, blobs):  # noqa: F811
    with tenant_context(tenant):
        tree = await make_tree()
        docs = await make_docs(tree)
        people = await make_people(tenant, tree)
    return tree, docs, people


async def test_numbers_run_per_agency_and_year(world, tenant):
    tree, _docs, people = world
    with tenant_context(tenant), acting_as(as_user(people.leader)):
        first = await records.open_record(tree.ubnd, "Hồ sơ A", "vinh_vien", now=OPENED)
        second = await records.open_record(
            tree.ubnd, "Hồ sơ B", "20_nam", handler_unit_id=tree.vx, now=OPENED
        )
        third = await records.open_record(tree.ubnd, "Hồ sơ C", "10_nam", now=NEXT_YEAR)
    with tenant_context(tenant), acting_as(as_user(people.outsider)):
        other = await records.open_record(tree.stp, "Hồ sơ STP", "05_nam", now=OPENED)
    assert [(r.year, r.number, r.code) for r in (first, second, third, other)] == [
        (2025, 1, "01"),
        (2025, 2, "02"),
        (2026, 1, "01"),
        (2025, 1, "01"),
    ]
    assert (second.handler_unit_id, second.unit_id, second.creator_id) == (
        tree.vx,
        tree.ubnd,
        people.leader,
    )


async def test_the_list_pages_through_every_year_of_an_agency(world, tenant):
    tree, docs, people = world
    with tenant_context(tenant), acting_as(as_user(people.leader)):
        opened = [
            await records.open_record(tree.ubnd, "Hồ sơ 2025 A", "vinh_vien", now=OPENED),
            await records.open_record(tree.ubnd, "Hồ sơ 2025 B", "vinh_vien", now=OPENED),
            await records.open_record(tree.ubnd, "Hồ sơ 2026 A", "10_nam", now=NEXT_YEAR),
            await records.open_record(tree.ubnd, "Hồ sơ 2026 B", "10_nam", now=NEXT_YEAR),
        ]
        await records_items.add_document(opened[2].id, docs.a)
        seen: list[int] = []
        after = None
        while True:
            page = await records_list.list_records(
                records_list.RecordFilters(unit_id=tree.ubnd), after=after, limit=1
            )
            if not page:
                break
            seen.append(page[0].id)
            after = (page[0].unit_id, page[0].year, page[0].number)
        assert seen == [r.id for r in opened]  # 2026's numbers restart at 1: none skipped
        shown = await records.views(opened)
        assert [v.item_count for v in shown] == [0, 0, 1, 0]
        assert [v.retention_code for v in shown] == ["vinh_vien", "vinh_vien", "10_nam", "10_nam"]
        assert {v.unit_name for v in shown} == {v.handler_unit_name for v in shown} != {""}
        assert await records.manageable(opened) == opened
    with tenant_context(tenant), acting_as(as_user(people.specialist)):
        assert await records.manageable(opened) == []


async def test_concurrent_opens_get_distinct_numbers(world, tenant):
    tree, _docs, people = world

    async def one(n: int) -> int:
        with tenant_context(tenant), acting_as(as_user(people.clerk)):
            record = await records.open_record(tree.ubnd, f"Hồ sơ {n}", "vinh_vien", now=OPENED)
            return record.number

    numbers = await asyncio.gather(*(one(n) for n in range(12)))
    assert sorted(numbers) == list(range(1, 13))


async def test_bad_input_is_refused_and_nothing_is_kept(world, tenant, other_tenant):
    tree, _docs, people = world
    with tenant_context(tenant), acting_as(as_user(people.leader)):
        with pytest.raises(InvalidInput) as bad:
            await records.open_record(tree.ubnd, "  ", "forever", now=OPENED)
        assert set(bad.value.errors) == {"title", "retention"}
        with pytest.raises(InvalidInput) as outside:
            await records.open_record(tree.ubnd, "X", "vinh_vien", handler_unit_id=tree.stp)
        assert "handler_unit_id" in outside.value.errors
        with pytest.raises(NotFound):
            await records.open_record(999_999, "X", "vinh_vien")
    with tenant_context(tenant), acting_as(as_user(people.specialist)):
        with pytest.raises(PermissionDenied) as denied:
            await records.open_record(tree.ubnd, "X", "vinh_vien")  # not in UBND itself
        assert denied.value.permission == "registry.records.manage"
        mine = await records.open_record(
            tree.ubnd, "Hồ sơ của Minh", "vinh_vien", handler_unit_id=tree.vx
        )
    with tenant_context(tenant):
        assert await Record.all().count() == 1
        assert mine.number == 1  # the refused opens took no number


async def test_add_remove_close_and_reopen(world, tenant):
    tree, docs, people = world
    with tenant_context(tenant), acting_as(as_user(people.clerk)):
        record = await records.open_record(tree.ubnd, "Hồ sơ lụt bão", "vinh_vien", now=OPENED)
        for doc in (docs.a, docs.b, docs.d):
            await records_items.add_document(record.id, doc)
        with pytest.raises(Conflict):
            await records_items.add_document(record.id, docs.a)
        with pytest.raises(PermissionDenied) as hidden:
            await records_items.add_document(record.id, docs.c)  # confidential: not visible
        assert hidden.value.permission == "registry.confidential.view"
        with pytest.raises(NotFound):
            await records_items.add_document(record.id, 999_999)
        await records_items.remove_document(record.id, docs.b)
        with pytest.raises(NotFound):
            await records_items.remove_document(record.id, docs.b)
        listed = await records_items.record_items(record)
        assert [(i.item.position, i.document.id) for i in listed.items] == [
            (1, docs.a),
            (2, docs.d),
        ]
        await records.close_record(record.id)
        with pytest.raises(Conflict):
            await records.close_record(record.id)
        with pytest.raises(Conflict):
            await records_items.add_document(record.id, docs.b)
        with pytest.raises(Conflict):
            await records_items.remove_document(record.id, docs.a)
        reopened = await records.reopen_record(record.id, "Bổ sung")  # a clerk may
        assert reopened.status == "open"


async def test_reopen_needs_the_action_and_a_reason(world, tenant):
    tree, docs, people = world
    with tenant_context(tenant), acting_as(as_user(people.specialist)):
        record = await records.open_record(
            tree.ubnd, "Hồ sơ VX", "10_nam", handler_unit_id=tree.vx, now=OPENED
        )
        await records.close_record(record.id)
        with pytest.raises(PermissionDenied) as denied:
            await records.reopen_record(record.id, "Bổ sung văn bản")
        assert denied.value.permission == "registry.records.reopen"
    with tenant_context(tenant), acting_as(as_user(people.leader)):
        with pytest.raises(InvalidInput):
            await records.reopen_record(record.id, "   ")
        reopened = await records.reopen_record(record.id, "Bổ sung văn bản")
        assert (reopened.status, reopened.closed_at) == ("open", None)
        with pytest.raises(Conflict):
            await records.reopen_record(record.id, "lần nữa")
        await records_items.add_document(record.id, docs.c)  # the leader sees c
    with tenant_context(tenant):
        actions = await AuditEvent.filter(object_type="registry.record").values_list(
            "action", flat=True
        )
        assert list(actions) == [
            "registry.record.opened",
            "registry.record.closed",
            "registry.record.reopened",
            "registry.record.document_added",
        ]


async def test_one_document_in_two_records_and_the_timeline(world, tenant):
    tree, docs, people = world
    with tenant_context(tenant), acting_as(as_user(people.clerk)):
        one = await records.open_record(tree.ubnd, "Hồ sơ một", "vinh_vien", now=OPENED)
        two = await records.open_record(tree.ubnd, "Hồ sơ hai", "20_nam", now=OPENED)
        await records_items.add_document(one.id, docs.a)
        await records_items.add_document(two.id, docs.a)
        document = await records_items._document(docs.a)
        holding = await records_items.records_of_document(document)
    assert [r.id for r in holding] == [one.id, two.id]
    with tenant_context(tenant):
        assert await RecordItem.filter(document_id=docs.a).count() == 2
        steps = await TimelineEntry.filter(document_id=docs.a, step="filed").order_by("id")
        assert [s.detail["record_id"] for s in steps] == [one.id, two.id]
        assert steps[0].summary == "01/2025 — Hồ sơ một"
        assert steps[0].actor_user_id == people.clerk


async def test_visibility_per_role_and_tenant(world, tenant, other_tenant):
    tree, docs, people = world
    with tenant_context(tenant), acting_as(as_user(people.specialist)):
        mine = await records.open_record(
            tree.ubnd, "Hồ sơ của chuyên viên", "10_nam", handler_unit_id=tree.vx, now=OPENED
        )
        with pytest.raises(PermissionDenied):  # the specialist sees no registered document
            await records_items.add_document(mine.id, docs.a)
    with tenant_context(tenant), acting_as(as_user(people.leader)):
        leaders = await records.open_record(tree.ubnd, "Hồ sơ mật", "vinh_vien", now=OPENED)
        await records_items.add_document(leaders.id, docs.c)
        await records_items.add_document(leaders.id, docs.a)
        await records_items.add_document(mine.id, docs.b)  # manage right in UBND
    with tenant_context(tenant), acting_as(as_user(people.specialist)):
        seen = await records_list.list_records(records_list.RecordFilters())
        assert [r.id for r in seen] == [mine.id]
        with pytest.raises(PermissionDenied) as denied:
            await records.get_record(leaders.id)
        assert denied.value.permission == "registry.registries.view"
        listed = await records_items.record_items(mine)
        assert (listed.items, listed.total, listed.hidden) == ([], 1, 1)
    with tenant_context(tenant), acting_as(as_user(people.clerk)):
        seen = await records_list.list_records(records_list.RecordFilters(year=2025))
        assert {r.id for r in seen} == {mine.id, leaders.id}
        listed = await records_items.record_items(leaders)
        assert [i.document.id for i in listed.items] == [docs.a] and listed.hidden == 1
        assert await records_list.list_records(records_list.RecordFilters(year=2024)) == []
        found = await records_list.list_records(records_list.RecordFilters(q="mật", status="open"))
        assert [r.id for r in found] == [leaders.id]
    with tenant_context(tenant), acting_as(as_user(people.outsider)):
        assert await records_list.list_records(records_list.RecordFilters()) == []
        with pytest.raises(PermissionDenied):
            await records.get_record(mine.id)
    with tenant_context(other_tenant):
        with pytest.raises(NotFound):
            await records.get_record(mine.id)
        assert await Record.all().count() == 0


async def test_candidates_are_visible_documents_not_yet_filed(world, tenant):
    tree, docs, people = world
    with tenant_context(tenant), acting_as(as_user(people.clerk)):
        record = await records.open_record(tree.ubnd, "Hồ sơ", "vinh_vien", now=OPENED)
        found = await records_items.candidates(record, "bao ve")  # folded: "bảo vệ"
        assert [d.id for d in found] == [docs.a]  # not c, the confidential one
        assert [d.id for d in await records_items.candidates(record, "QĐ-STP")] == [docs.b]
        await records_items.add_document(record.id, docs.a)
        assert await records_items.candidates(record, "bảo vệ") == []
        assert await records_items.candidates(record, "%") == []
