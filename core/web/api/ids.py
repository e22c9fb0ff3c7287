"""Identifiers as the API accepts them: positive and within the database's integer range.

A larger number cannot name a row; bounding it here turns it into a clear 404 (paths) or 422
(bodies, query strings) instead of a database overflow.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field
from starlette.convertors import IntegerConvertor, register_url_convertor

MAX_ID = 2_147_483_647

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class BoundedIntegerConvertor(IntegerConvertor):
    """``{x:int}`` in paths: at most 9 digits, so it always fits the 32-bit primary keys."""

    regex = "[0-9]{1,9}"


def install() -> None:
    """Make ``{x:int}`` bounded for every route, plugins' included (call before routes)."""
    register_url_convertor("int", BoundedIntegerConvertor())


install()
