"""Numbering benchmark: concurrent clients taking numbers of ONE registry, on PostgreSQL.

    .venv/bin/python bench/registry_numbering.py [--clients 50] [--numbers 5000] [--quick]

A throwaway PostgreSQL database (created, migrated, dropped), one tenant made through the
services, its outgoing registry; every allocation is ``allocate_number`` (decision "quyet_dinh",
the clerk acting, its own transaction: the sequence row lock, the register row, the audit
event, the event) as the non-owner application role, so row-level security applies. Measured
in the same run:

* ``--clients`` concurrent clients taking ``--numbers`` numbers of one registry;
* baseline 1: the same number of bare single-row INSERTs, each in its own transaction, by the
  same number of clients through the same pool (what any write costs here);
* baseline 2: one client taking ``--numbers`` numbers of another registry (what the row lock
  serialises).

Then the register of each registry is checked: the numbers given to the clients and the rows
of the register are exactly 1..N — no gap, no duplicate — and the sequence stands at N; any
other outcome exits with status 1. Prints numbers/s, p50/p99 latencies, the ratios and one
JSON line. The full run takes about a minute on 2 cores; ``--quick`` (10 clients, 200 numbers)
a few seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from datetime import UTC, datetime
from typing import Any

from _registry_setup import (
    BenchTenant,
    Run,
    as_user,
    bench_tenant,
    machine,
    percentile,
    plain_insert,
    plain_table,
    ratio_line,
    throwaway_database,
)

from core.context import acting_as, tenant_context
from plugins.registry.models import NumberSequence
from plugins.registry.services.numbering import (
    NumberRequest,
    allocate_number,
    list_numbers,
    sequence_key,
)
from plugins.registry.services.registries import create_registry, get_registry

MOMENT = datetime(2025, 6, 2, 3, 0, tzinfo=UTC)  # one numbering year for the whole run
YEAR = 2025
REQUEST = NumberRequest(document_type="quyet_dinh")


def shares(total: int, clients: int) -> list[int]:
    """``total`` operations split over ``clients`` as evenly as possible."""
    return [total // clients + (1 if i < total % clients else 0) for i in range(clients)]


async def allocations(tenant: BenchTenant, registry_id: int, total: int, clients: int) -> Run:
    latencies: list[float] = []
    numbers: list[int] = []

    async def client(count: int) -> None:
        with tenant_context(tenant.info), acting_as(as_user(tenant.clerk)):
            for _ in range(count):
                began = time.perf_counter()
                entry = await allocate_number(registry_id, REQUEST, now=MOMENT)
                latencies.append(time.perf_counter() - began)
                numbers.append(entry.number)

    began = time.perf_counter()
    await asyncio.gather(*(client(n) for n in shares(total, clients)))
    name = f"allocate_number, {clients} client{'s' if clients > 1 else ''}"
    return Run(name, time.perf_counter() - began, latencies, numbers)


async def plain_inserts(tenant: BenchTenant, total: int, clients: int) -> Run:
    latencies: list[float] = []

    async def client(index: int, count: int) -> None:
        with tenant_context(tenant.info):
            for n in range(count):
                began = time.perf_counter()
                await plain_insert(index, n)
                latencies.append(time.perf_counter() - began)

    began = time.perf_counter()
    await asyncio.gather(*(client(i, n) for i, n in enumerate(shares(total, clients))))
    return Run(f"bare INSERT, {clients} clients", time.perf_counter() - began, latencies)


async def check_register(
    tenant: BenchTenant, registry_id: int, run: Run, expected: int
) -> dict[str, int]:
    """Gaps and duplicates among the numbers handed out and the register's rows."""
    with tenant_context(tenant.info):
        register = [e.number for e in await list_numbers(registry_id, year=YEAR, limit=None)]
        registry = await get_registry(registry_id)
        sequences = [
            s.last_number
            for s in await NumberSequence.filter(scope_key=sequence_key(registry, None), year=YEAR)
        ]
    wanted = set(range(1, expected + 1))
    return {
        "given": len(run.numbers),
        "given_duplicates": len(run.numbers) - len(set(run.numbers)),
        "given_gaps": len(wanted - set(run.numbers)),
        "register_rows": len(register),
        "register_duplicates": len(register) - len(set(register)),
        "register_gaps": len(wanted - set(register)),
        "outside_1_to_n": len(set(register) - wanted),
        "sequence_at_n": int(expected in sequences),
    }


