"""The document page of an incoming document and its actions: present to a leader, assign
(lead, co-handlers with deadlines, for information), re-assign inside a unit, opinions with a
file, a part done, completion — each end to end through the forms, with its refusals (422 at
the field, 409, 403 naming the permission, 404 for another tenant, a stale form, a double
submit)."""

# ruff: noqa: F811 (fixtures imported from the support modules)
from __future__ import annotations

import re

from incoming_support import PDF, blobs  # noqa: F401 (fixture)
from pages_incoming_support import (  # noqa: F401 (fixtures)
    doc_id,
    field_error,
    flash_of,
    foreign_document,
    people,
    post_form,
    registry_id,
)

from core.context import tenant_context
from core.testing_web import HTML, hidden_fields
from plugins.registry.models_assignments import Assignment, AssignmentOpinion
from plugins.registry.models_documents import Document
from plugins.registry.models_flow import Presentation, TimelineEntry


def page_of(doc: int) -> str:
    return f"/registry/incoming/{doc}"


async def follow(c, r) -> str:
    assert r.status_code == 303, r.text[-2000:]
    return (await c.get(r.headers["location"], headers=HTML)).text


def assignment_ids(page: str) -> list[int]:
    return [int(x) for x in re.findall(r'data-assignment-id="(\d+)"', page)]


async def test_the_whole_flow_through_the_pages(people, doc_id, tenant, tree):
    thu, hung, lan, tu = (people[n] for n in ("thu", "hung", "lan", "tu"))
    url = page_of(doc_id)
    page = (await thu.c.get(url, headers=HTML)).text
    # The clerk may present, to leaders of the unit only; she may not assign.
    assert 'data-testid="present-form"' in page and 'data-testid="assign-form"' not in page
    options = re.findall(
        r'<option value="(\d+)"', page.split('name="leader_user_id"')[1].split("</select>")[0]
    )
    assert options == [str(hung.user_id)]
    r = await post_form(
        thu.c, url, f"{url}/present", {"leader_user_id": str(hung.user_id), "note": "Kính trình"}
    )
    assert "Đã trình văn bản cho lãnh đạo." in flash_of(await follow(thu.c, r))

    inbox = (await hung.c.get("/registry/inbox", headers=HTML)).text
    assert 'data-testid="presented-table"' in inbox and f'data-document-id="{doc_id}"' in inbox
    page = (await hung.c.get(url, headers=HTML)).text
    assert 'data-testid="assign-form"' in page and f'value="u:{lan.user_id}"' in page
    data = {
        "lead": f"u:{lan.user_id}",
        "lead_deadline": "2025-03-20",
        "co": [f"u:{tu.user_id}", ""],
        "co_deadline": ["2025-03-25", ""],
        "info": [f"n:{tree.vp}"],
        "direction": "Văn phòng chủ trì, chuyên viên Tú phối hợp.",
    }
    r = await post_form(hung.c, url, f"{url}/assign", data, page=page)
    shown = await follow(hung.c, r)
    assert "Đã phân công xử lý văn bản." in flash_of(shown)
    assert (
        'data-role="lead"' in shown
        and 'data-role="cohandler"' in shown
        and 'data-role="info"' in shown
    )
    with tenant_context(tenant):
        made = {a.role: a for a in await Assignment.filter(document_id=doc_id)}
        assert not await Presentation.filter(document_id=doc_id, status="open").exists()
    assert str(made["cohandler"].deadline) == "2025-03-25"
    inbox = (await hung.c.get("/registry/inbox?tab=presented", headers=HTML)).text
    assert 'data-testid="presented-table-empty"' in inbox
    following = (await hung.c.get("/registry/inbox?tab=following", headers=HTML)).text
    assert f'data-document-id="{doc_id}"' in following and "Chủ trì: Lan" in following

    mine = (await tu.c.get("/registry/inbox", headers=HTML)).text
    assert f'data-document-id="{doc_id}"' in mine and "Phối hợp" in mine
    co = made["cohandler"].id
    r = await post_form(tu.c, url, f"{url}/assignments/{co}/opinion", {"text": "Thống nhất."})
    await follow(tu.c, r)
    page = (await tu.c.get(url, headers=HTML)).text
    assert 'data-testid="complete-form"' not in page  # a co-handler does not complete
    r = await post_form(tu.c, url, f"{url}/assignments/{co}/done", {}, page=page)
    assert "Đã báo cáo hoàn thành phần việc." in flash_of(await follow(tu.c, r))
    assert (
        'data-testid="mine-table-empty"'
        in (await tu.c.get("/registry/inbox?tab=mine", headers=HTML)).text
    )

    lead = made["lead"].id
    files = {"file": ("dự thảo.pdf", PDF, "application/pdf")}
    r = await post_form(
        lan.c,
        url,
        f"{url}/assignments/{lead}/opinion",
        {"text": "Đã dự thảo trả lời."},
        files=files,
    )
    shown = await follow(lan.c, r)
    assert "Đã dự thảo trả lời." in shown and "dự thảo.pdf" in shown
    r = await post_form(lan.c, url, f"{url}/complete", {"reply_document_id": ""}, page=shown)
    shown = await follow(lan.c, r)
    assert "Đã hoàn thành xử lý văn bản." in flash_of(shown)
    assert 'data-status="completed"' in shown and 'data-testid="complete-form"' not in shown
    with tenant_context(tenant):
        assert (await Document.get(id=doc_id)).status == "completed"
        assert await AssignmentOpinion.filter(assignment_id=lead).count() == 1
        steps = [
            s.step for s in await TimelineEntry.filter(document_id=doc_id).order_by("at", "id")
        ]
    flow = [s for s in steps if s not in ("viewed", "downloaded")]
    assert flow == [
        "registered",
        "presented",
        "assigned",
        "opinion",
        "done",
        "opinion",
        "completed",
    ]
    # The timeline macro gives every step its Vietnamese label.
    timeline = shown.split('data-testid="timeline"')[1]
    for label in (
        "Vào sổ văn bản đến",
        "Trình lãnh đạo",
        "Phân công xử lý",
        "Ý kiến xử lý",
        "Hoàn thành xử lý",
    ):
        assert label in timeline


