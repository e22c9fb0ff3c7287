"""Shared set-up of the registry benchmarks (``bench/registry_*.py``); not a benchmark itself
(``make bench`` skips ``bench/_*.py``).

* :func:`throwaway_database` — a PostgreSQL database of its own, created, migrated (with the
  grants of the non-owner application role) and dropped, exactly as ``core.testing`` does for
  ``pg_db``: queries run as ``congvan_app``, so row-level security applies; seeding in bulk
  uses the owner URL. The server is ``CONGVAN_TEST_POSTGRES_URL`` (an admin URL, default
  ``postgres://postgres@127.0.0.1:5432/postgres``).
* :func:`bench_tenant` — a tenant made through the services: the registry plugin enabled and
  seeded, a unit tree, an incoming and an outgoing registry, a clerk, a leader, specialists.
* :func:`make_pdf` / :func:`pdf_variant` — a valid ~300 KB PDF (two "scanned" pages) and
  copies of it that differ in one marker, so that every document stores a blob of its own.
* :func:`plain_table` — the table of the in-run baselines (a bare row, no RLS, no audit).
* :class:`Run`, :func:`percentile`, :func:`ratio_line` — one measured phase, and the
  printing conventions of ``bench/``.
"""

from __future__ import annotations

import io
import os
import random
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core.context import Actor, TenantInfo, tenant_context  # noqa: E402
from core.testing import (  # noqa: E402
    APP_ROLE,
    PG_ADMIN_URL,
    create_pg_database,
    drop_pg_database,
    port_open,
)

MARK = b"BENCH-DOC-0000000000"  # written literally into page 1 (the page stream is not compressed)
PLAIN_TABLE = "bench_plain"


@dataclass(frozen=True)
class BenchDatabase:
    name: str
    owner_url: str  # the superuser/owner: migrations and bulk seeding (bypasses RLS)
    app_url: str  # congvan_app: every measured query (RLS applies)


@asynccontextmanager
async def throwaway_database(label: str, *, pool_size: int = 10) -> AsyncIterator[BenchDatabase]:
    """A migrated database ``congvan_bench_<label>_<pid>``, tortoise initialised on it as the
    application role; dropped on the way out (also after an error)."""
    from core.db.connection import close_db, init_db, run_migrations
    from core.plugins.apps import model_apps
    from core.plugins.manager import build_host, set_host

    if not port_open(PG_ADMIN_URL, 5432):
        raise SystemExit(
            f"PostgreSQL is not reachable at {PG_ADMIN_URL} (start it, or set "
            "CONGVAN_TEST_POSTGRES_URL)"
        )
    name = f"congvan_bench_{label}_{os.getpid()}"
    owner_url, app_url = create_pg_database(name)
    try:
        apps = model_apps(set_host(build_host(entry_points_too=False)))
        await run_migrations(owner_url, apps, app_role=APP_ROLE)
        await init_db(app_url, apps, pool_size=pool_size)
        try:
            yield BenchDatabase(name, owner_url, app_url)
        finally:
            await close_db()
    finally:
        drop_pg_database(name)


async def plain_table(database: BenchDatabase) -> None:
    """The baseline's table: a bare row (id, client, n, note), no RLS, granted to the app."""
    import asyncpg

    owner = await asyncpg.connect(database.owner_url)
    try:
        await owner.execute(
            f"CREATE TABLE {PLAIN_TABLE} (id bigserial PRIMARY KEY, client int NOT NULL, "
            "n int NOT NULL, note text NOT NULL DEFAULT '', "
            "created_at timestamptz NOT NULL DEFAULT now());"
            f"GRANT SELECT, INSERT ON {PLAIN_TABLE} TO {APP_ROLE};"
            f"GRANT USAGE ON SEQUENCE {PLAIN_TABLE}_id_seq TO {APP_ROLE};"
        )
    finally:
        await owner.close()


async def plain_insert(client: int, n: int, note: str = "") -> None:
    """One bare row in its own transaction, through the same pool as the services."""
    from core.db.connection import atomic, db

    async with atomic():
        await db().execute_query(
            f"INSERT INTO {PLAIN_TABLE} (client, n, note) VALUES ($1, $2, $3)", [client, n, note]
        )


# ------------------------------------------------------------------------------ tenants


@dataclass(frozen=True)
class BenchTenant:
    """A tenant built through the services (ids of its units, registries and users)."""

    info: TenantInfo
    agency: int  # UBND: keeps the registries
    office: int  # VP, a department
    department: int  # VX, a department
    incoming_registry: int
    outgoing_registry: int
    clerk: int
    leader: int
    specialists: tuple[int, ...]


