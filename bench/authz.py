"""Authorization benchmark: one filtered enforcer per tenant against one enforcer for all.

    .venv/bin/python bench/authz.py [--tenants 2000] [--users 20] [--checks 20000]

Builds a fresh SQLite database in a temporary folder (migrations, then one bulk insert of the
Casbin rows): ``--tenants`` tenants, each with the five seeded roles holding the default actions
of the installed plugins, a small unit tree (a root, 5 departments, 2 teams each) and
``--users`` users granted roles on the tenant, a department subtree or one team. Then measures

* a permission check on the tenant's cached enforcer (``get_enforcer()`` + ``enforce``), over
  random tenants, users, units and actions, with every tenant's enforcer in the LRU;
* the cost of loading one tenant's rules through the adapter (a cold ``get_enforcer()``);
* the in-run baseline: ONE enforcer holding every tenant's rules (subjects, roles and domains
  prefixed with the tenant), the anti-pattern the design rules out;
* the matcher order: ``g(...) && act`` against ``act && g(...)`` (model.conf uses the latter).

Every sampled decision of the baseline is compared with the per-tenant answer. Runs in under
a minute on 2 cores.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.authz import enforcer as enforcer_module  # noqa: E402
from core.authz.enforcer import MODEL_PATH, configure, get_enforcer, new_enforcer  # noqa: E402
from core.authz.roles import SYSTEM_ROLE_KEYS  # noqa: E402
from core.context import TenantInfo, tenant_context  # noqa: E402
from core.db.connection import close_db, db, init_db, run_migrations  # noqa: E402
from core.plugins.apps import model_apps  # noqa: E402
from core.plugins.manager import build_host, set_host  # noqa: E402

Rule = tuple[int, str, str, str, str]  # tenant, ptype, v0, v1, v2


def default_actions() -> dict[str, list[str]]:
    defaults: dict[str, list[str]] = {key: [] for key in SYSTEM_ROLE_KEYS}
    for action in build_host(entry_points_too=False).collect("register_actions"):
        for role in action.default_roles:
            if role in defaults:
                defaults[role].append(action.key)
    return defaults


def tenant_units(tenant: int) -> list[str]:
    """Paths of a root, 5 departments and 2 teams per department (ids unique per tenant)."""
    base = tenant * 100
    root = f"/{base}/"
    paths = [root]
    for d in range(1, 6):
        dept = f"{root}{base + d}/"
        paths += [dept, f"{dept}{base + 10 + 2 * d}/", f"{dept}{base + 11 + 2 * d}/"]
    return paths


def tenant_rules(tenant: int, users: int, defaults: dict[str, list[str]]) -> list[Rule]:
    rules: list[Rule] = [
        (tenant, "p", f"role:{role}", action, "")
        for role, actions in defaults.items()
        for action in actions
    ]
    units = tenant_units(tenant)
    depts, teams = units[1::3], [u for i, u in enumerate(units[1:]) if i % 3]
    for n in range(1, users + 1):
        user = f"user:{tenant * 1000 + n}"
        if n == 1:
            rules.append((tenant, "g", user, "role:tenant_admin", "*"))
        elif n <= 3:
            rules.append((tenant, "g", user, "role:unit_admin", depts[n % 5] + "*"))
        elif n <= 8:
            rules.append((tenant, "g", user, "role:clerk", depts[n % 5] + "*"))
            rules.append((tenant, "g", user, "role:specialist", depts[(n + 1) % 5]))
        elif n <= 12:
            rules.append((tenant, "g", user, "role:leader", depts[n % 5] + "*"))
        else:
            rules.append((tenant, "g", user, "role:specialist", teams[n % len(teams)]))
    return rules


async def create_database(url: str, tenants: int, users: int) -> int:
    apps = model_apps(set_host(build_host(entry_points_too=False)))
    await run_migrations(url, apps)
    await init_db(url, apps, pool_size=2)
    defaults = default_actions()
    rows = [r for t in range(1, tenants + 1) for r in tenant_rules(t, users, defaults)]
    await db().execute_many(
        "INSERT INTO core_casbin_rule (tenant_id, ptype, v0, v1, v2, v3, v4, v5) "
        "VALUES (?, ?, ?, ?, ?, '', '', '')",
        [list(row) for row in rows],
    )
    return len(rows)


def requests_for(tenants: int, users: int, actions: list[str], count: int) -> list[tuple[Any, ...]]:
    rng = random.Random(7)
    out = []
    for _ in range(count):
        tenant = rng.randint(1, tenants)
        user = f"user:{tenant * 1000 + rng.randint(1, users)}"
        domain = rng.choice([*tenant_units(tenant), "/"])
        out.append((tenant, user, domain, rng.choice(actions)))
    return out


def info(tenant: int) -> TenantInfo:
    return TenantInfo(id=tenant, slug=f"t{tenant}", name=f"T{tenant}")


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered), p99


async def per_tenant_checks(requests: list[tuple[Any, ...]]) -> tuple[list[float], list[bool]]:
    times, answers = [], []
    for tenant, user, domain, action in requests:
        with tenant_context(info(tenant)):
            start = time.perf_counter()
            allowed = (await get_enforcer()).enforce(user, domain, action)
            times.append((time.perf_counter() - start) * 1000)
            answers.append(bool(allowed))
    return times, answers


async def load_times(tenants: int, samples: int) -> list[float]:
    rng = random.Random(11)
    times = []
    for tenant in rng.sample(range(1, tenants + 1), min(samples, tenants)):
        with tenant_context(info(tenant)):
            start = time.perf_counter()
            await enforcer_module.load_enforcer()
            times.append((time.perf_counter() - start) * 1000)
    return times


async def one_big_enforcer() -> tuple[Any, float]:
    """Every tenant's rules in one enforcer: names and domains prefixed with ``t<id>:``."""
    start = time.perf_counter()
    rows = await db().execute_query_dict(
        "SELECT tenant_id, ptype, v0, v1, v2 FROM core_casbin_rule WHERE ptype IN ('p', 'g')"
    )
    enforcer = new_enforcer()
    policy = enforcer.model.model["p"]["p"].policy
    grouping = enforcer.model.model["g"]["g"].policy
    for row in rows:
        t = f"t{row['tenant_id']}:"
        if row["ptype"] == "p":
            policy.append([t + row["v0"], row["v1"]])
        else:
            grouping.append([t + row["v0"], t + row["v1"], t + row["v2"]])
    enforcer.build_role_links()
    return enforcer, time.perf_counter() - start


