"""The pages of outgoing drafts (part A): the tabs, the new-draft form with its upload, the
draft's page and its step forms (Post/Redirect/Get), htmx comments, errors and 403s."""

from __future__ import annotations

import re

import pytest
from incoming_support import PDF, blobs, make_png  # noqa: F401 (fixture)
from outgoing_draft_support import DOCX, DOCX_TYPE

from core.context import tenant_context
from core.testing_web import HTML, assert_csp_clean, hidden_fields, submit_form
from plugins.registry.models_documents import Document
from plugins.registry.models_flow import TimelineEntry

NEW = "/registry/outgoing/new"
FIELDS = {
    "direction": "outgoing",
    "registry_id": "",
    "document_type": "cong_van",
    "subject": "Về việc tổng kết công tác văn thư",
    "priority": "thuong",
    "confidentiality": "thuong",
    "page_amount": "2",
    "copies": "3",
    "recipients_text": "- Như trên;",
}


@pytest.fixture
async def registry_id(tenant, tree, blobs):  # noqa: F811
    from registry_support import new_registry

    with tenant_context(tenant):
        return await new_registry(tree.ubnd, "outgoing", name="Sổ văn bản đi")


@pytest.fixture
async def people(app, tenant, tree, account, page_client):
    made = {}
    for name, role, unit, below in [
        ("lan", "specialist", tree.vp, False),
        ("mai", "specialist", tree.vp, False),
        ("hung", "leader", tree.ubnd, True),
        ("clerk", "clerk", tree.ubnd, True),
    ]:
        person = await account(tenant, name, role=role, unit_id=unit, descendants=below)
        c = await page_client(person)
        c.user_id = person.user_id
        made[name] = c
    return made


async def post_step(c, doc_id, step, data=None, files=None):
    page = f"/registry/outgoing/{doc_id}"
    return await submit_form(c, page, f"{page}/{step}", data or {}, files=files)


async def test_a_draft_goes_from_the_form_to_signed(people, registry_id, tenant):
    lan, mai, hung, clerk = (people[n] for n in ("lan", "mai", "hung", "clerk"))
    listing = await lan.get("/registry/outgoing", headers=HTML)
    assert listing.status_code == 200 and 'data-testid="new-draft"' in listing.text
    assert_csp_clean(listing)
    form = await lan.get(NEW, headers=HTML)
    assert form.status_code == 200
    assert_csp_clean(form)
    made = await submit_form(
        lan, NEW, NEW, FIELDS, files={"main": ("Dự thảo.docx", DOCX, DOCX_TYPE)}
    )
    assert made.status_code == 303, made.text
    url = made.headers["location"]
    doc_id = int(re.search(r"/registry/outgoing/(\d+)$", url).group(1))
    page = await lan.get(url, headers=HTML)
    assert page.status_code == 200 and 'data-status="draft"' in page.text
    assert_csp_clean(page)
    mine = await lan.get("/registry/outgoing?tab=mine", headers=HTML)
    assert f'data-document="{doc_id}"' in mine.text

    r = await post_step(lan, doc_id, "review", {"reviewer_user_ids": [str(mai.user_id)]})
    assert r.status_code == 303
    to_review = await mai.get("/registry/outgoing?tab=review", headers=HTML)
    assert f'data-document="{doc_id}"' in to_review.text
    # A comment through htmx answers the comment list only.
    detail = await mai.get(url, headers=HTML)
    hidden = hidden_fields(detail.text, f"{url}/comments")
    swapped = await mai.post(
        f"{url}/comments",
        data={**hidden, "text": "Cần sửa tiêu đề."},
        headers={"hx-request": "true"},
    )
    assert swapped.status_code == 200 and 'id="comments"' in swapped.text
    assert "Cần sửa tiêu đề." in swapped.text and "<html" not in swapped.text
    r = await post_step(mai, doc_id, "decision", {"decision": "agree"})
    assert r.status_code == 303
    r = await post_step(
        lan, doc_id, "submit", {"signer_user_id": str(hung.user_id), "signing_form": "KT."}
    )
    assert r.status_code == 303
    forbidden = await mai.post(f"{url}/approve", data=hidden, headers=HTML)
    assert forbidden.status_code == 403 and "registry.outgoing.sign" in forbidden.text
    assert (await post_step(hung, doc_id, "approve")).status_code == 303
    signed = await post_step(hung, doc_id, "sign")
    assert signed.status_code == 303
    bad = await post_step(
        clerk, doc_id, "signed-file", files={"file": ("a.png", make_png(), "image/png")}
    )
    assert bad.status_code == 303
    with tenant_context(tenant):
        assert (await Document.get(id=doc_id)).status == "approved"
    ok = await post_step(
        clerk, doc_id, "signed-file", files={"file": ("ky.pdf", PDF, "application/pdf")}
    )
    assert ok.status_code == 303
    with tenant_context(tenant):
        assert (await Document.get(id=doc_id)).status == "signed"
    final = await lan.get(url, headers=HTML)
    assert 'data-status="signed"' in final.text and 'data-step="signed"' in final.text
    # Every opening of the page is on the timeline, with who opened it.
    with tenant_context(tenant):
        viewers = await TimelineEntry.filter(document_id=doc_id, step="viewed").values_list(
            "actor_user_id", flat=True
        )
    assert {lan.user_id, mai.user_id} <= set(viewers)


