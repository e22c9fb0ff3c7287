"""Lists benchmark: a user's inbox, the document list and search, at 1 and at N tenants.

    .venv/bin/python bench/registry_lists.py [--tenants 1000] [--docs 1000] [--repeat 200]
    .venv/bin/python bench/registry_lists.py --quick      # 20 tenants × 200 documents

A throwaway PostgreSQL database (created, migrated, dropped). The measured tenant is made by
the services (units, users with their grants, an incoming registry), its ``--docs`` documents
are bulk-seeded (``bench/_registry_seed.py``: COPY as the owner, every constraint kept), and
the queries run through the services as the application role under RLS:

* ``inbox`` — ``assignment_lists.inbox()`` of a specialist (their open assignments, directly
  and through their unit);
* ``list leader`` — ``list_documents(limit=50)``, first page, for the leader of the agency
  (visibility: ``registry.registries.view`` / ``confidential.view`` in the agency);
* ``list specialist`` — the same for a specialist, who sees only what was assigned to them;
* ``search`` — the search service's ``search_documents`` (incoming documents, first page)
  for the leader, a common and an absent term.

Phase 1 measures with that tenant alone; phase 2 adds ``--tenants`` - 1 tenants made by
``create_tenant`` (registry plugin seeded) with the same shape and ``--docs`` documents each,
then measures the same queries again. Both phases ANALYZE first. Prints p50/p99 per query and
phase, the ratios (N tenants / 1 tenant), checks that every query returns the same rows in
both phases, and one JSON line. The full run (10⁶ documents) takes about 10 minutes on
2 cores, most of it seeding.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from _registry_seed import Shape, add_structure, seed_documents
from _registry_setup import (
    BenchTenant,
    as_user,
    bench_tenant,
    machine,
    percentile,
    ratio_line,
    throwaway_database,
)

from core.context import acting_as, tenant_context
from plugins.registry.models import INCOMING
from plugins.registry.services.assignment_lists import inbox
from plugins.registry.services.documents import list_documents
from plugins.registry.services.search import search_documents
from plugins.registry.services.search_filters import SearchFilters

PAGE = 50
COMMON = "thiên tai"  # one topic of forty: ~2.5 % of the documents
ABSENT = "không có văn bản nào như vậy"  # matches nothing: the whole visible set is read


async def search(query: str) -> list[int]:
    """The first page of the search service's results for ``query`` among the incoming
    documents (visibility, folded terms in the metadata or the files' text, ranking)."""
    page = await search_documents(SearchFilters(q=query, direction=INCOMING), limit=PAGE)
    return [hit.document.id for hit in page.hits]


Query = Callable[[], Awaitable[list[int]]]


def queries(tenant: BenchTenant) -> dict[str, tuple[int, Query]]:
    """name → (acting user, the call returning the ids it listed)."""

    async def my_inbox() -> list[int]:
        return [item.assignment.id for item in await inbox()]

    async def first_page() -> list[int]:
        return [d.id for d in await list_documents(limit=PAGE)]

    async def search_common() -> list[int]:
        return await search(COMMON)

    async def search_absent() -> list[int]:
        return await search(ABSENT)

    specialist = tenant.specialists[0]
    return {
        "inbox (specialist)": (specialist, my_inbox),
        "list leader, page 1": (tenant.leader, first_page),
        "list specialist, page 1": (specialist, first_page),
        f"search {COMMON!r}": (tenant.leader, search_common),
        "search, no match": (tenant.leader, search_absent),
    }


async def measure(tenant: BenchTenant, repeat: int) -> dict[str, tuple[list[float], list[int]]]:
    """Each query ``repeat`` times after 3 warm-up calls: latencies (s) and the ids listed."""
    results: dict[str, tuple[list[float], list[int]]] = {}
    with tenant_context(tenant.info):
        for name, (user, call) in queries(tenant).items():
            with acting_as(as_user(user)):
                for _ in range(3):
                    ids = await call()
                samples = []
                for _ in range(repeat):
                    began = time.perf_counter()
                    await call()
                    samples.append(time.perf_counter() - began)
            results[name] = (samples, ids)
    return results


async def analyze(owner_url: str) -> None:
    conn = await asyncpg.connect(owner_url)
    try:
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


def shape_of(tenant: BenchTenant) -> Shape:
    return Shape(
        tenant.info.id,
        tenant.incoming_registry,
        tenant.agency,
        (tenant.office, tenant.department),
        tenant.clerk,
        tenant.leader,
        tenant.specialists,
    )


async def add_tenants(owner_url: str, count: int, docs: int, batch: int) -> tuple[float, float]:
    """``count`` filler tenants (services), their structure and documents (COPY); returns
    the seconds spent creating tenants and seeding."""
    from core.tenancy.services import create_tenant

    began = time.perf_counter()
    tenant_ids = [
        (await create_tenant(f"t{n:05d}", f"Tỉnh {n}", plugins=["registry"])).id
        for n in range(2, count + 2)
    ]
    created = time.perf_counter() - began
    conn = await asyncpg.connect(owner_url)
    try:
        shapes = await add_structure(conn, tenant_ids)
        for start in range(0, len(shapes), batch):
            await seed_documents(conn, shapes[start : start + batch], docs)
            done = min(start + batch, len(shapes))
            print(f"  seeded {done}/{len(shapes)} tenants", file=sys.stderr, flush=True)
    finally:
        await conn.close()
    return created, time.perf_counter() - began - created


def table(phases: dict[str, dict[str, tuple[list[float], list[int]]]]) -> list[str]:
    names = list(next(iter(phases.values())))
    header = "".join(f" {label + ' p50':>14} {'p99':>8}" for label in phases)
    lines = [f"  {'ms':<26}{header} {'rows':>6}"]
    for name in names:
        cells = ""
        for results in phases.values():
            samples = results[name][0]
            p50, p99 = percentile(samples, 0.5) * 1000, percentile(samples, 0.99) * 1000
            cells += f" {p50:>14.2f} {p99:>8.2f}"
        rows = len(next(iter(phases.values()))[name][1])
        lines.append(f"  {name:<26}{cells} {rows:>6}")
    return lines


async def main(options: argparse.Namespace) -> int:
    began = time.perf_counter()
    async with throwaway_database("lists", pool_size=5) as database:
        tenant = await bench_tenant("alpha", "Tỉnh Alpha")
        conn = await asyncpg.connect(database.owner_url)
        try:
            await seed_documents(conn, [shape_of(tenant)], options.docs)
        finally:
            await conn.close()
        await analyze(database.owner_url)
        alone = await measure(tenant, options.repeat)
        created, seeded = await add_tenants(
            database.owner_url, options.tenants - 1, options.docs, options.batch
        )
        await analyze(database.owner_url)
        crowded = await measure(tenant, options.repeat)
    total = time.perf_counter() - began

    many = f"{options.tenants} tenants"
    print(
        f"Registry lists: {options.tenants} tenants × {options.docs} documents "
        f"({options.tenants * options.docs:,} documents), {options.repeat} calls per query, "
        f"PostgreSQL (app role under RLS); {machine()}"
    )
    print(
        f"  filler tenants: create_tenant {created:.0f} s, COPY seeding {seeded:.0f} s; "
        f"whole run {total:.0f} s"
    )
    for line in table({"1 tenant": alone, many: crowded}):
        print(line)
    summary: dict[str, Any] = {"tenants": options.tenants, "docs": options.docs, "queries": {}}
    same = True
    for name in alone:
        a, c = alone[name][0], crowded[name][0]
        a50, a99, c50, c99 = (percentile(s, p) for s in (a, c) for p in (0.5, 0.99))
        print(ratio_line(f"{name} p50 {many}/1 tenant", c50, a50))
        print(ratio_line(f"{name} p99 {many}/1 tenant", c99, a99))
        rows_equal = alone[name][1] == crowded[name][1]
        same = same and rows_equal
        summary["queries"][name] = {
            "rows": len(alone[name][1]),
            "same_rows": rows_equal,
            "p50_ms_1": round(a50 * 1000, 3),
            "p99_ms_1": round(a99 * 1000, 3),
            "p50_ms_n": round(c50 * 1000, 3),
            "p99_ms_n": round(c99 * 1000, 3),
            "ratio_p50": round(c50 / a50, 3),
            "ratio_p99": round(c99 / a99, 3),
        }
    print(f"check: every query lists the same rows at 1 and at {many}: {same}")
    summary["same_rows"] = same
    summary["seconds"] = round(total, 1)
    print(json.dumps(summary))
    if not same:
        print("FAILED: the other tenants changed what a query lists", file=sys.stderr)
        return 1
    return 0


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--docs", type=int, default=1000, help="documents per tenant")
    parser.add_argument("--repeat", type=int, default=200, help="calls per query and phase")
    parser.add_argument("--batch", type=int, default=20, help="tenants per COPY batch")
    parser.add_argument("--quick", action="store_true", help="20 tenants × 200 documents")
    options = parser.parse_args(argv)
    if options.quick:
        options.tenants, options.docs, options.repeat = 20, 200, 30
    if options.tenants < 2 or options.docs < 20 or options.repeat < 1 or options.batch < 1:
        parser.error("--tenants at least 2, --docs at least 20, --repeat and --batch at least 1")
    return options


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse())))
