"""Registers over HTTP: JSON and PDF (Vietnamese text extracted back with pypdf, DejaVu
embedded, headers and page numbers on every page of a long book), the audit of each print,
and the errors: wrong kind or year, another unit (403), another tenant (404), no fonts (503)."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest
from incoming_support import blobs  # noqa: F401 (fixture)
from pypdf import PdfReader
from registers_support import ARRIVAL, SUBJECT_VN, make_year

from core.audit.models import AuditEvent
from core.context import tenant_context
from plugins.registry.pdfdoc import FONT_DIR_ENV
from plugins.registry.services import numbering

BASE = "/api/v1/registry/registries"


def flat(text: str) -> str:
    """Text without whitespace: a cell may wrap anywhere."""
    return "".join(text.split())


def pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def font_names(content: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(content)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


async def prints(tenant) -> list[dict]:
    with tenant_context(tenant):
        events = await AuditEvent.filter(action="registry.register.print").order_by("id")
        return [e.after for e in events]


@pytest.fixture
async def year(tenant, tree, blobs):  # noqa: F811
    with tenant_context(tenant):
        return await make_year(tenant, tree)


@pytest.fixture
async def clerk(app, tenant, tree, account, client):
    lan = await account(tenant, "lan", role="clerk", unit_id=tree.ubnd, descendants=True)
    async with client(app, "alpha.localhost", lan.token) as c:
        yield c


async def test_the_incoming_register_as_json_and_pdf(clerk, tenant, year):
    url = f"{BASE}/{year.incoming}/registers/incoming"
    r = await clerk.get(url, params={"year": 2025, "format": "json"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["kind"], body["year"], body["title"]) == (
        "incoming",
        2025,
        "Sổ đăng ký văn bản đến",
    )
    assert [row["arrival_number"] for row in body["rows"]] == ["01", "02", "03", "04", "01", "02"]
    assert body["rows"][4]["subject"] == "(văn bản mật)"

    r = await clerk.get(url, params={"year": 2025, "format": "pdf"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    disposition = r.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="So-dang-ky-van-ban-den-')
    name = "Sổ đăng ký văn bản đến - Sổ văn bản đến - 2025.pdf"
    assert f"filename*=UTF-8''{quote(name, safe='')}" in disposition
    pages = pdf_pages(r.content)
    text = "\n".join(pages)
    assert "Sổ đăng ký văn bản đến" in text  # the footer
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" in text  # the title block
    assert "ỦY BAN NHÂN DÂN TỈNH" in text  # the agency
    assert "Năm 2025" in text
    assert "Quyết định" in text
    assert flat(SUBJECT_VN) in flat(text)
    assert flat("Sở Tư pháp tỉnh Alpha") in flat(text)
    assert "12/03/2025" in text and "15/STP-VP" in text
    assert "(văn bản mật)" in text
    assert "Kế hoạch bảo vệ bí mật" not in flat(text) and "Bí mật" not in text
    assert "Trang 1/1" in text
    fonts = font_names(r.content)
    assert fonts and all(f.split("+")[-1].startswith("DejaVuSans") for f in fonts), fonts
    assert [(p["kind"], p["year"], p["format"], p["rows"]) for p in await prints(tenant)] == [
        ("incoming", 2025, "json", 6),
        ("incoming", 2025, "pdf", 6),
    ]


async def test_the_leader_prints_the_processing_register_unmasked(
    app, tenant, tree, year, account, client
):
    leader = await account(tenant, "vy", role="leader", unit_id=tree.ubnd)
    async with client(app, "alpha.localhost", leader.token) as c:
        url = f"{BASE}/{year.incoming}/registers/processing"
        r = await c.get(url, params={"year": 2025, "format": "pdf"})
    assert r.status_code == 200, r.text
    text = "\n".join(pdf_pages(r.content))
    assert "Sổ theo dõi giải quyết văn bản đến" in text
    assert flat("Kế hoạch bảo vệ bí mật") not in flat(text)  # the subject is not a column
    assert "Đã giải quyết" in text and "02/UBND-VX" in text  # the reply's number
    assert "20/03/2025" in text and "Quá hạn" in text  # deadlines; VX's has passed
    assert flat("Phòng Văn xã") in flat(text)


async def test_a_long_outgoing_register_repeats_its_header_on_every_page(
    clerk, tenant, year, tmp_path
):
    with tenant_context(tenant):
        request = numbering.NumberRequest(document_type="quyet_dinh", note="Quyết định khen thưởng")
        for _ in range(70):
            await numbering.allocate_number(year.outgoing, request, now=ARRIVAL)
    r = await clerk.get(
        f"{BASE}/{year.outgoing}/registers/outgoing", params={"year": 2025, "format": "pdf"}
    )
    assert r.status_code == 200, r.text
    pages = pdf_pages(r.content)
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert flat("Số, ký hiệu văn bản") in flat(page)
        assert flat("Tên loại và trích yếu nội dung") in flat(page)
        assert f"Trang {number}/{len(pages)}" in page
    text = "\n".join(pages)
    assert "01/QĐ-UBND" in text and "73/QĐ-UBND" in text and "05/QĐ-UBND" in text
    assert flat("Đã hủy giữ số, không dùng lại") in flat(text)
    assert "Đang giữ số" in text
    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts (poppler-utils) is not installed: embedding checked with pypdf only")
    path = Path(tmp_path) / "so-di.pdf"
    path.write_bytes(r.content)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    fonts = out.stdout.splitlines()[2:]
    assert len(fonts) == 2, out.stdout
    for line in fonts:
        name, *_, emb, sub, uni, _obj, _gen = line.split()
        assert "DejaVuSans" in name and (emb, sub, uni) == ("yes", "yes", "yes"), line


async def test_bad_kind_year_format_and_parameters_are_422(clerk, tenant, year):
    cases = [
        (f"{BASE}/{year.incoming}/registers/outgoing", {"year": 2025}, "kind"),
        (f"{BASE}/{year.outgoing}/registers/incoming", {"year": 2025}, "kind"),
        (f"{BASE}/{year.outgoing}/registers/processing", {"year": 2025}, "kind"),
        (f"{BASE}/{year.outgoing}/registers/so-den", {"year": 2025}, "kind"),
        (f"{BASE}/{year.incoming}/registers/incoming", {"year": 1999}, "year"),
        (f"{BASE}/{year.incoming}/registers/incoming", {"year": 9000}, "year"),
        (f"{BASE}/{year.incoming}/registers/incoming", {"year": "năm nay"}, "year"),
        (f"{BASE}/{year.incoming}/registers/incoming", {"format": "docx"}, "format"),
        (f"{BASE}/{year.incoming}/registers/incoming", {"page": 2}, "page"),
    ]
    for url, params, field in cases:
        r = await clerk.get(url, params=params)
        assert r.status_code == 422, (url, params, r.text)
        assert field in r.json()["errors"], (params, r.json())
    assert await prints(tenant) == []


async def test_other_units_roles_and_tenants(
    app, api, tenant, other_tenant, tree, year, account, client
):
    url = f"{BASE}/{year.incoming}/registers/incoming"
    for name, role, unit in [
        ("tuan", "clerk", tree.stp),  # a clerk of another agency
        ("minh", "specialist", tree.ubnd),  # no print permission
        ("quy", "unit_admin", tree.ubnd),  # views registries, does not print them
    ]:
        person = await account(tenant, name, role=role, unit_id=unit)
        async with client(app, "alpha.localhost", person.token) as c:
            r = await c.get(url, params={"format": "pdf"})
        assert r.status_code == 403, (name, r.text)
        assert r.json()["permission"] == "registry.registers.print"
    beta = await account(other_tenant, "lan", role="clerk")
    async with client(app, "beta.localhost", beta.token) as c:
        assert (await c.get(url)).status_code == 404
        assert (await c.get(f"{BASE}/999999/registers/incoming")).status_code == 404
    assert (await api.get(url, params={"year": 2025})).status_code == 200  # the tenant admin
    assert [p["format"] for p in await prints(tenant)] == ["json"]


async def test_without_fonts_the_pdf_is_a_503_and_json_still_works(
    clerk, tenant, year, tmp_path, monkeypatch
):
    monkeypatch.setenv(FONT_DIR_ENV, str(tmp_path / "no-fonts"))
    url = f"{BASE}/{year.incoming}/registers/incoming"
    r = await clerk.get(url, params={"format": "pdf", "year": 2025})
    assert r.status_code == 503, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert "fonts-dejavu-core" in problem["detail"] and FONT_DIR_ENV in problem["detail"]
    assert await prints(tenant) == []  # nothing was printed
    assert (await clerk.get(url, params={"year": 2025})).status_code == 200


async def test_the_openapi_document_lists_the_register_endpoint(api):
    paths = (await api.get("/api/v1/openapi.json")).json()["paths"]
    operation = paths["/api/v1/registry/registries/{registry_id}/registers/{kind}"]["get"]
    assert operation["x-permission"] == "registry.registers.print"
    assert "application/pdf" in operation["responses"]["200"]["content"]
