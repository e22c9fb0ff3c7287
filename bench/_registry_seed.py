"""Bulk seeding of registry documents for ``bench/registry_lists.py`` (not a benchmark).

Registering a million documents through the service would take hours, so the rows are written
with ``COPY`` (asyncpg ``copy_records_to_table``) as the database owner, directly into the
migrated tables, keeping every constraint of the schema: each tenant's documents refer to that
tenant's registry, reference items, number sequences and ``registry_number`` rows (numbers
1..n per sequence, normal and confidential apart), and carry the keys the service computes
(``identity_key``, ``dedupe_key``, the folded ``search_text``). Per document: one number, one
main file row (a 300 KB PDF's metadata; no blob), and for the documents in processing one lead
assignment to a specialist, plus every fourth a co-handling assignment to a department. When
the schema has ``registry_document_participant`` (visibility reads it), the participants the
services would record go with them: the clerk, the assignees (user or unit), the assigner.

Tenants themselves are made by the services (``create_tenant`` with the registry plugin:
roles, Casbin rules, seeded reference data); :func:`add_structure` gives each filler tenant a
unit tree, users with positions and an incoming registry by SQL (their grants are left out).
"""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg

from plugins.registry.searchtext import fold_fields

YEAR = 2025
START = datetime(YEAR, 1, 2, 1, 0, tzinfo=UTC)
TOPICS = (
    "báo cáo công tác tư pháp",
    "phòng chống thiên tai và tìm kiếm cứu nạn",
    "kế hoạch cải cách hành chính",
    "triển khai chuyển đổi số",
    "quyết toán ngân sách nhà nước",
    "tuyển dụng công chức cấp xã",
    "phòng cháy chữa cháy mùa khô",
    "bảo vệ môi trường làng nghề",
    "kiểm tra an toàn thực phẩm",
    "tổ chức kỳ thi tốt nghiệp",
    "tiêm chủng mở rộng",
    "quản lý đất đai và giải phóng mặt bằng",
    "xây dựng nông thôn mới",
    "thu hút đầu tư",
    "an toàn giao thông dịp lễ",
    "giải quyết khiếu nại tố cáo",
    "phổ biến giáo dục pháp luật",
    "đào tạo bồi dưỡng cán bộ",
    "quản lý giá hàng hóa",
    "hỗ trợ doanh nghiệp nhỏ và vừa",
    "phát triển du lịch",
    "thực hành tiết kiệm chống lãng phí",
    "công tác dân tộc tôn giáo",
    "bảo hiểm xã hội tự nguyện",
    "sáp nhập đơn vị hành chính",
    "ứng dụng chữ ký số",
    "kiểm kê tài sản công",
    "thống kê dân số",
    "phòng chống dịch bệnh gia súc",
    "quy hoạch sử dụng đất",
    "an ninh trật tự khu dân cư",
    "chế độ chính sách người có công",
    "xử lý vi phạm hành chính",
    "cấp nước sạch nông thôn",
    "sửa chữa trường học",
    "quản lý chất thải rắn",
    "tổng kết năm",
    "lấy ý kiến dự thảo luật",
    "hội nghị trực tuyến",
    "vận hành hệ thống quản lý văn bản",
)
ORGANS = ("Sở Tư pháp", "Sở Tài chính", "Bộ Nội vụ", "UBND huyện Đông", "Sở Y tế", "Công an tỉnh")
NOTATIONS = ("STP-VP", "STC-NS", "BNV-VP", "UBND", "SYT-NVY", "CAT-PV01")


def _columns(names: str) -> list[str]:
    return names.split()


