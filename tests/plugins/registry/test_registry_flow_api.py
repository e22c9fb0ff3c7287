"""The shared flow endpoints over HTTP: presenting an incoming document to a leader, the
leader's waiting list, and a document's timeline (order of the steps, who may read it)."""

# ruff: noqa: F811 (fixtures imported from the support modules)
from __future__ import annotations

import pytest
from incoming_support import PDF, blobs, main_pdf, metadata  # noqa: F401 (fixture)
from pages_incoming_support import foreign_document, register, registry_id  # noqa: F401

from core.context import tenant_context
from plugins.registry.models_flow import Presentation

BASE = "/api/v1/registry"


@pytest.fixture
async def doc_id(tenant, registry_id):
    return await register(tenant, registry_id)


@pytest.fixture
async def people(app, tenant, tree, account, client):
    """thu: a tenant-wide clerk; nga: clerk of UBND; hung: leader of UBND; lan: specialist
    (VP); stp: clerk of another agency."""
    made = {}
    for name, role, unit, below in [
        ("thu", "clerk", None, False),
        ("nga", "clerk", tree.ubnd, True),
        ("hung", "leader", tree.ubnd, True),
        ("lan", "specialist", tree.vp, False),
        ("stp", "clerk", tree.stp, True),
    ]:
        person = await account(tenant, name, role=role, unit_id=unit, descendants=below)
        c = client(app, "alpha.localhost", person.token)
        c.user_id = person.user_id
        made[name] = c
    yield made
    for c in made.values():
        await c.aclose()


def present(c, doc, leader, note=""):
    return c.post(
        f"{BASE}/incoming/{doc}/presentations", json={"leader_user_id": leader, "note": note}
    )


async def test_presenting_and_the_waiting_list(people, doc_id, tenant):
    thu, hung = people["thu"], people["hung"]
    r = await present(thu, doc_id, hung.user_id, "Kính trình")
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["leader_user_id"], body["presented_by"], body["status"]) == (
        hung.user_id,
        thu.user_id,
        "open",
    )
    waiting = (await hung.get(f"{BASE}/presented")).json()["items"]
    assert [d["id"] for d in waiting] == [doc_id]
    assert (await thu.get(f"{BASE}/presented")).json()["items"] == []
    # Twice to the same leader: 409, nothing added.
    r = await present(thu, doc_id, hung.user_id)
    assert r.status_code == 409
    with tenant_context(tenant):
        assert await Presentation.filter(document_id=doc_id).count() == 1
    # The assignment answers the presentation: the waiting list is empty again.
    r = await hung.post(
        f"{BASE}/incoming/{doc_id}/assignments", json={"lead": {"user_id": people["lan"].user_id}}
    )
    assert r.status_code == 201, r.text
    assert (await hung.get(f"{BASE}/presented")).json()["items"] == []
    with tenant_context(tenant):
        assert (await Presentation.get(document_id=doc_id)).status == "handled"


async def test_presenting_to_someone_who_may_not_assign(people, doc_id, tenant):
    from core.users.services import deactivate_user

    thu, lan, hung = people["thu"], people["lan"], people["hung"]
    r = await present(thu, doc_id, lan.user_id)
    assert r.status_code == 422
    assert r.json()["errors"] == {"leader_user_id": "not a leader of this unit"}
    r = await present(thu, doc_id, 999_999)
    assert r.status_code == 422 and r.json()["errors"] == {"leader_user_id": "unknown user"}
    r = await present(thu, doc_id, 0)
    assert r.status_code == 422 and "leader_user_id" in r.json()["errors"]
    with tenant_context(tenant):
        await deactivate_user(hung.user_id)
    r = await present(thu, doc_id, hung.user_id)
    assert r.status_code == 422 and r.json()["errors"] == {"leader_user_id": "deactivated user"}
    with tenant_context(tenant):
        assert await Presentation.all().count() == 0


