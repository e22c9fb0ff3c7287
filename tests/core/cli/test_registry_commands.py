"""``congvan registry requeue-ocr`` runs in the tenant given, as the operator."""

from __future__ import annotations


def test_requeue_ocr_runs_in_a_tenant_and_names_an_unknown_one(migrated):
    cli = migrated
    cli("tenant", "create", "alpha", "--name", "Tỉnh Alpha")
    result = cli("registry", "requeue-ocr", "--tenant", "alpha")
    assert result.out == "0 file(s) queued for text extraction again.\n"
    assert cli.fails("registry", "requeue-ocr", "--tenant", "nope") == "Error: No tenant 'nope'."
    assert "Missing option '--tenant'" in cli("registry", "requeue-ocr", code=2).err
