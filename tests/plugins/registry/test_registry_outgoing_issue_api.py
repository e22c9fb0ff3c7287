"""Numbering, issue, recipients, recall and received copies over HTTP (JSON API and pages):
status codes for every refusal, the tenant boundary, and the issue form in a browser-free
page test."""

from __future__ import annotations

import pytest
from outgoing_issue_support import World, as_user, make_world, signed_document

from core.context import acting_as, tenant_context
from core.testing_web import HTML, hidden_fields, page_client, submit_form  # noqa: F401 (fixture)
from plugins.registry.models_documents import Document
from plugins.registry.models_outgoing import Recipient
from plugins.registry.services import received
from plugins.registry.services.outgoing_issue_number import number_document

BASE = "/api/v1/registry"
BXD = {"organ_id": "000.00.00.G10", "organ_name": "Bộ Xây dựng"}


@pytest.fixture
async def world(app, tenant) -> World:
    return await make_world(tenant)


@pytest.fixture
async def clients(app, world, client):
    made = {
        name: client(app, "alpha.localhost", account.token)
        for name, account in world.accounts.items()
    }
    yield made
    for c in made.values():
        await c.aclose()


async def new_doc(tenant, world, registry: str = "outgoing") -> int:
    with tenant_context(tenant):
        return await signed_document(getattr(world, registry), signer_user_id=world.signer)


async def test_number_issue_register_and_recall(clients, world, tenant):
    clerk, stp, syt = clients["clerk"], clients["stp_clerk"], clients["syt_clerk"]
    doc = await new_doc(tenant, world)
    r = await syt.post(f"{BASE}/outgoing/{doc}/number", json={})
    assert r.status_code == 403 and "registry.numbers.allocate" in r.json()["detail"]
    r = await clerk.post(f"{BASE}/outgoing/{doc}/number", json={"code_number": "7"})
    assert r.status_code == 422 and "code_number" in r.json()["errors"]
    r = await clerk.post(f"{BASE}/outgoing/{doc}/number", json={})
    assert r.status_code == 200, r.text
    assert (r.json()["code"], r.json()["status"]) == ("01/QĐ-UBND", "signed")
    assert (await clerk.post(f"{BASE}/outgoing/{doc}/number", json={})).status_code == 409

    r = await clerk.post(
        f"{BASE}/outgoing/{doc}/issue",
        json={"units": [world.stp, world.sxd], "organisations": [BXD]},
    )
    assert r.status_code == 422 and "units.1" in r.json()["errors"]
    assert "Sở Xây dựng" in r.json()["detail"]
    r = await clerk.post(
        f"{BASE}/outgoing/{doc}/issue",
        json={"units": [world.stp, world.syt], "organisations": [BXD]},
    )
    assert r.status_code == 201, r.text
    assert [x["status"] for x in r.json()["recipients"]] == ["received", "received", "to_be_sent"]
    stp_copy = r.json()["recipients"][0]["copy_document_id"]

    listed = (await stp.get(f"{BASE}/incoming/received")).json()["items"]
    assert [d["id"] for d in listed] == [stp_copy]
    assert (await syt.get(f"{BASE}/incoming/{stp_copy}")).status_code == 403
    in_list = (await stp.get(f"{BASE}/incoming", params={"status": "received"})).json()["items"]
    assert [d["id"] for d in in_list] == [stp_copy]
    r = await syt.post(f"{BASE}/incoming/{stp_copy}/register-received", json={})
    assert r.status_code == 403
    r = await stp.post(f"{BASE}/incoming/{stp_copy}/register-received", json={})
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["arrival_number"]) == ("registered", 1)
    r = await stp.post(f"{BASE}/incoming/{stp_copy}/refuse-received", json={"reason": "x"})
    assert r.status_code == 409

    statuses = (await clerk.get(f"{BASE}/outgoing/{doc}/recipients")).json()["recipients"]
    assert [x["status"] for x in statuses] == ["registered", "received", "to_be_sent"]

    assert (await clerk.post(f"{BASE}/outgoing/{doc}/recall", json={})).status_code == 422
    r = await clients["signer"].post(f"{BASE}/outgoing/{doc}/recall", json={"reason": "Sai sót."})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "recalled"
    assert {x["status"] for x in r.json()["recipients"]} == {"cancelled", "to_be_sent"}
    r = await clerk.post(f"{BASE}/outgoing/{doc}/recall", json={"reason": "Lần nữa."})
    assert r.status_code == 409 and "already recalled" in r.json()["detail"]
    r = await clerk.post(f"{BASE}/outgoing/{doc}/issue", json={"units": [world.sxd]})
    assert r.status_code == 409 and "frozen" in r.json()["detail"]


