"""`congvan serve` and `congvan worker` refuse to start, in one line, on a broken setting."""

from __future__ import annotations

import pytest

from core.testing import free_port


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("CONGVAN_BROKER_URL", "redis://127.0.0.1:{port}/0", "Error: CONGVAN_BROKER_URL: "),
        (
            "CONGVAN_STORAGE_URL",
            "s3://bucket?endpoint=http://127.0.0.1:{port}&access_key=a&secret_key=b",
            "Error: CONGVAN_STORAGE_URL: ",
        ),
        (
            "CONGVAN_DATABASE_URL",
            "postgres://x@127.0.0.1:{port}/db",
            "Error: CONGVAN_DATABASE_URL: ",
        ),
        ("CONGVAN_MAX_UPLOAD_BYTES", "many", "Error: CONGVAN_MAX_UPLOAD_BYTES: "),
    ],
)
def test_serve_names_the_broken_setting(migrated, setting, value, message):
    env = {setting: value.format(port=free_port())}
    result = migrated("serve", "--port", str(free_port()), code=2, extra_env=env)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith(message)


def test_worker_names_an_unreachable_broker(migrated):
    env = {"CONGVAN_BROKER_URL": f"redis://127.0.0.1:{free_port()}/0"}
    result = migrated("worker", code=2, extra_env=env)
    assert result.err.strip().startswith("Error: CONGVAN_BROKER_URL: ")
