"""The registry's entries in the shell's menu (each area's pages live under ``/registry/``).

An entry is shown to actors holding its permission somewhere (``None``: every signed-in user).
"""

from __future__ import annotations

from pathlib import Path

from core import N_, MenuItem
from plugins.registry.actions import INCOMING_REGISTER, REFERENCE_MANAGE, REGISTRIES_VIEW

TEMPLATES = Path(__file__).parent / "templates"

ITEMS: list[MenuItem] = [
    MenuItem("registry.inbox", N_("Việc cần xử lý"), "/registry/inbox", order=10),
    MenuItem(
        "registry.incoming",
        N_("Văn bản đến"),
        "/registry/incoming",
        permission=REGISTRIES_VIEW,
        order=20,
    ),
    MenuItem(
        "registry.receive",
        N_("Tiếp nhận văn bản"),
        "/registry/incoming/new",
        permission=INCOMING_REGISTER,
        order=21,
    ),
    MenuItem("registry.outgoing", N_("Văn bản đi"), "/registry/outgoing", order=30),
    MenuItem("registry.records", N_("Hồ sơ công việc"), "/registry/records", order=40),
    MenuItem("registry.search", N_("Tra cứu văn bản"), "/registry/search", order=50),
    MenuItem(
        "registry.registries",
        N_("Sổ văn bản"),
        "/registry/registries",
        permission=REGISTRIES_VIEW,
        order=60,
    ),
    MenuItem(
        "registry.reference",
        N_("Danh mục văn bản"),
        "/registry/reference",
        permission=REFERENCE_MANAGE,
        order=70,
    ),
]