def failed(check: dict[str, int], expected: int) -> bool:
    return (
        check["given"] != expected
        or check["register_rows"] != expected
        or check["sequence_at_n"] != 1
        or any(check[k] for k in ("given_duplicates", "given_gaps", "register_duplicates"))
        or any(check[k] for k in ("register_gaps", "outside_1_to_n"))
    )


def row(run: Run) -> str:
    p50 = percentile(run.latencies, 0.5) * 1000
    p99 = percentile(run.latencies, 0.99) * 1000
    return f"  {run.name:<32} {run.rate:>10.0f} {p50:>8.1f} {p99:>8.1f}"


async def main(options: argparse.Namespace) -> int:
    clients, total = options.clients, options.numbers
    async with throwaway_database("numbering", pool_size=options.pool) as database:
        await plain_table(database)
        tenant = await bench_tenant("alpha", "Tỉnh Alpha")
        with tenant_context(tenant.info):
            # Another unit: a sequence of its own (UBND's registries share one per agency).
            view = await create_registry(tenant.office, "outgoing", "Sổ văn bản đi Văn phòng")
            single = view.registry.id
        with tenant_context(tenant.info), acting_as(as_user(tenant.clerk)):
            await allocate_number(single, REQUEST, now=MOMENT)  # warm-up: plans, enforcer, pool
        baseline = await plain_inserts(tenant, total, clients)
        concurrent = await allocations(tenant, tenant.outgoing_registry, total, clients)
        one = await allocations(tenant, single, total - 1, 1)
        one.numbers = [1, *one.numbers]  # the warm-up took number 1 of that registry
        checks = {
            "concurrent": await check_register(tenant, tenant.outgoing_registry, concurrent, total),
            "one_client": await check_register(tenant, single, one, total),
        }

    print(
        f"Numbering, one registry, {total} numbers: PostgreSQL, app role under RLS, "
        f"pool {options.pool}; {machine()}"
    )
    print(f"  {'':<32} {'numbers/s':>10} {'p50 ms':>8} {'p99 ms':>8}")
    for run in (concurrent, baseline, one):
        print(row(run))
    for name, check in checks.items():
        print(
            f"check {name}: gaps {check['register_gaps'] + check['given_gaps']}, duplicates "
            f"{check['register_duplicates'] + check['given_duplicates']}, register rows "
            f"{check['register_rows']}/{total}, sequence at N: {bool(check['sequence_at_n'])}"
        )
    print(ratio_line(f"allocate ({clients} clients)/bare insert", concurrent.rate, baseline.rate))
    print(
        ratio_line(f"allocate ({clients} clients)/allocate (1 client)", concurrent.rate, one.rate)
    )
    bad = any(failed(check, total) for check in checks.values())
    summary: dict[str, Any] = {
        "clients": clients,
        "numbers": total,
        "numbers_per_s": round(concurrent.rate, 1),
        "p50_ms": round(percentile(concurrent.latencies, 0.5) * 1000, 2),
        "p99_ms": round(percentile(concurrent.latencies, 0.99) * 1000, 2),
        "bare_insert_per_s": round(baseline.rate, 1),
        "one_client_per_s": round(one.rate, 1),
        "ratio_vs_bare_insert": round(concurrent.rate / baseline.rate, 3),
        "ratio_vs_one_client": round(concurrent.rate / one.rate, 3),
        "checks": checks,
        "ok": not bad,
    }
    print(json.dumps(summary))
    if bad:
        print("FAILED: the register has gaps or duplicates", file=sys.stderr)
        return 1
    return 0


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--numbers", type=int, default=5000, help="numbers taken in each phase")
    parser.add_argument("--pool", type=int, default=50, help="database connections (pool size)")
    parser.add_argument("--quick", action="store_true", help="10 clients, 200 numbers")
    options = parser.parse_args(argv)
    if options.quick:
        options.clients, options.numbers, options.pool = 10, 200, 10
    if options.clients < 1 or options.numbers < options.clients or options.numbers < 2:
        parser.error("--numbers must be at least --clients (and 2), --clients at least 1")
    return options


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse())))