async def test_refuse_a_copy_and_distribute_an_internal_document(clients, world, tenant):
    clerk, syt = clients["clerk"], clients["syt_clerk"]
    doc = await new_doc(tenant, world)
    await clerk.post(f"{BASE}/outgoing/{doc}/number", json={})
    r = await clerk.post(f"{BASE}/outgoing/{doc}/issue", json={"units": [world.syt]})
    copy = r.json()["recipients"][0]["copy_document_id"]
    r = await syt.post(f"{BASE}/incoming/{copy}/refuse-received", json={"reason": ""})
    assert r.status_code == 422
    r = await syt.post(f"{BASE}/incoming/{copy}/refuse-received", json={"reason": "Gửi nhầm."})
    assert r.status_code == 200 and r.json()["status"] == "refused"
    statuses = (await clerk.get(f"{BASE}/outgoing/{doc}/recipients")).json()["recipients"]
    assert statuses[0]["status"] == "refused"

    internal = await new_doc(tenant, world, "internal")
    await clerk.post(f"{BASE}/outgoing/{internal}/number", json={})
    lan = clients["lan"]
    assert (await lan.get(f"{BASE}/outgoing/{internal}/recipients")).status_code == 403
    r = await clerk.post(
        f"{BASE}/outgoing/{internal}/distribute", json={"units": [world.vx], "users": [world.lan]}
    )
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["distributed_users"]) == ("issued", [world.lan])
    assert (await lan.get(f"{BASE}/outgoing/{internal}/recipients")).status_code == 200


async def test_another_tenants_document_is_404(clients, world, tenant, other_api):
    doc = await new_doc(tenant, world)
    for path in ("number", "issue", "recall"):
        r = await other_api.post(f"{BASE}/outgoing/{doc}/{path}", json={})
        assert r.status_code == 404, path
    assert (await other_api.get(f"{BASE}/outgoing/{doc}/recipients")).status_code == 404
    r = await other_api.post(f"{BASE}/incoming/{doc}/register-received", json={})
    assert r.status_code == 404