async def test_presenting_errors(people, doc_id, tenant):
    thu, lan = people["thu"], people["lan"]
    url = page_of(doc_id)
    action = f"{url}/present"
    r = await post_form(thu.c, url, action, {"leader_user_id": str(lan.user_id)})
    assert r.status_code == 422
    assert (
        field_error(r.text, "leader_user_id")
        == "Người này không có quyền phân công văn bản của đơn vị."
    )
    r = await post_form(thu.c, url, action, {"leader_user_id": ""})
    assert (
        r.status_code == 422 and field_error(r.text, "leader_user_id") == "Vui lòng chọn lãnh đạo."
    )
    page = (await thu.c.get(url, headers=HTML)).text
    stale = {
        **hidden_fields(page, action),
        "csrf_token": "x",
        "leader_user_id": str(people["hung"].user_id),
    }
    r = await thu.c.post(action, data=stale, headers=HTML)
    assert r.status_code == 403
    fields = {**hidden_fields(page, action), "leader_user_id": str(people["hung"].user_id)}
    assert (await thu.c.post(action, data=fields, headers=HTML)).status_code == 303
    again = await thu.c.post(action, data=fields, headers=HTML)
    assert "Biểu mẫu này đã được gửi." in flash_of(await follow(thu.c, again))
    # A new form presenting to the same leader again is a conflict.
    r = await post_form(thu.c, url, action, {"leader_user_id": str(people["hung"].user_id)})
    assert r.status_code == 409 and "Văn bản đang chờ lãnh đạo này phân công." in r.text
    with tenant_context(tenant):
        assert await Presentation.filter(document_id=doc_id).count() == 1
    # A specialist may not present (he does not even see the document yet).
    r = await lan.c.post(action, data={"leader_user_id": "1"}, headers=HTML)
    assert r.status_code == 403 and "registry.incoming.register" in r.text


