"""Incoming documents over HTTP: multipart registration, refusals, duplicates, permissions in
the registry's unit, the list (urgent first) and who sees what, downloads."""

from __future__ import annotations

import json

import pytest
from incoming_support import (
    PDF,
    blobs,  # noqa: F401 (fixture)
    make_pdf,
    make_png,
    metadata_json,
    stored_blobs,
)

from core.context import tenant_context
from plugins.registry.models import RegistryNumber
from plugins.registry.models_documents import Document

BASE = "/api/v1/registry"
URL = f"{BASE}/incoming"


@pytest.fixture
async def registry_id(tenant, tree, blobs):  # noqa: F811
    from registry_support import new_registry

    with tenant_context(tenant):
        return await new_registry(tree.ubnd, "incoming", name="Sổ văn bản đến")


@pytest.fixture
async def people(app, tenant, tree, account, client):
    """Clerks lan and minh of UBND, a clerk of STP, a leader of UBND: (user id, client)."""
    made = {}
    for name, role, unit in [
        ("lan", "clerk", tree.ubnd),
        ("minh", "clerk", tree.ubnd),
        ("tu", "clerk", tree.stp),
        ("hung", "leader", tree.ubnd),
    ]:
        person = await account(tenant, name, role=role, unit_id=unit, descendants=True)
        c = client(app, "alpha.localhost", person.token)
        c.user_id = person.user_id
        made[name] = c
    yield made
    for c in made.values():
        await c.aclose()


def send(c, registry_id, *, files=None, path=URL, **changes):
    body = {"registry_id": registry_id, **metadata_json(**changes)}
    parts = files if files is not None else [("main", ("Công văn 15.pdf", PDF, "application/pdf"))]
    return c.post(path, data={"metadata": json.dumps(body)}, files=parts)


async def test_a_clerk_registers_documents_and_downloads_them(people, registry_id):
    lan = people["lan"]
    attachment = make_pdf(2)
    files = [
        ("main", ("Công văn 15.pdf", PDF, "application/pdf")),
        ("attachments", ("phụ lục.pdf", attachment, "application/pdf")),
    ]
    first = await send(lan, registry_id, files=files, due_date="2099-12-31")
    assert first.status_code == 201, first.text
    doc = first.json()
    assert (doc["arrival_number"], doc["arrival_code"], doc["status"]) == (1, "01", "registered")
    assert (doc["code"], doc["document_type"], doc["type_name"]) == (
        "15/STP-VP",
        "cong_van",
        "Công văn",
    )
    assert (doc["registered_by"], doc["source"], doc["warnings"]) == (lan.user_id, "upload", [])
    assert doc["arrival_date"] is not None and doc["due_date"] == "2099-12-31"
    assert [(f["role"], f["filename"], f["pdf_state"]) for f in doc["files"]] == [
        ("main", "Công văn 15.pdf", "ok"),
        ("attachment", "phụ lục.pdf", "ok"),
    ]
    second = await send(lan, registry_id, code_number="16")
    assert (second.status_code, second.json()["arrival_code"]) == (201, "02")
    file_id = doc["files"][1]["id"]
    download = await lan.get(f"{URL}/{doc['id']}/files/{file_id}")
    assert download.status_code == 200
    assert download.content == attachment
    assert download.headers["content-type"] == "application/pdf"
    assert (
        "filename*=UTF-8''ph%E1%BB%A5%20l%E1%BB%A5c.pdf" in download.headers["content-disposition"]
    )
    detail = await lan.get(f"{URL}/{doc['id']}")
    assert detail.status_code == 200 and detail.json()["files"][0]["size"] == len(PDF)
    wrong_document = await lan.get(f"{URL}/{second.json()['id']}/files/{file_id}")
    assert wrong_document.status_code == 404


async def test_the_system_assigns_the_arrival_number_and_date(people, registry_id, tenant):
    response = await send(people["lan"], registry_id, arrival_number=7, arrival_date="2025-01-01")
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "arrival_number": "assigned by the system",
        "arrival_date": "assigned by the system",
    }
    assert response.headers["content-type"].startswith("application/problem+json")
    with tenant_context(tenant):
        assert await RegistryNumber.all().count() == 0


