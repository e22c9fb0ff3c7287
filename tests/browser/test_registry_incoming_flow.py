"""The incoming flow in a real Chromium against a real server (the demo tenant): the clerk
registers an incoming PDF and presents it to the leader, the leader assigns a lead specialist
and a co-handler with deadlines (on an iPad-sized screen), the specialist writes an opinion and
completes the document. Each person's view is checked at each step. Texts are the Vietnamese
source strings (``vi-VN``)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

import pytest
from browser_support import LiveServer, artifact_path, csrf_token, expect, open_as

if TYPE_CHECKING:
    from playwright.async_api import Browser, FilePayload, Page, ViewportSize

pytestmark = pytest.mark.slow

SUBJECT = "Về việc góp ý dự thảo quy chế phối hợp kiểm thử luồng văn bản đến"
IPAD: ViewportSize = {"width": 1024, "height": 1366}
REGISTRY = "Sổ văn bản đến (kiểm thử luồng)"


def tiny_pdf(name: str) -> FilePayload:
    """An upload named ``name``: a blank one-page A4 PDF."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return {"name": name, "mimeType": "application/pdf", "buffer": out.getvalue()}


async def incoming_registry_of_stp(page: Page) -> None:
    """As the tenant admin (already signed in on ``page``): an incoming registry for Sở Tư
    pháp through the JSON API with the session and its CSRF token (the registries' pages are
    another area's)."""
    token = await csrf_token(page)
    status = await page.evaluate(
        """async ([token, name]) => {
            const units = await (await fetch("/api/v1/units?limit=200")).json();
            const stp = units.items.find((u) => u.code === "STP");
            const made = await fetch("/api/v1/registry/registries", {
                method: "POST",
                headers: {"Content-Type": "application/json", "X-CSRF-Token": token},
                body: JSON.stringify({unit_id: stp.id, direction: "incoming", name: name}),
            });
            return made.status;
        }""",
        [token, REGISTRY],
    )
    assert status == 201


