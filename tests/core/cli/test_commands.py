"""The ``congvan`` console script end to end (each call is a real process; ~1 s each)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from core.plugins.manager import BUILTIN_PLUGINS
from core.testing import free_port

# Every built-in plugin (the name is the package: plugins.<name>.plugin).
INSTALLED = sorted(dotted.split(".")[1] for dotted in BUILTIN_PLUGINS)

CONGVAN = Path(sys.executable).with_name("congvan")

REPO = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.slow


def test_migrate_tenants_units_and_one_line_errors(cli):
    out = cli("migrate").out
    assert "Applied" in out
    assert "core.0001_initial" in out
    assert "up to date" in cli("migrate").out
    cli("tenant", "create", "alpha", "--name", "Tỉnh Alpha", "--domain", "vanban.alpha.gov.vn")
    cli("tenant", "create", "beta", "--name", "Bộ Beta", "--no-plugins")
    tenants = {t["slug"]: t for t in cli("tenant", "list", "--json").json()}
    assert tenants["alpha"]["domains"] == ["vanban.alpha.gov.vn"]
    assert tenants["alpha"]["plugins"] == INSTALLED
    assert tenants["beta"]["plugins"] == []
    assert "already exists" in cli.fails("tenant", "create", "alpha", "--name", "X")
    assert cli.fails("unit", "list", "--tenant", "nope") == "Error: No tenant 'nope'."

    cli(
        "unit",
        "create",
        "--tenant",
        "alpha",
        "--code",
        "UBND",
        "--name",
        "UBND tỉnh Alpha",
        "--short-name",
        "UBND",
        "--organ-id",
        "000.00.00.H41",
        "--organ-id-v2",
        "H41",
    )
    cli(
        "unit",
        "create",
        "--tenant",
        "alpha",
        "--code",
        "STP",
        "--name",
        "Sở Tư pháp",
        "--parent",
        "UBND",
        "--short-name",
        "STP",
    )
    units = cli("unit", "list", "--tenant", "alpha", "--json").json()
    assert [(u["code"], u["parent"], u["level"]) for u in units] == [
        ("UBND", None, 0),
        ("STP", "UBND", 1),
    ]
    assert cli("unit", "list", "--tenant", "beta", "--json").json() == []  # isolation
    line = cli.fails("unit", "move", "--tenant", "alpha", "UBND", "--parent", "STP")
    assert "descendant" in line
    assert "STP" in line

    line = cli.fails("plugin", "configure", "--tenant", "alpha", "example", "max_notes=lots")
    assert "max_notes: Input should be a valid integer" in line
    settings = cli(
        "plugin", "configure", "--tenant", "alpha", "example", "max_notes=7", "--json"
    ).json()
    assert settings["max_notes"] == 7
    assert "OK:" in cli("audit", "verify", "--tenant", "alpha").out


def test_users_roles_tokens_and_permissions(migrated):
    cli = migrated
    cli(
        "tenant",
        "create",
        "alpha",
        "--name",
        "Tỉnh Alpha",
        "--admin",
        "admin",
        "--admin-password",
        "mat-khau-123",
    )
    cli("unit", "create", "--tenant", "alpha", "--code", "STP", "--name", "Sở Tư pháp")
    cli(
        "user",
        "create",
        "--tenant",
        "alpha",
        "vanthu",
        "--full-name",
        "Lê Thị Thu",
        "--password",
        "mat-khau-456",
        "--unit",
        "STP",
        "--position",
        "Văn thư",
    )
    assert "vanthu" in cli.fails(
        "user",
        "create",
        "--tenant",
        "alpha",
        "vanthu",
        "--full-name",
        "X",
        "--password",
        "mat-khau-789",
    )
    users = {u["username"] for u in cli("user", "list", "--tenant", "alpha", "--json").json()}
    assert users == {"admin", "vanthu"}

    assert "--tenant-wide" in cli.fails("role", "grant", "--tenant", "alpha", "vanthu", "clerk")
    cli("role", "grant", "--tenant", "alpha", "vanthu", "clerk", "--unit", "STP", "--descendants")
    grants = cli("role", "grants", "--tenant", "alpha", "--user", "vanthu", "--json").json()
    assert grants == [{"username": "vanthu", "role": "clerk", "unit": "STP", "descendants": True}]

    # --as: the clerk may not manage units; the tenant admin may; platform commands refuse --as.
    line = cli.fails(
        "--as", "vanthu", "unit", "create", "--tenant", "alpha", "--code", "X", "--name", "X"
    )
    assert line == "Error: Missing permission: core.units.manage"
    cli(
        "--as",
        "admin",
        "unit",
        "create",
        "--tenant",
        "alpha",
        "--code",
        "SNV",
        "--name",
        "Sở Nội vụ",
    )
    assert "only the operator" in cli.fails("--as", "admin", "tenant", "suspend", "alpha")
    assert cli.fails("--as", "ghost", "unit", "list", "--tenant", "alpha") == (
        "Error: No user 'ghost' in this tenant."
    )
    # A suspended tenant's users cannot act through --as either (the operator still can).
    cli("tenant", "suspend", "alpha")
    assert cli.fails("--as", "admin", "unit", "list", "--tenant", "alpha") == (
        "Error: Tenant 'alpha' is suspended."
    )
    cli("unit", "list", "--tenant", "alpha")
    cli("tenant", "resume", "alpha")

    cli(
        "role",
        "create",
        "--tenant",
        "alpha",
        "reader",
        "--name",
        "Chỉ xem",
        "--action",
        "core.units.view",
    )
    roles = {r["key"]: r for r in cli("role", "list", "--tenant", "alpha", "--json").json()}
    assert roles["reader"]["actions"] == ["core.units.view"]
    assert not roles["reader"]["is_system"]
    assert cli("jobs", "failed", "--json").json() == []
    assert cli.fails("jobs", "retry", "nope") == "Error: No outbox message with id 'nope'."

    result = cli(
        "token", "create", "--tenant", "alpha", "vanthu", "--name", "mobile", "--days", "30"
    )
    token = result.out.strip()
    assert len(result.out.strip().splitlines()) == 1
    assert len(token) >= 20
    assert "not shown again" in result.err
    stored = cli.sql("SELECT token_hash, prefix FROM core_api_token")
    assert len(stored) == 1
    assert token not in stored[0]


def test_audit_verify_detects_a_tampered_event(migrated):
    cli = migrated
    cli("tenant", "create", "alpha", "--name", "Tỉnh Alpha")
    cli("unit", "create", "--tenant", "alpha", "--code", "STP", "--name", "Sở Tư pháp")
    out = cli("audit", "verify", "--tenant", "alpha").out
    assert out.startswith("OK: ")
    assert out.strip().endswith("events, chain intact")
    cli.sql("UPDATE core_audit_event SET actor = 'user:666' WHERE seq = 2")
    result = cli("audit", "verify", "--tenant", "alpha", code=1)
    assert result.out.strip() == "BROKEN at event #2: its content does not match its hash"


def test_plugin_commands_and_bad_configuration(cli):
    assert cli("example", "hello").out == "Xin chào, Việt Nam!\n"
    line = cli.fails("tenant", "list", code=2)
    assert line == (
        "Error: CONGVAN_DATABASE_URL: the database is not migrated (a Congvan table is "
        "missing); run 'congvan migrate' first"
    )
    cli("migrate")
    installed = {p["name"]: p for p in cli("plugin", "list", "--json").json()}
    assert installed["core"]["essential"]
    assert not installed["example"]["essential"]
    broken = {**cli.env, "CONGVAN_BROKER_URL": "ftp://x"}
    result = cli("tenant", "list", code=2, extra_env=broken)
    assert result.err.startswith("Error: CONGVAN_BROKER_URL: scheme must be one of")
    assert len(result.err.strip().splitlines()) == 1


def test_demo_and_manifests_through_the_cli(cli):
    first = cli("demo").out
    assert "Demo tenant 'demo' created" in first
    assert "DEMO ONLY" in first
    assert "vanthu" in first
    assert "demo12345" in first
    assert "already exists; nothing was changed" in cli("demo").out

    manifest = REPO / "tenants" / "province-example.toml"
    secrets = {
        f"PROVINCE_{who}_PASSWORD": f"{who.lower()}-pw-123" for who in ("ADMIN", "CLERK", "LEADER")
    }
    out = cli("tenant", "apply", str(manifest), extra_env=secrets).out
    assert out.startswith("Created tenant 'tinh-mau'")
    assert "+ unit STP" in out
    again = cli("tenant", "apply", str(manifest), extra_env=secrets).out
    assert again.splitlines()[0].endswith("0 created, 0 updated.")

    literal = cli.workdir / "literal.toml"
    literal.write_text(
        '[tenant]\nslug = "x"\nname = "X"\n\n[[users]]\nusername = "a1"\nfull_name = "A"\n'
        'password = "plain-text"\n',
        encoding="utf-8",
    )
    assert cli.fails("tenant", "apply", str(literal)) == (
        f"Error: {literal}: users[0].password: secrets must be $env:NAME or $file:PATH references"
    )


def wait_until(condition: Callable[[], bool], seconds: float = 3.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_serve_demo_answers_on_the_demo_host(cli):
    port = free_port()
    process = subprocess.Popen(
        [str(CONGVAN), "serve", "--demo", "--port", str(port)],
        cwd=cli.workdir,
        env=cli.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                response = httpx.get(
                    f"http://127.0.0.1:{port}/healthz", headers={"Host": "demo.localhost"}
                )
                status = response.status_code
                break
            except httpx.TransportError:
                time.sleep(0.3)
        assert status == 200, process.stdout.read() if process.poll() is not None else status

        def home() -> int:
            url = f"http://127.0.0.1:{port}/"
            return httpx.get(url, headers={"Host": "demo.localhost"}).status_code

        assert home() == 200
        unknown = httpx.get(f"http://127.0.0.1:{port}/", headers={"Host": "nope.localhost"})
        assert unknown.status_code == 404
        # A change made by another process reaches the running server within a second or two.
        cli("tenant", "suspend", "demo")
        assert wait_until(lambda: home() == 403), "the server did not see the suspension"
        cli("tenant", "resume", "demo")
        assert wait_until(lambda: home() == 200), "the server did not see the resumption"
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert "Demo tenant 'demo' created" in output
