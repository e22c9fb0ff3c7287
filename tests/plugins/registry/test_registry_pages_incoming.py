"""Pages of the incoming flow: the unit's list, my work, and receiving a document (register,
possible duplicate, refuse, file warnings), with the errors every page test covers: invalid
input (422, values kept), a stale form (403, nothing saved), a double submit, a missing
permission (403 naming it)."""

# ruff: noqa: F811 (fixtures imported from the support modules)
from __future__ import annotations

import base64
import re
from datetime import date
from typing import Any

from incoming_support import PDF, blobs, make_pdf, make_png  # noqa: F401 (fixture)
from pages_incoming_support import (  # noqa: F401 (fixtures)
    doc_id,
    field_error,
    flash_of,
    people,
    post_form,
    register,
    registry_id,
)

from core.context import tenant_context
from core.testing_web import HTML, hidden_fields
from plugins.registry.models_documents import Document
from plugins.registry.models_flow import TimelineEntry

NEW = "/registry/incoming/new"


def form_data(registry: int, **changes: str) -> dict[str, str]:
    data = {
        "registry_id": str(registry),
        "source": "upload",
        "organ_name": "Sở Tư pháp tỉnh Alpha",
        "code_number": "15",
        "code_notation": "STP-VP",
        "document_type": "cong_van",
        "issued_date": "2025-03-10",
        "subject": "Về việc báo cáo công tác tư pháp quý I năm 2025",
        "signer_full_name": "Nguyễn Văn An",
        "signer_position": "Giám đốc",
        "priority": "khan",
        "confidentiality": "thuong",
        "page_amount": "2",
        "action": "register",
    }
    data.update(changes)
    return data


def pdf_files(*names: str, data: bytes = PDF, role: str = "main") -> list[tuple[str, Any]]:
    return [(role, (name, data, "application/pdf")) for name in names]


async def count_documents(tenant) -> int:
    with tenant_context(tenant):
        return await Document.all().count()


async def test_a_clerk_registers_a_document_with_files(people, registry_id, tenant):
    thu = people["thu"].c
    page = await thu.get(NEW, headers=HTML)
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text
    assert "Sổ văn bản đến UBND" in page.text and "Hỏa tốc" in page.text
    files = pdf_files("cv-15.pdf", "cv-15-ban-2.pdf") + pdf_files(
        "phu-luc.png", data=make_png(), role="attachments"
    )
    # The CSRF token and the nonce travel inside the multipart body.
    r = await post_form(thu, NEW, NEW, form_data(registry_id), files=files)
    assert r.status_code == 303, r.text
    with tenant_context(tenant):
        document = await Document.get()
        names = [f.filename for f in await document.files.all().order_by("position")]
    assert r.headers["location"] == f"/registry/incoming/{document.id}"
    assert names == ["cv-15.pdf", "cv-15-ban-2.pdf", "phu-luc.png"]
    assert (document.arrival_number, document.priority_weight) == (1, 1)
    shown = await thu.get(r.headers["location"], headers=HTML)
    assert "Đã vào sổ văn bản đến, số đến 01/" in " ".join(flash_of(shown.text))
    assert "cv-15-ban-2.pdf" in shown.text and 'data-urgent="1"' in shown.text
    # The download link goes through the API, which records the download step.
    link = f"/api/v1/registry/incoming/{document.id}/files/"
    assert link in shown.text
    first = shown.text.split(link)[1].split('"')[0]
    assert (await thu.get(link + first)).content == PDF
    with tenant_context(tenant):
        steps = [s.step for s in await TimelineEntry.filter(document_id=document.id)]
    assert steps == ["registered", "viewed", "downloaded"]