async def enforcer_footprint_kib(count: int) -> float:
    """Python heap held by ``count`` loaded enforcers, per enforcer (tracemalloc)."""
    import gc
    import tracemalloc

    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    kept = []
    for tenant in range(1, count + 1):
        with tenant_context(info(tenant)):
            kept.append(await enforcer_module.load_enforcer())
    used = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    return used / count / 1024


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20


def row(label: str, p50: float, p99: float, note: str = "") -> str:
    return f"  {label:<52} {p50:>10.3f} {p99:>10.3f}   {note}"


async def main(args: argparse.Namespace) -> None:
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite://{Path(tmp) / 'bench.sqlite3'}"
        rules = await create_database(url, args.tenants, args.users)
        setup = time.perf_counter() - began
        actions = sorted({a for acts in default_actions().values() for a in acts})
        requests = requests_for(args.tenants, args.users, actions, args.checks)
        try:
            configure(size=max(args.tenants, 1024))
            before = rss_mb()
            warm = time.perf_counter()
            for tenant in range(1, args.tenants + 1):
                with tenant_context(info(tenant)):
                    await get_enforcer()
            warm = time.perf_counter() - warm
            per_enforcer_kb = (rss_mb() - before) * 1024 / args.tenants
            footprint = await enforcer_footprint_kib(min(args.tenants, 200))
            check_times, answers = await per_tenant_checks(requests)
            loads = await load_times(args.tenants, args.loads)

            big, big_build = await one_big_enforcer()
            sample = requests[: args.baseline_checks]
            big_times, mismatches = [], 0
            for (tenant, user, domain, action), expected in zip(sample, answers, strict=False):
                t = f"t{tenant}:"
                start = time.perf_counter()
                allowed = big.enforce(t + user, t + domain, action)
                big_times.append((time.perf_counter() - start) * 1000)
                mismatches += bool(allowed) != expected

            order = await matcher_order(requests[:2000])
        finally:
            await close_db()

    p50, p99 = percentiles(check_times)
    l50, l99 = percentiles(loads)
    b50, b99 = percentiles(big_times)
    allowed_share = 100 * sum(answers) / len(answers)
    print(
        f"\nAuthorization benchmark — {args.tenants} tenants × {args.users} users, "
        f"{rules:,} rules ({rules // args.tenants} per tenant), SQLite, Python "
        f"{sys.version.split()[0]}"
    )
    print(
        f"  setup {setup:.1f} s; warming {args.tenants} enforcers {warm:.1f} s "
        f"(RSS +{per_enforcer_kb:.0f} KiB each); one loaded enforcer holds "
        f"~{footprint:.0f} KiB of Python heap\n"
    )
    print(f"  {'':<52} {'p50 ms':>10} {'p99 ms':>10}")
    print(
        row(
            f"check, per-tenant enforcer ({len(check_times):,} checks)",
            p50,
            p99,
            f"{allowed_share:.0f}% allowed",
        )
    )
    for outcome in (True, False):
        subset = [t for t, a in zip(check_times, answers, strict=True) if a is outcome]
        label = "allowed" if outcome else "denied (every row of the tenant scanned)"
        print(row(f"  of which {label}", *percentiles(subset)))
    print(row(f"load one tenant's rules ({len(loads)} cold loads)", l50, l99))
    print(
        row(
            f"check, ONE enforcer for all tenants ({len(big_times)} checks)",
            b50,
            b99,
            f"built in {big_build:.1f} s",
        )
    )
    print(row("matcher g(...) && act, per-tenant (2,000 checks)", *order[0]))
    print(row("matcher act && g(...), per-tenant (model.conf)", *order[1]))
    print(
        f"\n  one enforcer for all / per-tenant enforcer: p50 × {b50 / p50:,.0f}, "
        f"p99 × {b99 / p99:,.0f}"
    )
    print(f"  decisions compared: {len(big_times)}, mismatches: {mismatches}")
    print(f"  total run time {time.perf_counter() - began:.0f} s")
    if mismatches:
        raise SystemExit("the two set-ups disagreed on some decisions")


