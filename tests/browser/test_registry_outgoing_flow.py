"""The outgoing flow in a real Chromium against a real server (the demo tenant): a specialist
of Sở Tư pháp drafts a decision and submits it to the director ("KT."), the director approves
and signs it on an iPad (no signing plugin: the manual path), the clerk attaches the signed
PDF, numbers it and issues it to Sở Nội vụ, whose clerk registers it; the issuing clerk then
sees the recipient registered. A clerk of Sở Tài chính never sees it. Texts are the
Vietnamese source strings (``vi-VN``)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from browser_support import DEMO_PASSWORD, LiveServer, artifact_path, csrf_token, expect, open_as

if TYPE_CHECKING:
    from playwright.async_api import Browser, FilePayload, Page, ViewportSize

pytestmark = pytest.mark.slow

SUBJECT = "Quyết định ban hành quy chế kiểm thử luồng văn bản đi"
IPAD: ViewportSize = {"width": 1024, "height": 1366}
OUTGOING_REGISTRY = "Sổ văn bản đi (kiểm thử luồng đi)"
INCOMING_REGISTRY = "Sổ văn bản đến (kiểm thử luồng đi)"


def pdf_file(name: str, text: str) -> FilePayload:
    """An upload named ``name``: a one-page A4 PDF with ``text`` on it (reportlab)."""
    import io

    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=(595, 842))
    pdf.drawString(72, 770, text)
    pdf.showPage()
    pdf.save()
    return {"name": name, "mimeType": "application/pdf", "buffer": out.getvalue()}


async def set_up_units(page: Page) -> None:
    """As the tenant admin (signed in on ``page``), through the JSON API with the session's
    CSRF token: an outgoing registry for Sở Tư pháp, incoming registries for Sở Nội vụ and
    Sở Tài chính, and a clerk in each of those two (``vanthu_snv``, ``vanthu_stc``)."""
    token = await csrf_token(page)
    problems = await page.evaluate(
        """async ([token, password, outgoing, incoming]) => {
            const headers = {"Content-Type": "application/json", "X-CSRF-Token": token};
            const problems = [];
            const post = async (path, body) => {
                const made = await fetch(path, {
                    method: "POST", headers, body: JSON.stringify(body),
                });
                if (made.status === 201) return await made.json();
                problems.push(`${path}: ${made.status} ${await made.text()}`);
                return null;
            };
            const units = await (await fetch("/api/v1/units?limit=200")).json();
            const id = (code) => units.items.find((u) => u.code === code).id;
            await post("/api/v1/registry/registries",
                {unit_id: id("STP"), direction: "outgoing", name: outgoing});
            for (const [code, username, name] of [
                ["SNV", "vanthu_snv", "Đỗ Thị Nội"], ["STC", "vanthu_stc", "Bùi Văn Tài"],
            ]) {
                await post("/api/v1/registry/registries",
                    {unit_id: id(code), direction: "incoming", name: `${incoming} ${code}`});
                const user = await post("/api/v1/users", {
                    username, full_name: name, password, unit_id: id(code),
                    position_title: "Văn thư",
                });
                if (user) await post("/api/v1/grants",
                    {user_id: user.id, role_key: "clerk", unit_id: id(code), descendants: true});
            }
            return problems;
        }""",
        [token, DEMO_PASSWORD, OUTGOING_REGISTRY, INCOMING_REGISTRY],
    )
    assert problems == []


async def test_draft_sign_number_issue_and_register_an_outgoing_document(
    live_server: LiveServer, browser: Browser
) -> None:
    server = live_server
    admin_context, admin = await open_as(browser, server, "admin")
    await set_up_units(admin)
    await admin_context.close()

    # 1. The specialist drafts a decision from the outgoing list.
    drafter_context, drafter = await open_as(browser, server, "chuyenvien1")
    await drafter.goto(server.url(path="/registry/outgoing"))
    await expect(drafter.get_by_test_id("empty")).to_be_visible()
    await drafter.get_by_test_id("new-draft").click()
    await expect(drafter.get_by_role("heading", level=1)).to_have_text("Soạn dự thảo mới")
    await drafter.locator("#f-registry_id").select_option(label=OUTGOING_REGISTRY)
    await drafter.locator("#f-document_type").select_option(label="Quyết định")
    await drafter.locator("#f-subject").fill(SUBJECT)
    await drafter.locator("#f-recipients_text").fill("- Sở Nội vụ;\n- Lưu: VT, VB.")
    await drafter.locator("#f-main").set_input_files(
        files=[pdf_file("du-thao-quy-che.pdf", "Du thao quy che")]
    )
    await drafter.get_by_role("button", name="Tạo dự thảo", exact=True).click()
    await expect(drafter.locator(".flash-success")).to_contain_text("Đã tạo dự thảo.")
    await expect(drafter.get_by_role("heading", level=1)).to_have_text(SUBJECT)
    await expect(drafter.get_by_test_id("status")).to_have_text("Dự thảo")
    await expect(drafter.get_by_test_id("files")).to_contain_text("du-thao-quy-che.pdf")
    document_url = drafter.url
    document_id = int(document_url.rstrip("/").rsplit("/", 1)[1])

    # … and submits it to the director as signer, signing "KT.": only signers are offered.
    signers = drafter.locator("#f-signer_user_id")
    await expect(signers).to_contain_text("Phạm Văn Minh")
    await expect(signers).not_to_contain_text("Vũ Thị Lan")
    await signers.select_option(label="Phạm Văn Minh")
    await drafter.locator("#f-signing_form").select_option(label="KT.")
    await drafter.get_by_test_id("submit-to-sign").click()
    await expect(drafter.locator(".flash-success")).to_contain_text("Đã trình ký.")
    await expect(drafter.get_by_test_id("status")).to_have_text("Đã trình ký")
    await expect(drafter.get_by_test_id("draft-summary")).to_contain_text("KT.")
    await expect(drafter.get_by_test_id("submit-to-sign")).to_have_count(0)  # no longer editable
    await drafter.goto(server.url(path="/registry/outgoing?tab=mine"))
    row = drafter.locator(f'tr[data-document="{document_id}"]')
    await expect(row).to_contain_text("Đã trình ký")
    await expect(row).to_contain_text("chưa cấp số")

    # 2. The director, on an iPad, finds it waiting for his signature, approves and signs.
    leader_context, leader = await open_as(browser, server, "lanhdao", IPAD)
    await leader.goto(server.url(path="/registry/outgoing?tab=sign"))
    await expect(leader.locator('a[data-tab="sign"] .tag')).to_have_text("1")
    await leader.get_by_test_id("outgoing-list").get_by_role("link", name=SUBJECT).click()
    approve = leader.get_by_test_id("approve")
    await expect(approve).to_be_visible()
    box = await approve.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= IPAD["width"]
    await approve.click()
    await expect(leader.locator(".flash-success")).to_contain_text("Đã duyệt văn bản.")
    await expect(leader.get_by_test_id("status")).to_have_text("Đã duyệt")
    await leader.get_by_test_id("sign").click()
    await expect(leader.locator(".flash-success")).to_contain_text(
        "Đã ký. Văn thư đính kèm bản PDF đã ký để hoàn tất."
    )
    # Manual path: the document waits, approved, for the clerk's signed PDF.
    await expect(leader.get_by_test_id("status")).to_have_text("Đã duyệt")
    await expect(leader.locator('[data-testid="timeline"] li[data-step="signing"]')).to_have_count(
        1
    )
    await leader.screenshot(
        path=str(artifact_path("registry-outgoing-signed-ipad")), full_page=True
    )
    width = await leader.evaluate("document.documentElement.scrollWidth")
    assert width <= IPAD["width"], f"the page scrolls sideways on an iPad ({width}px)"

    # 3. The clerk attaches the signed PDF, numbers the document and issues it to Sở Nội vụ.
    clerk_context, clerk = await open_as(browser, server, "vanthu")
    await clerk.goto(server.url(path="/registry/outgoing?tab=unit"))
    await clerk.get_by_test_id("outgoing-list").get_by_role("link", name=SUBJECT).click()
    await clerk.locator("#f-file").set_input_files(
        files=[pdf_file("quyet-dinh-da-ky.pdf", "Quyet dinh (da ky)")]
    )
    await clerk.get_by_role("button", name="Đính kèm", exact=True).click()
    await expect(clerk.locator(".flash-success")).to_contain_text(
        "Đã đính kèm bản đã ký; văn bản đã ký."
    )
    await expect(clerk.get_by_test_id("status")).to_have_text("Đã ký")
    await expect(clerk.get_by_test_id("files")).to_contain_text("quyet-dinh-da-ky.pdf")
    await expect(clerk.get_by_test_id("issue-actions")).to_contain_text("Chưa cấp số")
    await clerk.get_by_role("link", name="Cấp số, phát hành, thu hồi").click()
    await expect(clerk.get_by_test_id("issue-form")).to_have_count(0)  # not before a number
    await clerk.get_by_test_id("number-form").get_by_role("button", name="Cấp số").click()
    code = re.compile(r"01/QĐ-STP")
    await expect(clerk.locator(".flash-success")).to_contain_text(code)
    await expect(clerk.get_by_test_id("issue-actions")).to_contain_text(code)
    await expect(clerk.get_by_test_id("number-form")).to_have_count(0)
    issue = clerk.get_by_test_id("issue-form")
    await expect(issue).to_contain_text("Sở Tài chính")  # offered: it has an incoming registry
    await issue.get_by_label("Sở Nội vụ", exact=True).check()
    await issue.get_by_role("button", name="Phát hành", exact=True).click()
    await expect(clerk.locator(".flash-success")).to_contain_text("Đã phát hành văn bản.")
    recipients = clerk.get_by_test_id("recipients")
    await expect(recipients).to_contain_text("Sở Nội vụ")
    await expect(recipients).not_to_contain_text("Sở Tài chính")
    await expect(recipients.locator('td[data-status="received"]')).to_have_text(
        "Đã đến, chờ vào sổ"
    )
    await clerk.goto(server.url(path="/registry/outgoing?tab=unit"))
    row = clerk.locator(f'tr[data-document="{document_id}"]')
    await expect(row).to_contain_text("Đã phát hành")
    await expect(row).to_contain_text(code)

    # 4. The clerk of Sở Nội vụ finds it waiting and registers it.
    snv_context, snv = await open_as(browser, server, "vanthu_snv")
    await snv.goto(server.url(path="/registry/incoming/received"))
    waiting = snv.locator("tr", has_text=SUBJECT)
    await expect(waiting).to_have_count(1)
    await expect(waiting).to_contain_text(code)
    await expect(waiting).to_contain_text("Sở Tư pháp")
    await waiting.get_by_role("button", name="Vào sổ", exact=True).click()
    await expect(snv.locator(".flash-success")).to_contain_text("Đã vào sổ văn bản.")
    await expect(snv.locator("tr", has_text=SUBJECT)).to_have_count(0)
    await snv.goto(server.url(path="/registry/incoming"))
    registered = snv.get_by_test_id("incoming-table").locator("tr", has_text=SUBJECT)
    await expect(registered).to_have_count(1)
    await expect(registered.locator("td").first).to_have_text(re.compile(r"^\s*01/\S+"))
    await expect(registered).to_contain_text(code)

    # 5. A clerk of Sở Tài chính sees it nowhere.
    stc_context, stc = await open_as(browser, server, "vanthu_stc")
    for path in (
        "/registry/incoming/received",
        "/registry/incoming",
        "/registry/outgoing?tab=unit",
    ):
        await stc.goto(server.url(path=path))
        await expect(stc.get_by_role("heading", level=1)).to_be_visible()
        await expect(stc.locator("main")).not_to_contain_text(SUBJECT)
    response = await stc.goto(document_url)
    assert response is not None and response.status in (403, 404)

    # 6. The issuing clerk sees Sở Nội vụ's copy registered.
    await clerk.goto(server.url(path=f"/registry/outgoing/{document_id}/issue"))
    await expect(clerk.get_by_test_id("recipients").locator("td[data-status]")).to_have_text(
        "Đã vào sổ"
    )
    for context in (drafter_context, leader_context, clerk_context, snv_context, stc_context):
        await context.close()
