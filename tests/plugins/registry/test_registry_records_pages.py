"""Pages of records: the records list with its filters and the new-record form (invalid
input kept, stale form, double submit), the detail page (htmx search, add, remove, close,
reopen), the "add to record" form from a document, permissions and another tenant."""

from __future__ import annotations

import pytest
from incoming_support import blobs  # noqa: F401 (fixture)
from records_support import SUBJECT_A, make_docs
from registry_support import make_tree

from core.context import tenant_context
from core.testing_web import HTML, hidden_fields, submit_form
from plugins.registry.models_records import Record, RecordItem


@pytest.fixture
async def world(app, tenant, blobs):  # noqa: F811
    with tenant_context(tenant):
        tree = await make_tree()
        docs = await make_docs(tree)
    return tree, docs


@pytest.fixture
async def clerk(app, tenant, world, account, page_client):
    tree, _docs = world
    lan = await account(tenant, "lan", role="clerk", unit_id=tree.ubnd, descendants=True)
    return await page_client(lan)


async def records_of(tenant) -> list[Record]:
    with tenant_context(tenant):
        return list(await Record.all().order_by("id"))


async def test_open_a_record_from_the_list_page(clerk, world, tenant):
    tree, _docs = world
    page = await clerk.get("/registry/records", headers=HTML)
    assert page.status_code == 200 and 'data-testid="new-record"' in page.text
    assert 'data-testid="no-records"' in page.text
    data = {"unit_id": str(tree.ubnd), "title": "", "retention": "vinh_vien"}
    r = await submit_form(clerk, "/registry/records", "/registry/records", data)
    assert r.status_code == 422 and 'data-field-error="title"' in r.text
    assert await records_of(tenant) == []
    fields = hidden_fields(page.text, "/registry/records")
    data = {**fields, "unit_id": str(tree.ubnd), "title": "Hồ sơ lụt bão", "retention": "20_nam"}
    r = await clerk.post("/registry/records", data=data, headers=HTML)
    assert r.status_code == 303
    [record] = await records_of(tenant)
    assert r.headers["location"] == f"/registry/records/{record.id}"
    again = await clerk.post("/registry/records", data=data, headers=HTML)
    assert again.status_code == 303 and len(await records_of(tenant)) == 1  # submitted once
    stale = {**data, "csrf_token": "stale", "form_nonce": "n2"}
    r = await clerk.post("/registry/records", data=stale, headers=HTML)
    assert r.status_code == 403 and len(await records_of(tenant)) == 1
    page = await clerk.get("/registry/records", headers=HTML)
    assert "Hồ sơ lụt bão" in page.text and "20 năm" in page.text
    r = await clerk.get("/registry/records", params={"year": "20x"}, headers=HTML)
    assert r.status_code == 422 and 'data-field-error="year"' in r.text
    r = await clerk.get("/registry/records", params={"year": "20²5"}, headers=HTML)
    assert r.status_code == 422 and 'data-field-error="year"' in r.text
    r = await clerk.get("/registry/records", params={"year": ""}, headers=HTML)  # every year
    assert r.status_code == 200 and "Hồ sơ lụt bão" in r.text