async def test_invalid_input_keeps_the_values_and_saves_nothing(people, registry_id, tenant):
    thu = people["thu"].c
    data = form_data(registry_id, subject="", issued_date="10/03/2025", code_notation="STP-VP")
    r = await post_form(thu, NEW, NEW, data, files=pdf_files("cv.pdf"))
    assert r.status_code == 422
    assert field_error(r.text, "subject") == "Vui lòng nhập trường này."
    assert field_error(r.text, "issued_date") == "Ngày không hợp lệ."
    assert 'value="STP-VP"' in r.text  # typed values kept
    assert 'data-testid="reselect-files"' in r.text
    # No main file; a .pdf that is a PNG; the service's message lands at the file input.
    r = await post_form(thu, NEW, NEW, form_data(registry_id))
    assert field_error(r.text, "main") == "Vui lòng chọn tệp văn bản chính."
    r = await post_form(
        thu, NEW, NEW, form_data(registry_id), files=pdf_files("a.pdf", data=make_png())
    )
    assert r.status_code == 422
    assert "không phải PDF" in (field_error(r.text, "main") or "")
    r = await post_form(
        thu, NEW, NEW, form_data(registry_id, document_type="khong_co"), files=pdf_files("a.pdf")
    )
    assert field_error(r.text, "document_type") == "Giá trị không có trong danh mục."
    # A registry id that is not a number, or names no registry: at the registry's select,
    # values kept; a page count too long to be a number is a field error, never a 500.
    for bad in ("abc", "99999999"):
        data = form_data(registry_id, registry_id=bad, page_amount="9" * 5000)
        r = await post_form(thu, NEW, NEW, data, files=pdf_files("a.pdf"))
        assert r.status_code == 422
        assert field_error(r.text, "page_amount") == "Số trang là số nguyên từ 1 đến 100.000."
        if bad == "abc":
            assert field_error(r.text, "registry_id") == "Không có sổ văn bản này."
    r = await post_form(
        thu, NEW, NEW, form_data(registry_id, registry_id="99999999"), files=pdf_files("a.pdf")
    )
    assert r.status_code == 422
    assert field_error(r.text, "registry_id") == "Không có sổ văn bản này."
    assert 'value="STP-VP"' in r.text
    assert await count_documents(tenant) == 0


async def test_a_stale_form_and_a_double_submit(people, registry_id, tenant):
    thu = people["thu"].c
    page = (await thu.get(NEW, headers=HTML)).text
    fields = {**hidden_fields(page, NEW), "csrf_token": "forged"}
    r = await thu.post(
        NEW, data={**fields, **form_data(registry_id)}, files=pdf_files("a.pdf"), headers=HTML
    )
    assert r.status_code == 403
    assert 'data-testid="form-error"' in r.text
    assert await count_documents(tenant) == 0
    fields = hidden_fields(page, NEW)
    first = await thu.post(
        NEW, data={**fields, **form_data(registry_id)}, files=pdf_files("a.pdf"), headers=HTML
    )
    assert first.status_code == 303
    again = await thu.post(
        NEW, data={**fields, **form_data(registry_id)}, files=pdf_files("a.pdf"), headers=HTML
    )
    assert again.status_code == 303
    assert "Biểu mẫu này đã được gửi." in flash_of(
        (await thu.get(again.headers["location"], headers=HTML)).text
    )
    assert await count_documents(tenant) == 1


async def test_a_possible_duplicate_is_shown_then_registered_on_confirmation(
    people, registry_id, doc_id, tenant
):
    thu = people["thu"].c
    r = await post_form(thu, NEW, NEW, form_data(registry_id), files=pdf_files("a.pdf"))
    assert r.status_code == 409
    assert f'href="/registry/incoming/{doc_id}"' in r.text
    assert 'name="confirm_duplicate"' in r.text
    assert await count_documents(tenant) == 1
    # The same form (its nonce was not used up) with the box ticked registers it.
    confirmed = {**form_data(registry_id), "confirm_duplicate": "on"}
    r = await post_form(thu, NEW, NEW, confirmed, files=pdf_files("a.pdf"), page=r.text)
    assert r.status_code == 303, r.text
    with tenant_context(tenant):
        second = await Document.exclude(id=doc_id).get()
    assert (second.duplicate_confirmed, second.duplicate_of_id) == (True, doc_id)


async def test_refusing_with_a_reason(people, registry_id, tenant):
    thu = people["thu"].c
    r = await post_form(
        thu, NEW, NEW, form_data(registry_id, action="refuse"), files=pdf_files("a.pdf")
    )
    assert r.status_code == 422
    assert field_error(r.text, "reason") == "Vui lòng nêu lý do từ chối."
    data = form_data(registry_id, action="refuse", reason="Sai nơi nhận")
    r = await post_form(thu, NEW, NEW, data, files=pdf_files("a.pdf"))
    assert r.status_code == 303
    shown = await thu.get(r.headers["location"], headers=HTML)
    assert "Đã ghi nhận từ chối tiếp nhận văn bản." in flash_of(shown.text)
    assert 'data-status="refused"' in shown.text and "Sai nơi nhận" in shown.text
    with tenant_context(tenant):
        doc = await Document.get()
    assert (doc.status, doc.arrival_number) == ("refused", None)


async def test_an_encrypted_pdf_is_registered_with_a_warning(people, registry_id):
    thu = people["thu"].c
    locked = make_pdf(password="bí mật")
    r = await post_form(
        thu, NEW, NEW, form_data(registry_id), files=pdf_files("khoa.pdf", data=locked)
    )
    assert r.status_code == 303
    shown = await thu.get(r.headers["location"], headers=HTML)
    assert 'class="flash flash-warning"' in shown.text
    assert "khoa.pdf:" in " ".join(flash_of(shown.text))
    assert 'data-file-warning="encrypted"' in shown.text


