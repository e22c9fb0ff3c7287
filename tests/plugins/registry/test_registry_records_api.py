"""Records over HTTP: open, list, read, file, remove, close, reopen with their errors (422,
403 naming the permission, 404 for another tenant, 409), and the export: XML (ND30 names,
chronological order, Vietnamese text, escaping), PDF (cover text, page count) and ZIP."""

from __future__ import annotations

import io
import zipfile
from xml.etree import ElementTree as ET

import pytest
from incoming_support import blobs  # noqa: F401 (fixture)
from pypdf import PdfReader
from records_support import SECRET, SUBJECT_A, SUBJECT_B, make_docs
from registry_support import make_tree

from core.audit.models import AuditEvent
from core.context import tenant_context
from plugins.registry.models_flow import TimelineEntry

BASE = "/api/v1/registry/records"


def flat(text: str) -> str:
    return "".join(text.split())


@pytest.fixture
async def world(app, tenant, blobs):  # noqa: F811
    with tenant_context(tenant):
        tree = await make_tree()
        docs = await make_docs(tree)
    return tree, docs


@pytest.fixture
async def users(app, tenant, world, account, client):
    tree, _docs = world
    made = {
        "clerk": await account(tenant, "lan", role="clerk", unit_id=tree.ubnd, descendants=True),
        "leader": await account(tenant, "hung", role="leader", unit_id=tree.ubnd, descendants=True),
        "specialist": await account(tenant, "minh", role="specialist", unit_id=tree.vx),
    }
    clients = {name: client(app, "alpha.localhost", a.token) for name, a in made.items()}
    yield clients
    for c in clients.values():
        await c.aclose()


async def open_one(c, unit_id: int, title: str = "Hồ sơ phòng chống lụt bão năm nay", **more):
    body = {"unit_id": unit_id, "title": title, "retention": "vinh_vien", **more}
    r = await c.post(BASE, json=body)
    assert r.status_code == 201, r.text
    return r.json()


async def test_open_list_read_and_file(users, world):
    tree, docs = world
    clerk = users["clerk"]
    first = await open_one(clerk, tree.ubnd)
    second = await open_one(clerk, tree.ubnd, "Hồ sơ thứ hai", handler_unit_id=tree.vx)
    assert (first["code"], second["code"]) == ("01", "02")
    assert first["retention_name"] == "Vĩnh viễn" and first["creator_name"]
    assert second["handler_unit_name"] == "Phòng Văn xã"
    r = await clerk.post(f"{BASE}/{first['id']}/items", json={"document_id": docs.a})
    assert r.status_code == 201, r.text
    assert r.json()["position"] == 1 and r.json()["document"]["code"] == "15/STP-VP"
    r = await clerk.get(BASE, params={"year": first["year"], "unit_id": tree.ubnd})
    assert [i["code"] for i in r.json()["items"]] == ["01", "02"]
    assert r.json()["items"][0]["item_count"] == 1
    r = await clerk.get(BASE, params={"limit": 1})
    assert len(r.json()["items"]) == 1 and r.json()["next_cursor"]
    r = await clerk.get(BASE, params={"limit": 1, "cursor": r.json()["next_cursor"]})
    assert [i["code"] for i in r.json()["items"]] == ["02"] and r.json()["next_cursor"] is None
    r = await clerk.get(f"{BASE}/{first['id']}")
    body = r.json()
    assert [i["document"]["subject"] for i in body["items"]] == [SUBJECT_A]
    assert body["can_manage"] is True and body["hidden_items"] == 0
    r = await clerk.get(f"{BASE}/{first['id']}/candidates", params={"q": "quyet dinh"})
    assert [d["id"] for d in r.json()["items"]] == [docs.b]


