"""Routes of the registry plugin: pages of the web shell (``/registry/…``)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from plugins.registry.views import (
    pages_admin_notation,
    pages_admin_reference,
    pages_admin_register,
    pages_admin_registries,
    pages_incoming_actions,
    pages_incoming_detail,
    pages_incoming_list,
    pages_incoming_new,
)

_DOC = "/registry/incoming/{document_id:int}"

ROUTES: list[BaseRoute] = [
    # The incoming flow (views/pages_incoming_*.py).
    Route("/registry/inbox", pages_incoming_list.inbox, methods=["GET"]),
    Route("/registry/incoming", pages_incoming_list.incoming_list, methods=["GET"]),
    Route("/registry/incoming/new", pages_incoming_new.new_incoming, methods=["GET", "POST"]),
    Route(_DOC, pages_incoming_detail.incoming_detail, methods=["GET"]),
    Route(f"{_DOC}/assignee-row", pages_incoming_detail.assignee_row, methods=["GET"]),
    Route(f"{_DOC}/present", pages_incoming_actions.present, methods=["POST"]),
    Route(f"{_DOC}/assign", pages_incoming_actions.assign, methods=["POST"]),
    Route(
        f"{_DOC}/assignments/{{assignment_id:int}}/opinion",
        pages_incoming_actions.add_opinion,
        methods=["POST"],
    ),
    Route(
        f"{_DOC}/assignments/{{assignment_id:int}}/done",
        pages_incoming_actions.mark_done,
        methods=["POST"],
    ),
    Route(f"{_DOC}/complete", pages_incoming_actions.complete, methods=["POST"]),
]

# ---- Pages for administrators (views/pages_admin_*.py): reference data, registries and the
# register of a registry (numbers, reservations, print links). Appended as one block so the
# incoming pages' routes above stay untouched.
_REG = "/registry/registries/{registry_id:int}"
ROUTES += [
    Route("/registry/reference", pages_admin_reference.reference_page, methods=["GET"]),
    Route("/registry/reference/{kind}", pages_admin_reference.reference_page, methods=["GET"]),
    Route(
        "/registry/reference/{kind}/new", pages_admin_reference.new_item, methods=["GET", "POST"]
    ),
    Route(
        "/registry/reference/{kind}/{code}/edit",
        pages_admin_reference.edit_item,
        methods=["GET", "POST"],
    ),
    Route("/registry/registries", pages_admin_registries.registries_page, methods=["GET"]),
    Route("/registry/registries/new", pages_admin_registries.new_registry, methods=["GET", "POST"]),
    Route(
        "/registry/registries/notation-example",
        pages_admin_notation.notation_example_fragment,
        methods=["GET"],
    ),
    Route(_REG, pages_admin_register.registry_page, methods=["GET"]),
    Route(f"{_REG}/edit", pages_admin_registries.edit_registry, methods=["GET", "POST"]),
    Route(f"{_REG}/deactivate", pages_admin_registries.deactivate_registry, methods=["POST"]),
    Route(f"{_REG}/activate", pages_admin_registries.activate_registry, methods=["POST"]),
    Route(f"{_REG}/reserve", pages_admin_register.reserve, methods=["POST"]),
    Route(
        f"{_REG}/numbers/{{number_id:int}}/release",
        pages_admin_register.release,
        methods=["POST"],
    ),
]
