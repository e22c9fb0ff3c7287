"""Saved searches: a user's named query and filters, private to them.

Only the owner lists, runs or deletes a saved search; another user's (or another tenant's) id
is 404, never 403, so ids tell nothing. Names are unique per owner (409). The filters are
checked when saving (422) and again when running, since reference codes may have changed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError

from core import Conflict, InvalidInput, NotFound, PermissionDenied, atomic, current_actor
from plugins.registry.models_search import SavedSearch
from plugins.registry.services.search import SearchPage, search_documents
from plugins.registry.services.search_filters import MAX_ID, SearchFilters, parse_filters

MAX_NAME = 100
MAX_PER_USER = 100
SAVE_SEARCH = "registry.search.save"  # named in the 403 for actors that are not users


def _owner() -> int:
    actor = current_actor()
    if actor.kind != "user" or actor.id is None:
        raise PermissionDenied(SAVE_SEARCH, "Only a signed-in user has saved searches.")
    return int(actor.id)


def _name(raw: object) -> str:
    if not isinstance(raw, str):
        raise InvalidInput("Invalid saved search: name: required", {"name": "required"})
    name = " ".join(unicodedata.normalize("NFC", raw).split())
    if not name:
        raise InvalidInput("Invalid saved search: name: required", {"name": "required"})
    if len(name) > MAX_NAME:
        message = f"at most {MAX_NAME} characters"
        raise InvalidInput(f"Invalid saved search: name: {message}", {"name": message})
    return name


async def list_saved_searches() -> list[SavedSearch]:
    """The current user's saved searches, by name."""
    return list(await SavedSearch.filter(owner_id=_owner()).order_by("name", "id"))


async def get_saved_search(search_id: int) -> SavedSearch:
    """The current user's saved search ``search_id`` (404 for anyone else's)."""
    owner = _owner()
    found = None
    if 1 <= search_id <= MAX_ID:
        found = await SavedSearch.get_or_none(id=search_id, owner_id=owner)
    if found is None:
        raise NotFound(f"No saved search with id {search_id}.")
    return found


async def create_saved_search(name: object, params: Mapping[str, Any]) -> SavedSearch:
    """Save ``params`` (checked like a search) under ``name`` for the current user."""
    owner = _owner()
    clean = _name(name)
    filters = parse_filters(params)
    async with atomic():
        if await SavedSearch.filter(owner_id=owner).count() >= MAX_PER_USER:
            raise Conflict(f"At most {MAX_PER_USER} saved searches per user; delete one first.")
        try:
            async with atomic():  # a savepoint: the unique (owner, name) may refuse the row
                return await SavedSearch.create(
                    owner_id=owner, name=clean, params=filters.as_params()
                )
        except IntegrityError:
            raise Conflict(f"You already have a saved search named {clean!r}.") from None


async def delete_saved_search(search_id: int) -> None:
    found = await get_saved_search(search_id)
    await found.delete()


def saved_filters(saved: SavedSearch) -> SearchFilters:
    """The filters of a saved search (422 if they are no longer valid)."""
    return parse_filters(dict(saved.params))


async def run_saved_search(
    search_id: int, *, offset: int = 0, limit: int = 20, now: datetime | None = None
) -> tuple[SavedSearch, SearchPage]:
    saved = await get_saved_search(search_id)
    page = await search_documents(saved_filters(saved), offset=offset, limit=limit, now=now)
    return saved, page