async def test_register_present_assign_and_complete_an_incoming_document(
    live_server: LiveServer, browser: Browser
) -> None:
    server = live_server
    admin_context, admin = await open_as(browser, server, "admin")
    await incoming_registry_of_stp(admin)
    await admin_context.close()
    lead_deadline = (date.today() + timedelta(days=7)).isoformat()
    co_deadline = (date.today() + timedelta(days=10)).isoformat()

    # 1. The clerk registers the PDF: the menu leads to the form.
    clerk_context, clerk = await open_as(browser, server, "vanthu")
    await clerk.get_by_role("link", name="Tiếp nhận văn bản").first.click()
    await expect(clerk.get_by_role("heading", level=1)).to_have_text("Tiếp nhận văn bản đến")
    await clerk.locator("#f-registry_id").select_option(label=REGISTRY)
    await clerk.locator("#f-organ_name").fill("Bộ Tư pháp")
    await clerk.locator("#f-code_number").fill("125")
    await clerk.locator("#f-code_notation").fill("BTP-VP")
    await clerk.locator("#f-document_type").select_option(label="Công văn")
    await clerk.locator("#f-issued_date").fill((date.today() - timedelta(days=2)).isoformat())
    await clerk.locator("#f-subject").fill(SUBJECT)
    await clerk.locator("#f-signer_full_name").fill("Nguyễn Văn Bộ")
    await clerk.locator("#f-priority").select_option(label="Khẩn")
    await clerk.locator("#f-page_amount").fill("1")
    await clerk.locator("#f-main").set_input_files(files=[tiny_pdf("cong-van-125.pdf")])
    await clerk.get_by_role("button", name="Vào sổ", exact=True).click()
    await expect(clerk.locator(".flash-success")).to_contain_text(
        "Đã vào sổ văn bản đến, số đến 01/"
    )
    await expect(clerk.get_by_role("heading", level=1)).to_contain_text(SUBJECT)
    await expect(clerk.get_by_test_id("files")).to_contain_text("cong-van-125.pdf")
    await expect(clerk.get_by_test_id("document-badges")).to_contain_text("Khẩn")
    document_url = clerk.url

    # 2. … and presents it to the director: only people who may assign are offered (the
    # director and the tenant admin), never the specialists.
    leaders = clerk.locator("#f-leader_user_id")
    await expect(leaders).to_contain_text("Phạm Văn Minh")
    await expect(leaders).not_to_contain_text("Hoàng Văn Nam")
    await clerk.locator("#f-leader_user_id").select_option(label="Phạm Văn Minh")
    await clerk.get_by_role("button", name="Trình", exact=True).click()
    await expect(clerk.locator(".flash-success")).to_contain_text("Đã trình văn bản cho lãnh đạo.")
    await expect(clerk.get_by_test_id("presentations")).to_contain_text("Chờ phân công")
    await expect(clerk.get_by_test_id("assign-form")).to_have_count(0)  # clerks do not assign

    # 3. The leader, on an iPad, finds it waiting and assigns it.
    leader_context, leader = await open_as(browser, server, "lanhdao", IPAD)
    await leader.goto(server.url(path="/registry/inbox"))
    waiting = leader.get_by_test_id("presented-table")
    await expect(waiting).to_contain_text(SUBJECT)
    await expect(waiting.locator("tr.urgent")).to_have_count(1)
    await waiting.get_by_role("link", name=SUBJECT).click()
    form = leader.get_by_test_id("assign-form")
    await expect(form).to_be_visible()
    box = await form.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= IPAD["width"]
    await form.locator("#f-lead").select_option(label="Hoàng Văn Nam")
    await form.locator("#f-lead_deadline").fill(lead_deadline)
    await form.locator("#f-co-0").select_option(label="Vũ Thị Lan")
    await form.locator("#f-co_deadline-0").fill(co_deadline)
    await form.get_by_role("button", name="Thêm người phối hợp").click()  # htmx adds a row
    await expect(form.locator('select[name="co"]')).to_have_count(3)
    await form.locator("#f-direction").fill("Phòng Văn bản chủ trì, Văn phòng phối hợp.")
    await leader.screenshot(path=str(artifact_path("registry-assign-ipad")), full_page=True)
    await form.get_by_role("button", name="Phân công", exact=True).click()
    await expect(leader.locator(".flash-success")).to_contain_text("Đã phân công xử lý văn bản.")
    tree = leader.get_by_test_id("assignments")
    await expect(tree.locator('[data-role="lead"]')).to_contain_text("Hoàng Văn Nam")
    await expect(tree.locator('[data-role="cohandler"]')).to_contain_text("Vũ Thị Lan")
    await leader.goto(server.url(path="/registry/inbox?tab=presented"))
    await expect(leader.get_by_test_id("presented-table-empty")).to_be_visible()
    await leader.goto(server.url(path="/registry/inbox?tab=following"))
    await expect(leader.get_by_test_id("following-table")).to_contain_text("Chủ trì: Hoàng Văn Nam")

    # 4. The co-handler sees her part; the lead writes an opinion and completes it.
    co_context, co = await open_as(browser, server, "chuyenvien2")
    await co.goto(server.url(path="/registry/inbox"))
    await expect(co.get_by_test_id("mine-table")).to_contain_text("Phối hợp")
    await co.goto(document_url)
    await expect(co.get_by_test_id("complete-form")).to_have_count(0)
    lead_context, lead = await open_as(browser, server, "chuyenvien1")
    await lead.goto(server.url(path="/registry/inbox"))
    mine = lead.get_by_test_id("mine-table")
    await expect(mine).to_contain_text("Chủ trì")
    await mine.get_by_role("link", name=SUBJECT).click()
    await lead.get_by_text("Xử lý phần việc của tôi").click()
    await lead.locator("#f-text").fill("Đã dự thảo văn bản góp ý, kính trình.")
    await lead.get_by_role("button", name="Gửi ý kiến").click()
    await expect(lead.locator(".flash-success")).to_contain_text("Đã ghi ý kiến xử lý.")
    await expect(lead.get_by_test_id("assignments")).to_contain_text("Đã dự thảo văn bản góp ý")
    await lead.get_by_role("button", name="Hoàn thành xử lý").click()
    await expect(lead.locator(".flash-success")).to_contain_text("Đã hoàn thành xử lý văn bản.")
    await expect(lead.get_by_test_id("document-badges")).to_contain_text("Đã hoàn thành")
    timeline = lead.get_by_test_id("timeline")
    for label in ("Vào sổ văn bản đến", "Trình lãnh đạo", "Phân công xử lý", "Ý kiến xử lý"):
        await expect(timeline).to_contain_text(label)

    # 5. The clerk's list shows it completed.
    await clerk.goto(server.url(path="/registry/incoming"))
    await expect(clerk.get_by_test_id("incoming-table")).to_contain_text("Đã hoàn thành")
    for context in (clerk_context, leader_context, co_context, lead_context):
        await context.close()