COLUMNS: dict[str, list[str]] = {  # the columns each COPY writes, in the order of the tuples
    "core_unit": _columns(
        "tenant_id created_at updated_at id code name short_name kind path level "
        "is_active sort_order parent_id"
    ),
    "core_user": _columns(
        "tenant_id created_at updated_at id username full_name email phone password_hash is_active"
    ),
    "core_position": _columns("tenant_id id title is_primary unit_id user_id"),
    "registry_registry": _columns(
        "tenant_id created_at updated_at id unit_id direction name "
        "description numbering_scope agency_abbreviation notation_pattern is_active created_by"
    ),
    "registry_sequence": _columns("tenant_id id scope_key year confidential last_number"),
    "registry_number": _columns(
        "tenant_id id year confidential number code_number code_notation state "
        "type_name issued_date note reserved_by used_at used_by released_by release_reason "
        "document_model document_id created_at created_by confidentiality_id document_type_id "
        "registry_id sequence_id"
    ),
    "registry_document": _columns(
        "tenant_id created_at updated_at id direction status source "
        "code_number code_notation type_name subject issued_date organ_name organ_id "
        "signer_position signer_full_name priority_weight confidentiality_level page_amount "
        "description arrival_number arrival_date received_at refusal_reason identity_key "
        "dedupe_key duplicate_confirmed registered_by registered_unit_id created_by search_text "
        "confidentiality_id document_type_id priority_id registry_id registry_number_id"
    ),
    "registry_document_file": _columns(
        "tenant_id id role position filename content_type size sha256 "
        "pdf_state pages text_status created_at document_id"
    ),
    "registry_assignment": _columns(
        "tenant_id id role status assignee_user_id assignee_unit_id "
        "scope_unit_id deadline direction assigned_by assigned_at done_at document_id"
    ),
    "registry_document_participant": _columns(
        "tenant_id id document_id user_id unit_id key role created_at"
    ),
}
PARTICIPANTS = "registry_document_participant"


@dataclass(frozen=True)
class Shape:
    """What one tenant's documents refer to."""

    tenant_id: int
    registry_id: int
    agency: int
    departments: tuple[int, ...]
    clerk: int
    leader: int
    specialists: tuple[int, ...]


class Ids:
    """Explicit ids for COPY (rows refer to each other), taken after the current maximum;
    :meth:`commit` moves each sequence past them."""

    def __init__(self) -> None:
        self.next: dict[str, int] = {}

    async def load(self, conn: asyncpg.Connection, tables: Sequence[str]) -> None:
        for table in tables:
            self.next[table] = int(await conn.fetchval(f"SELECT coalesce(max(id), 0) FROM {table}"))

    def take(self, table: str) -> int:
        self.next[table] += 1
        return self.next[table]

    async def commit(self, conn: asyncpg.Connection) -> None:
        for table, last in self.next.items():
            if last:
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {last})"
                )


async def add_structure(conn: asyncpg.Connection, tenant_ids: Sequence[int]) -> list[Shape]:
    """UBND with VP and VX, a clerk, a leader and four specialists (with primary positions)
    and an incoming registry, for each tenant in ``tenant_ids``."""
    ids = Ids()
    await ids.load(conn, ["core_unit", "core_user", "core_position", "registry_registry"])
    now = datetime.now(UTC)
    rows: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    shapes: list[Shape] = []
    for t in tenant_ids:
        units = [ids.take("core_unit") for _ in range(3)]
        root = units[0]
        rows["core_unit"].append(
            (t, now, now, root, "UBND", "Ủy ban nhân dân", "UBND", "agency", f"/{root}/", 0)  # noqa: RUF005 (one row, wrapped)
            + (True, 0, None)
        )
        for unit, code in zip(units[1:], ("VP", "VX"), strict=True):
            path = f"/{root}/{unit}/"
            rows["core_unit"].append(
                (t, now, now, unit, code, code, code, "department", path, 1, True, 0, root)
            )
        people = [ids.take("core_user") for _ in range(6)]
        for index, user in enumerate(people):
            unit = units[0] if index < 2 else units[1 + index % 2]
            name = ("vanthu", "lanhdao")[index] if index < 2 else f"chuyenvien{index - 1}"
            rows["core_user"].append((t, now, now, user, name, name.title(), "", "", "", True))
            rows["core_position"].append((t, ids.take("core_position"), "", True, unit, user))
        registry = ids.take("registry_registry")
        rows["registry_registry"].append(
            (t, now, now, registry, root, "incoming", "Sổ văn bản đến", "", "agency", "UBND")  # noqa: RUF005 (one row, wrapped)
            + ("{type}-{agency}", True, "system")
        )
        shapes.append(
            Shape(t, registry, root, tuple(units[1:]), people[0], people[1], tuple(people[2:]))
        )
    for table in ("core_unit", "core_user", "core_position", "registry_registry"):
        await conn.copy_records_to_table(table, records=rows[table], columns=COLUMNS[table])
    await ids.commit(conn)
    return shapes


