"""Permissions of the registry plugin, with the seeded roles that get them by default.

Registry actions are checked in the unit of the registry; reference data is tenant data, so
``registry.reference.manage`` is checked tenant-wide.
"""

from __future__ import annotations

from core import Action

REFERENCE_VIEW = "registry.reference.view"
REFERENCE_MANAGE = "registry.reference.manage"
REGISTRIES_VIEW = "registry.registries.view"
REGISTRIES_MANAGE = "registry.registries.manage"
NUMBERS_ALLOCATE = "registry.numbers.allocate"
NUMBERS_RESERVE = "registry.numbers.reserve"
INCOMING_REGISTER = "registry.incoming.register"
CONFIDENTIAL_VIEW = "registry.confidential.view"
INCOMING_ASSIGN = "registry.incoming.assign"

ACTIONS = [
    Action(
        REFERENCE_VIEW,
        "Xem danh mục văn bản / View document reference data",
        "Document types, copy forms, urgency, confidentiality and retention periods.",
        default_roles=("tenant_admin", "unit_admin", "clerk", "leader", "specialist"),
    ),
    Action(
        REFERENCE_MANAGE,
        "Quản lý danh mục văn bản / Manage document reference data",
        "Add and change document types, urgency, confidentiality and retention periods.",
        default_roles=("tenant_admin",),
    ),
    Action(
        REGISTRIES_VIEW,
        "Xem sổ văn bản / View registries",
        "See a unit's registries and the numbers in them.",
        default_roles=("tenant_admin", "unit_admin", "clerk", "leader"),
    ),
    Action(
        REGISTRIES_MANAGE,
        "Quản lý sổ văn bản / Manage registries",
        "Create, change and delete a unit's registries and their numbering.",
        default_roles=("tenant_admin", "unit_admin"),
    ),
    Action(
        NUMBERS_ALLOCATE,
        "Cấp số văn bản / Allocate document numbers",
        "Give the next number of a registry to a document.",
        default_roles=("clerk",),
    ),
    Action(
        NUMBERS_RESERVE,
        "Giữ số văn bản / Reserve document numbers",
        "Reserve the next number of a registry for a document being signed, or release it.",
        default_roles=("clerk",),
    ),
    Action(
        INCOMING_REGISTER,
        "Đăng ký văn bản đến / Register incoming documents",
        "Receive an incoming document into a registry of the unit: register it (arrival "
        "number) or refuse it with a reason.",
        default_roles=("tenant_admin", "clerk"),
    ),
    Action(
        CONFIDENTIAL_VIEW,
        "Xem văn bản mật / View confidential documents",
        "See the confidential documents of the unit's registries (the clerk who registered "
        "one always sees it).",
        default_roles=("leader",),
    ),
    Action(
        INCOMING_ASSIGN,
        "Phân công xử lý văn bản đến / Assign incoming documents",
        "Give a registered incoming document of the unit to a lead, co-handlers and "
        "for-information recipients with deadlines and a direction; in a unit that received "
        "an assignment, pass it on to a user of that unit.",
        default_roles=("tenant_admin", "leader"),
    ),
]