async def matcher_order(requests: list[tuple[Any, ...]]) -> list[tuple[float, float]]:
    """Same requests, same cached rules, the two orders of the matcher's conjuncts."""
    import casbin
    from casbin.util.builtin_operators import key_match

    text = MODEL_PATH.read_text()
    g_first = text.replace(
        "m = r.act == p.act && g(r.sub, p.sub, r.dom)",
        "m = g(r.sub, p.sub, r.dom) && r.act == p.act",
    )
    assert g_first != text, "model.conf changed: update the benchmark"
    results = []
    for model_text in (g_first, text):
        times = []
        for tenant, user, domain, action in requests:
            with tenant_context(info(tenant)):
                cached = await get_enforcer()
            enforcer = casbin.Enforcer(casbin.Enforcer.new_model(text=model_text))
            enforcer.add_named_domain_matching_func("g", key_match)
            enforcer.add_named_matching_func("g", None)  # as new_enforcer() does
            enforcer.model.model["p"]["p"].policy = cached.model.model["p"]["p"].policy
            enforcer.model.model["g"]["g"].policy = cached.model.model["g"]["g"].policy
            enforcer.build_role_links()
            enforcer.enforce(user, domain, action)  # same warm state as the cached enforcer
            start = time.perf_counter()
            enforcer.enforce(user, domain, action)
            times.append((time.perf_counter() - start) * 1000)
        results.append(percentiles(times))
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tenants", type=int, default=2000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--checks", type=int, default=20000)
    parser.add_argument("--loads", type=int, default=300)
    parser.add_argument("--baseline-checks", type=int, default=100)
    asyncio.run(main(parser.parse_args()))
