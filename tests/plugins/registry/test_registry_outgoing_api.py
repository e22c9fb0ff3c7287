"""``/api/v1/registry/outgoing`` (part A) over HTTP: multipart drafts, the review, submit,
approve, return, sign and signed-file steps with their permissions, the lists, bad input,
another tenant's ids; every answer matches its documented response model."""

from __future__ import annotations

import json

import pytest
from incoming_support import PDF, blobs, make_png  # noqa: F401 (fixture)
from outgoing_draft_support import DOCX, DOCX_TYPE
from pydantic import TypeAdapter
from registry_support import api_clients, new_registry

from core.context import tenant_context
from plugins.registry.models_documents import Document
from plugins.registry.schemas_outgoing_draft import (
    CommentOut,
    OutgoingDetailOut,
    OutgoingPageOut,
    SignOut,
)

URL = "/api/v1/registry/outgoing"
METADATA = {
    "document_type": "cong_van",
    "subject": "Về việc tổng kết công tác văn thư",
    "priority": "thuong",
    "confidentiality": "thuong",
    "page_amount": 2,
    "recipients_text": "- Như trên;",
    "copies": 2,
}


def valid(model, response, status=200):
    assert response.status_code == status, response.text
    TypeAdapter(model).validate_json(response.content)
    return response.json()


@pytest.fixture
async def registry_id(tenant, tree, blobs):  # noqa: F811
    with tenant_context(tenant):
        return await new_registry(tree.ubnd, "outgoing", name="Sổ văn bản đi")


@pytest.fixture
async def people(app, tenant, tree):
    """lan and mai, specialists of VP; tu, of VX; hung leads UBND; a clerk of UBND."""
    cast = [
        ("lan", "specialist", tree.vp, False),
        ("mai", "specialist", tree.vp, False),
        ("tu", "specialist", tree.vx, False),
        ("hung", "leader", tree.ubnd, True),
        ("clerk", "clerk", tree.ubnd, True),
    ]
    async with api_clients(app, tenant, cast) as made:
        yield made


def create(c, *, files=None, **changes):
    body = {**METADATA, **changes}
    parts = files if files is not None else [("main", ("Dự thảo.docx", DOCX, DOCX_TYPE))]
    return c.post(URL, data={"metadata": json.dumps(body)}, files=parts)