async def test_who_may_present(people, doc_id, other_tenant, tenant, registry_id):
    # A specialist lacks the action; a clerk of another agency lacks it in UBND.
    r = await present(people["lan"], doc_id, people["hung"].user_id)
    assert r.status_code == 403 and "registry.incoming.register" in r.json()["detail"]
    r = await present(people["stp"], doc_id, people["hung"].user_id)
    assert r.status_code == 403
    foreign = await foreign_document(other_tenant)
    assert (await present(people["thu"], foreign, people["hung"].user_id)).status_code == 404
    # A refused document is not presented (409); an unknown body field is 422.
    from plugins.registry.services.incoming import refuse_incoming

    with tenant_context(tenant):
        refused = await refuse_incoming(
            registry_id, metadata(code_number="99"), main_pdf(), reason="Sai", source="upload"
        )
    assert refused.document is not None
    r = await present(people["thu"], refused.document.id, people["hung"].user_id)
    assert r.status_code == 409
    r = await people["thu"].post(
        f"{BASE}/incoming/{doc_id}/presentations", json={"leader_user_id": 1, "x": 1}
    )
    assert r.status_code == 422


async def test_a_clerk_of_the_unit_presents(people, doc_id):
    r = await present(people["nga"], doc_id, people["hung"].user_id)
    assert r.status_code == 201, r.text


async def test_the_timeline_lists_every_step_in_order(people, doc_id, tenant):
    thu, hung, lan = people["thu"], people["hung"], people["lan"]
    assert (await present(thu, doc_id, hung.user_id)).status_code == 201
    r = await hung.post(
        f"{BASE}/incoming/{doc_id}/assignments",
        json={"lead": {"user_id": lan.user_id}, "direction": "Xử lý"},
    )
    lead = r.json()["assignments"][0]["id"]
    assert (
        await lan.post(f"{BASE}/assignments/{lead}/opinions", json={"text": "Ý kiến"})
    ).status_code == 201
    assert (await lan.post(f"{BASE}/assignments/{lead}/done")).status_code == 200
    assert (await lan.post(f"{BASE}/incoming/{doc_id}/complete", json={})).status_code == 200
    detail = (await lan.get(f"{BASE}/incoming/{doc_id}")).json()
    file_id = detail["files"][0]["id"]
    assert (await lan.get(f"{BASE}/incoming/{doc_id}/files/{file_id}")).content == PDF
    r = await lan.get(f"{BASE}/documents/{doc_id}/timeline")
    assert r.status_code == 200
    items = r.json()["items"]
    assert [i["step"] for i in items] == [
        "registered",
        "presented",
        "assigned",
        "opinion",
        "done",
        "completed",
        "viewed",
        "downloaded",
    ]
    assert [i["at"] for i in items] == sorted(i["at"] for i in items)
    by_step = {i["step"]: i for i in items}
    assert by_step["assigned"]["summary"] == "Xử lý"
    assert by_step["presented"]["detail"]["leader_user_id"] == hung.user_id
    assert by_step["downloaded"]["summary"] == detail["files"][0]["filename"]
    assert by_step["opinion"]["actor_ref"] == f"user:{lan.user_id}"


async def test_who_reads_the_timeline(people, doc_id, other_tenant, other_api):
    # A clerk of another agency: 403; another tenant's document: 404 (also for its admin).
    r = await people["stp"].get(f"{BASE}/documents/{doc_id}/timeline")
    assert r.status_code == 403 and "registry.registries.view" in r.json()["detail"]
    foreign = await foreign_document(other_tenant)
    assert (await people["thu"].get(f"{BASE}/documents/{foreign}/timeline")).status_code == 404
    assert (await other_api.get(f"{BASE}/documents/{doc_id}/timeline")).status_code == 404
    assert (await other_api.get(f"{BASE}/documents/{foreign}/timeline")).status_code == 200
    # The specialist sees it once assigned.
    lan = people["lan"]
    assert (await lan.get(f"{BASE}/documents/{doc_id}/timeline")).status_code == 403
    await people["hung"].post(
        f"{BASE}/incoming/{doc_id}/assignments", json={"lead": {"user_id": lan.user_id}}
    )
    assert (await lan.get(f"{BASE}/documents/{doc_id}/timeline")).status_code == 200
