"""Reference data: seeded per tenant when the plugin is enabled (idempotently), listed and
edited by tenant admins through /api/v1/registry/reference/{kind}."""

from __future__ import annotations

import pytest

from core.audit.models import AuditEvent
from core.context import tenant_context
from core.testing import make_tenant
from plugins.registry.models import (
    ConfidentialityLevel,
    CopyForm,
    DocumentType,
    RetentionPeriod,
    UrgencyLevel,
)
from plugins.registry.services.reference import seed_reference_data

BASE = "/api/v1/registry/reference"
SEEDED = {
    DocumentType: 29,
    CopyForm: 3,
    UrgencyLevel: 4,
    ConfidentialityLevel: 4,
    RetentionPeriod: 6,
}


async def counts() -> dict[type, int]:
    return {model: await model.all().count() for model in SEEDED}


async def test_each_tenant_gets_its_own_seeded_reference_data(tenant, other_tenant):
    with tenant_context(tenant):
        assert await counts() == SEEDED
        qd = await DocumentType.get(code="quyet_dinh")
        assert (qd.name, qd.abbreviation) == ("Quyết định", "QĐ")
        cong_van = await DocumentType.get(code="cong_van")
        assert (cong_van.abbreviation, cong_van.notation_pattern) == ("", "{agency}-{unit}")
        assert (await DocumentType.get(code="thu_cong")).abbreviation == ""
        abbreviations = {t.abbreviation for t in await DocumentType.all()}
        assert {"QyĐ", "CTr", "TTr", "HĐ", "ĐA", "DA", "GNP"} <= abbreviations
        assert [c.abbreviation for c in await CopyForm.all().order_by("sort_order")] == [
            "SY",
            "TrS",
            "SL",
        ]
        await DocumentType.filter(code="quyet_dinh").update(name="Quyết định (đổi)")
    with tenant_context(other_tenant):
        assert await counts() == SEEDED
        assert (await DocumentType.get(code="quyet_dinh")).name == "Quyết định"
    gamma = await make_tenant("gamma", "Tỉnh Gamma", plugins=("example",))
    with tenant_context(gamma):
        assert set((await counts()).values()) == {0}


async def test_seeding_again_adds_only_what_is_missing(tenant):
    with tenant_context(tenant):
        await DocumentType.filter(code="quyet_dinh").update(name="QĐ riêng", is_active=False)
        await CopyForm.filter(code="sao_luc").delete()
        assert await seed_reference_data() == {"copy-forms": 1}
        assert await seed_reference_data() == {}
        assert await counts() == SEEDED
        kept = await DocumentType.get(code="quyet_dinh")
        assert (kept.name, kept.is_active) == ("QĐ riêng", False)
        seeds = await AuditEvent.filter(action="registry.reference.seed").order_by("seq")
        assert [e.after for e in seeds] == [
            {
                "document-types": 29,
                "copy-forms": 3,
                "urgency-levels": 4,
                "confidentiality-levels": 4,
                "retention-periods": 6,
            },
            {"copy-forms": 1},
        ]


async def test_disabling_and_enabling_the_plugin_does_not_duplicate_rows(api, tenant):
    assert (await api.patch("/api/v1/plugins/registry", json={"enabled": False})).status_code == 200
    assert (await api.get(f"{BASE}/document-types")).status_code == 404
    assert (await api.patch("/api/v1/plugins/registry", json={"enabled": True})).status_code == 200
    listed = await api.get(f"{BASE}/document-types")
    assert listed.status_code == 200
    assert len(listed.json()["items"]) == 29
    with tenant_context(tenant):
        assert await counts() == SEEDED


async def test_lists_come_in_display_order(api):
    types = (await api.get(f"{BASE}/document-types")).json()
    assert types["kind"] == "document-types"
    assert [t["code"] for t in types["items"][:3]] == ["nghi_quyet", "quyet_dinh", "chi_thi"]
    assert types["items"][1] == {
        "code": "quyet_dinh",
        "name": "Quyết định",
        "sort_order": 20,
        "is_active": True,
        "abbreviation": "QĐ",
        "notation_pattern": "",
    }
    urgency = (await api.get(f"{BASE}/urgency-levels")).json()["items"]
    assert [(u["code"], u["weight"]) for u in urgency] == [
        ("hoa_toc", 3),
        ("thuong_khan", 2),
        ("khan", 1),
        ("thuong", 0),
    ]
    secrecy = (await api.get(f"{BASE}/confidentiality-levels")).json()["items"]
    assert [(c["name"], c["level"]) for c in secrecy] == [
        ("Thường", 0),
        ("Mật", 1),
        ("Tối mật", 2),
        ("Tuyệt mật", 3),
    ]
    retention = (await api.get(f"{BASE}/retention-periods")).json()["items"]
    assert [(r["name"], r["years"]) for r in retention] == [
        ("Vĩnh viễn", None),
        ("70 năm", 70),
        ("50 năm", 50),
        ("20 năm", 20),
        ("10 năm", 10),
        ("5 năm", 5),
    ]
    assert (await api.get(f"{BASE}/colours")).status_code == 404


