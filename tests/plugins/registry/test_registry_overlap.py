"""Two outgoing registries of one unit on their own sequences with the same notation may not
share a document type (both would give 15/QĐ-UBND); per-type numbering (one sequence per type
in the agency), other abbreviations and incoming registries are not affected."""

from __future__ import annotations

BASE = "/api/v1/registry/registries"


async def _create(api, unit_id, **body):
    body = {"unit_id": unit_id, "direction": "outgoing", "name": "Sổ đi", **body}
    return await api.post(BASE, json=body)


async def test_overlapping_types_on_own_sequences_are_refused(api, tree):
    first = await _create(
        api, tree.ubnd, name="Sổ QĐ", numbering_scope="registry", document_types=["quyet_dinh"]
    )
    assert first.status_code == 201, first.text
    clash = await _create(
        api,
        tree.ubnd,
        name="Sổ QĐ và TB",
        numbering_scope="registry",
        document_types=["quyet_dinh", "thong_bao"],
    )
    assert clash.status_code == 409, clash.text
    assert "overlaps registry" in clash.json()["errors"]["document_types"]
    every_type = await _create(api, tree.ubnd, name="Sổ chung", numbering_scope="registry")
    assert every_type.status_code == 409  # empty = every type, which includes QĐ
    apart = await _create(
        api, tree.ubnd, name="Sổ TB", numbering_scope="registry", document_types=["thong_bao"]
    )
    assert apart.status_code == 201, apart.text
    # Widening the second one to QĐ later is refused too; the stored types stay.
    widened = await api.patch(
        f"{BASE}/{apart.json()['id']}", json={"document_types": ["thong_bao", "quyet_dinh"]}
    )
    assert widened.status_code == 409, widened.text
    assert (await api.get(f"{BASE}/{apart.json()['id']}")).json()["document_types"] == ["thong_bao"]


async def test_inactive_registry_may_overlap_until_it_is_activated(api, tree):
    first = await _create(
        api, tree.ubnd, name="Sổ 1", numbering_scope="registry", document_types=["quyet_dinh"]
    )
    assert first.status_code == 201
    spare = await _create(
        api,
        tree.ubnd,
        name="Sổ 2",
        numbering_scope="registry",
        document_types=["quyet_dinh"],
        is_active=False,
    )
    assert spare.status_code == 201, spare.text
    activated = await api.patch(f"{BASE}/{spare.json()['id']}", json={"is_active": True})
    assert activated.status_code == 409, activated.text


async def test_incoming_registries_may_overlap(api, tree):
    for name in ("Sổ đến", "Sổ đến mật"):
        made = await _create(
            api, tree.ubnd, name=name, direction="incoming", numbering_scope="registry"
        )
        assert made.status_code == 201, made.text


async def test_another_abbreviation_does_not_collide_until_it_is_changed_back(api, tree):
    first = await _create(api, tree.ubnd, name="Sổ A", numbering_scope="registry")
    assert first.status_code == 201
    second = await _create(
        api, tree.ubnd, name="Sổ B", numbering_scope="registry", agency_abbreviation="VPUB"
    )
    assert second.status_code == 201, second.text
    same = await api.patch(f"{BASE}/{second.json()['id']}", json={"agency_abbreviation": "UBND"})
    assert same.status_code == 409, same.text
