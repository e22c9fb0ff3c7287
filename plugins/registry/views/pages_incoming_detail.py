"""Page: one incoming document (``/registry/incoming/{id}``) — metadata, files, assignments
with their opinions, presentations, the timeline, and the forms of the actions the user may
take (present, assign, re-assign in a unit, write an opinion, finish a part, complete).

:func:`detail_context` is shared with the action handlers (``pages_incoming_actions``), which
render the same page again with the submitted form and its errors when an action fails.
Opening the page records a ``viewed`` step; showing it again after a failed action does not.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from core import authenticated, has_permission, render
from plugins.registry.actions import INCOMING_ASSIGN, INCOMING_REGISTER
from plugins.registry.api import path_id
from plugins.registry.models_assignments import (
    ASSIGNED,
    COMPLETED,
    DONE,
    OPEN,
    PROCESSING,
    ROLE_LEAD,
    Assignment,
    AssignmentOpinion,
)
from plugins.registry.models_documents import REFUSED, Document
from plugins.registry.services import assignment_lists, documents, presentation, timeline
from plugins.registry.services.assignments import acts_for
from plugins.registry.views.pages_admin_common import parse_id, unit_names
from plugins.registry.views.pages_incoming_common import (
    Choice,
    arrival_text,
    assignee_choices,
    document_overdue,
    leaders_of,
    names_of_people,
    today,
)

TEMPLATE = "registry/incoming/detail.html"
CO_ROWS = 2  # empty co-handler rows a fresh assign form offers (htmx adds more)
INFO_ROWS = 1
MAX_ROWS = 30


@dataclass
class Node:
    """An assignment in the tree, with what the page shows and offers for it."""

    assignment: Assignment
    who: str
    overdue: bool
    opinions: list[tuple[AssignmentOpinion, str]] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    mine: bool = False  # the user acts for it and it is open: opinion and done forms
    reassign: list[Choice] | None = None  # a unit assignment the user may pass on
    co_rows: list[dict[str, Any]] = field(default_factory=list)
    info_rows: list[dict[str, Any]] = field(default_factory=list)


def _who(a: Assignment, users: dict[int, str], units: dict[int, str]) -> str:
    if a.assignee_user_id is not None:
        return users.get(a.assignee_user_id, f"#{a.assignee_user_id}")
    unit_id = a.assignee_unit_id or 0
    return units.get(unit_id, f"#{unit_id}")


async def _tree(document: Document, on: date, active: bool) -> tuple[list[Node], list[Node]]:
    """(top-level nodes, every node) of the document's assignments."""
    made = await assignment_lists.document_assignments(document.id)
    opinions = list(
        await AssignmentOpinion.filter(assignment_id__in=[a.id for a in made] or [0]).order_by(
            "created_at", "id"
        )
    )
    user_ids = {a.assignee_user_id for a in made if a.assignee_user_id is not None}
    user_ids |= {o.author_id for o in opinions if o.author_id is not None}
    users = await names_of_people({int(u) for u in user_ids if u is not None})
    units = await unit_names({int(a.assignee_unit_id) for a in made if a.assignee_unit_id})
    nodes: dict[int, Node] = {}
    for a in made:
        late = a.status == OPEN and a.deadline is not None and a.deadline < on
        node = Node(a, _who(a, users, units), late)
        node.mine = active and a.status == OPEN and await acts_for(a)
        if (
            active
            and a.status == OPEN
            and a.assignee_unit_id is not None
            and await has_permission(INCOMING_ASSIGN, unit_id=a.assignee_unit_id)
        ):
            node.reassign = await assignee_choices(a.assignee_unit_id, include_root=False)
        nodes[a.id] = node
    for o in opinions:
        author = users.get(o.author_id, "") if o.author_id is not None else ""
        nodes[o.assignment_id].opinions.append((o, author))
    top: list[Node] = []
    for node in nodes.values():
        parent = node.assignment.parent_id
        if parent is not None and parent in nodes:
            nodes[parent].children.append(node)
        else:
            top.append(node)
    return top, list(nodes.values())