async def reference(conn: asyncpg.Connection) -> dict[str, dict[int, list[tuple[int, Any]]]]:
    """Per tenant: active document types (id, name), urgencies (id, weight), levels (id, level)."""
    found: dict[str, dict[int, list[tuple[int, Any]]]] = {}
    for key, table, value in (
        ("types", "registry_document_type", "name"),
        ("urgency", "registry_urgency_level", "weight"),
        ("secrecy", "registry_confidentiality_level", "level"),
    ):
        by_tenant: dict[int, list[tuple[int, Any]]] = defaultdict(list)
        for r in await conn.fetch(
            f"SELECT tenant_id, id, {value} AS v FROM {table} WHERE is_active "
            "ORDER BY tenant_id, sort_order, id"
        ):
            by_tenant[r["tenant_id"]].append((r["id"], r["v"]))
        found[key] = by_tenant
    return found


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _status(i: int) -> str:
    """30 % registered, 15 % assigned, 10 % processing, 45 % completed (by position)."""
    slot = i % 20
    if slot < 6:
        return "registered"
    if slot < 9:
        return "assigned"
    return "processing" if slot < 11 else "completed"


async def seed_documents(conn: asyncpg.Connection, shapes: Sequence[Shape], docs: int) -> int:
    """``docs`` incoming documents in each tenant of ``shapes`` (COPY, one batch per call);
    returns the number of rows written in all tables."""
    ref = await reference(conn)
    ids = Ids()
    tables = ["registry_sequence", "registry_number", "registry_document"]
    tables += ["registry_document_file", "registry_assignment"]
    # Who takes part in a document (read by visibility), when the schema has the table.
    if await conn.fetchval(f"SELECT to_regclass('{PARTICIPANTS}') IS NOT NULL"):
        tables.append(PARTICIPANTS)
    await ids.load(conn, tables)
    rows: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    step = timedelta(days=360) / docs
    for shape in shapes:
        _tenant_documents(shape, docs, step, ref, ids, rows)
    if PARTICIPANTS not in tables:
        rows.pop(PARTICIPANTS, None)
    for table in tables:
        await conn.copy_records_to_table(table, records=rows[table], columns=COLUMNS[table])
    await ids.commit(conn)
    return sum(len(r) for r in rows.values())


