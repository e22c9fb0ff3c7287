"""The console's failed jobs page: every tenant's failed outbox messages, a filter by tenant,
retrying one or every listed message; stale and repeated forms; who may see it."""

from __future__ import annotations

import html
import re
import uuid
from datetime import UTC, datetime

from core.context import TenantInfo
from core.jobs.models import OutboxMessage
from core.testing_web import HTML, hidden_fields, submit_form

URL = "/platform/jobs"
UNKNOWN_HANDLER = "no job handler named 'gone.plugin_job' is registered"


async def failing_message(tenant: TenantInfo | None, handler: str = "gone.plugin_job") -> str:
    """A message whose handler no plugin registers, run once by the executor: it fails."""
    from core.jobs.executor import execute_message

    row = await OutboxMessage.create(
        id=str(uuid.uuid4()),
        tenant_id=tenant.id if tenant is not None else None,
        handler=handler,
        next_attempt_at=datetime.now(UTC),
    )
    assert await execute_message(row.id) == "failed"
    return str(row.id)


def listed(page: str) -> dict[str, str]:
    """message id → its table row."""
    return dict(re.findall(r'<tr data-job="([^"]+)">(.*?)</tr>', page, flags=re.S))


async def status_of(message_id: str) -> str:
    return (await OutboxMessage.get(id=message_id)).status


async def test_failed_jobs_of_every_tenant_are_listed(operator, tenant, other_tenant):
    mine = await failing_message(tenant)
    theirs = await failing_message(other_tenant, "gone.other_job")
    platform = await failing_message(None, "gone.platform_job")
    page = await operator.get(URL, headers=HTML)
    assert page.status_code == 200
    rows = listed(page.text)
    assert set(rows) == {mine, theirs, platform}
    assert ">alpha</a>" in rows[mine]
    assert "<code>gone.plugin_job</code>" in rows[mine]
    assert "<td>1/8</td>" in rows[mine]
    assert UNKNOWN_HANDLER in html.unescape(rows[mine])  # the first line of the error
    assert ">beta</a>" in rows[theirs]
    assert "(nền tảng)" in rows[platform]
    assert 'data-menu="platform.jobs" aria-current="page"' in page.text


async def test_the_list_can_be_filtered_by_tenant(operator, tenant, other_tenant):
    mine = await failing_message(tenant)
    await failing_message(other_tenant)
    page = await operator.get(URL + "?tenant=alpha", headers=HTML)
    assert set(listed(page.text)) == {mine}
    assert '<option value="alpha" selected>' in page.text
    assert (await operator.get(URL + "?tenant=nobody", headers=HTML)).status_code == 404


async def test_without_failed_jobs_the_page_says_so(operator, tenant):
    page = await operator.get(URL, headers=HTML)
    assert 'data-testid="no-failed-jobs"' in page.text


async def test_a_retried_job_leaves_the_list_and_is_audited(operator, tenant, other_tenant):
    from core.audit.models import AuditEvent
    from core.context import tenant_context

    mine = await failing_message(tenant)
    theirs = await failing_message(other_tenant)
    action = f"{URL}/{mine}/retry"
    response = await submit_form(operator, URL + "?tenant=alpha", action, {})
    assert response.status_code == 303
    assert response.headers["location"] == URL + "?tenant=alpha"
    page = await operator.get(response.headers["location"], headers=HTML)
    assert "Đã đưa tác vụ gone.plugin_job vào hàng đợi để chạy lại." in page.text
    assert listed(page.text) == {}
    assert await status_of(mine) == "pending"
    assert await status_of(theirs) == "failed"
    with tenant_context(tenant):
        [event] = await AuditEvent.filter(action="jobs.retry")
    assert event.object_id == mine


async def test_a_repeated_or_stale_retry_changes_nothing_more(operator, tenant):
    first_id = await failing_message(tenant)
    second_id = await failing_message(tenant)
    page = await operator.get(URL, headers=HTML)
    action = f"{URL}/{first_id}/retry"
    fields = hidden_fields(page.text, action)
    assert (await operator.post(action, data=fields, headers=HTML)).status_code == 303
    await OutboxMessage.filter(id=first_id).update(status="failed", attempts=8)  # failed again
    again = await operator.post(action, data=fields, headers=HTML)
    assert again.status_code == 303
    assert "Biểu mẫu này đã được gửi." in (await operator.get(URL, headers=HTML)).text
    assert await status_of(first_id) == "failed"  # the repeated form did not retry it again

    other = f"{URL}/{second_id}/retry"
    stale = {**hidden_fields(page.text, other), "csrf_token": "forged"}
    refused = await operator.post(other, data=stale, headers=HTML)
    assert refused.status_code == 403
    assert 'data-testid="form-error"' in refused.text
    assert await status_of(second_id) == "failed"


async def test_retrying_a_job_that_is_no_longer_failed_says_so(operator, tenant):
    message_id = await failing_message(tenant)
    page = await operator.get(URL, headers=HTML)
    await OutboxMessage.filter(id=message_id).update(status="pending")
    action = f"{URL}/{message_id}/retry"
    response = await operator.post(action, data=hidden_fields(page.text, action), headers=HTML)
    assert response.status_code == 303
    after = await operator.get(URL, headers=HTML)
    assert "Tác vụ này không còn ở trạng thái lỗi." in after.text
    unknown = f"{URL}/{uuid.uuid4()}/retry"
    fields = hidden_fields(page.text, action)
    assert (await operator.post(unknown, data=fields, headers=HTML)).status_code == 404


async def test_retry_all_shown_retries_only_the_listed_jobs(operator, tenant, other_tenant):
    mine = [await failing_message(tenant), await failing_message(tenant)]
    theirs = await failing_message(other_tenant)
    page = await operator.get(URL + "?tenant=alpha", headers=HTML)
    action = f"{URL}/retry"
    fields = hidden_fields(page.text, action)
    assert fields["tenant"] == "alpha"
    ids = re.findall(r'name="ids" value="([^"]+)"', page.text)
    assert sorted(ids) == sorted(mine)
    response = await operator.post(action, data={**fields, "ids": ids}, headers=HTML)
    assert response.status_code == 303
    after = await operator.get(response.headers["location"], headers=HTML)
    assert "Đã đưa 2 tác vụ vào hàng đợi để chạy lại." in after.text
    assert [await status_of(i) for i in mine] == ["pending", "pending"]
    assert await status_of(theirs) == "failed"
    assert set(listed((await operator.get(URL, headers=HTML)).text)) == {theirs}


async def test_tenant_users_cannot_reach_the_jobs_page(page_client, admin, tenant):
    message_id = await failing_message(tenant)
    c = await page_client(admin)
    assert (await c.get(URL, headers=HTML)).status_code == 404
    page = await c.get("/", headers=HTML)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    data = {"csrf_token": token.group(1)}
    response = await c.post(f"{URL}/{message_id}/retry", data=data, headers=HTML)
    assert response.status_code == 404
    assert await status_of(message_id) == "failed"