async def test_errors(users, world, app, other_tenant, account, client):
    tree, docs = world
    clerk, specialist = users["clerk"], users["specialist"]
    r = await clerk.post(BASE, json={"unit_id": tree.ubnd, "title": "", "retention": "x"})
    assert r.status_code == 422 and "title" in r.json()["errors"]
    r = await clerk.post(BASE, json={"unit_id": tree.ubnd, "title": "A", "retention": "nope"})
    assert r.status_code == 422 and "retention" in r.json()["errors"]
    r = await clerk.post(BASE, json={"unit_id": tree.ubnd, "title": "A", "number": 5})
    assert r.status_code == 422 and "number" in r.json()["errors"]
    r = await clerk.get(BASE, params={"status": "lost"})
    assert r.status_code == 422
    record = await open_one(clerk, tree.ubnd)
    url = f"{BASE}/{record['id']}"
    r = await specialist.get(url)
    assert r.status_code == 403 and "registry.registries.view" in r.text
    r = await specialist.post(
        BASE, json={"unit_id": tree.ubnd, "title": "A", "retention": "10_nam"}
    )
    assert r.status_code == 403 and "registry.records.manage" in r.text
    assert (await clerk.post(f"{url}/items", json={"document_id": docs.a})).status_code == 201
    r = await clerk.post(f"{url}/items", json={"document_id": docs.a})
    assert r.status_code == 409
    r = await clerk.post(f"{url}/items", json={"document_id": docs.c})
    assert r.status_code == 403 and "registry.confidential.view" in r.text
    r = await clerk.post(f"{url}/items", json={"document_id": "x"})
    assert r.status_code == 422
    assert (await clerk.post(f"{url}/close")).status_code == 200
    assert (await clerk.post(f"{url}/close")).status_code == 409
    r = await clerk.post(f"{url}/items", json={"document_id": docs.b})
    assert r.status_code == 409
    assert (await clerk.delete(f"{url}/items/{docs.a}")).status_code == 409
    assert (await specialist.post(f"{url}/reopen", json={"reason": "x"})).status_code == 403
    assert (await clerk.post(f"{url}/reopen", json={"reason": ""})).status_code == 422
    r = await clerk.post(f"{url}/reopen", json={"reason": "Bổ sung"})
    assert r.status_code == 200 and r.json()["status"] == "open"
    assert (await clerk.delete(f"{url}/items/{docs.a}")).status_code == 204
    assert (await clerk.delete(f"{url}/items/{docs.a}")).status_code == 404
    # Another tenant's admin: every id of alpha is unknown.
    other = await account(other_tenant, "admin_b")
    async with client(app, "beta.localhost", other.token) as beta:
        assert (await beta.get(url)).status_code == 404
        assert (await beta.get(f"{url}/export")).status_code == 404
        r = await beta.post(f"{url}/items", json={"document_id": docs.a})
        assert r.status_code == 404
        r = await beta.post(BASE, json={"unit_id": tree.ubnd, "title": "A", "retention": "10_nam"})
        assert r.status_code == 404
        assert (await beta.get(BASE)).json()["items"] == []