async def test_the_issue_page_numbers_and_issues(app, world, tenant, page_client):  # noqa: F811
    doc = await new_doc(tenant, world)
    c = await page_client(world.accounts["clerk"])
    page = await c.get(f"/registry/outgoing/{doc}/issue", headers=HTML)
    assert page.status_code == 200
    assert 'data-testid="number-form"' in page.text and 'data-testid="issue-form"' not in page.text
    r = await submit_form(
        c, f"/registry/outgoing/{doc}/issue", f"/registry/outgoing/{doc}/number", {}
    )
    assert r.status_code == 303
    page = await c.get(f"/registry/outgoing/{doc}/issue", headers=HTML)
    assert "01/QĐ-UBND" in page.text and 'data-testid="issue-form"' in page.text
    assert f'value="{world.stp}"' in page.text and f'value="{world.sxd}"' not in page.text
    # A malformed organisation line is shown next to the field; nothing is issued.
    r = await submit_form(
        c,
        f"/registry/outgoing/{doc}/issue",
        f"/registry/outgoing/{doc}/issue",
        {"units": [str(world.stp)], "organisations": "Bộ Xây dựng"},
    )
    assert r.status_code == 422 and 'data-field-error="organisations"' in r.text
    with tenant_context(tenant):
        assert await Recipient.filter(document_id=doc).count() == 0
    r = await submit_form(
        c,
        f"/registry/outgoing/{doc}/issue",
        f"/registry/outgoing/{doc}/issue",
        {"units": [str(world.stp)], "organisations": "000.00.00.G10 | Bộ Xây dựng"},
    )
    assert r.status_code == 303, r.text
    page = await c.get(f"/registry/outgoing/{doc}/issue", headers=HTML)
    assert page.text.count('data-status="received"') == 1
    assert page.text.count('data-status="to_be_sent"') == 1
    assert 'data-testid="recall-form"' in page.text

    stp = await page_client(world.accounts["stp_clerk"])
    listing = await stp.get("/registry/incoming/received", headers=HTML)
    assert listing.status_code == 200 and "01/QĐ-UBND" in listing.text
    with tenant_context(tenant):
        copy = await Document.get(direction="incoming")
    r = await submit_form(
        stp,
        "/registry/incoming/received",
        f"/registry/incoming/{copy.id}/register-received",
        {},
    )
    assert r.status_code == 303
    with tenant_context(tenant):
        assert (await Document.get(id=copy.id)).status == "registered"
    r = await submit_form(
        c, f"/registry/outgoing/{doc}/issue", f"/registry/outgoing/{doc}/recall", {"reason": ""}
    )
    assert r.status_code == 422
    r = await submit_form(
        c,
        f"/registry/outgoing/{doc}/issue",
        f"/registry/outgoing/{doc}/recall",
        {"reason": "Sai sót."},
    )
    assert r.status_code == 303
    with tenant_context(tenant):
        assert (await Document.get(id=copy.id)).status == "cancelled"


async def test_the_issue_page_answers_bad_input_and_conflicts_in_vietnamese(
    app,
    world,
    tenant,
    page_client,  # noqa: F811
):
    doc = await new_doc(tenant, world)
    c = await page_client(world.accounts["clerk"])
    page_url, number_url = f"/registry/outgoing/{doc}/issue", f"/registry/outgoing/{doc}/number"
    # A tampered reservation ("²" passes str.isdigit, not int) is a field error, not a 500, and
    # never falls back to the next number.
    r = await submit_form(c, page_url, number_url, {"reservation_id": "²"})
    assert r.status_code == 422 and 'data-testid="number-form"' in r.text
    with tenant_context(tenant):
        assert (await Document.get(id=doc)).registry_number_id is None
    # A page opened before someone else numbered the document: 409, said in Vietnamese.
    page = await c.get(page_url, headers=HTML)
    stale = hidden_fields(page.text, number_url)
    with tenant_context(tenant), acting_as(as_user(world.clerk)):
        await number_document(doc)
    r = await c.post(number_url, data=stale, headers=HTML)
    assert r.status_code == 409 and "Văn bản đã được cấp số." in r.text
    r = await submit_form(c, page_url, page_url, {"units": ["²"]})
    assert r.status_code == 422 and 'data-field-error="units"' in r.text
    # A unit without an incoming registry is named next to the units, in Vietnamese.
    r = await submit_form(c, page_url, page_url, {"units": [str(world.stp), str(world.sxd)]})
    assert r.status_code == 422 and 'data-field-error="units.1"' in r.text
    assert "Đơn vị Sở Xây dựng chưa có sổ văn bản đến" in r.text
    with tenant_context(tenant):
        assert await Recipient.filter(document_id=doc).count() == 0
    r = await submit_form(c, page_url, page_url, {"units": [str(world.stp)]})
    assert r.status_code == 303
    # The recipient's clerk posts a form of a copy registered meanwhile: 409, the reason shown.
    stp = await page_client(world.accounts["stp_clerk"])
    with tenant_context(tenant):
        copy = (await Recipient.get(document_id=doc)).copy_document_id
    register_url = f"/registry/incoming/{copy}/register-received"
    listing = await stp.get("/registry/incoming/received", headers=HTML)
    stale = hidden_fields(listing.text, register_url)
    with tenant_context(tenant), acting_as(as_user(world.stp_clerk)):
        await received.register_received(copy)
    r = await stp.post(register_url, data=stale, headers=HTML)
    assert r.status_code == 409 and "Văn bản này đã được vào sổ hoặc từ chối." in r.text
