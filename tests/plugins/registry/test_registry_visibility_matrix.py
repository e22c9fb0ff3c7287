"""Who may see what: every reading path of the registry, for every role, on SQLite and on
PostgreSQL (as the non-owner role, under row-level security).

The world is in ``visibility_matrix_support.py``. The tables below are the spec (they are
mirrored by "Visibility, path by path" in docs/registry.md): for each person, the documents a
path returns, or the answer a path gives for each document. ``foreign`` is beta's admin: every
alpha id is 404 for them, and beta's ids are 404 for alpha.
"""

# ruff: noqa: F811 (fixtures imported from the support modules)
from __future__ import annotations

import io
from collections.abc import AsyncIterator
from typing import Any

import pytest
from incoming_support import blobs  # noqa: F401 (fixture)
from openpyxl import load_workbook
from starlette.applications import Starlette
from visibility_matrix_support import DOCUMENTS, ROLES, SUBJECTS, Matrix, build_matrix, open_clients

from core.context import TenantInfo
from core.db.connection import is_postgres
from core.plugins.manager import PluginHost
from core.settings import Settings
from core.testing_web import attached_runtime
from core.web.app import create_app

BASE = "/api/v1/registry"
ALL = set(DOCUMENTS)
INCOMING = {"in_normal", "in_secret", "copy_b", "secret_copy"}
OUTGOING = {"draft", "issued", "secret_out"}

# Who sees each document at all (detail, download, timeline, search) — the rule of
# services/documents.py: participants, the registering clerk, holders of
# registry.registries.view (normal) or registry.confidential.view (confidential) in the unit,
# and, for an internal copy waiting to be registered, holders of registry.incoming.register
# in its registry's unit (B's clerk; the tenant admin holds it everywhere).
SEES: dict[str, set[str]] = {
    "clerk_a": {"in_normal", "in_secret", "draft", "issued", "secret_out"},
    "leader_a": {"in_normal", "in_secret", "draft", "issued", "secret_out"},
    "spec_in": {"in_secret", "draft"},
    "reviewer": {"draft"},
    "spec_out": set(),
    "clerk_b": {"copy_b", "secret_copy"},
    "leader_b": {"copy_b", "secret_copy"},
    "spec_b": set(),
    "admin": {"in_normal", "draft", "issued", "copy_b", "secret_copy"},
    "foreign": set(),
}
# Personal lists: GET /inbox, /following, /presented; GET /outgoing?view=mine|sign|review.
PERSONAL: dict[str, dict[str, set[str]]] = {
    "inbox": {"spec_in": {"in_secret"}},
    "following": {"leader_a": {"in_secret"}},
    "presented": {"leader_a": {"in_normal"}},
    "outgoing?view=mine": {"spec_in": {"draft"}},
    "outgoing?view=sign": {"leader_a": {"draft"}},
    "outgoing?view=review": {},
}
# GET /incoming/received: the visible internal copies waiting to be registered.
RECEIVED: dict[str, set[str]] = {
    role: SEES[role] & {"copy_b", "secret_copy"} for role in ("clerk_b", "leader_b", "admin")
}
# The record of A holding in_normal and in_secret: status, and the items shown.
RECORD: dict[str, tuple[int, set[str]]] = {
    "clerk_a": (200, {"in_normal", "in_secret"}),
    "leader_a": (200, {"in_normal", "in_secret"}),
    "spec_in": (403, set()),
    "reviewer": (403, set()),
    "spec_out": (403, set()),
    "clerk_b": (403, set()),
    "leader_b": (403, set()),
    "spec_b": (403, set()),
    "admin": (200, {"in_normal"}),
    "foreign": (404, set()),
}
# The incoming register of A (format=json): status, and whether the confidential row is masked.
REGISTER: dict[str, tuple[int, bool | None]] = {
    "clerk_a": (200, False),
    "leader_a": (200, False),
    "spec_in": (403, None),
    "reviewer": (403, None),
    "spec_out": (403, None),
    "clerk_b": (403, None),
    "leader_b": (403, None),
    "spec_b": (403, None),
    "admin": (200, True),
    "foreign": (404, None),
}


@pytest.fixture
async def matrix(
    any_db: str,
    tenant: TenantInfo,
    other_tenant: TenantInfo,
    congvan_host: PluginHost,
    web_settings: Settings,
    blobs: Any,
) -> AsyncIterator[Matrix]:
    """The app on the database of ``any_db`` (the core's ``app`` fixture is SQLite only) and
    the world of the support module, with a client per person."""
    application: Starlette = create_app(
        web_settings, host=congvan_host, runtime=attached_runtime, jobs=False
    )
    async with application.router.lifespan_context(application):
        assert is_postgres() == any_db.startswith("postgres")
        built = await build_matrix(tenant, other_tenant)
        open_clients(application, built)
        yield built
        for c in built.clients.values():
            await c.aclose()


def expected_status(role: str, key: str, path_keys: set[str]) -> int:
    """404 for another tenant's id or a path of the other direction; else 200 or 403."""
    if role == "foreign" or key not in path_keys:
        return 404
    return 200 if key in SEES[role] else 403


