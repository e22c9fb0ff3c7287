"""Registries whose own sequences would give the same code twice.

Two active outgoing (or internal) registries of one unit that each number on their own
sequence (``registry`` scope) with the same abbreviation and notation pattern, and both take a
document type, would each give ``15/QĐ-UBND`` in the same year: the second document could not be
numbered (the code is unique) and that sequence would stop. Such a pair is refused when it is
set up. Registries numbering per type share one sequence per type in the agency, and incoming
registries give arrival numbers, which belong to their book alone: neither can collide.
"""

from __future__ import annotations

from collections import defaultdict

from core import Conflict
from plugins.registry.models import INCOMING, SCOPE_REGISTRY, Registry, RegistryDocumentType


async def check_overlap(
    unit_id: int,
    direction: str,
    scope: str,
    type_ids: set[int],
    registry_id: int | None,
    *,
    abbreviation: str,
    pattern: str,
) -> None:
    """Refuse (409) when the registry — ``type_ids`` empty means every type — would give the
    same codes as another active ``registry``-scope registry of its unit."""
    if direction == INCOMING or scope != SCOPE_REGISTRY:
        return
    others = Registry.filter(
        unit_id=unit_id,
        direction=direction,
        is_active=True,
        numbering_scope=SCOPE_REGISTRY,
        agency_abbreviation=abbreviation,
        notation_pattern=pattern,
    )
    if registry_id is not None:
        others = others.exclude(id=registry_id)
    rows = {int(r.id): str(r.name) for r in await others}
    if not rows:
        return
    links: dict[int, set[int]] = defaultdict(set)
    for link in await RegistryDocumentType.filter(registry_id__in=list(rows)):
        links[link.registry_id].add(link.document_type_id)
    for other_id, name in rows.items():
        theirs = links.get(other_id, set())
        if not type_ids or not theirs or type_ids & theirs:
            raise Conflict(
                f"Registry {name!r} of this unit already numbers the same document types on "
                "its own sequence with the same notation; both would give the same number and "
                "notation. Limit the types of one of them, give it another abbreviation, or "
                "number agency-wide.",
                errors={"document_types": f"overlaps registry {other_id} ({name})"},
            )