def as_user(user_id: int) -> Actor:
    return Actor(kind="user", id=user_id, name=f"user {user_id}")


async def bench_tenant(slug: str, name: str, *, specialists: int = 4) -> BenchTenant:
    """Tenant ``slug`` with the registry plugin (seeded), UBND with VP and VX, an incoming
    and an outgoing registry of UBND, a clerk and a leader of UBND (with its sub-units) and
    ``specialists`` specialists alternately in VP and VX (granted in their unit)."""
    from core.authz.grants import grant_role
    from core.tenancy.services import create_tenant
    from core.units.services import create_unit
    from core.users.services import create_user
    from plugins.registry.services.registries import create_registry

    info = await create_tenant(slug, name, plugins=["registry"])
    with tenant_context(info):
        ubnd = await create_unit("UBND", "Ủy ban nhân dân tỉnh", short_name="UBND")
        vp = await create_unit(
            "VP", "Văn phòng", parent_id=ubnd.id, short_name="VP", kind="department"
        )
        vx = await create_unit(
            "VX", "Phòng Văn xã", parent_id=ubnd.id, short_name="VX", kind="department"
        )
        incoming = await create_registry(ubnd.id, "incoming", "Sổ văn bản đến")
        outgoing = await create_registry(ubnd.id, "outgoing", "Sổ văn bản đi")
        clerk = await create_user("vanthu", "Văn thư", unit_id=vp.id)
        await grant_role(clerk.id, "clerk", unit_id=ubnd.id, descendants=True)
        leader = await create_user("lanhdao", "Lãnh đạo", unit_id=ubnd.id)
        await grant_role(leader.id, "leader", unit_id=ubnd.id, descendants=True)
        people: list[int] = []
        for index in range(specialists):
            unit = vp.id if index % 2 == 0 else vx.id
            user = await create_user(
                f"chuyenvien{index + 1}", f"Chuyên viên {index + 1}", unit_id=unit
            )
            await grant_role(user.id, "specialist", unit_id=unit)
            people.append(user.id)
    return BenchTenant(
        info,
        ubnd.id,
        vp.id,
        vx.id,
        incoming.registry.id,
        outgoing.registry.id,
        clerk.id,
        leader.id,
        tuple(people),
    )


# ------------------------------------------------------------------------------ files


def make_pdf(target_bytes: int = 300 * 1024, *, pages: int = 2, seed: int = 7) -> bytes:
    """A valid PDF of about ``target_bytes``: ``pages`` A4 pages, each a noise image (a scan
    does not compress) under a line of text; page 1 carries :data:`MARK` in clear."""
    from PIL import Image
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    def build(side: int) -> bytes:
        rng = random.Random(seed)
        out = io.BytesIO()
        pdf = canvas.Canvas(out, pagesize=A4, pageCompression=0, invariant=1)
        width, height = A4
        for page in range(pages):
            pdf.setFont("Helvetica", 11)
            label = MARK.decode() if page == 0 else f"page {page + 1}"
            pdf.drawString(60, height - 60, f"CONG VAN {label}")
            image = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
            pdf.drawImage(ImageReader(image), 60, 120, width - 120, height - 220)
            pdf.showPage()
        pdf.save()
        return out.getvalue()

    # Noise does not compress, but the image stream is ASCII85-encoded: size, measure, resize.
    side = int((target_bytes / pages / 3) ** 0.5)
    data = build(side)
    side = int(side * (target_bytes / len(data)) ** 0.5)
    data = build(side)
    assert data.count(MARK) == 1, "the marker must appear once in clear"
    return data


def pdf_variant(pdf: bytes, n: int) -> bytes:
    """``pdf`` with its marker numbered ``n``: same length (the xref offsets still hold),
    another SHA-256, so a content-addressed store keeps a blob per document."""
    return pdf.replace(MARK, f"BENCH-DOC-{n:010d}".encode(), 1)


# ------------------------------------------------------------------------------ printing


@dataclass
class Run:
    """One measured phase: its latencies (s) and, for numbering, the numbers handed out."""

    name: str
    seconds: float
    latencies: list[float]
    numbers: list[int] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds


def percentile(samples: list[float], p: float) -> float:
    """The ``p`` quantile (0–1) of ``samples`` (nearest rank), as bench/api.py computes it."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def ratio_line(name: str, value: float, baseline: float) -> str:
    """``ratio <name>: <value/baseline>`` — every registry bench prints its ratios this way."""
    return f"ratio {name}: {value / baseline:.2f}"


def machine() -> str:
    import platform

    return f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.machine()}"
