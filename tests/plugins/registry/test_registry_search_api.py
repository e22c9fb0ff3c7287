"""Search over HTTP: the JSON API (422s, visibility, exports, saved searches and their
ownership, the tenant boundary) and the ``/registry/search`` page (htmx results, saving a
search with CSRF and submit-once, deleting)."""

from __future__ import annotations

import io

import pytest
from incoming_support import blobs  # noqa: F401 (fixture)
from openpyxl import load_workbook
from registry_support import new_registry
from search_support import register

from core.context import tenant_context
from core.testing_web import HTML, hidden_fields
from plugins.registry.models_search import SavedSearch

BASE = "/api/v1/registry"


@pytest.fixture
async def people(app, tenant, tree, account, client, blobs):  # noqa: F811
    with tenant_context(tenant):
        registry = await new_registry(tree.ubnd, "incoming", name="Sổ văn bản đến")
        await register(registry, code_number="1", subject="Quyết định về Đà Nẵng")
        await register(registry, code_number="2", confidentiality="mat", subject="Quyết định mật")
    made = {}
    for name, role in [("lan", "clerk"), ("hung", "leader")]:
        person = await account(tenant, name, role=role, unit_id=tree.ubnd, descendants=True)
        c = client(app, "alpha.localhost", person.token)
        c.account = person
        made[name] = c
    yield made
    for c in made.values():
        await c.aclose()


async def test_search_api_finds_what_each_role_may_see(people, other_api):
    lan, hung = people["lan"], people["hung"]
    found = await lan.get(f"{BASE}/search", params={"q": "quyet dinh"})
    assert found.status_code == 200, found.text
    body = found.json()
    assert [i["subject"] for i in body["items"]] == ["Quyết định về Đà Nẵng"]
    assert (body["total"], body["capped"], body["next_offset"], body["no_terms"]) == (
        1,
        False,
        None,
        False,
    )
    item = body["items"][0]
    assert (item["code"], item["issued_date"], item["status_label"]) == (
        "1/STP-VP",
        "2025-03-10",
        "Đã đăng ký",
    )
    leader = (await hung.get(f"{BASE}/search", params={"q": "Quyết định", "limit": 1})).json()
    assert (leader["total"], len(leader["items"]), leader["next_offset"]) == (2, 1, 1)
    assert (await other_api.get(f"{BASE}/search", params={"q": "quyet"})).json()["total"] == 0
    only_marks = (await lan.get(f"{BASE}/search", params={"q": "%_*"})).json()
    assert (only_marks["items"], only_marks["no_terms"]) == ([], True)


async def test_bad_search_parameters_are_422_naming_each(people, anon):
    lan = people["lan"]
    bad = await lan.get(
        f"{BASE}/search",
        params={"direction": "up", "limit": "500", "offset": "-1", "colour": "red"},
    )
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) == {"direction", "colour"}
    page = await lan.get(f"{BASE}/search", params={"limit": "500"})
    assert page.status_code == 422 and set(page.json()["errors"]) == {"limit"}
    code = await lan.get(f"{BASE}/search", params={"urgency": "cuc_khan"})
    assert code.status_code == 422 and code.json()["errors"] == {"urgency": "unknown code"}
    assert (await anon.get(f"{BASE}/search")).status_code == 401


