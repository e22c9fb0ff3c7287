"""The console's manifest page: apply an uploaded or pasted tenant manifest, see what changed;
malformed or invalid manifests change nothing."""

from __future__ import annotations

import re

from core.testing_web import HTML, PASSWORD, client_for, hidden_fields, sign_in_page, submit_form

URL = "/platform/manifest"
ENV = "CONGVAN_TEST_EPSILON_PASSWORD"
MANIFEST = f"""
[tenant]
slug = "epsilon"
name = "Tỉnh Epsilon"
domains = ["vanban.epsilon.gov.vn"]

[plugins.example]
enabled = true

[[units]]
code = "UBND"
name = "UBND tỉnh Epsilon"

[[units]]
code = "VP"
name = "Văn phòng"
kind = "office"
parent = "UBND"

[[users]]
username = "admin"
full_name = "Lê Quản Trị"
unit = "VP"
position = "Quản trị hệ thống"
password = "$env:{ENV}"
roles = [{{ role = "tenant_admin" }}]
"""


async def slugs() -> list[str]:
    from core.tenancy.models import Tenant

    return sorted(await Tenant.all().values_list("slug", flat=True))


def items(page: str, testid: str) -> list[str]:
    block = re.search(rf'<ul data-testid="{testid}">(.*?)</ul>', page, flags=re.S)
    return re.findall(r"<li>([^<]*)</li>", block.group(1)) if block else []


def form_error(page: str) -> str:
    match = re.search(r'data-testid="form-error"><pre class="diff">(.*?)</pre>', page, re.S)
    assert match, "the page shows no form error"
    return match.group(1)


async def test_an_uploaded_manifest_is_applied_and_its_admin_signs_in(operator, app, monkeypatch):
    from core.tenancy.services import get_tenant

    monkeypatch.setenv(ENV, PASSWORD)
    files = {"manifest_file": ("epsilon.toml", MANIFEST.encode(), "application/toml")}
    response = await submit_form(operator, URL, URL, {}, files=files)
    assert response.status_code == 200, response.text
    assert "Đã tạo đơn vị sử dụng epsilon" in response.text
    created = items(response.text, "created")
    assert "tenant epsilon" in created
    assert {"unit UBND", "unit VP", "user admin"} <= set(created)
    assert any(item.startswith("grant tenant_admin to admin") for item in created)
    info = await get_tenant("epsilon")
    assert info.domains == ("vanban.epsilon.gov.vn",)
    assert "example" in info.enabled_plugins
    async with client_for(app, "epsilon.localhost") as epsilon:
        assert (await sign_in_page(epsilon, "admin", PASSWORD)).status_code == 303

    # The same manifest again, pasted this time: nothing to change.
    again = await submit_form(operator, URL, URL, {"manifest_text": MANIFEST})
    assert again.status_code == 200
    assert 'data-testid="up-to-date"' in again.text
    assert items(again.text, "created") == []
    assert items(again.text, "updated") == []


async def test_a_pasted_manifest_updates_an_existing_tenant(operator, tenant):
    from core.tenancy.services import get_tenant

    text = '[tenant]\nslug = "alpha"\nname = "Tỉnh Alpha mới"\n'
    response = await submit_form(operator, URL, URL, {"manifest_text": text})
    assert response.status_code == 200, response.text
    assert items(response.text, "updated") == ["tenant alpha (name)"]
    assert "plugin example (enabled)" in items(response.text, "unmanaged")
    assert (await get_tenant("alpha")).name == "Tỉnh Alpha mới"


async def test_malformed_toml_names_the_line_and_changes_nothing(operator):
    text = '[tenant]\nslug = "zeta"\nname = \n'
    response = await submit_form(operator, URL, URL, {"manifest_text": text})
    assert response.status_code == 422
    error = form_error(response.text)
    assert "không phải TOML hợp lệ ở dòng 3" in error
    assert "slug = &#34;zeta&#34;\nname = \n</textarea>" in response.text  # kept to be corrected
    assert await slugs() == ["alpha", "beta"]