def _tenant_documents(
    shape: Shape,
    docs: int,
    step: timedelta,
    ref: dict[str, dict[int, list[tuple[int, Any]]]],
    ids: Ids,
    rows: dict[str, list[tuple[Any, ...]]],
) -> None:
    t = shape.tenant_id
    rng = random.Random(t)
    types, urgency, secrecy = ref["types"][t], ref["urgency"][t], ref["secrecy"][t]
    normal = next(item for item in secrecy if item[1] == 0)
    secret = next(item for item in secrecy if item[1] > 0)
    sequences = {}
    for confidential in (False, True):
        sequences[confidential] = [ids.take("registry_sequence"), 0]
    clerk = f"user:{shape.clerk}"
    for i in range(docs):
        moment = START + step * i
        level = secret if i % 33 == 7 else normal  # ~3 % confidential
        confidential = level[1] > 0
        sequence = sequences[confidential]
        sequence[1] += 1
        type_id, type_name = types[i % len(types)]
        urgency_id, weight = urgency[0] if rng.random() < 0.85 else rng.choice(urgency[1:])
        organ, notation = ORGANS[i % len(ORGANS)], NOTATIONS[i % len(NOTATIONS)]
        code_number = str(rng.randint(1, 3000))
        subject = f"Về việc {TOPICS[rng.randrange(len(TOPICS))]} năm {YEAR}"
        issued = (moment - timedelta(days=2)).date()
        number_id, document_id = ids.take("registry_number"), ids.take("registry_document")
        rows["registry_number"].append(
            (t, number_id, YEAR, confidential, sequence[1], f"{sequence[1]:02d}", "", "issued")  # noqa: RUF005 (one row, wrapped)
            + (type_name, moment.date(), "", "", moment, clerk, "", "", "registry.Document")
            + (document_id, moment, clerk, level[0], type_id, shape.registry_id, sequence[0])
        )
        identity = _digest(f"{t}:{i}:{code_number}/{notation}:{organ}")
        status = _status(i)
        search = fold_fields(f"{code_number}/{notation}", type_name, subject, organ)
        rows["registry_document"].append(
            (t, moment, moment, document_id, "incoming", status, "upload", code_number)  # noqa: RUF005 (one row, wrapped)
            + (notation, type_name, subject, issued, organ, "", "Giám đốc", "Nguyễn Văn An")
            + (weight, level[1], 2, "", sequence[1], moment, moment, "", identity)
            + (_digest(f"{shape.agency}\x00{identity}"), False, shape.clerk, shape.agency)
            + (clerk, search, level[0], type_id, urgency_id, shape.registry_id, number_id)
        )
        rows["registry_document_file"].append(
            (t, ids.take("registry_document_file"), "main", 0, f"cong-van-{i + 1}.pdf")  # noqa: RUF005 (one row, wrapped)
            + ("application/pdf", 305_000, _digest(f"blob:{t}:{i}"), "ok", 2, "pending")
            + (moment, document_id)
        )
        _participant(t, document_id, "clerk", moment, ids, rows, user=shape.clerk)
        if status != "registered":
            _assignments(shape, i, document_id, moment, status == "completed", ids, rows)
    for confidential, (sequence_id, last) in sequences.items():
        key = f"agency:{shape.agency}:incoming"
        rows["registry_sequence"].append((t, sequence_id, key, YEAR, confidential, last))


def _assignments(
    shape: Shape,
    i: int,
    document_id: int,
    moment: datetime,
    done: bool,
    ids: Ids,
    rows: dict[str, list[tuple[Any, ...]]],
) -> None:
    t = shape.tenant_id
    status = "done" if done else "open"
    deadline: date = (moment + timedelta(days=10 + i % 20)).date()
    finished = moment + timedelta(days=5) if done else None
    lead = shape.specialists[i % len(shape.specialists)]
    rows["registry_assignment"].append(
        (t, ids.take("registry_assignment"), "lead", status, lead, None, shape.agency, deadline)  # noqa: RUF005 (one row, wrapped)
        + ("Chủ trì xử lý.", shape.leader, moment, finished, document_id)
    )
    _participant(t, document_id, "assignee", moment, ids, rows, user=lead)
    _participant(t, document_id, "assigner", moment, ids, rows, user=shape.leader)
    if i % 4 == 0:
        unit = shape.departments[(i // 4) % len(shape.departments)]
        rows["registry_assignment"].append(
            (t, ids.take("registry_assignment"), "cohandler", status, None, unit, shape.agency)  # noqa: RUF005 (one row, wrapped)
            + (deadline, "Phối hợp.", shape.leader, moment, finished, document_id)
        )
        _participant(t, document_id, "assignee", moment, ids, rows, unit=unit)


def _participant(
    t: int,
    document_id: int,
    role: str,
    moment: datetime,
    ids: Ids,
    rows: dict[str, list[tuple[Any, ...]]],
    *,
    user: int | None = None,
    unit: int | None = None,
) -> None:
    """A ``DocumentParticipant`` row as ``add_participant`` writes it (dropped when the
    schema has no such table)."""
    key = f"u:{user}" if user is not None else f"n:{unit}"
    number = ids.take(PARTICIPANTS) if PARTICIPANTS in ids.next else 0
    rows[PARTICIPANTS].append((t, number, document_id, user, unit, key, role, moment))