async def test_the_detail_page_adds_removes_closes_and_reopens(clerk, world, tenant):
    tree, docs = world
    with tenant_context(tenant):
        from core.context import Actor, acting_as
        from plugins.registry.services import records

        with acting_as(Actor(kind="system")):
            record = await records.open_record(tree.ubnd, "Hồ sơ A", "vinh_vien")
    url = f"/registry/records/{record.id}"
    page = await clerk.get(url, headers=HTML)
    assert page.status_code == 200 and "hx-get" in page.text and "export?format=zip" in page.text
    r = await clerk.get(f"{url}/candidates", params={"q": "lut bao"}, headers=HTML)
    assert r.status_code == 200 and f'data-candidate="{docs.a}"' in r.text
    assert "<html" not in r.text  # a fragment for htmx
    page = await clerk.get(url, params={"q": "lụt bão"}, headers=HTML)
    action = f"{url}/items"
    r = await clerk.post(
        action, data={**hidden_fields(page.text, action), "document_id": str(docs.a)}
    )
    assert r.status_code == 303
    page = await clerk.get(url, headers=HTML)
    assert SUBJECT_A in page.text and f'data-item="{docs.a}"' in page.text
    r = await clerk.post(
        action, data={**hidden_fields(page.text, f"{url}/close"), "document_id": str(docs.a)}
    )
    assert r.status_code == 409 and 'data-testid="add-error"' in r.text
    assert "Văn bản này đã có trong hồ sơ." in r.text
    r = await clerk.post(
        action, data={**hidden_fields(page.text, f"{url}/close"), "document_id": str(docs.c)}
    )
    assert r.status_code == 403 and "registry.confidential.view" in r.text
    remove = f"{url}/items/{docs.a}/remove"
    r = await clerk.post(remove, data=hidden_fields(page.text, remove))
    assert r.status_code == 303
    with tenant_context(tenant):
        assert await RecordItem.all().count() == 0
    r = await submit_form(clerk, url, f"{url}/close", {})
    assert r.status_code == 303
    page = await clerk.get(url, headers=HTML)
    assert 'data-testid="record-closed"' in page.text and 'data-testid="reopen"' in page.text
    r = await submit_form(clerk, url, f"{url}/reopen", {"reason": ""})
    assert r.status_code == 422 and 'data-field-error="reason"' in r.text
    r = await submit_form(clerk, url, f"{url}/reopen", {"reason": "Bổ sung văn bản"})
    assert r.status_code == 303
    page = await clerk.get(url, headers=HTML)
    assert 'data-testid="record-open"' in page.text


async def test_add_to_record_from_a_document(clerk, world, tenant):
    tree, docs = world
    with tenant_context(tenant):
        from core.context import Actor, acting_as
        from plugins.registry.services import records

        with acting_as(Actor(kind="system")):
            record = await records.open_record(tree.ubnd, "Hồ sơ B", "vinh_vien")
    url = f"/registry/records/file?document_id={docs.a}"
    fragment = await clerk.get(
        url, headers={**HTML, "HX-Request": "true", "HX-Current-URL": "http://x/registry/doc/1"}
    )
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert 'value="/registry/doc/1"' in fragment.text and "Hồ sơ B" in fragment.text
    data = {"document_id": str(docs.a), "record_id": "", "next": "/registry/doc/1"}
    r = await submit_form(clerk, url, "/registry/records/file", data)
    assert r.status_code == 422
    data["record_id"] = str(record.id)
    r = await submit_form(clerk, url, "/registry/records/file", data)
    assert r.status_code == 303 and r.headers["location"] == "/registry/doc/1"
    page = await clerk.get(url, headers=HTML)
    assert f'data-holding="{record.id}"' in page.text
    assert (
        await clerk.get("/registry/records/file?document_id=999999", headers=HTML)
    ).status_code == 404
    r = await clerk.get(f"/registry/records/file?document_id={docs.c}", headers=HTML)
    assert r.status_code == 403


async def test_permissions_and_other_tenant(app, world, tenant, other_tenant, account, page_client):
    tree, _docs = world
    minh = await account(tenant, "minh", role="specialist", unit_id=tree.vx)
    c = await page_client(minh)
    with tenant_context(tenant):
        from core.context import Actor, acting_as
        from plugins.registry.services import records

        with acting_as(Actor(kind="system")):
            record = await records.open_record(tree.ubnd, "Hồ sơ C", "vinh_vien")
    r = await c.get(f"/registry/records/{record.id}", headers=HTML)
    assert r.status_code == 403 and "registry.registries.view" in r.text
    page = await c.get("/registry/records", headers=HTML)
    assert page.status_code == 200 and "Hồ sơ C" not in page.text
    other = await account(other_tenant, "admin_b")
    b = await page_client(other)
    assert (await b.get(f"/registry/records/{record.id}", headers=HTML)).status_code == 404