def _rows(form: Any, name: str, deadline: str | None, empty: int) -> list[dict[str, Any]]:
    """The assignee rows of an assign form: those submitted (values and errors kept), or
    ``empty`` blank rows for a fresh form."""
    if form is None:
        return [{"index": i, "value": "", "deadline": "", "error": ""} for i in range(empty)]
    values = form.getlist(name)[:MAX_ROWS]
    deadlines = form.getlist(deadline) if deadline else []
    return [
        {
            "index": i,
            "value": value,
            "deadline": deadlines[i] if i < len(deadlines) else "",
            "error": form.errors.get(f"{name}.{i}") or form.errors.get(f"{deadline}.{i}") or "",
        }
        for i, value in enumerate(values)
    ]


async def detail_context(document: Document, forms: dict[str, Any] | None = None) -> dict[str, Any]:
    """What ``registry/incoming/detail.html`` shows; ``forms`` holds a submitted form (with its
    errors) by key: ``present``, ``assign``, ``reassign-<id>``, ``opinion-<id>``, ``complete``."""
    forms = forms or {}
    await document.fetch_related("registry", "priority", "confidentiality")
    on = today()
    active = document.status not in (REFUSED, COMPLETED)
    unit = document.registered_unit_id
    top, every = await _tree(document, on, active)
    lead = next(
        (
            n
            for n in every
            if n.assignment.parent_id is None
            and n.assignment.role == ROLE_LEAD
            and n.assignment.status in (OPEN, DONE)
        ),
        None,
    )
    can_present = active and await has_permission(INCOMING_REGISTER, unit_id=unit)
    can_assign = active and await has_permission(INCOMING_ASSIGN, unit_id=unit)
    shown = await presentation.presentations_of(document.id)
    leader_names = await names_of_people({p.leader_user_id for p in shown})
    assign_form = forms.get("assign")
    for node in every:
        if node.reassign is not None:
            submitted = forms.get(f"reassign-{node.assignment.id}")
            node.co_rows = _rows(submitted, "co", "co_deadline", CO_ROWS)
            node.info_rows = _rows(submitted, "info", None, 0)
    return {
        "document": document,
        "arrival": arrival_text(document),
        "overdue": document_overdue(document, on),
        "files": await documents.document_files(document),
        "tree": top,
        "nodes": every,
        "presentations": [(p, leader_names.get(p.leader_user_id, "")) for p in shown],
        "timeline": await timeline.timeline(document.id),
        "can_present": can_present,
        "leaders": [(p.id, p.name) for p in await leaders_of(unit)] if can_present else [],
        "can_assign": can_assign,
        "has_lead": lead is not None,
        "choices": await assignee_choices(unit, include_root=False) if can_assign else [],
        "co_rows": _rows(assign_form, "co", "co_deadline", CO_ROWS),
        "info_rows": _rows(assign_form, "info", None, INFO_ROWS),
        "can_complete": lead is not None
        and document.status in (ASSIGNED, PROCESSING)
        and await acts_for(lead.assignment),
        "forms": forms,
    }


async def render_detail(
    request: Request,
    document: Document,
    forms: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    context = await detail_context(document, forms)
    return await render(request, TEMPLATE, context, status=status)


@authenticated
async def incoming_detail(request: Request) -> Response:
    """The document's page (visibility rules: 404 another tenant's, 403 one not visible)."""
    document = await documents.open_document(path_id(request, "document_id"))
    return await render_detail(request, document)


@authenticated
async def assignee_row(request: Request) -> Response:
    """One more assignee row of the assign form (htmx): ``?kind=co|info&parent=<id>``; the
    options are those the user may pick for the document (or inside the ``parent``
    assignment's unit). The row's element ids get a random suffix (rows are read in order)."""
    document = await documents.get_document(path_id(request, "document_id"))
    kind = "info" if request.query_params.get("kind") == "info" else "co"
    index = secrets.token_hex(4)
    unit = document.registered_unit_id
    parent = parse_id(request.query_params.get("parent", ""))
    if parent is not None:
        found = await Assignment.get_or_none(id=parent, document_id=document.id)
        if found is not None and found.assignee_unit_id is not None:
            unit = found.assignee_unit_id
    allowed = await has_permission(INCOMING_ASSIGN, unit_id=unit)
    choices = await assignee_choices(unit, include_root=False) if allowed else []
    context = {
        "row": {"index": index, "value": "", "deadline": "", "error": ""},
        "kind": kind,
        "choices": choices,
        "prefix": f"r{parent}-" if parent is not None else "",  # as the page's reassign form
    }
    return await render(request, "registry/incoming/_assignee_row.html", context)