async def test_form_errors_and_permissions(
    people, registry_id, tenant, app, account, page_client, tree
):
    lan = people["lan"]
    wrong = await submit_form(
        lan, NEW, NEW, {**FIELDS, "subject": ""}, files={"main": ("a.png", make_png(), "image/png")}
    )
    assert wrong.status_code == 422
    assert re.findall(r'data-field-error="(\w+)"', wrong.text) == ["subject"], wrong.text[-3000:]
    assert "Về việc" not in wrong.text or 'value="thuong"' in wrong.text  # typed values kept
    # "²" is a digit to str.isdigit() but not to int(): a form error, not a 500.
    odd = await submit_form(
        lan, NEW, NEW, {**FIELDS, "page_amount": "²"}, files={"main": ("a.docx", DOCX, DOCX_TYPE)}
    )
    assert odd.status_code == 422
    assert re.findall(r'data-field-error="(\w+)"', odd.text) == ["page_amount"]
    with tenant_context(tenant):
        assert await Document.all().count() == 0
    nobody = await account(tenant, "khach", role=None, unit_id=tree.vp)
    c = await page_client(nobody)
    assert (await c.get(NEW, headers=HTML)).status_code == 403
    made = await submit_form(lan, NEW, NEW, FIELDS, files={"main": ("a.docx", DOCX, DOCX_TYPE)})
    url = made.headers["location"]
    assert (await c.get(url, headers=HTML)).status_code == 403
    # Resubmitting: the page no longer offers the form; a form kept open elsewhere (a new
    # nonce) is refused with a message and changes nothing.
    hung = people["hung"]
    for step, data in [("submit", {"signer_user_id": "²"}), ("review", {"reviewer_user_ids": "²"})]:
        odd = await submit_form(lan, url, f"{url}/{step}", data)
        assert odd.status_code == 303
        shown = await lan.get(odd.headers["location"], headers=HTML)
        assert "Chưa thực hiện được" in shown.text and 'data-status="draft"' in shown.text
    page = await lan.get(url, headers=HTML)
    hidden = hidden_fields(page.text, f"{url}/submit")
    data = {**hidden, "signer_user_id": str(hung.user_id)}
    assert (await lan.post(f"{url}/submit", data=data, headers=HTML)).status_code == 303
    data["form_nonce"] = "another-nonce-of-a-second-tab"
    again = await lan.post(f"{url}/submit", data=data, headers=HTML)
    assert again.status_code == 303
    shown = await lan.get(again.headers["location"], headers=HTML)
    assert "Chưa thực hiện được" in shown.text and "submitted already" in shown.text
    assert 'data-testid="submit-to-sign"' not in shown.text