async def test_the_flow_over_http(any_db, people, registry_id, tree):
    lan, mai, tu, hung, clerk = (people[n] for n in ("lan", "mai", "tu", "hung", "clerk"))
    files = [
        ("main", ("Dự thảo.docx", DOCX, DOCX_TYPE)),
        ("attachments", ("bảng.pdf", PDF, "application/pdf")),
        ("annexes", ("phụ lục.pdf", PDF, "application/pdf")),
    ]
    doc = valid(OutgoingDetailOut, await create(lan, files=files), 201)
    assert (doc["status"], doc["registry_id"], doc["direction"]) == (
        "draft",
        registry_id,
        "outgoing",
    )
    assert [f["role"] for f in doc["files"]] == ["main", "attachment", "annex"]
    url = f"{URL}/{doc['id']}"
    patched = valid(OutgoingDetailOut, await lan.patch(url, json={"subject": "Về việc mới"}))
    assert (patched["subject"], patched["copies"]) == ("Về việc mới", 2)
    assert (await mai.patch(url, json={"subject": "x"})).status_code == 403

    r = await lan.post(f"{url}/reviews", json={"reviewer_user_ids": [mai.user_id, tu.user_id]})
    assert valid(OutgoingDetailOut, r)["status"] == "in_review"
    early = await tu.post(f"{url}/review-decisions", json={"decision": "agree"})
    assert early.status_code == 403 and early.json()["permission"] == "registry.outgoing.review"
    assert (
        await lan.post(f"{url}/submission", json={"signer_user_id": hung.user_id})
    ).status_code == 409
    valid(OutgoingDetailOut, await mai.post(f"{url}/review-decisions", json={"decision": "agree"}))
    again = await mai.post(f"{url}/review-decisions", json={"decision": "agree"})
    assert again.status_code == 409
    c = await tu.post(f"{url}/comments", json={"text": "Ổn."})
    made = valid(CommentOut, c, 201)
    assert made["author_id"] == tu.user_id and made["author_name"] and made["text"] == "Ổn."
    done = valid(
        OutgoingDetailOut, await tu.post(f"{url}/review-decisions", json={"decision": "agree"})
    )
    assert (done["status"], done["review_state"]) == ("draft", "agreed")

    bad_form = await lan.post(
        f"{url}/submission", json={"signer_user_id": hung.user_id, "signing_form": "XX"}
    )
    assert bad_form.status_code == 422 and "signing_form" in bad_form.json()["errors"]
    no_action = await lan.post(f"{url}/submission", json={"signer_user_id": tu.user_id})
    assert no_action.status_code == 422 and "signer_user_id" in no_action.json()["errors"]
    r = await lan.post(
        f"{url}/submission", json={"signer_user_id": hung.user_id, "signing_form": "TL."}
    )
    assert valid(OutgoingDetailOut, r)["signing_form"] == "TL."
    assert (await lan.post(f"{url}/approval")).status_code == 403  # no registry.outgoing.sign
    assert (await hung.post(f"{url}/return", json={"reason": ""})).status_code == 422
    returned = valid(OutgoingDetailOut, await hung.post(f"{url}/return", json={"reason": "Sửa"}))
    assert (returned["status"], returned["returned_reason"]) == ("returned", "Sửa")
    await lan.post(f"{url}/submission", json={"signer_user_id": hung.user_id})
    valid(OutgoingDetailOut, await hung.post(f"{url}/approval"))
    signed = valid(SignOut, await hung.post(f"{url}/signature"))
    assert (signed["manual"], signed["document"]["status"]) == (True, "approved")

    upload = [("file", ("đã ký.pdf", PDF, "application/pdf"))]
    assert (await lan.post(f"{url}/signed-file", files=upload)).status_code == 403
    png = await clerk.post(
        f"{url}/signed-file", files=[("file", ("a.png", make_png(), "image/png"))]
    )
    assert png.status_code == 422 and list(png.json()["errors"]) == ["file"]
    final = valid(OutgoingDetailOut, await clerk.post(f"{url}/signed-file", files=upload))
    assert final["status"] == "signed" and final["signature_provider"] == "manual"
    assert [f["role"] for f in final["files"]][:2] == ["main", "draft"]
    twice = await clerk.post(f"{url}/signed-file", files=upload)
    assert twice.status_code == 409
    main = final["files"][0]
    download = await hung.get(f"{url}/files/{main['id']}")
    assert download.status_code == 200 and download.content == PDF

    for who, view in [(lan, "mine"), (clerk, "unit"), (hung, "unit")]:
        page = valid(OutgoingPageOut, await who.get(URL, params={"view": view}))
        assert [d["id"] for d in page["items"]] == [doc["id"]], (who.user_id, view)
    waiting = valid(OutgoingPageOut, await hung.get(URL, params={"view": "sign"}))
    assert waiting["items"] == []  # signed: nothing waits for him
    assert (await tu.get(URL, params={"view": "nope"})).status_code == 422


async def test_bad_input_and_other_tenants(people, registry_id, tenant, other_api, tree):
    lan = people["lan"]
    png = [("main", ("a.png", make_png(), "image/png"))]
    wrong = await create(lan, files=png)
    assert wrong.status_code == 422 and wrong.json()["errors"] == {
        "main": "the main file is a PDF or a DOCX"
    }
    stray = await create(lan, files=[("other", ("a.pdf", PDF, "application/pdf"))])
    assert stray.status_code == 422 and "other" in stray.json()["errors"]
    missing = await lan.post(URL, files=[("main", ("a.docx", DOCX, DOCX_TYPE))])
    assert missing.status_code == 422
    unknown = await create(lan, code_number="15")
    assert unknown.status_code == 422 and "code_number" in unknown.json()["errors"]
    with tenant_context(tenant):
        assert await Document.all().count() == 0
    doc = (await create(lan)).json()
    assert (await other_api.get(f"{URL}/{doc['id']}")).status_code == 404
    assert (await other_api.post(f"{URL}/{doc['id']}/approval")).status_code == 404
    stranger = await people["tu"].get(f"{URL}/{doc['id']}")  # a specialist of VX
    assert stranger.status_code == 403