async def test_missing_and_bad_input_are_field_errors(people, registry_id, tenant):
    lan = people["lan"]
    empty = await lan.post(
        URL,
        data={"metadata": json.dumps({"registry_id": registry_id})},
        files=[("main", ("a.pdf", PDF))],
    )
    assert empty.status_code == 422
    assert set(empty.json()["errors"]) == {
        "organ_name",
        "code_number",
        "code_notation",
        "document_type",
        "issued_date",
        "subject",
        "signer_full_name",
        "priority",
        "confidentiality",
        "page_amount",
    }
    future = await send(lan, registry_id, issued_date="2999-01-01")
    assert future.json()["errors"] == {"issued_date": "in the future (Vietnam time)"}
    overdue = await send(lan, registry_id, due_date="2000-01-01")
    assert overdue.json()["errors"] == {"due_date": "before the arrival date"}
    bad_date = await send(lan, registry_id, issued_date="10/03/2025")
    assert list(bad_date.json()["errors"]) == ["issued_date"]
    no_metadata = await lan.post(URL, files=[("main", ("a.pdf", PDF))])
    assert no_metadata.json()["errors"] == {"metadata": "required"}
    stray = await send(
        lan, registry_id, files=[("main", ("a.pdf", PDF)), ("other", ("b.pdf", PDF))]
    )
    assert list(stray.json()["errors"]) == ["other"]
    as_json = await lan.post(URL, json={"registry_id": registry_id})
    assert as_json.status_code == 400
    with tenant_context(tenant):
        assert await Document.all().count() == 0


async def test_a_pdf_that_is_a_png_is_refused_and_nothing_is_kept(
    people, registry_id, tenant, tmp_path
):
    response = await send(
        people["lan"],
        registry_id,
        files=[("main", ("cong-van.pdf", make_png(), "application/pdf"))],
    )
    assert response.status_code == 422
    message = response.json()["errors"]["files.0"]
    assert message == "Tệp có đuôi .pdf nhưng nội dung không phải PDF (mà là PNG)."
    with tenant_context(tenant):
        assert await Document.all().count() == 0
        assert await RegistryNumber.all().count() == 0
    assert stored_blobs(tmp_path) == []


async def test_an_encrypted_pdf_is_registered_with_a_warning(people, registry_id):
    locked = make_pdf(password="mật-khẩu")
    response = await send(people["lan"], registry_id, files=[("main", ("cv.pdf", locked))])
    assert response.status_code == 201, response.text
    body = response.json()
    assert [w["code"] for w in body["warnings"]] == ["pdf_encrypted"]
    assert "mật khẩu" in body["warnings"][0]["message"]
    assert body["files"][0]["pdf_state"] == "encrypted"


async def test_registries_of_other_units_directions_and_tenants(
    people, registry_id, tenant, tree, other_api
):
    from registry_support import new_registry

    refused = await send(people["tu"], registry_id)
    assert refused.status_code == 403
    assert refused.json()["permission"] == "registry.incoming.register"
    leader = await send(people["hung"], registry_id)
    assert (leader.status_code, leader.json()["permission"]) == (403, "registry.incoming.register")
    with tenant_context(tenant):
        outgoing = await new_registry(tree.ubnd, "outgoing")
    wrong_way = await send(people["lan"], outgoing)
    assert wrong_way.json()["errors"] == {"registry_id": "not an incoming registry"}
    elsewhere = await send(other_api, registry_id)
    assert elsewhere.status_code == 404
    with tenant_context(tenant):
        assert await Document.all().count() == 0


async def test_a_duplicate_is_a_409_until_confirmed(people, registry_id):
    lan = people["lan"]
    first = await send(lan, registry_id)
    again = await send(people["minh"], registry_id, code_number="015")
    assert again.status_code == 409
    assert again.json()["duplicate_of"] == [first.json()["id"]]
    confirmed = await send(people["minh"], registry_id, code_number="015", confirm_duplicate=True)
    assert confirmed.status_code == 201
    assert (confirmed.json()["duplicate_confirmed"], confirmed.json()["arrival_code"]) == (
        True,
        "02",
    )