async def test_export_xml_pdf_and_zip(users, world, tenant):
    tree, docs = world
    leader, clerk = users["leader"], users["clerk"]
    record = await open_one(leader, tree.ubnd, "Hồ sơ về đề án & kế hoạch <2025>")
    for doc in (docs.a, docs.d, docs.c, docs.b):  # filed out of order
        r = await leader.post(f"{BASE}/{record['id']}/items", json={"document_id": doc})
        assert r.status_code == 201, r.text
    url = f"{BASE}/{record['id']}/export"

    r = await leader.get(url, params={"format": "xml"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/xml")
    assert r.content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    root = ET.fromstring(r.content)
    assert root.tag == "Record"
    assert root.findtext("Title") == "Hồ sơ về đề án & kế hoạch <2025>"
    assert b"&amp; k" in r.content and b"&lt;2025&gt;" in r.content
    assert root.findtext("Maintenance") == "Vĩnh viễn"
    assert root.findtext("Rights") == "Hạn chế"
    assert root.findtext("FileNotation") == "01"
    assert root.findtext("FileCode").endswith(f".{record['year']}.01")
    assert (root.findtext("StartDate"), root.findtext("EndDate")) == ("2025-01-15", "2025-03-20")
    assert (root.findtext("DocTotal"), root.findtext("PageTotal")) == ("4", "8")
    assert root.findtext("OmittedDocuments") == "0"
    items = root.findall("Documents/Document")
    assert [d.findtext("DocOrdinal") for d in items] == ["1", "2", "3", "4"]
    assert [d.findtext("Subject") for d in items][:3] == [SECRET, SUBJECT_B, SUBJECT_A]
    assert [d.findtext("IssuedDate") for d in items] == [
        "2025-01-15",
        "2025-02-01",
        "2025-03-10",
        "2025-03-20",
    ]
    b = items[1]
    assert (b.findtext("CodeNumber"), b.findtext("CodeNotation")) == ("7", "QĐ-STP")
    assert b.findtext("TypeName") == "Quyết định"
    assert b.findtext("OrganName") == "Sở Tư pháp tỉnh Alpha"
    assert b.findtext("SignerInfo/FullName") == "Nguyễn Văn An"
    assert b.findtext("ArrivalNumber") and b.findtext("ArrivalDate") == "2025-03-25"

    r = await clerk.get(url, params={"format": "xml"})  # the clerk may not see c
    root = ET.fromstring(r.content)
    assert root.findtext("OmittedDocuments") == "1"
    assert root.findtext("Rights") == "Công khai"  # says nothing of the hidden c
    assert SECRET not in r.content.decode()
    assert [d.findtext("DocOrdinal") for d in root.findall("Documents/Document")] == ["1", "2", "3"]

    r = await leader.get(url, params={"format": "pdf"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert "record-01.pdf" in r.headers["content-disposition"]
    reader = PdfReader(io.BytesIO(r.content))
    cover = reader.pages[0].extract_text()
    assert "ỦY BAN NHÂN DÂN TỈNH" in cover and "HỒ SƠ" in cover
    assert "Vĩnh viễn" in cover and "MỤC LỤC VĂN BẢN" in cover
    cover_pages = len(reader.pages) - (2 + 1 + 3)  # a, b and c are PDFs; d is a PNG
    assert cover_pages >= 1
    text = flat("\n".join(p.extract_text() for p in reader.pages[:cover_pages]))
    assert flat(SUBJECT_A) in text and flat("giay-moi.png: không phải tệp PDF") in text
    assert text.index(flat(SECRET)) < text.index(flat(SUBJECT_A))  # chronological

    r = await clerk.get(url, params={"format": "pdf"})
    reader = PdfReader(io.BytesIO(r.content))
    cover_pages = len(reader.pages) - (2 + 1)
    text = flat("\n".join(p.extract_text() for p in reader.pages[:cover_pages]))
    assert flat("1 văn bản của hồ sơ không có trong bản xuất này") in text
    assert flat(SECRET) not in text

    r = await leader.get(url)  # zip by default
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    assert 'filename="record-01.zip"' in r.headers["content-disposition"]
    archive = zipfile.ZipFile(io.BytesIO(r.content))
    assert sorted(archive.namelist()) == ["record-01.pdf", "record-01.xml"]
    assert ET.fromstring(archive.read("record-01.xml")).findtext("DocTotal") == "4"
    assert PdfReader(io.BytesIO(archive.read("record-01.pdf"))).pages

    assert (await leader.get(url, params={"format": "doc"})).status_code == 422
    with tenant_context(tenant):
        exported = await TimelineEntry.filter(step="exported").values_list("document_id", "detail")
        by_doc: dict[int, list[str]] = {}
        for doc_id, detail in exported:
            by_doc.setdefault(doc_id, []).append(detail["format"])
        assert by_doc[docs.c] == ["xml", "pdf", "zip"]  # the clerk's exports left c out
        assert by_doc[docs.a] == ["xml", "xml", "pdf", "pdf", "zip"]
        audits = await AuditEvent.filter(action="registry.record.exported").order_by("id")
        assert [(e.after["format"], e.after["omitted"]) for e in audits] == [
            ("xml", 0),
            ("xml", 1),
            ("pdf", 0),
            ("pdf", 1),
            ("zip", 0),
        ]
