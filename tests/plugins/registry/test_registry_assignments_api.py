"""Assignment over HTTP: the permission in the registry's unit, the second lead, deactivated
and foreign assignees, deadlines, refused documents, re-assignment inside a unit, who may
complete, and who sees an assigned document."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from incoming_support import blobs, main_pdf, metadata  # noqa: F401 (fixture)
from registry_support import api_clients, new_registry

from core.context import tenant_context
from plugins.registry.models_assignments import Assignment
from plugins.registry.models_documents import Document
from plugins.registry.services.incoming import refuse_incoming, register_incoming

BASE = "/api/v1/registry"
ARRIVAL = datetime(2025, 3, 12, 2, 0, tzinfo=UTC)


@pytest.fixture
async def registry_id(tenant, tree, blobs):  # noqa: F811
    with tenant_context(tenant):
        return await new_registry(tree.ubnd, "incoming", name="Sổ văn bản đến")


@pytest.fixture
async def doc_id(tenant, registry_id):
    with tenant_context(tenant):
        result = await register_incoming(
            registry_id, metadata(), main_pdf(), source="upload", now=ARRIVAL
        )
    assert result.document is not None
    return result.document.id


@pytest.fixture
async def people(app, tenant, tree):
    """hung leads UBND; lan (VP), tu (VX) are specialists; vu leads VX; an STP clerk."""
    cast = [
        ("hung", "leader", tree.ubnd, True),
        ("lan", "specialist", tree.vp, False),
        ("tu", "specialist", tree.vx, False),
        ("vu", "leader", tree.vx, False),
        ("stp", "clerk", tree.stp, True),
    ]
    async with api_clients(app, tenant, cast) as made:
        yield made


def assign(c, doc, **body):
    return c.post(f"{BASE}/incoming/{doc}/assignments", json=body)


async def status_of(tenant, doc):
    with tenant_context(tenant):
        return (await Document.get(id=doc)).status


async def test_the_flow_over_http(people, doc_id, tenant, tree):
    hung, lan, tu = people["hung"], people["lan"], people["tu"]
    # Before the assignment the specialist does not see the document.
    assert (await lan.get(f"{BASE}/incoming/{doc_id}")).status_code == 403
    r = await assign(
        hung,
        doc_id,
        lead={"user_id": lan.user_id, "deadline": "2025-03-20"},
        cohandlers=[{"unit_id": tree.vx, "deadline": "2025-03-25"}],
        informed=[{"unit_id": tree.vp}],
        direction="Văn phòng chủ trì.",
    )
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "assigned"
    lead, co, _info = r.json()["assignments"]
    assert (lead["role"], lead["deadline"], co["role"]) == ("lead", "2025-03-20", "cohandler")

    assert (await lan.get(f"{BASE}/incoming/{doc_id}")).status_code == 200
    assert (await tu.get(f"{BASE}/incoming/{doc_id}")).status_code == 200
    assert (await people["stp"].get(f"{BASE}/incoming/{doc_id}")).status_code == 403
    listed = (await lan.get(f"{BASE}/incoming")).json()["items"]
    assert [d["id"] for d in listed] == [doc_id]

    inbox = (await tu.get(f"{BASE}/inbox")).json()["items"]
    assert [(i["id"], i["document"]["id"]) for i in inbox] == [(co["id"], doc_id)]
    r = await tu.post(f"{BASE}/assignments/{co['id']}/opinions", json={"text": "Thống nhất."})
    assert r.status_code == 201, r.text
    assert await status_of(tenant, doc_id) == "processing"
    assert (await tu.post(f"{BASE}/assignments/{co['id']}/done")).json()["status"] == "done"
    # A co-handler may not complete the document, nor touch the lead's part.
    r = await tu.post(f"{BASE}/incoming/{doc_id}/complete", json={})
    assert r.status_code == 403
    r = await tu.post(f"{BASE}/assignments/{lead['id']}/opinions", json={"text": "X"})
    assert r.status_code == 403
    assert (await tu.get(f"{BASE}/inbox")).json()["items"] == []

    files = {"file": ("ý kiến.pdf", main_pdf()[0].content, "application/pdf")}
    r = await lan.post(
        f"{BASE}/assignments/{lead['id']}/opinions", data={"text": "Dự thảo."}, files=files
    )
    assert r.status_code == 201, r.text
    assert r.json()["filename"] == "ý kiến.pdf"
    r = await lan.post(f"{BASE}/incoming/{doc_id}/complete", json={"reply_document_id": doc_id})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "completed"
    followed = (await hung.get(f"{BASE}/following")).json()["items"]
    assert [d["id"] for d in followed] == [doc_id]
    assert followed[0]["status"] == "completed"


async def test_a_second_lead_is_refused_unless_replaced(people, doc_id, tenant):
    hung, lan, tu = people["hung"], people["lan"], people["tu"]
    assert (await assign(hung, doc_id, lead={"user_id": lan.user_id})).status_code == 201
    r = await assign(hung, doc_id, lead={"user_id": tu.user_id})
    assert r.status_code == 409
    assert "already has a lead" in r.json()["detail"]
    r = await assign(hung, doc_id, lead={"user_id": tu.user_id}, replace_lead=True)
    assert r.status_code == 201
    with tenant_context(tenant):
        roles = await Assignment.filter(document_id=doc_id).order_by("id").values_list("status")
    assert [s for (s,) in roles] == ["replaced", "open"]
    # Co-handlers may be added later without naming the lead again.
    r = await assign(hung, doc_id, cohandlers=[{"user_id": lan.user_id}])
    assert r.status_code == 201


async def test_bad_assignees_and_deadlines_are_refused(people, doc_id, tenant, tree):
    from core.units.services import deactivate_unit
    from core.users.services import deactivate_user

    hung, lan, tu = people["hung"], people["lan"], people["tu"]
    with tenant_context(tenant):
        await deactivate_user(tu.user_id)
    r = await assign(hung, doc_id, lead={"user_id": tu.user_id})
    assert r.status_code == 422
    assert r.json()["errors"] == {"lead.user_id": "user tu is deactivated"}
    with tenant_context(tenant):
        await deactivate_unit(tree.stp)
    r = await assign(hung, doc_id, lead={"user_id": lan.user_id}, informed=[{"unit_id": tree.stp}])
    assert r.status_code == 422
    assert "STP" in r.json()["errors"]["informed.0.unit_id"]
    r = await assign(hung, doc_id, lead={"user_id": lan.user_id, "deadline": "2025-03-11"})
    assert r.status_code == 422
    assert r.json()["errors"] == {"lead.deadline": "before the arrival date"}
    r = await assign(hung, doc_id, lead={"user_id": lan.user_id, "unit_id": tree.vp})
    assert r.status_code == 422
    assert await status_of(tenant, doc_id) == "registered"
    with tenant_context(tenant):
        assert await Assignment.all().count() == 0


async def test_permissions_and_tenants(
    people, doc_id, tenant, tree, other_tenant, account, client, app
):
    lan, hung = people["lan"], people["hung"]
    r = await assign(lan, doc_id, lead={"user_id": lan.user_id})
    assert r.status_code == 403
    assert "registry.incoming.assign" in r.text
    # A leader of another agency holds the action, but not in the registry's unit.
    stp_leader = await account(tenant, "sl", role="leader", unit_id=tree.stp)
    async with client(app, "alpha.localhost", stp_leader.token) as c:
        r = await assign(c, doc_id, lead={"user_id": lan.user_id})
    assert r.status_code == 403
    beta = await account(other_tenant, "admin", role="tenant_admin")
    async with client(app, "beta.localhost", beta.token) as c:
        assert (await assign(c, doc_id, lead={"user_id": beta.user_id})).status_code == 404
        assert (await c.post(f"{BASE}/incoming/{doc_id}/complete", json={})).status_code == 404
    r = await assign(hung, doc_id, lead={"user_id": beta.user_id})
    assert r.status_code == 404
    r = await assign(hung, 999999, lead={"user_id": lan.user_id})
    assert r.status_code == 404


async def test_a_refused_document_is_not_assigned(people, registry_id, tenant):
    with tenant_context(tenant):
        result = await refuse_incoming(
            registry_id, metadata(), main_pdf(), reason="Sai nơi nhận.", source="upload"
        )
    assert result.document is not None
    r = await assign(people["hung"], result.document.id, lead={"user_id": people["lan"].user_id})
    assert r.status_code == 409
    assert "refused" in r.json()["detail"]


async def test_a_unit_passes_its_assignment_on(people, doc_id, tree):
    hung, vu, tu, lan = people["hung"], people["vu"], people["tu"], people["lan"]
    r = await assign(hung, doc_id, lead={"unit_id": tree.vx, "deadline": "2025-03-30"})
    unit_lead = r.json()["assignments"][0]["id"]
    # vu leads VX: he passes it on to tu (in VX), not to lan (in VP).
    r = await assign(vu, doc_id, parent_assignment_id=unit_lead, lead={"user_id": lan.user_id})
    assert r.status_code == 422
    r = await assign(vu, doc_id, parent_assignment_id=unit_lead, lead={"user_id": tu.user_id})
    assert r.status_code == 201, r.text
    assert r.json()["assignments"][0]["parent_assignment_id"] == unit_lead
    # vu holds the action only in VX: not for the document's own assignment.
    r = await assign(vu, doc_id, cohandlers=[{"user_id": tu.user_id}])
    assert r.status_code == 403
    # tu acts for VX (position): tu may complete as the lead unit.
    r = await tu.post(f"{BASE}/incoming/{doc_id}/complete", json={})
    assert r.status_code == 200, r.text
