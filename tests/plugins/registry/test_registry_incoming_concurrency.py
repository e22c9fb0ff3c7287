"""Clerks registering the same document at the same moment: exactly one registers it, the
others are told it is a duplicate and burn no number — on SQLite and on PostgreSQL (as the
non-owner role, under row-level security)."""

from __future__ import annotations

import asyncio

from incoming_support import blobs, main_pdf, metadata  # noqa: F401 (fixture)
from registry_support import make_tree, new_registry

from core.context import tenant_context
from plugins.registry.models import NumberSequence, RegistryNumber
from plugins.registry.models_documents import Document
from plugins.registry.services.incoming import register_incoming

CLERKS = 6


async def test_concurrent_identical_registrations_register_once(any_db, tenant, blobs):  # noqa: F811
    with tenant_context(tenant):
        tree = await make_tree()
        registry = await new_registry(tree.ubnd, "incoming", name="Sổ văn bản đến")

    async def clerk(changes: dict[str, str]):
        with tenant_context(tenant):
            return await register_incoming(
                registry, metadata(**changes), main_pdf(), source="upload"
            )

    same = [clerk({}) for _ in range(CLERKS)]
    # The same external identifier under another number is the same document too.
    same_id = [
        clerk({"code_number": str(20 + n), "document_identifier": "EDXML-1"}) for n in range(3)
    ]
    other = [clerk({"code_number": "99"})]
    results = await asyncio.gather(*same, *same_id, *other)
    first, by_id, lone = results[:CLERKS], results[CLERKS:-1], results[-1]
    winners = [r for r in first if r.registered]
    assert len(winners) == 1
    assert all(r.duplicate_of == [winners[0].document.id] for r in first if not r.registered)
    id_winners = [r for r in by_id if r.registered]
    assert len(id_winners) == 1
    assert all(r.duplicate_of == [id_winners[0].document.id] for r in by_id if not r.registered)
    assert lone.registered
    with tenant_context(tenant):
        assert await Document.all().count() == 3
        numbers = sorted(await RegistryNumber.all().values_list("number", flat=True))
        assert numbers == [1, 2, 3]
        assert (await NumberSequence.get()).last_number == 3
        arrivals = sorted(await Document.all().values_list("arrival_number", flat=True))
        assert arrivals == [1, 2, 3]
