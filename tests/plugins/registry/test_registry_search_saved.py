"""Saved searches and exports through the services on SQLite and PostgreSQL: ownership,
unique names, checked filters; XLSX read back with openpyxl, PDF text with pypdf; audit."""

from __future__ import annotations

import io
from datetime import date

import pytest
from incoming_support import blobs  # noqa: F401 (fixture)
from openpyxl import load_workbook
from pypdf import PdfReader
from registry_support import new_registry
from search_support import register

from core import Actor, Conflict, InvalidInput, NotFound, PermissionDenied
from core.audit.models import AuditEvent
from core.context import acting_as, tenant_context
from core.testing_web import make_account
from plugins.registry.models_search import SavedSearch
from plugins.registry.services import search, search_export, search_saved
from plugins.registry.services.search_filters import SearchFilters

pytestmark = pytest.mark.usefixtures("any_db")


@pytest.fixture
async def registry(tenant, tree, blobs):  # noqa: F811
    with tenant_context(tenant):
        registry_id = await new_registry(tree.ubnd, "incoming", name="Sổ văn bản đến")
        await register(
            registry_id, code_number="1", subject="Quyết định thành lập Ban chỉ đạo Đà Nẵng"
        )
        await register(
            registry_id,
            code_number="2",
            priority="hoa_toc",
            subject="Công điện về ứng phó bão số 3",
            due_date=date(2025, 6, 1),
        )
        return registry_id


async def test_saved_searches_belong_to_their_owner(tenant, other_tenant, tree, registry):
    lan = await make_account(tenant, "lan", role="clerk", unit_id=tree.ubnd, descendants=True)
    minh = await make_account(tenant, "minh", role="clerk", unit_id=tree.ubnd, descendants=True)
    with tenant_context(tenant), acting_as(Actor("user", lan.user_id, "lan")):
        saved = await search_saved.create_saved_search(
            "  Đà   Nẵng ", {"q": "da nang", "direction": "incoming", "overdue": False}
        )
        assert (saved.name, saved.params) == ("Đà Nẵng", {"q": "da nang", "direction": "incoming"})
        with pytest.raises(Conflict):
            await search_saved.create_saved_search("Đà Nẵng", {"q": "khác"})
        with pytest.raises(InvalidInput) as caught:
            await search_saved.create_saved_search("Sai", {"direction": "x", "colour": "red"})
        assert set(caught.value.errors) == {"direction", "colour"}
        with pytest.raises(InvalidInput):
            await search_saved.create_saved_search(" ", {})
        with pytest.raises(InvalidInput):
            await search_saved.create_saved_search("x" * 101, {})
        found, page = await search_saved.run_saved_search(saved.id)
        assert found.id == saved.id and [h.document.subject for h in page.hits] == [
            "Quyết định thành lập Ban chỉ đạo Đà Nẵng"
        ]
        assert [s.name for s in await search_saved.list_saved_searches()] == ["Đà Nẵng"]
    with tenant_context(tenant), acting_as(Actor("user", minh.user_id, "minh")):
        assert await search_saved.list_saved_searches() == []
        with pytest.raises(NotFound):
            await search_saved.run_saved_search(saved.id)
        with pytest.raises(NotFound):
            await search_saved.delete_saved_search(saved.id)
        same_name = await search_saved.create_saved_search("Đà Nẵng", {})  # per owner
        assert same_name.owner_id == minh.user_id
    with (
        tenant_context(other_tenant),
        acting_as(Actor("user", lan.user_id, "lan")),
        pytest.raises(NotFound),  # the same user id in another tenant
    ):
        await search_saved.get_saved_search(saved.id)
    with tenant_context(tenant):
        with acting_as(Actor("system", None, "system")), pytest.raises(PermissionDenied):
            await search_saved.list_saved_searches()
        with acting_as(Actor("user", lan.user_id, "lan")):
            await search_saved.delete_saved_search(saved.id)
            assert await search_saved.list_saved_searches() == []
        assert await SavedSearch.all().count() == 1  # minh's


async def test_xlsx_export_has_vietnamese_headers_real_dates_and_is_audited(tenant, registry):
    with tenant_context(tenant):
        export = await search_export.export_results(SearchFilters(q="bao so 3"), "xlsx")
        assert (export.rows, export.capped) == (1, False)
        assert export.filename == "Kết quả tìm kiếm văn bản.xlsx"
        sheet = load_workbook(io.BytesIO(export.content)).active
        header = [c.value for c in sheet[1]]
        assert header[:5] == [
            "STT",
            "Số, ký hiệu",
            "Ngày văn bản",
            "Loại văn bản",
            "Trích yếu nội dung",
        ]
        row = [c.value for c in sheet[2]]
        assert row[0] == 1 and row[1] == "2/STP-VP"
        assert row[2].date() == date(2025, 3, 10) and sheet.cell(2, 3).number_format == "DD/MM/YYYY"
        assert row[4] == "Công điện về ứng phó bão số 3"
        assert "Hỏa tốc" in row and "Quá hạn" in row
        assert sheet.column_dimensions["E"].width == 60
        assert sheet.max_row == 2
        event = await AuditEvent.get(action="registry.search.export")
        assert event.after == {
            "format": "xlsx",
            "filters": {"q": "bao so 3"},
            "rows": 1,
            "capped": False,
        }


async def test_pdf_export_keeps_the_diacritics(tenant, registry):
    with tenant_context(tenant):
        export = await search_export.export_results(SearchFilters(), "pdf")
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(export.content)).pages)
        assert "Quyết định thành lập Ban chỉ đạo Đà Nẵng" in text
        assert "Công điện về ứng phó bão số 3" in text
        assert "KẾT QUẢ TÌM KIẾM VĂN BẢN" in text and "TỈNH ALPHA" in text
        assert await AuditEvent.filter(action="registry.search.export").count() == 1


async def test_exports_beyond_the_cap_say_so(tenant, registry, monkeypatch):
    monkeypatch.setattr(search, "MAX_MATCHES", 1)
    monkeypatch.setattr(search_export, "MAX_MATCHES", 1)
    with tenant_context(tenant):
        export = await search_export.export_results(SearchFilters(), "xlsx")
        assert (export.rows, export.capped) == (1, True)
        sheet = load_workbook(io.BytesIO(export.content)).active
        assert "Chỉ xuất 1 kết quả đầu tiên" in str(sheet.cell(sheet.max_row, 1).value)
        pdf = await search_export.export_results(SearchFilters(q="so tu phap"), "pdf")
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
        assert pdf.capped and "Chỉ xuất 1 kết quả đầu tiên" in " ".join(text.split())


def test_the_export_title_describes_the_search_in_words() -> None:
    from datetime import date

    from plugins.registry.services.search_export import describe
    from plugins.registry.services.search_filters import SearchFilters

    assert describe(SearchFilters()) == "Tất cả văn bản"
    summary = describe(
        SearchFilters(
            q="đề án",
            direction="incoming",
            date_field="arrival",
            date_from=date(2025, 3, 1),
            status="processing",
            overdue=True,
            document_type="quyet_dinh",
        )
    )
    assert summary == (
        "Từ khóa: đề án; Loại văn bản: Văn bản đến; Hình thức văn bản: quyet_dinh; "
        "Theo ngày: ngày đến; Từ ngày: 01/03/2025; Trạng thái: Đang giải quyết; Quá hạn: có"
    )
