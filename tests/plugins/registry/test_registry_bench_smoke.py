"""Smoke runs of the registry benchmarks (``bench/registry_*.py --quick``) on PostgreSQL.

Each script runs in a process of its own, as ``make bench`` runs it, against a throwaway
database it creates and drops. The tests assert what the scripts check and print — the
gap/duplicate check of the register, the ratios, the JSON summary — never a timing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from core.testing import PG_ADMIN_URL, require_service

ROOT = Path(__file__).resolve().parents[3]

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def bench_databases() -> set[str]:
    url = PG_ADMIN_URL.replace("postgres://", "postgresql://", 1)
    listed = subprocess.run(
        ["psql", url, "-Atc", "SELECT datname FROM pg_database"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return {name for name in listed if name.startswith("congvan_bench_")}


def run_bench(script: str, *args: str) -> tuple[str, dict[str, Any]]:
    """Run a bench script; it must succeed, end with its JSON summary and drop its database
    (``congvan_bench_<label>_<pid>``); returns its output and that summary."""
    require_service(PG_ADMIN_URL, 5432, "PostgreSQL")
    with subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / script), *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        stdout, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, stderr[-3000:]
    left = [name for name in bench_databases() if name.endswith(f"_{process.pid}")]
    assert not left, f"the bench left its database behind: {left}"
    summary = json.loads(stdout.strip().splitlines()[-1])
    return stdout, summary


def ratio_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("ratio ")]


def test_numbering_quick_has_no_gap_and_no_duplicate() -> None:
    output, summary = run_bench("registry_numbering.py", "--quick")
    assert summary["ok"] is True
    assert summary["numbers"] == 200 and summary["clients"] == 10
    for check in summary["checks"].values():
        assert check["given"] == check["register_rows"] == 200
        assert check["given_gaps"] == check["given_duplicates"] == 0
        assert check["register_gaps"] == check["register_duplicates"] == 0
        assert check["outside_1_to_n"] == 0 and check["sequence_at_n"] == 1
    assert "check concurrent: gaps 0, duplicates 0" in output
    ratios = ratio_lines(output)
    assert len(ratios) == 2
    assert any("bare insert" in line for line in ratios)
    assert any("1 client" in line for line in ratios)
    assert summary["ratio_vs_bare_insert"] > 0 and summary["ratio_vs_one_client"] > 0


def test_register_quick_registers_every_document_with_its_blob() -> None:
    output, summary = run_bench("registry_register.py", "--quick")
    assert summary["ok"] is True
    checks = summary["checks"]
    assert checks["documents"] == checks["file_rows"] == checks["distinct_blobs"] == 20
    assert checks["blob_files"] == 40  # baseline and service each wrote 20 blobs
    assert checks["gaps"] == checks["duplicates"] == checks["outside_1_to_n"] == 0
    assert 250 * 1024 <= summary["pdf_bytes"] <= 350 * 1024
    ratios = ratio_lines(output)
    assert len(ratios) == 1 and "register_incoming/(blob put + bare insert)" in ratios[0]
    assert summary["ratio_vs_baseline"] > 0


def test_lists_quick_lists_the_same_rows_at_one_and_many_tenants() -> None:
    output, summary = run_bench("registry_lists.py", "--quick")
    assert (summary["tenants"], summary["docs"]) == (20, 200)
    assert summary["same_rows"] is True
    queries = summary["queries"]
    assert set(queries) == {
        "inbox (specialist)",
        "list leader, page 1",
        "list specialist, page 1",
        "search 'thiên tai'",
        "search, no match",
    }
    assert queries["list leader, page 1"]["rows"] == 50  # the leader sees a full page
    assert queries["inbox (specialist)"]["rows"] > 0
    assert 0 < queries["list specialist, page 1"]["rows"] < 50  # only what was assigned
    assert queries["search, no match"]["rows"] == 0
    assert 0 < queries["search 'thiên tai'"]["rows"] < 50
    ratios = ratio_lines(output)
    assert len(ratios) == 2 * len(queries)
    assert all("20 tenants/1 tenant" in line for line in ratios)


def test_a_bad_scale_is_refused_with_a_message() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "registry_lists.py"), "--tenants", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2 and "--tenants at least 2" in done.stderr


def test_make_bench_skips_the_helper_modules() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert 'case "$$script" in bench/_*) continue;; esac' in makefile
    helpers = sorted(p.name for p in (ROOT / "bench").glob("_*.py"))
    assert helpers == ["_registry_seed.py", "_registry_setup.py"]
