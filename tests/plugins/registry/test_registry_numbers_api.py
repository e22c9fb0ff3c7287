"""Numbers over HTTP: reservation, release, allocation and the register of a year, with the
clerk's permissions in the registry's unit; the OpenAPI document lists the routes."""

from __future__ import annotations

import pytest

from core.context import tenant_context
from plugins.registry.models import RegistryNumber
from plugins.registry.notation import number_year

BASE = "/api/v1/registry"


@pytest.fixture
async def registry_id(api, tree):
    response = await api.post(
        f"{BASE}/registries",
        json={"unit_id": tree.ubnd, "direction": "outgoing", "name": "Sổ văn bản đi"},
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


@pytest.fixture
async def clerk(app, tenant, tree, account, client):
    lan = await account(tenant, "lan", role="clerk", unit_id=tree.ubnd, descendants=True)
    async with client(app, "alpha.localhost", lan.token) as c:
        c.user_id = lan.user_id
        yield c


async def test_a_clerk_reserves_releases_and_allocates(clerk, tenant, tree, registry_id):
    url = f"{BASE}/registries/{registry_id}"
    held = await clerk.post(
        f"{url}/reservations",
        json={"document_type": "quyet_dinh", "note": "QĐ thành lập tổ công tác"},
    )
    assert held.status_code == 201, held.text
    entry = held.json()
    assert entry["code"] == "01/QĐ-UBND"
    assert (entry["code_number"], entry["code_notation"]) == ("01", "QĐ-UBND")
    assert (entry["state"], entry["reserved_by"]) == ("reserved", f"user:{clerk.user_id}")
    assert entry["note"] == "QĐ thành lập tổ công tác"
    assert entry["year"] == number_year()
    released = await clerk.post(
        f"{BASE}/reservations/{entry['id']}/release", json={"reason": "Không ban hành"}
    )
    assert released.status_code == 200, released.text
    assert released.json()["state"] == "released"
    assert released.json()["release_reason"] == "Không ban hành"
    again = await clerk.post(f"{BASE}/reservations/{entry['id']}/release", json={"reason": "x"})
    assert again.status_code == 409
    cong_van = await clerk.post(
        f"{url}/numbers",
        json={
            "document_type": "cong_van",
            "drafting_unit_id": tree.vx,
            "confidentiality": "thuong",
        },
    )
    assert cong_van.status_code == 201, cong_van.text
    assert (cong_van.json()["code"], cong_van.json()["state"]) == ("02/UBND-VX", "issued")
    assert cong_van.json()["issued_date"] is not None
    secret = await clerk.post(
        f"{url}/numbers", json={"document_type": "quyet_dinh", "confidentiality": "mat"}
    )
    assert (secret.json()["code"], secret.json()["confidential"]) == ("01/QĐ-UBND", True)
    register = (await clerk.get(f"{url}/numbers")).json()
    assert [(n["code"], n["state"], n["confidential"]) for n in register["items"]] == [
        ("01/QĐ-UBND", "released", False),
        ("02/UBND-VX", "issued", False),
        ("01/QĐ-UBND", "issued", True),
    ]
    assert register["items"][1]["document_type"] == "cong_van"
    assert register["items"][2]["confidentiality"] == "mat"
    assert register["next_cursor"] is None
    past = (await clerk.get(f"{url}/numbers", params={"year": number_year() - 1})).json()
    assert past["items"] == []
    released_only = (await clerk.get(f"{url}/numbers", params={"state": "released"})).json()
    assert [n["number"] for n in released_only["items"]] == [1]


async def test_nobody_chooses_a_number(clerk, tenant, registry_id):
    url = f"{BASE}/registries/{registry_id}"
    chosen = await clerk.post(f"{url}/numbers", json={"document_type": "quyet_dinh", "number": 7})
    assert chosen.status_code == 422
    assert "number" in chosen.json()["errors"]
    reserved = await clerk.post(
        f"{url}/reservations", json={"document_type": "quyet_dinh", "code_number": "07"}
    )
    assert reserved.status_code == 422
    missing = await clerk.post(f"{url}/reservations", json={})
    assert missing.status_code == 422
    assert missing.json()["errors"] == {"document_type": "required"}
    with tenant_context(tenant):
        assert await RegistryNumber.all().count() == 0


async def test_release_needs_a_reason_and_a_reservation(clerk, registry_id):
    url = f"{BASE}/registries/{registry_id}"
    held = (await clerk.post(f"{url}/reservations", json={"document_type": "to_trinh"})).json()
    no_reason = await clerk.post(f"{BASE}/reservations/{held['id']}/release", json={})
    assert no_reason.status_code == 422
    assert "reason" in no_reason.json()["errors"]
    blank = await clerk.post(f"{BASE}/reservations/{held['id']}/release", json={"reason": "  "})
    assert blank.status_code == 422
    issued = (await clerk.post(f"{url}/numbers", json={"document_type": "to_trinh"})).json()
    not_held = await clerk.post(f"{BASE}/reservations/{issued['id']}/release", json={"reason": "x"})
    assert not_held.status_code == 409
    assert (
        await clerk.post(f"{BASE}/reservations/999999/release", json={"reason": "x"})
    ).status_code == 404


async def test_a_specialist_cannot_reserve(app, tenant, tree, account, client, registry_id):
    minh = await account(tenant, "minh", role="specialist", unit_id=tree.ubnd)
    async with client(app, "alpha.localhost", minh.token) as c:
        url = f"{BASE}/registries/{registry_id}"
        denied = await c.post(f"{url}/reservations", json={"document_type": "quyet_dinh"})
        assert denied.status_code == 403
        assert denied.json()["permission"] == "registry.numbers.reserve"
        allocate = await c.post(f"{url}/numbers", json={"document_type": "quyet_dinh"})
        assert allocate.json()["permission"] == "registry.numbers.allocate"
    with tenant_context(tenant):
        assert await RegistryNumber.all().count() == 0


async def test_a_clerk_of_another_unit_cannot_number_or_release_here(
    app, api, tenant, tree, account, client, clerk, registry_id
):
    held = (
        await clerk.post(
            f"{BASE}/registries/{registry_id}/reservations", json={"document_type": "quyet_dinh"}
        )
    ).json()
    other = await account(tenant, "tuan", role="clerk", unit_id=tree.stp, descendants=True)
    async with client(app, "alpha.localhost", other.token) as c:
        url = f"{BASE}/registries/{registry_id}"
        assert (
            await c.post(f"{url}/numbers", json={"document_type": "quyet_dinh"})
        ).status_code == 403
        release = await c.post(f"{BASE}/reservations/{held['id']}/release", json={"reason": "x"})
        assert release.status_code == 403
        assert (await c.get(f"{url}/numbers")).status_code == 403
    # The tenant admin manages registries but does not number documents by default.
    assert (
        await api.post(f"{url}/numbers", json={"document_type": "quyet_dinh"})
    ).status_code == 403
    assert (await api.get(f"{url}/numbers")).status_code == 200
    with tenant_context(tenant):
        assert [n.state for n in await RegistryNumber.all()] == ["reserved"]


async def test_another_tenants_reservation_is_not_found(
    app, other_tenant, account, client, clerk, registry_id
):
    held = (
        await clerk.post(
            f"{BASE}/registries/{registry_id}/reservations", json={"document_type": "quyet_dinh"}
        )
    ).json()
    beta_clerk = await account(other_tenant, "lan", role="clerk")
    async with client(app, "beta.localhost", beta_clerk.token) as c:
        release = await c.post(f"{BASE}/reservations/{held['id']}/release", json={"reason": "x"})
        assert release.status_code == 404
        reserve = await c.post(
            f"{BASE}/registries/{registry_id}/reservations", json={"document_type": "quyet_dinh"}
        )
        assert reserve.status_code == 404
    register = (await clerk.get(f"{BASE}/registries/{registry_id}/numbers")).json()["items"]
    assert [n["state"] for n in register] == ["reserved"]


async def test_the_register_paginates_in_order(clerk, registry_id):
    url = f"{BASE}/registries/{registry_id}"
    for confidentiality in ["thuong", "mat", "thuong", "mat", "thuong"]:
        body = {"document_type": "quyet_dinh", "confidentiality": confidentiality}
        assert (await clerk.post(f"{url}/numbers", json=body)).status_code == 201
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await clerk.get(f"{url}/numbers", params=params)).json()
        seen += [(n["confidential"], n["number"]) for n in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [(False, 1), (False, 2), (False, 3), (True, 1), (True, 2)]
    assert (await clerk.get(f"{url}/numbers", params={"cursor": "WzFd"})).status_code == 422
    assert (await clerk.get(f"{url}/numbers", params={"year": "năm nay"})).status_code == 422
    assert (await clerk.get(f"{url}/numbers", params={"page": 2})).status_code == 422


async def test_the_openapi_document_lists_the_registry_api(api):
    paths = (await api.get("/api/v1/openapi.json")).json()["paths"]
    reserve = paths["/api/v1/registry/registries/{registry_id}/reservations"]["post"]
    assert reserve["x-permission"] == "registry.numbers.reserve"
    assert reserve["x-plugin"] == "registry"
    release = paths["/api/v1/registry/reservations/{number_id}/release"]["post"]
    assert release["x-permission"] == "registry.numbers.reserve"
    registries = paths["/api/v1/registry/registries"]
    assert registries["get"]["x-permission"] == "registry.registries.view"
    assert registries["post"]["x-permission"] == "registry.registries.manage"
    numbers = paths["/api/v1/registry/registries/{registry_id}/numbers"]
    assert numbers["get"]["summary"].startswith("The register of a year")
    assert paths["/api/v1/registry/reference/{kind}"]["get"]["x-permission"] == (
        "registry.reference.view"
    )
