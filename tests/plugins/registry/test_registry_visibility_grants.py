"""``visibility()`` (the list filter) reads the units from the user's grants; it must agree
with ``check_visible`` (one document, ``has_permission`` per unit) for every grant shape:
one unit, a unit and its sub-units, tenant-wide, a role without the action, no grant."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from incoming_support import blobs, main_pdf, metadata  # noqa: F401 (fixture)
from registry_support import Tree, as_user, new_registry

from core import PermissionDenied
from core.context import TenantInfo, acting_as, tenant_context
from core.testing_web import Account, make_account
from plugins.registry.models_documents import Document
from plugins.registry.services.documents import check_visible, visibility
from plugins.registry.services.incoming import register_incoming

NOW = datetime(2025, 3, 15, 2, 0, tzinfo=UTC)
World = tuple[dict[str, int], dict[str, Account]]

# (username, role, unit key or None for tenant-wide, with sub-units)
PEOPLE = (
    ("clerk_ubnd_only", "clerk", "ubnd", False),
    ("clerk_ubnd_below", "clerk", "ubnd", True),
    ("leader_vp", "leader", "vp", False),
    ("leader_ubnd_below", "leader", "ubnd", True),
    ("specialist_vp", "specialist", "vp", False),
    ("admin", "tenant_admin", None, False),
    ("clerk_stp", "clerk", "stp", False),
)


@pytest.fixture
async def world(tenant: TenantInfo, tree: Tree, blobs: Any) -> World:  # noqa: F811
    """Documents, normal and confidential, in UBND, VP (below UBND) and STP."""
    with tenant_context(tenant):
        documents: dict[str, int] = {}
        for key in ("ubnd", "vp", "stp"):
            registry = await new_registry(getattr(tree, key), "incoming", name=f"Sổ đến {key}")
            for level in ("thuong", "mat"):
                made = await register_incoming(
                    registry,
                    metadata(code_number=str(len(documents) + 1), confidentiality=level),
                    main_pdf(),
                    source="upload",
                    now=NOW,
                )
                assert made.document is not None
                documents[f"{key}-{level}"] = made.document.id
        people: dict[str, Account] = {}
        for name, role, unit, below in PEOPLE:
            unit_id = getattr(tree, unit) if unit is not None else None
            account = await make_account(
                tenant, name, role=role, unit_id=unit_id, descendants=below
            )
            people[name] = account
        return documents, people


async def test_the_list_filter_agrees_with_the_single_document_check(
    any_db: str, tenant: TenantInfo, world: World
) -> None:
    """On SQLite and PostgreSQL (the units are read with raw SQL, under RLS there)."""
    documents, people = world
    with tenant_context(tenant):
        seen: dict[str, set[str]] = {}
        for name, account in people.items():
            with acting_as(as_user(account)):
                found = await Document.filter(await visibility()).only("id")
                listed = {d.id for d in found}
                checked: set[int] = set()
                for document_id in documents.values():
                    try:
                        await check_visible(await Document.get(id=document_id))
                    except PermissionDenied:
                        continue
                    checked.add(document_id)
            assert listed == checked, name
            seen[name] = {key for key, i in documents.items() if i in listed}
    # The grant shapes do reach different sets (the agreement above is not vacuous).
    assert seen["clerk_ubnd_only"] == {"ubnd-thuong"}
    assert seen["clerk_ubnd_below"] == {"ubnd-thuong", "vp-thuong"}
    assert seen["leader_vp"] == {"vp-thuong", "vp-mat"}
    assert seen["leader_ubnd_below"] == {"ubnd-thuong", "ubnd-mat", "vp-thuong", "vp-mat"}
    assert seen["clerk_stp"] == {"stp-thuong"}
    assert seen["admin"] >= {"ubnd-thuong", "vp-thuong", "stp-thuong"}


async def test_participants_are_added_once_in_one_insert(tenant: TenantInfo, world: World) -> None:
    from plugins.registry.models_flow import PART_RECIPIENT, DocumentParticipant
    from plugins.registry.services.participants import add_participant, add_participants

    documents, people = world
    document_id = documents["ubnd-thuong"]
    users = [people["leader_vp"].user_id, people["clerk_stp"].user_id]
    with tenant_context(tenant):
        await add_participants(document_id, PART_RECIPIENT, user_ids=users, unit_ids=[7, 8])
        await add_participants(document_id, PART_RECIPIENT, user_ids=users[:1], unit_ids=[7])
        await add_participant(document_id, PART_RECIPIENT, unit_id=8)
        rows = await DocumentParticipant.filter(document_id=document_id, role=PART_RECIPIENT)
        assert sorted((r.key, r.user_id, r.unit_id) for r in rows) == sorted(
            [(f"u:{u}", u, None) for u in users] + [("n:7", None, 7), ("n:8", None, 8)]
        )
        assert all(r.tenant_id == tenant.id and r.created_at is not None for r in rows)
        with pytest.raises(ValueError, match="exactly one"):
            await add_participant(document_id, PART_RECIPIENT)
        with pytest.raises(ValueError, match="unknown participant role"):
            await add_participants(document_id, "nobody", user_ids=users)