async def test_an_admin_adds_and_changes_items(api, tenant):
    created = await api.post(
        f"{BASE}/document-types",
        json={"code": "giay_bao_tin", "name": "Giấy báo tin", "abbreviation": "GBT"},
    )
    assert created.status_code == 201, created.text
    assert created.json()["abbreviation"] == "GBT"
    changed = await api.patch(f"{BASE}/urgency-levels/khan", json={"name": "Khẩn cấp", "weight": 5})
    assert changed.status_code == 200
    urgency = (await api.get(f"{BASE}/urgency-levels")).json()["items"]
    assert urgency[0]["code"] == "khan"
    retired = await api.patch(f"{BASE}/retention-periods/70_nam", json={"is_active": False})
    assert retired.json()["is_active"] is False
    active = await api.get(f"{BASE}/retention-periods", params={"include_inactive": "false"})
    assert "70_nam" not in [r["code"] for r in active.json()["items"]]
    with tenant_context(tenant):
        events = await AuditEvent.filter(action__startswith="registry.reference.").order_by("seq")
        assert [(e.action, e.object_type, e.object_id) for e in events[1:]] == [
            ("registry.reference.create", "registry.document-types", "giay_bao_tin"),
            ("registry.reference.update", "registry.urgency-levels", "khan"),
            ("registry.reference.update", "registry.retention-periods", "70_nam"),
        ]
        assert events[2].before == {"name": "Khẩn", "weight": 1}
        assert events[2].after == {"name": "Khẩn cấp", "weight": 5}


@pytest.mark.parametrize(
    ("kind", "body", "field"),
    [
        ("document-types", {"code": "Sai Mã", "name": "X"}, "code"),
        ("document-types", {"code": "x", "name": "X", "weight": 3}, "weight"),
        ("document-types", {"code": "x", "name": "X", "abbreviation": "A B"}, "abbreviation"),
        (
            "document-types",
            {"code": "x", "name": "X", "notation_pattern": "{nam}"},
            "notation_pattern",
        ),
        ("retention-periods", {"code": "x", "name": "X", "years": 0}, "years"),
        ("confidentiality-levels", {"code": "x", "name": "X", "level": -1}, "level"),
        ("copy-forms", {"code": "x"}, "name"),
    ],
)
async def test_bad_items_are_refused_field_by_field(api, tenant, kind, body, field):
    response = await api.post(f"{BASE}/{kind}", json=body)
    assert response.status_code == 422, response.text
    assert field in response.json()["errors"]
    with tenant_context(tenant):
        assert await counts() == SEEDED


async def test_codes_are_unique_and_never_change(api):
    duplicate = await api.post(f"{BASE}/copy-forms", json={"code": "sao_y", "name": "Trùng"})
    assert duplicate.status_code == 409
    renamed = await api.patch(f"{BASE}/copy-forms/sao_y", json={"code": "sao_y_2"})
    assert renamed.status_code == 422
    assert (await api.patch(f"{BASE}/copy-forms/khong_co", json={"name": "X"})).status_code == 404


async def test_only_tenant_admins_change_reference_data(app, tenant, tree, account, client):
    clerk = await account(tenant, "lan", role="clerk", unit_id=tree.ubnd)
    specialist = await account(tenant, "minh", role="specialist", unit_id=tree.vp)
    async with client(app, "alpha.localhost", clerk.token) as c:
        assert (await c.get(f"{BASE}/document-types")).status_code == 200
        denied = await c.post(f"{BASE}/copy-forms", json={"code": "ban_chup", "name": "Bản chụp"})
        assert denied.status_code == 403
        assert denied.json()["permission"] == "registry.reference.manage"
        patch = await c.patch(f"{BASE}/copy-forms/sao_y", json={"name": "Sao"})
        assert patch.status_code == 403
    async with client(app, "alpha.localhost", specialist.token) as c:
        assert (await c.get(f"{BASE}/urgency-levels")).status_code == 200
    with tenant_context(tenant):
        assert (await CopyForm.get(code="sao_y")).name == "Bản sao y"


async def test_reference_data_stays_inside_its_tenant(api, other_api, tenant):
    await other_api.post(f"{BASE}/document-types", json={"code": "rieng_beta", "name": "Riêng"})
    codes = [t["code"] for t in (await api.get(f"{BASE}/document-types")).json()["items"]]
    assert "rieng_beta" not in codes
    assert (await api.patch(f"{BASE}/document-types/rieng_beta", json={})).status_code == 404
