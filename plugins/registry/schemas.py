"""Request models of the JSON API (bodies and query strings). Unknown fields are refused."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from plugins.registry.models import DEFAULT_NOTATION

Id = Annotated[int, Field(ge=1, le=2_147_483_647)]
Direction = Literal["incoming", "outgoing", "internal"]
Scope = Literal["agency", "registry", "type"]
State = Literal["reserved", "issued", "released"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PageQuery(Strict):
    limit: int = Field(50, ge=1, le=200)
    cursor: str | None = None


class ReferenceQuery(Strict):
    include_inactive: bool = True


class ReferenceCreate(Strict):
    """A new item; the fields beyond the shared ones depend on the kind."""

    code: str = Field(min_length=1, max_length=50)
    name: str = Field(min_length=1, max_length=100)
    sort_order: int = 0
    is_active: bool = True
    abbreviation: str | None = Field(None, max_length=20)
    notation_pattern: str | None = Field(None, max_length=50)
    weight: int | None = None
    level: int | None = None
    years: int | None = None


class ReferencePatch(Strict):
    """Only the fields sent change; the code never does."""

    name: str | None = Field(None, min_length=1, max_length=100)
    sort_order: int | None = None
    is_active: bool | None = None
    abbreviation: str | None = Field(None, max_length=20)
    notation_pattern: str | None = Field(None, max_length=50)
    weight: int | None = None
    level: int | None = None
    years: int | None = None


class RegistryQuery(PageQuery):
    unit_id: Id | None = None
    direction: Direction | None = None
    include_inactive: bool = True


class RegistryCreate(Strict):
    unit_id: Id
    direction: Direction
    name: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=2000)
    document_types: list[str] = Field(default_factory=list, max_length=200)
    numbering_scope: Scope = "agency"
    agency_abbreviation: str | None = Field(None, max_length=30)
    notation_pattern: str = Field(DEFAULT_NOTATION, max_length=50)
    is_active: bool = True


class RegistryPatch(Strict):
    """Only the fields sent change; a registry's unit and direction never do."""

    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=2000)
    document_types: list[str] | None = Field(None, max_length=200)
    numbering_scope: Scope | None = None
    agency_abbreviation: str | None = Field(None, max_length=30)
    notation_pattern: str | None = Field(None, max_length=50)
    is_active: bool | None = None


class NumberQuery(PageQuery):
    year: int | None = Field(None, ge=1900, le=9999)
    confidential: bool | None = None
    state: State | None = None


class NumberCreate(Strict):
    """What the number is for; the number itself is always the system's."""

    document_type: str | None = Field(None, max_length=50)
    confidentiality: str | None = Field(None, max_length=50)
    drafting_unit_id: Id | None = None
    note: str = Field("", max_length=1000)


class ReleaseBody(Strict):
    reason: str = Field(min_length=1, max_length=1000)
