from __future__ import annotations

from core import Action

VIEW = "example.notes.view"
CREATE = "example.notes.create"

ACTIONS = [
    Action(
        VIEW,
        "Xem ghi chú / View notes",
        default_roles=("tenant_admin", "clerk", "leader", "specialist"),
    ),
    Action(CREATE, "Tạo ghi chú / Create notes", default_roles=("tenant_admin", "clerk")),
]
