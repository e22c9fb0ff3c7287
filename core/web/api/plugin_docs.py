"""``@api_doc``: how a plugin's plain Starlette endpoint appears in the OpenAPI document.

Core operations are declared with the internal ``ApiRouter``, which both parses and documents
them. A plugin's JSON endpoint is a plain ``async def endpoint(request)`` that parses its own
input; ``@api_doc(...)`` only *describes* it (summary, query and body models, response model,
status) so the document builder can list its schemas. It does not change what the endpoint
does, and it stacks with the permission decorators in any order: it stores an :class:`ApiDoc`
on the function, and ``functools.wraps`` (which ``requires``, ``authenticated`` and
``tenant_page`` use) copies it onto the wrapper, the same way the declared permission travels.

Routes without ``@api_doc`` stay in the document as undocumented entries.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel

API_DOC_ATTR = "__congvan_api_doc__"
E = TypeVar("E", bound=Callable[..., Any])


@dataclass(frozen=True)
class ApiDoc:
    """The documented contract of one plugin endpoint.

    ``response`` is a pydantic model, a type pydantic can describe (``list[Model]``), a media
    type string such as ``"application/octet-stream"`` for a file download, or ``None``
    for an empty (204) answer. ``multipart`` maps form fields to descriptions for a
    ``multipart/form-data`` body (a model instead of a description: a JSON text part checked
    with that model); fields listed in ``files`` are binary file parts. ``errors``
    lists extra problem statuses (409, 413 …) the endpoint may answer.
    """

    summary: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: Any = None
    status: int = 200
    multipart: Mapping[str, str | type[BaseModel]] | None = None
    files: tuple[str, ...] = ()
    errors: tuple[int, ...] = ()
    description: str | None = None


def api_doc(
    summary: str,
    *,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    response: Any = None,
    status: int = 200,
    multipart: Mapping[str, str | type[BaseModel]] | None = None,
    files: tuple[str, ...] | list[str] = (),
    errors: tuple[int, ...] | list[int] = (),
    description: str | None = None,
) -> Callable[[E], E]:
    """Document a plugin endpoint in the OpenAPI document; its behaviour is unchanged.

    ``body``/``query`` are the pydantic models the endpoint validates its JSON body / query
    string with; ``response`` is what a success answers with (see :class:`ApiDoc`) and
    ``status`` its status code. ``multipart`` documents a ``multipart/form-data`` body
    (field name → description, or a model for a JSON text part); the names in ``files`` are
    file fields (binary). With both ``body`` and ``multipart`` the endpoint takes either.
    ``errors`` adds problem statuses beyond the ones every operation lists (400, 401, 403, 404,
    422 as they apply), e.g. ``409`` or ``413``. The description defaults to the endpoint's
    docstring. Raises ``TypeError`` at import time for a ``files`` name not in ``multipart``.
    """
    unknown = set(files) - set(multipart or {})
    if unknown:
        raise TypeError(f"api_doc: files= names fields missing from multipart=: {sorted(unknown)}")
    doc = ApiDoc(
        summary=summary,
        body=body,
        query=query,
        response=response,
        status=status,
        multipart=dict(multipart) if multipart is not None else None,
        files=tuple(files),
        errors=tuple(errors),
        description=description,
    )

    def decorate(endpoint: E) -> E:
        setattr(endpoint, API_DOC_ATTR, doc)
        return endpoint

    return decorate


def api_doc_of(endpoint: Any) -> ApiDoc | None:
    """The :class:`ApiDoc` attached to ``endpoint`` (or to a function it wraps), if any."""
    seen = 0
    while endpoint is not None and seen < 20:
        doc = getattr(endpoint, API_DOC_ATTR, None)
        if isinstance(doc, ApiDoc):
            return doc
        endpoint = getattr(endpoint, "__wrapped__", None)
        seen += 1
    return None