def names(m: Matrix, ids: list[int]) -> set[str]:
    back = {v: k for k, v in m.docs.items()}
    back[m.beta_doc] = "beta_doc"
    return {back.get(i, f"?{i}") for i in ids}


async def statuses(m: Matrix, role: str, url: str, keys: set[str]) -> dict[str, int]:
    c = m.clients[role]
    return {k: (await c.get(url.format(id=m.docs[k], file=m.files[k]))).status_code for k in keys}


def check(table: dict[str, Any], got: dict[str, Any]) -> None:
    """All roles at once, so a failure shows the whole difference."""
    assert got == table


# ------------------------------------------------------------------------------- lists


async def test_incoming_list(matrix: Matrix) -> None:
    got = {}
    for role in ROLES:
        items = (await matrix.clients[role].get(f"{BASE}/incoming")).json()["items"]
        got[role] = names(matrix, [d["id"] for d in items])
    table = {role: SEES[role] & INCOMING for role in ROLES}
    table["foreign"] = {"beta_doc"}  # beta's own document, nothing of alpha
    check(table, got)


async def test_outgoing_unit_list(matrix: Matrix) -> None:
    got = {}
    for role in ROLES:
        r = await matrix.clients[role].get(f"{BASE}/outgoing", params={"view": "unit"})
        got[role] = names(matrix, [d["id"] for d in r.json()["items"]])
    check({role: SEES[role] & OUTGOING for role in ROLES}, got)


@pytest.mark.parametrize("path", list(PERSONAL))
async def test_personal_lists(matrix: Matrix, path: str) -> None:
    got = {}
    for role in ROLES:
        r = await matrix.clients[role].get(f"{BASE}/{path}")
        assert r.status_code == 200, (role, r.text)
        items = r.json()["items"]
        ids = [i["document"]["id"] if "document" in i else i["id"] for i in items]
        got[role] = names(matrix, ids)
    check({role: PERSONAL[path].get(role, set()) for role in ROLES}, got)


async def test_received_copies(matrix: Matrix) -> None:
    got = {}
    for role in ROLES:
        items = (await matrix.clients[role].get(f"{BASE}/incoming/received")).json()["items"]
        got[role] = names(matrix, [d["id"] for d in items])
    check({role: RECEIVED.get(role, set()) for role in ROLES}, got)


# ------------------------------------------------------------------------------- one document

ONE_DOCUMENT = {
    "incoming detail": ("/incoming/{id}", INCOMING),
    "incoming download": ("/incoming/{id}/files/{file}", INCOMING),
    "timeline": ("/documents/{id}/timeline", ALL),
    "outgoing detail": ("/outgoing/{id}", OUTGOING),
    "outgoing download": ("/outgoing/{id}/files/{file}", OUTGOING),
    "recipients": ("/outgoing/{id}/recipients", OUTGOING),
}


@pytest.mark.parametrize("path", list(ONE_DOCUMENT))
async def test_one_document_paths(matrix: Matrix, path: str) -> None:
    url, kinds = ONE_DOCUMENT[path]
    got = {role: await statuses(matrix, role, BASE + url, ALL) for role in ROLES}
    table = {role: {k: expected_status(role, k, kinds) for k in ALL} for role in ROLES}
    check(table, got)


async def test_refusals_name_the_action_and_serve_nothing(matrix: Matrix) -> None:
    c = matrix.clients["admin"]
    r = await c.get(f"{BASE}/incoming/{matrix.docs['in_secret']}")
    assert r.status_code == 403 and "registry.confidential.view" in r.json()["detail"]
    assert SUBJECTS["in_secret"] not in r.text
    secret, file_id = matrix.docs["in_secret"], matrix.files["in_secret"]
    r = await matrix.clients["spec_out"].get(f"{BASE}/incoming/{secret}/files/{file_id}")
    assert r.status_code == 403 and not r.content.startswith(b"%PDF")
    r = await matrix.clients["spec_out"].get(f"{BASE}/incoming/{matrix.docs['in_normal']}")
    assert r.status_code == 403 and "registry.registries.view" in r.json()["detail"]


async def test_another_tenants_ids_are_404(matrix: Matrix) -> None:
    """Alpha's admin asking for beta's document, on every path (beta's admin asking for
    alpha's is in the tables above)."""
    c, beta = matrix.clients["admin"], matrix.beta_doc
    for url in (
        f"/incoming/{beta}",
        f"/incoming/{beta}/files/1",
        f"/documents/{beta}/timeline",
        f"/outgoing/{beta}",
        f"/outgoing/{beta}/recipients",
    ):
        assert (await c.get(BASE + url)).status_code == 404, url
    foreign = matrix.clients["foreign"]
    assert (await foreign.get(f"{BASE}/records/{matrix.record}")).status_code == 404
    r = await foreign.get(f"{BASE}/registries/{matrix.a_incoming}/registers/incoming")
    assert r.status_code == 404


# ------------------------------------------------------------------------------- search


