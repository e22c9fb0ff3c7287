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
REGISTERS_PRINT = "registry.registers.print"
# Outgoing and internal documents, part A (draft → sign).
OUTGOING_DRAFT = "registry.outgoing.draft"
OUTGOING_SIGN = "registry.outgoing.sign"
RECORDS_MANAGE = "registry.records.manage"
RECORDS_REOPEN = "registry.records.reopen"

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
    Action(
        REGISTERS_PRINT,
        "In sổ đăng ký văn bản / Print document registers",
        "Export the yearly registers of the unit's registries (incoming, outgoing, "
        "processing-tracking; ND30 Phụ lục IV) as PDF or JSON. Confidential documents stay "
        "masked for those who may not see them.",
        default_roles=("tenant_admin", "clerk", "leader"),
    ),
    Action(
        RECORDS_MANAGE,
        "Lập hồ sơ công việc / Manage records",
        "Open a record (hồ sơ) in the agency's records list of the year, add and remove the "
        "documents one may see, close it. Checked in the record's handler unit when opening, "
        "in the agency unit for records one did not open.",
        default_roles=("tenant_admin", "clerk", "leader", "specialist"),
    ),
    Action(
        RECORDS_REOPEN,
        "Mở lại hồ sơ đã đóng / Reopen closed records",
        "Reopen a closed record of the agency (with a reason) so documents can be added again.",
        default_roles=("tenant_admin", "clerk", "leader"),
    ),
    # Outgoing and internal documents, part A (draft → sign).
    Action(
        OUTGOING_DRAFT,
        "Soạn thảo văn bản đi / Draft outgoing documents",
        "Draft an outgoing or internal document in the unit (checked in the drafting unit), "
        "send it for review and submit it to a signer.",
        default_roles=("specialist", "leader", "clerk", "tenant_admin"),
    ),
    Action(
        OUTGOING_SIGN,
        "Ký duyệt văn bản đi / Approve and sign outgoing documents",
        "Be chosen as the signer of the outgoing documents of the unit's registries: approve, "
        "return with a reason, sign.",
        default_roles=("leader",),
    ),
]
