"""Registration benchmark: incoming documents with a ~300 KB PDF each, on PostgreSQL.

    .venv/bin/python bench/registry_register.py [--clients 8] [--documents 400] [--quick]

A throwaway PostgreSQL database (created, migrated, dropped), one tenant made through the
services and its incoming registry; blobs go to a local store in a temporary folder. A valid
PDF of ~300 KB (two pages of incompressible "scan", made once with reportlab) is sent in a
variant per document (one marker renumbered: same size, another SHA-256, so every document
writes a blob of its own). Measured in the same run, with ``--clients`` concurrent clerks:

* ``register_incoming`` as the clerk (application role under RLS): the permission check, the
  metadata check, the PDF check (type by content, pypdf health), the blob write, then one
  transaction with the duplicate check, the arrival number, the document, its file row, the
  audit event and the event;
* the baseline: the same blob stored with ``blob_store().put`` and a bare row inserted in a
  transaction (what storing a file and a row costs at the least).

Afterwards the registry holds exactly N documents numbered 1..N (no gap, no duplicate) with
one file each, or the script exits with status 1. Prints documents/s, p50/p99, the ratio and
one JSON line. The full run takes about a minute on 2 cores; ``--quick`` a few seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from _registry_setup import (
    BenchTenant,
    Run,
    as_user,
    bench_tenant,
    machine,
    make_pdf,
    pdf_variant,
    percentile,
    plain_insert,
    plain_table,
    ratio_line,
    throwaway_database,
)

from core.context import acting_as, tenant_context
from core.storage.api import blob_store, set_blob_store
from core.storage.local import LocalBlobStore
from plugins.registry.models_documents import Document, DocumentFile
from plugins.registry.services.incoming import (
    IncomingFile,
    IncomingMetadata,
    register_incoming,
)

ARRIVAL = datetime(2025, 6, 2, 3, 0, tzinfo=UTC)
METADATA = IncomingMetadata(
    organ_name="Sở Tư pháp tỉnh Alpha",
    code_number="1",
    code_notation="STP-VP",
    document_type="cong_van",
    issued_date=date(2025, 5, 30),
    subject="Về việc báo cáo công tác tư pháp quý II năm 2025",
    signer_full_name="Nguyễn Văn An",
    signer_position="Giám đốc",
    priority="thuong",
    confidentiality="thuong",
    page_amount=2,
)


def shares(total: int, clients: int) -> list[range]:
    """Document indexes 0..total-1 dealt round-robin to ``clients``."""
    return [range(i, total, clients) for i in range(clients)]


async def registrations(tenant: BenchTenant, pdf: bytes, total: int, clients: int) -> Run:
    latencies: list[float] = []

    async def client(indexes: range) -> None:
        with tenant_context(tenant.info), acting_as(as_user(tenant.clerk)):
            for i in indexes:
                data = pdf_variant(pdf, total + i)  # the baseline stored 0..total-1
                metadata = replace(METADATA, code_number=str(i + 1))
                began = time.perf_counter()
                result = await register_incoming(
                    tenant.incoming_registry,
                    metadata,
                    [IncomingFile(f"cong-van-{i + 1}.pdf", data)],
                    source="upload",
                    now=ARRIVAL,
                )
                latencies.append(time.perf_counter() - began)
                if result.document is None:
                    raise SystemExit(f"document {i + 1} was not registered: {result}")

    began = time.perf_counter()
    await asyncio.gather(*(client(indexes) for indexes in shares(total, clients)))
    return Run(f"register_incoming, {clients} clients", time.perf_counter() - began, latencies)


async def store_and_insert(tenant: BenchTenant, pdf: bytes, total: int, clients: int) -> Run:
    latencies: list[float] = []

    async def client(number: int, indexes: range) -> None:
        with tenant_context(tenant.info):
            for i in indexes:
                data = pdf_variant(pdf, i)
                began = time.perf_counter()
                blob = await blob_store().put(data, max_size=len(data))
                await plain_insert(number, i, blob.sha256)
                latencies.append(time.perf_counter() - began)

    began = time.perf_counter()
    await asyncio.gather(*(client(n, r) for n, r in enumerate(shares(total, clients))))
    return Run(f"blob put + bare INSERT, {clients} cl.", time.perf_counter() - began, latencies)


def count_blobs(root: Path) -> int:
    """Blob files under ``root`` (named by their SHA-256)."""
    return sum(1 for p in root.rglob("*") if p.is_file() and len(p.name) == 64)


async def check(tenant: BenchTenant, total: int, blobs: Path) -> dict[str, int]:
    with tenant_context(tenant.info):
        query = Document.filter(registry_id=tenant.incoming_registry)
        arrivals: list[Any] = list(await query.values_list("arrival_number", flat=True))
        numbers = [int(n) for n in arrivals]
        files = await DocumentFile.all().count()
        distinct_blobs = len(set(await DocumentFile.all().values_list("sha256", flat=True)))
    wanted = set(range(1, total + 1))
    stored = await asyncio.to_thread(count_blobs, blobs)
    return {
        "documents": len(numbers),
        "duplicates": len(numbers) - len(set(numbers)),
        "gaps": len(wanted - set(numbers)),
        "outside_1_to_n": len(set(numbers) - wanted),
        "file_rows": files,
        "distinct_blobs": distinct_blobs,
        "blob_files": stored,
    }


def row(run: Run) -> str:
    p50 = percentile(run.latencies, 0.5) * 1000
    p99 = percentile(run.latencies, 0.99) * 1000
    return f"  {run.name:<36} {run.rate:>8.1f} {p50:>8.1f} {p99:>8.1f}"


async def main(options: argparse.Namespace) -> int:
    clients, total = options.clients, options.documents
    pdf = make_pdf(options.kib * 1024)
    with tempfile.TemporaryDirectory(prefix="congvan-bench-") as tmp:
        blobs = Path(tmp) / "blobs"
        set_blob_store(LocalBlobStore(blobs))
        try:
            async with throwaway_database("register", pool_size=max(10, clients)) as database:
                await plain_table(database)
                tenant = await bench_tenant("alpha", "Tỉnh Alpha")
                baseline = await store_and_insert(tenant, pdf, total, clients)
                service = await registrations(tenant, pdf, total, clients)
                result = await check(tenant, total, blobs)
        finally:
            set_blob_store(None)

    print(
        f"Registering incoming documents, {total} documents with a {len(pdf) / 1024:.0f} KiB "
        f"PDF each, {clients} concurrent clients: PostgreSQL (app role under RLS), local blob "
        f"store; {machine()}"
    )
    print(f"  {'':<36} {'docs/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for run in (service, baseline):
        print(row(run))
    print(
        f"check: documents {result['documents']}/{total}, gaps {result['gaps']}, duplicates "
        f"{result['duplicates']}, file rows {result['file_rows']}, blobs written "
        f"{result['blob_files']} (baseline + service)"
    )
    print(ratio_line("register_incoming/(blob put + bare insert)", service.rate, baseline.rate))
    bad = (
        result["documents"] != total
        or result["file_rows"] != total
        or result["distinct_blobs"] != total
        or result["blob_files"] != 2 * total
        or any(result[k] for k in ("duplicates", "gaps", "outside_1_to_n"))
    )
    summary: dict[str, Any] = {
        "clients": clients,
        "documents": total,
        "pdf_bytes": len(pdf),
        "documents_per_s": round(service.rate, 2),
        "p50_ms": round(percentile(service.latencies, 0.5) * 1000, 2),
        "p99_ms": round(percentile(service.latencies, 0.99) * 1000, 2),
        "baseline_per_s": round(baseline.rate, 2),
        "ratio_vs_baseline": round(service.rate / baseline.rate, 3),
        "checks": result,
        "ok": not bad,
    }
    print(json.dumps(summary))
    if bad:
        print("FAILED: the registry does not hold exactly the documents sent", file=sys.stderr)
        return 1
    return 0


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--documents", type=int, default=400)
    parser.add_argument("--kib", type=int, default=300, help="size of the PDF")
    parser.add_argument("--quick", action="store_true", help="4 clients, 20 documents")
    options = parser.parse_args(argv)
    if options.quick:
        options.clients, options.documents = 4, 20
    if options.clients < 1 or options.documents < 1 or options.kib < 8:
        parser.error("--clients and --documents must be at least 1, --kib at least 8")
    return options


if __name__ == "__main__":
    sys.exit(asyncio.run(main(parse())))