async def test_who_may_open_the_receiving_form_and_the_list(people, registry_id, tenant):
    lan = people["lan"].c
    r = await lan.get(NEW, headers=HTML)
    assert r.status_code == 403 and "registry.incoming.register" in r.text
    r = await lan.get("/registry/incoming", headers=HTML)
    assert r.status_code == 403 and "registry.registries.view" in r.text
    # A clerk of another agency cannot register into UBND's registry.
    stp = people["stp"].c
    page = await stp.get(NEW, headers=HTML)
    assert "Sổ văn bản đến UBND" not in page.text
    r = await post_form(
        stp, NEW, NEW, form_data(registry_id), files=pdf_files("a.pdf"), page=page.text
    )
    assert r.status_code == 403 and "registry.incoming.register" in r.text
    assert await count_documents(tenant) == 0


def listed(page: str) -> list[int]:
    return [int(x) for x in re.findall(r'data-document-id="(\d+)"', page)]


async def test_the_list_filters_sorts_urgent_first_and_marks_overdue(
    people,
    registry_id,
    tenant,
    monkeypatch,
):
    from plugins.registry.views import pages_incoming_list

    plain = await register(tenant, registry_id, code_number="1")
    urgent = await register(tenant, registry_id, code_number="2", priority="hoa_toc")
    late = await register(tenant, registry_id, code_number="3", due_date=date(2025, 3, 20))
    thu = people["thu"].c
    r = await thu.get("/registry/incoming", headers=HTML)
    assert r.status_code == 200
    order = listed(r.text)
    assert order[0] == urgent and set(order) == {plain, urgent, late}
    row = r.text.split(f'data-document-id="{late}"')[1].split("</tr>")[0]
    assert 'data-overdue="1"' in row
    assert 'data-urgent="1"' in r.text.split(f'data-document-id="{urgent}"')[1].split("</tr>")[0]
    r = await thu.get("/registry/incoming?status=refused", headers=HTML)
    assert 'data-testid="incoming-table-empty"' in r.text
    r = await thu.get(
        f"/registry/incoming?registry_id={registry_id}&status=registered", headers=HTML
    )
    assert len(listed(r.text)) == 3
    # Bad filter values are ignored, never an error.
    r = await thu.get("/registry/incoming?registry_id=abc&status=x&cursor=%%%", headers=HTML)
    assert r.status_code == 200 and len(listed(r.text)) == 3
    # A cursor it never gave (numbers out of range, infinity) shows the first page.
    for position in (
        '[Infinity,"2025-01-01T00:00:00",1]',
        '[0,"2025-01-01T00:00:00",1e99]',
        '[0,"2025-01-01T00:00:00",99999999999]',
    ):
        cursor = base64.urlsafe_b64encode(position.encode()).decode().rstrip("=")
        r = await thu.get(f"/registry/incoming?cursor={cursor}", headers=HTML)
        assert r.status_code == 200 and listed(r.text) == order
    # Paged: two a page, the next link carries the position.
    monkeypatch.setattr(pages_incoming_list, "PAGE_SIZE", 2)
    r = await thu.get("/registry/incoming", headers=HTML)
    assert listed(r.text) == order[:2]
    following = re.search(r'href="([^"]+)" data-testid="next-page"', r.text)
    assert following is not None
    r = await thu.get(following.group(1).replace("&amp;", "&"), headers=HTML)
    assert listed(r.text) == order[2:] and 'data-testid="next-page"' not in r.text
    assert 'data-testid="first-page"' in r.text
    # The links keep the filters.
    r = await thu.get(f"/registry/incoming?registry_id={registry_id}", headers=HTML)
    following = re.search(r'href="([^"]+)" data-testid="next-page"', r.text)
    assert following is not None and f"registry_id={registry_id}" in following.group(1)
    r = await thu.get(following.group(1).replace("&amp;", "&"), headers=HTML)
    assert listed(r.text) == order[2:]
    first = re.search(r'href="([^"]+)" data-testid="first-page"', r.text)
    assert first is not None and "cursor" not in first.group(1)
    assert f"registry_id={registry_id}" in first.group(1)
    monkeypatch.undo()
    # The leader of the unit sees them; a clerk of another agency sees none.
    assert set(
        listed((await people["hung"].c.get("/registry/incoming", headers=HTML)).text)
    ) == set(order)
    assert listed((await people["stp"].c.get("/registry/incoming", headers=HTML)).text) == []