async def test_assigning_errors(people, doc_id, tenant, tree, other_tenant):
    hung, lan, tu = people["hung"], people["lan"], people["tu"]
    url = page_of(doc_id)
    action = f"{url}/assign"
    r = await post_form(
        hung.c, url, action, {"lead": f"u:{lan.user_id}", "lead_deadline": "2025-03-01"}
    )
    assert r.status_code == 422
    assert (
        field_error(r.text, "lead_deadline") == "Hạn xử lý không được trước ngày đến của văn bản."
    )
    assert f'<option value="u:{lan.user_id}" selected>' in r.text  # the choice is kept
    r = await post_form(hung.c, url, action, {"lead": "x:1"})
    assert r.status_code == 422 and field_error(r.text, "lead") == "Lựa chọn không hợp lệ."
    r = await post_form(
        hung.c, url, action, {"lead": "", "co": [f"u:{tu.user_id}"], "co_deadline": ["31/12"]}
    )
    assert r.status_code == 422 and field_error(r.text, "co.0") == "Ngày không hợp lệ."
    r = await post_form(
        hung.c, url, action, {"lead": "", "co": [f"u:{tu.user_id}"], "co_deadline": [""]}
    )
    assert r.status_code == 422 and field_error(r.text, "lead") == "Vui lòng nhập trường này."
    with tenant_context(tenant):
        assert await Assignment.filter(document_id=doc_id).count() == 0
    r = await post_form(hung.c, url, action, {"lead": f"u:{lan.user_id}"})
    assert r.status_code == 303
    page = (await hung.c.get(url, headers=HTML)).text
    assert 'name="replace_lead"' in page  # a lead exists: replacing needs the box
    r = await post_form(hung.c, url, action, {"lead": f"u:{tu.user_id}"}, page=page)
    assert r.status_code == 409 and "Văn bản đã có người chủ trì" in r.text
    r = await post_form(hung.c, url, action, {"lead": f"u:{tu.user_id}", "replace_lead": "on"})
    assert r.status_code == 303
    with tenant_context(tenant):
        states = [a.status for a in await Assignment.filter(document_id=doc_id).order_by("id")]
    assert states == ["replaced", "open"]
    # Without the action (a specialist), and another tenant's document.
    r = await lan.c.post(action, data={"lead": "u:1"}, headers=HTML)
    assert r.status_code == 403 and "registry.incoming.assign" in r.text
    foreign = await foreign_document(other_tenant)
    r = await hung.c.post(
        f"/registry/incoming/{foreign}/assign", data={"lead": "u:1"}, headers=HTML
    )
    assert r.status_code == 404
    assert (await hung.c.get(page_of(foreign), headers=HTML)).status_code == 404


async def test_a_unit_passes_its_assignment_on(people, doc_id, tenant, tree):
    hung, vu, tu = people["hung"], people["vu"], people["tu"]
    url = page_of(doc_id)
    r = await post_form(
        hung.c, url, f"{url}/assign", {"lead": f"n:{tree.vx}", "lead_deadline": "2025-03-30"}
    )
    assert r.status_code == 303
    with tenant_context(tenant):
        unit_lead = (await Assignment.get(document_id=doc_id)).id
    page = (await vu.c.get(url, headers=HTML)).text
    assert f'data-testid="reassign-{unit_lead}"' in page
    assert 'data-testid="assign-form"' not in page  # not a leader of UBND
    # Only people of VX are offered; someone outside it is refused by the service too.
    block = page.split(f'data-testid="reassign-{unit_lead}"')[1].split("</details>")[0]
    assert f'value="u:{tu.user_id}"' in block and f'value="u:{people["lan"].user_id}"' not in block
    # A row added to that form offers the same people, with ids of that form's prefix; a
    # parent that is not an id is ignored.
    row = (await vu.c.get(f"{url}/assignee-row?kind=co&parent={unit_lead}", headers=HTML)).text
    assert f'value="u:{tu.user_id}"' in row and f'value="u:{people["lan"].user_id}"' not in row
    assert f'id="r{unit_lead}-f-co-' in row
    r = await vu.c.get(f"{url}/assignee-row?kind=co&parent=x%22y", headers=HTML)
    assert r.status_code == 200 and 'id="f-co-' in r.text and "u:" not in r.text
    action = f"{url}/assign"
    r = await post_form(
        vu.c,
        url,
        action,
        {"parent_assignment_id": str(unit_lead), "lead": f"u:{people['lan'].user_id}"},
        page=page,
    )
    assert (
        r.status_code == 422
        and field_error(r.text, "lead") == "Không thuộc đơn vị được giao văn bản."
    )
    assert (
        f'data-testid="reassign-{unit_lead}"' in r.text and '<details class="card" open' in r.text
    )
    r = await post_form(
        vu.c,
        url,
        action,
        {
            "parent_assignment_id": str(unit_lead),
            "lead": f"u:{tu.user_id}",
            "lead_deadline": "2025-03-28",
        },
    )
    assert r.status_code == 303
    mine = (await tu.c.get("/registry/inbox", headers=HTML)).text
    assert f'data-document-id="{doc_id}"' in mine
    shown = (await tu.c.get(url, headers=HTML)).text
    nested = shown.split(f'data-assignment-id="{unit_lead}"')[1]
    assert 'data-role="lead"' in nested  # the new assignment sits under the unit's


