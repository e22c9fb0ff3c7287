import asyncio
import subprocess
from urllib.parse import urlsplit

import pytest

from core.audit.models import AuditEvent, AuditHead
from core.audit.services import list_events, record_audit, verify_chain
from core.context import Actor, acting_as, tenant_context
from core.db.connection import atomic, db, is_postgres


async def test_events_chain_and_verify(tenant_context):
    with acting_as(Actor("user", 7, "Nguyễn Văn A", unit_id=3)):
        first = await record_audit(
            "unit.create", object_type="unit", object_id=5, after={"name": "Sở Tư pháp"}
        )
        second = await record_audit(
            "unit.update",
            object_type="unit",
            object_id=5,
            before={"name": "Sở Tư pháp"},
            after={"name": "STP"},
        )
    assert (first.seq, second.seq) == (1, 2)
    assert second.prev_hash == first.hash
    assert first.actor == "user:7" and first.unit_id == 3
    result = await verify_chain()
    assert result.ok and result.count == 2
    assert [e.action for e in await list_events()] == ["unit.update", "unit.create"]
    assert [e.action for e in await list_events(cursor=2)] == ["unit.create"]


async def test_chains_are_per_tenant(tenant, other_tenant):
    with tenant_context(tenant):
        await record_audit("a.one")
        await record_audit("a.two")
    with tenant_context(other_tenant):
        event = await record_audit("b.one")
        assert event.seq == 1
        assert [e.action for e in await list_events()] == ["b.one"]
        assert (await verify_chain()).count == 1
    with tenant_context(tenant):
        assert (await verify_chain()).count == 2


async def test_rolled_back_change_leaves_no_event(tenant_context):
    with pytest.raises(RuntimeError):
        async with atomic():
            await record_audit("unit.create")
            raise RuntimeError("crash mid-operation")
    assert await AuditEvent.all().count() == 0
    await record_audit("unit.create")
    assert (await verify_chain()).ok


async def test_concurrent_appends_stay_linear(any_db, tenant, other_tenant):
    assert is_postgres() == (any_db.startswith("postgres"))

    async def write(n: int) -> None:
        with tenant_context(tenant):
            await record_audit(f"bulk.{n}")

    await asyncio.gather(*(write(n) for n in range(20)))
    with tenant_context(tenant):
        result = await verify_chain()
        assert result.ok and result.count == 20
        assert sorted(e.seq for e in await AuditEvent.all()) == list(range(1, 21))


@pytest.mark.parametrize("column", ["after", "actor", "at"])
async def test_edited_row_breaks_the_chain(any_db, tenant, column):
    with tenant_context(tenant):
        for n in range(3):
            await record_audit("user.update", after={"n": n})
        assert (await verify_chain()).ok
        new_value = {
            "after": "'{\"n\": 99}'",
            "actor": "'user:666'",
            "at": "'2020-01-01 00:00:00+00:00'",
        }[column]
        # Tampering straight in the database, as a DBA could (on PostgreSQL only the table
        # owner can get past the append-only trigger, and only by disabling it).
        await tamper(f"UPDATE core_audit_event SET {column} = {new_value} WHERE seq = 2")
        result = await verify_chain()
    assert not result.ok
    assert result.broken_seq == 2
    assert "does not match its hash" in result.reason


async def tamper(sql: str) -> None:
    if not is_postgres():
        await db().execute_script(sql)
        return
    from core.testing import PG_ADMIN_URL

    name = urlsplit(await_db_name()).path.lstrip("/")
    owner = urlsplit(PG_ADMIN_URL)._replace(path="/" + name).geturl()
    script = (
        "ALTER TABLE core_audit_event DISABLE TRIGGER core_audit_event_append_only;"
        f"{sql};"
        "ALTER TABLE core_audit_event ENABLE TRIGGER core_audit_event_append_only;"
    )
    subprocess.run(
        [
            "psql",
            owner.replace("postgres://", "postgresql://", 1),
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            script,
        ],
        check=True,
        capture_output=True,
    )


def await_db_name() -> str:
    from tortoise import connections

    client = connections.get("default")
    return f"postgres://x/{client.database}"


async def test_append_only_on_postgres(pg_db, tenant):
    with tenant_context(tenant):
        assert is_postgres()
        await record_audit("x")
        with pytest.raises(Exception, match="append-only"):
            await AuditEvent.filter(seq=1).update(action="y")
        with pytest.raises(Exception, match="append-only"):
            await AuditEvent.filter(seq=1).delete()
        assert (await verify_chain()).ok


async def test_deleted_tail_is_detected(any_db, tenant_context):
    for n in range(3):
        await record_audit("x", after={"n": n})
    await tamper("DELETE FROM core_audit_event WHERE seq = 3")
    result = await verify_chain()
    assert not result.ok
    assert result.broken_seq == 3
    assert "head" in result.reason


async def test_deleted_middle_is_detected(tenant_context):
    for n in range(3):
        await record_audit("x", after={"n": n})
    await tamper("DELETE FROM core_audit_event WHERE seq = 2")
    result = await verify_chain()
    assert not result.ok and result.broken_seq == 2 and "missing" in result.reason


async def test_head_is_per_tenant(tenant, other_tenant):
    with tenant_context(tenant):
        await record_audit("x")
    with tenant_context(other_tenant):
        assert await AuditHead.all().count() == 0