async def test_search(matrix: Matrix) -> None:
    got = {}
    for role in ROLES:
        r = await matrix.clients[role].get(f"{BASE}/search", params={"limit": 100})
        assert r.status_code == 200, (role, r.text)
        got[role] = names(matrix, [d["id"] for d in r.json()["items"]])
    table = {role: set(SEES[role]) for role in ROLES}
    table["foreign"] = {"beta_doc"}
    check(table, got)
    # The free text finds nothing the caller may not see, in the metadata or the files.
    r = await matrix.clients["admin"].get(f"{BASE}/search", params={"q": "BETAMAT"})
    assert r.json()["items"] == []


def xlsx_text(content: bytes) -> str:
    book = load_workbook(io.BytesIO(content), read_only=True)
    cells = [str(v) for s in book.worksheets for row in s.iter_rows(values_only=True) for v in row]
    return "\n".join(cells)


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
async def test_search_export(matrix: Matrix, fmt: str) -> None:
    """The rows of the export, told apart by the last word of their subject (a copy has the
    subject of its issued document)."""
    words = {SUBJECTS[key].split()[-1] for key in SUBJECTS}
    got, table = {}, {}
    for role in ROLES:
        r = await matrix.clients[role].get(f"{BASE}/search/export.{fmt}")
        assert r.status_code == 200, (role, r.text)
        text = xlsx_text(r.content) if fmt == "xlsx" else pdf_text(r.content)
        got[role] = {word for word in words if word in text}
        seen = SEES[role] if role != "foreign" else {"in_normal"}  # beta's own document
        table[role] = {SUBJECTS[key].split()[-1] for key in seen}
    check(table, got)


# ------------------------------------------------------------------------------- records


async def test_record_items_and_export(matrix: Matrix) -> None:
    got_items, got_export = {}, {}
    for role in ROLES:
        c = matrix.clients[role]
        r = await c.get(f"{BASE}/records/{matrix.record}")
        items = r.json().get("items", []) if r.status_code == 200 else []
        got_items[role] = (r.status_code, names(matrix, [i["document"]["id"] for i in items]))
        x = await c.get(f"{BASE}/records/{matrix.record}/export", params={"format": "xml"})
        shown = {k for k in ("in_normal", "in_secret") if SUBJECTS[k] in x.text}
        got_export[role] = (x.status_code, shown if x.status_code == 200 else set())
    check(RECORD, got_items)
    check(RECORD, got_export)
    r = await matrix.clients["admin"].get(f"{BASE}/records/{matrix.record}")
    assert r.json()["hidden_items"] == 1


# ------------------------------------------------------------------------------- registers


async def test_incoming_register_masks_confidential_rows(matrix: Matrix) -> None:
    got = {}
    for role in ROLES:
        r = await matrix.clients[role].get(
            f"{BASE}/registries/{matrix.a_incoming}/registers/incoming", params={"format": "json"}
        )
        masked = None
        if r.status_code == 200:
            rows = {row["confidential"]: row for row in r.json()["rows"]}
            assert rows[False]["subject"] == SUBJECTS["in_normal"], role
            secret = rows[True]
            masked = secret["masked"]
            if masked:
                assert secret["document_id"] is None and "BETAMAT" not in r.text
                assert "(văn bản mật)" in r.text
            else:
                assert secret["document_id"] == matrix.docs["in_secret"]
        elif role != "foreign":
            assert "registry.registers.print" in r.json()["detail"], role
        got[role] = (r.status_code, masked)
    check(REGISTER, got)


# ------------------------------------------------------------------------------- 409s


async def test_assigning_or_presenting_a_copy_not_registered_is_409(matrix: Matrix) -> None:
    """A received copy (not registered yet) and, after the recall, a cancelled one."""
    copy = matrix.docs["copy_b"]
    # The clerk of B holds registry.incoming.register in B only, and POST …/presentations asks
    # for it tenant-wide (reported): the tenant admin presents here.
    leader_b, clerk = matrix.clients["leader_b"], matrix.clients["admin"]
    lead = {"lead": {"user_id": matrix.people["leader_b"].user_id}, "direction": "Xử lý."}
    present = {"leader_user_id": matrix.people["leader_b"].user_id}
    for state in ("received", "cancelled"):
        if state == "cancelled":
            r = await matrix.clients["clerk_a"].post(
                f"{BASE}/outgoing/{matrix.docs['issued']}/recall", json={"reason": "Ban hành nhầm"}
            )
            assert r.status_code == 200, r.text
        r = await leader_b.post(f"{BASE}/incoming/{copy}/assignments", json=lead)
        assert r.status_code == 409, (state, r.text)
        r = await clerk.post(f"{BASE}/incoming/{copy}/presentations", json=present)
        assert r.status_code == 409 and state in r.json()["detail"]
        body = (await leader_b.get(f"{BASE}/incoming/{copy}")).json()
        assert body["status"] == state
        steps = (await leader_b.get(f"{BASE}/documents/{copy}/timeline")).json()["items"]
        assert not {"assigned", "presented"} & {s["step"] for s in steps}
    assert (await leader_b.get(f"{BASE}/presented")).json()["items"] == []