async def test_the_assignee_row_partial(people, doc_id, tree):
    hung, lan = people["hung"], people["lan"]
    r = await hung.c.get(
        f"{page_of(doc_id)}/assignee-row?kind=co", headers={**HTML, "HX-Request": "true"}
    )
    assert r.status_code == 200 and "<html" not in r.text
    assert (
        'name="co"' in r.text
        and 'name="co_deadline"' in r.text
        and f'value="u:{lan.user_id}"' in r.text
    )
    r = await hung.c.get(f"{page_of(doc_id)}/assignee-row?kind=info", headers=HTML)
    assert 'name="info"' in r.text and "co_deadline" not in r.text
    # Someone who may not assign gets a row without choices; another's document is hidden.
    r = await people["thu"].c.get(f"{page_of(doc_id)}/assignee-row?kind=co", headers=HTML)
    assert "u:" not in r.text
    assert (await lan.c.get(f"{page_of(doc_id)}/assignee-row", headers=HTML)).status_code == 403


async def test_who_sees_the_document_page(people, doc_id, other_tenant):
    assert (await people["hung"].c.get(page_of(doc_id), headers=HTML)).status_code == 200
    r = await people["stp"].c.get(page_of(doc_id), headers=HTML)
    assert r.status_code == 403 and "registry.registries.view" in r.text
    foreign = await foreign_document(other_tenant)
    assert (await people["thu"].c.get(page_of(foreign), headers=HTML)).status_code == 404


async def test_opinion_done_and_complete_errors(people, doc_id, tenant):
    hung, lan, tu = people["hung"], people["lan"], people["tu"]
    url = page_of(doc_id)
    data = {"lead": f"u:{lan.user_id}", "co": [f"u:{tu.user_id}"], "co_deadline": [""]}
    assert (await post_form(hung.c, url, f"{url}/assign", data)).status_code == 303
    with tenant_context(tenant):
        made = {a.role: a.id for a in await Assignment.filter(document_id=doc_id)}
    lead, co = made["lead"], made["cohandler"]
    r = await post_form(lan.c, url, f"{url}/assignments/{lead}/opinion", {"text": "  "})
    assert r.status_code == 422 and field_error(r.text, "text") == "Vui lòng nhập ý kiến."
    files = {"file": ("a.pdf", b"not a pdf", "application/pdf")}
    r = await post_form(
        lan.c, url, f"{url}/assignments/{lead}/opinion", {"text": "Ý kiến"}, files=files
    )
    assert r.status_code == 422 and field_error(r.text, "file")
    # Someone else's part: 403 naming the handler rule; an assignment of another document: 404.
    page = (await tu.c.get(url, headers=HTML)).text
    r = await tu.c.post(
        f"{url}/assignments/{lead}/opinion",
        data={**hidden_fields(page, f"{url}/assignments/{co}/opinion"), "text": "X"},
        headers=HTML,
    )
    assert r.status_code == 403 and "registry.assignment.handle" in r.text
    r = await tu.c.post(
        f"/registry/incoming/{doc_id + 1000}/assignments/{co}/done", data={}, headers=HTML
    )
    assert r.status_code == 404
    r = await post_form(lan.c, url, f"{url}/complete", {"reply_document_id": "abc"})
    assert (
        r.status_code == 422
        and field_error(r.text, "reply_document_id") == "Mã văn bản trả lời là một số."
    )
    r = await post_form(lan.c, url, f"{url}/complete", {"reply_document_id": "999999"})
    assert r.status_code == 422 and field_error(r.text, "reply_document_id") == "Không tìm thấy."
    with tenant_context(tenant):
        assert (await Document.get(id=doc_id)).status == "assigned"
        assert await AssignmentOpinion.all().count() == 0
    # A co-handler may not complete.
    r = await tu.c.post(
        f"{url}/complete",
        data={**hidden_fields(page, f"{url}/assignments/{co}/done")},
        headers=HTML,
    )
    assert r.status_code == 403 and "registry.assignment.handle" in r.text
    # Done twice with the same form: the second is told so.
    page = (await lan.c.get(url, headers=HTML)).text
    fields = hidden_fields(page, f"{url}/assignments/{lead}/done")
    assert (
        await lan.c.post(f"{url}/assignments/{lead}/done", data=fields, headers=HTML)
    ).status_code == 303
    again = await lan.c.post(f"{url}/assignments/{lead}/done", data=fields, headers=HTML)
    assert "Biểu mẫu này đã được gửi." in flash_of(await follow(lan.c, again))