async def test_a_refusal_keeps_the_document_and_its_reason(people, registry_id):
    lan = people["lan"]
    path = f"{URL}/refusals"
    missing = await send(lan, registry_id, path=path)
    assert missing.json()["errors"] == {"reason": "required"}
    refused = await send(lan, registry_id, path=path, reason="Sai thẩm quyền ban hành")
    assert refused.status_code == 201, refused.text
    body = refused.json()
    assert (body["status"], body["refusal_reason"]) == ("refused", "Sai thẩm quyền ban hành")
    assert (body["arrival_number"], body["arrival_date"]) == (None, None)
    listed = (await lan.get(URL, params={"status": "refused"})).json()["items"]
    assert [d["id"] for d in listed] == [body["id"]]


async def test_the_list_puts_urgent_first_and_hides_confidential_documents(
    people, registry_id, api
):
    lan, minh, hung = people["lan"], people["minh"], people["hung"]
    normal = (await send(lan, registry_id, code_number="1")).json()
    urgent = (await send(lan, registry_id, code_number="2", priority="hoa_toc")).json()
    newer = (await send(lan, registry_id, code_number="3")).json()
    secret = (await send(lan, registry_id, code_number="4", confidentiality="mat")).json()
    assert secret["arrival_code"] == "01"  # confidential documents have their own sequence

    async def ids(c, **params):
        response = await c.get(URL, params=params)
        assert response.status_code == 200, response.text
        return [d["id"] for d in response.json()["items"]]

    assert await ids(lan) == [urgent["id"], secret["id"], newer["id"], normal["id"]]
    assert await ids(minh) == [urgent["id"], newer["id"], normal["id"]]
    assert await ids(hung) == [urgent["id"], secret["id"], newer["id"], normal["id"]]
    assert await ids(people["tu"]) == []
    assert secret["id"] not in await ids(api)  # the tenant admin is no confidential reader
    hidden = await minh.get(f"{URL}/{secret['id']}")
    assert (hidden.status_code, hidden.json()["permission"]) == (403, "registry.confidential.view")
    file_id = secret["files"][0]["id"]
    assert (await minh.get(f"{URL}/{secret['id']}/files/{file_id}")).status_code == 403
    assert (await hung.get(f"{URL}/{secret['id']}/files/{file_id}")).status_code == 200
    assert (await people["tu"].get(f"{URL}/{normal['id']}")).status_code == 403
    # Pages follow the same order.
    page = (await lan.get(URL, params={"limit": 3})).json()
    assert [d["id"] for d in page["items"]] == [urgent["id"], secret["id"], newer["id"]]
    rest = (await lan.get(URL, params={"limit": 3, "cursor": page["next_cursor"]})).json()
    assert ([d["id"] for d in rest["items"]], rest["next_cursor"]) == ([normal["id"]], None)
    bad = await lan.get(URL, params={"cursor": "nonsense"})
    assert bad.status_code == 422
    # A forged cursor with an id beyond the database's integers is refused, not a 500.
    from plugins.registry.api import encode_cursor

    forged = encode_cursor([0, "2025-01-01T00:00:00+00:00", 2**40])
    refused = await lan.get(URL, params={"cursor": forged})
    assert refused.status_code == 422
    assert refused.json()["errors"] == {"cursor": "invalid cursor"}


async def test_another_tenants_documents_and_files_are_404(people, registry_id, other_api):
    doc = (await send(people["lan"], registry_id)).json()
    file_id = doc["files"][0]["id"]
    assert (await other_api.get(f"{URL}/{doc['id']}")).status_code == 404
    assert (await other_api.get(f"{URL}/{doc['id']}/files/{file_id}")).status_code == 404
    assert (await other_api.get(URL)).json()["items"] == []


async def test_a_corrupted_stored_file_is_a_500_not_wrong_bytes(people, registry_id, tmp_path):
    doc = (await send(people["lan"], registry_id)).json()
    (path,) = stored_blobs(tmp_path)
    path.write_bytes(b"x" * len(PDF))
    response = await people["lan"].get(f"{URL}/{doc['id']}/files/{doc['files'][0]['id']}")
    assert response.status_code == 500
    assert response.json()["type"].endswith("/blob-integrity")
    path.unlink()
    missing = await people["lan"].get(f"{URL}/{doc['id']}/files/{doc['files'][0]['id']}")
    assert missing.status_code == 500
