"""Assignment and processing through the service, on SQLite and PostgreSQL (row-level
security on): registered → assigned → processing → completed, with opinions, a file, the
audit trail and the inbox ordering with the overdue flag."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from incoming_support import blobs, main_pdf, make_png, metadata  # noqa: F401 (fixture)
from registry_support import make_tree, new_registry

from core import PermissionDenied
from core.audit.models import AuditEvent
from core.context import Actor, acting_as, tenant_context
from core.testing_web import make_account
from plugins.registry.models_assignments import Assignment, AssignmentOpinion
from plugins.registry.models_documents import Document
from plugins.registry.services import assignment_lists as lists
from plugins.registry.services import assignments as svc
from plugins.registry.services.incoming import register_incoming
from plugins.registry.services.incoming_files import IncomingFile

ARRIVAL = datetime(2025, 3, 12, 2, 0, tzinfo=UTC)


def as_user(user_id: int) -> Actor:
    return Actor(kind="user", id=user_id, name=f"user {user_id}")


async def register(registry_id: int, **changes: str) -> int:
    result = await register_incoming(
        registry_id, metadata(**changes), main_pdf(), source="upload", now=ARRIVAL
    )
    assert result.document is not None
    return result.document.id


async def test_the_full_flow_on_both_databases(any_db, tenant, blobs):  # noqa: F811
    with tenant_context(tenant):
        tree = await make_tree()
        registry = await new_registry(tree.ubnd, "incoming", name="Sổ văn bản đến")
        doc_id = await register(registry)
        stp_registry = await new_registry(tree.stp, "incoming", name="Sổ đến Sở Tư pháp")
        unseen_id = await register(stp_registry)  # nobody of UBND's tree may see it
    leader = await make_account(tenant, "hung", role="leader", unit_id=tree.ubnd, descendants=True)
    lan = await make_account(tenant, "lan", role="specialist", unit_id=tree.vp)
    tu = await make_account(tenant, "tu", role="specialist", unit_id=tree.vx)
    with tenant_context(tenant):
        with acting_as(as_user(leader.user_id)):
            made = await svc.assign(
                doc_id,
                svc.AssignmentRequest(
                    lead=svc.Assignee(user_id=lan.user_id, deadline=date(2025, 3, 20)),
                    cohandlers=[svc.Assignee(unit_id=tree.vx, deadline=date(2025, 3, 25))],
                    direction="Văn phòng chủ trì, Phòng Văn xã phối hợp.",
                ),
                now=ARRIVAL,
            )
        lead, cohandler = made
        assert (lead.role, cohandler.role) == ("lead", "cohandler")
        assert (await Document.get(id=doc_id)).status == "assigned"

        with acting_as(as_user(tu.user_id)):  # tu holds a position in VX
            await svc.add_opinion(cohandler.id, "Phòng Văn xã thống nhất.")
            assert (await Document.get(id=doc_id)).status == "processing"
            await svc.mark_done(cohandler.id)
            with pytest.raises(PermissionDenied):
                await svc.complete(doc_id)
        with acting_as(as_user(lan.user_id)):
            opinion = await svc.add_opinion(
                lead.id, "Dự thảo trả lời kèm theo.", IncomingFile("du-thao.png", make_png())
            )
            assert opinion.filename == "du-thao.png" and len(opinion.sha256) == 64
            with pytest.raises(PermissionDenied):  # a reply the lead cannot see
                await svc.complete(doc_id, reply_document_id=unseen_id)
            assert (await Document.get(id=doc_id)).status == "processing"
            done = await svc.complete(doc_id)
        assert done.status == "completed"
        assert (await Assignment.get(id=cohandler.id)).status == "done"
        assert (await Assignment.get(id=lead.id)).status == "done"
        assert await AssignmentOpinion.filter(assignment__document_id=doc_id).count() == 2
        actions = list(
            await AuditEvent.filter(action__startswith="registry.").values_list("action", flat=True)
        )
        for step in (
            "registry.document.assign",
            "registry.assignment.opinion",
            "registry.assignment.done",
            "registry.document.complete",
        ):
            assert step in actions


async def test_inbox_is_urgent_first_then_nearest_deadline_with_overdue(
    any_db,
    tenant,
    tree,
    blobs,  # noqa: F811
):
    leader = await make_account(tenant, "hung", role="leader", unit_id=tree.ubnd, descendants=True)
    lan = await make_account(tenant, "lan", role="specialist", unit_id=tree.vp)
    with tenant_context(tenant):
        registry = await new_registry(tree.ubnd, "incoming", name="Sổ văn bản đến")
        normal_late = await register(registry, code_number="1")
        normal_soon = await register(registry, code_number="2")
        urgent = await register(registry, code_number="3", priority="khan")
        no_deadline = await register(registry, code_number="4")
        plan = [
            (normal_late, svc.Assignee(user_id=lan.user_id, deadline=date(2025, 4, 30))),
            (normal_soon, svc.Assignee(unit_id=tree.vp, deadline=date(2025, 3, 14))),
            (urgent, svc.Assignee(user_id=lan.user_id, deadline=date(2025, 5, 30))),
            (no_deadline, svc.Assignee(user_id=lan.user_id)),
        ]
        with acting_as(as_user(leader.user_id)):
            for doc, who in plan:
                await svc.assign(doc, svc.AssignmentRequest(lead=who), now=ARRIVAL)
        with acting_as(as_user(lan.user_id)):
            # 2025-03-14 17:30 UTC is already 15 March in Vietnam: the 14 March deadline passed.
            items = await lists.inbox(now=datetime(2025, 3, 14, 17, 30, tzinfo=UTC))
            same_day = await lists.inbox(now=datetime(2025, 3, 14, 16, 30, tzinfo=UTC))
            capped = await lists.inbox(limit=2)  # the cap keeps the most pressing
        with acting_as(as_user(leader.user_id)):
            followed = await lists.following()
            latest = await lists.following(limit=2)  # the documents assigned last
    assert [i.document.id for i in items] == [urgent, normal_soon, normal_late, no_deadline]
    assert [i.overdue for i in items] == [False, True, False, False]
    assert [i.overdue for i in same_day] == [False, False, False, False]
    assert {d.id for d, _ in followed} == {normal_late, normal_soon, urgent, no_deadline}
    assert [i.document.id for i in capped] == [urgent, normal_soon]
    assert [d.id for d, _ in followed] == [no_deadline, urgent, normal_soon, normal_late]
    assert [d.id for d, _ in latest] == [no_deadline, urgent]
    assert all(len(made) == 1 for _d, made in followed)