async def test_an_invalid_manifest_names_the_file_and_key_and_applies_nothing(operator, tenant):
    from core.tenancy.services import get_tenant

    text = (
        '[tenant]\nslug = "alpha"\nname = "Đổi tên"\n\n'
        '[[units]]\ncode = "VP"\nname = "Văn phòng"\nparent = "NOPE"\n'
    )
    files = {"manifest_file": ("bad.toml", text.encode(), "text/plain")}
    response = await submit_form(operator, URL, URL, {}, files=files)
    assert response.status_code == 422
    error = form_error(response.text)
    assert error.startswith("Tệp kê khai có lỗi nên chưa áp dụng gì: bad.toml: units[0].parent")
    assert "congvan-manifest-" not in response.text  # the temporary path is not shown
    assert "Đổi tên" in response.text  # the uploaded text is in the textarea now
    assert (await get_tenant("alpha")).name == tenant.name


async def test_secret_files_and_other_file_types_are_refused(operator):
    text = MANIFEST.replace(f"$env:{ENV}", "$file:/etc/passwd")
    secret = await submit_form(operator, URL, URL, {"manifest_text": text})
    assert secret.status_code == 422
    assert "users[0].password" in form_error(secret.text)
    files = {"manifest_file": ("epsilon.json", MANIFEST.encode(), "application/json")}
    wrong = await submit_form(operator, URL, URL, {}, files=files)
    assert wrong.status_code == 422
    assert 'data-field-error="manifest_file">Chỉ nhận tệp kê khai có đuôi .toml.<' in wrong.text
    empty = await submit_form(operator, URL, URL, {"manifest_text": "  "})
    assert empty.status_code == 422
    assert 'data-field-error="manifest_text"' in empty.text
    assert await slugs() == ["alpha", "beta"]


async def test_a_manifest_above_the_size_limit_is_refused(operator, monkeypatch):
    monkeypatch.setenv(ENV, PASSWORD)
    padding = "# " + "x" * 1024 + "\n"
    big = MANIFEST + padding * 600
    response = await submit_form(operator, URL, URL, {"manifest_text": big})
    assert response.status_code == 422
    assert 'data-field-error="manifest_text">Nội dung kê khai lớn hơn 512 KB.<' in response.text
    assert await slugs() == ["alpha", "beta"]


async def test_the_request_size_limit_applies(build_app, web_settings, password):
    from core.platform.services import create_platform_admin

    app = build_app(settings=web_settings.model_copy(update={"max_request_bytes": 4096}))
    await create_platform_admin("ops", password)
    async with app.router.lifespan_context(app), client_for(app, "localhost") as c:
        assert (await sign_in_page(c, "ops", password)).status_code == 303
        big = MANIFEST + "#" * 8192
        files = {"manifest_file": ("epsilon.toml", big.encode(), "application/toml")}
        response = await submit_form(c, URL, URL, {}, files=files)
    assert response.status_code == 413
    assert "epsilon" not in await slugs()


async def test_a_stale_or_repeated_manifest_form_applies_once(operator, monkeypatch):
    monkeypatch.setenv(ENV, PASSWORD)
    page = await operator.get(URL, headers=HTML)
    fields = hidden_fields(page.text, URL)
    stale = await operator.post(
        URL, data={**fields, "csrf_token": "forged", "manifest_text": MANIFEST}, headers=HTML
    )
    assert stale.status_code == 403
    assert "Tỉnh Epsilon" in stale.text  # the text is kept
    assert await slugs() == ["alpha", "beta"]
    data = {**fields, "manifest_text": MANIFEST}
    first = await operator.post(URL, data=data, headers=HTML)
    assert first.status_code == 200
    second = await operator.post(URL, data=data, headers=HTML)
    assert second.status_code == 303
    assert "Biểu mẫu này đã được gửi." in (await operator.get(URL, headers=HTML)).text
    assert await slugs() == ["alpha", "beta", "epsilon"]