async def test_exports_over_http(people, tenant):
    lan = people["lan"]
    xlsx = await lan.get(f"{BASE}/search/export.xlsx", params={"q": "da nang"})
    assert xlsx.status_code == 200, xlsx.text
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in xlsx.headers["content-disposition"]
    assert xlsx.headers["x-congvan-rows"] == "1" and "x-congvan-capped" not in xlsx.headers
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(2, 5).value == "Quyết định về Đà Nẵng"
    pdf = await lan.get(f"{BASE}/search/export.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert pdf.headers["x-congvan-rows"] == "1"  # the confidential one is not hers
    bad = await lan.get(f"{BASE}/search/export.pdf", params={"offset": "1"})
    assert bad.status_code == 422  # the export has no page
    from core.audit.models import AuditEvent

    with tenant_context(tenant):
        assert await AuditEvent.filter(action="registry.search.export").count() == 2


async def test_saved_searches_crud_and_ownership(people, other_api, tenant):
    lan, hung = people["lan"], people["hung"]
    url = f"{BASE}/saved-searches"
    made = await lan.post(url, json={"name": "Đà Nẵng", "params": {"q": "da nang"}})
    assert made.status_code == 201, made.text
    saved = made.json()
    assert (saved["name"], saved["params"]) == ("Đà Nẵng", {"q": "da nang"})
    again = await lan.post(url, json={"name": "Đà Nẵng", "params": {}})
    assert again.status_code == 409
    bad = await lan.post(url, json={"name": "x", "params": {"overdue": "sometimes"}})
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"overdue"}
    missing = await lan.post(url, json={"params": {}})
    assert missing.status_code == 422 and "name" in missing.json()["errors"]
    assert [s["name"] for s in (await lan.get(url)).json()] == ["Đà Nẵng"]
    assert (await hung.get(url)).json() == []
    run = await lan.get(f"{url}/{saved['id']}", params={"limit": 5})
    assert run.status_code == 200
    assert [i["subject"] for i in run.json()["results"]["items"]] == ["Quyết định về Đà Nẵng"]
    assert (await lan.get(f"{url}/{saved['id']}", params={"q": "x"})).status_code == 422
    assert (await hung.get(f"{url}/{saved['id']}")).status_code == 404
    assert (await hung.delete(f"{url}/{saved['id']}")).status_code == 404
    assert (await other_api.get(f"{url}/{saved['id']}")).status_code == 404
    assert (await lan.delete(f"{url}/{saved['id']}")).status_code == 204
    assert (await lan.get(f"{url}/{saved['id']}")).status_code == 404
    with tenant_context(tenant):
        assert await SavedSearch.all().count() == 0


async def test_the_search_page_and_its_htmx_results(people, page_client):
    lan = await page_client(people["lan"].account)
    page = await lan.get("/registry/search", params={"q": "da nang"}, headers=HTML)
    assert page.status_code == 200, page.text
    assert "Quyết định về Đà Nẵng" in page.text and "Quyết định mật" not in page.text
    assert 'id="search-results"' in page.text and "export.xlsx?q=da+nang" in page.text
    partial = await lan.get(
        "/registry/search",
        params={"q": "quyet dinh"},
        headers={**HTML, "HX-Request": "true", "HX-Target": "search-results"},
    )
    assert partial.status_code == 200
    assert "<html" not in partial.text and 'data-testid="search-results"' in partial.text
    invalid = await lan.get("/registry/search", params={"date_from": "hôm qua"}, headers=HTML)
    assert invalid.status_code == 422 and 'data-field-error="date_from"' in invalid.text


async def test_saving_and_deleting_a_search_from_the_page(people, page_client, tenant):
    lan = await page_client(people["lan"].account)
    hung = await page_client(people["hung"].account)
    page = await lan.get("/registry/search", params={"q": "da nang"}, headers=HTML)
    fields = hidden_fields(page.text, "/registry/search/saved")
    assert fields["q"] == "da nang"
    sent = await lan.post("/registry/search/saved", data={**fields, "name": "Của tôi"})
    assert sent.status_code == 303 and sent.headers["location"] == "/registry/search?q=da+nang"
    twice = await lan.post("/registry/search/saved", data={**fields, "name": "Của tôi"})
    assert twice.status_code == 303  # the same form again: told so, nothing new
    with tenant_context(tenant):
        (saved,) = await SavedSearch.all()
    fresh = hidden_fields(
        (await lan.get("/registry/search", params={"q": "x"}, headers=HTML)).text,
        "/registry/search/saved",
    )
    duplicate = await lan.post("/registry/search/saved", data={**fresh, "name": "Của tôi"})
    assert duplicate.status_code == 422 and "Của tôi" in duplicate.text
    stale = await lan.post(
        "/registry/search/saved", data={**fresh, "csrf_token": "wrong", "name": "Khác"}
    )
    assert stale.status_code == 403
    listed = await lan.get("/registry/search", headers=HTML)
    assert f'data-saved-id="{saved.id}"' in listed.text
    delete_url = f"/registry/search/saved/{saved.id}/delete"
    other = hidden_fields((await hung.get("/registry/search", headers=HTML)).text)
    assert (await hung.post(delete_url, data=other)).status_code == 404
    mine = hidden_fields(listed.text, delete_url)
    assert (await lan.post(delete_url, data=mine)).status_code == 303
    with tenant_context(tenant):
        assert await SavedSearch.all().count() == 0
