import pytest

from core.db.connection import atomic, on_commit


async def test_callbacks_run_after_the_outermost_commit(db):
    ran: list[str] = []

    async def mark(name: str) -> None:
        ran.append(name)

    async with atomic():
        await on_commit(lambda: mark("outer"))
        async with atomic():
            await on_commit(lambda: mark("inner"))
        assert ran == []
    assert ran == ["outer", "inner"]


async def test_callbacks_of_a_rolled_back_block_are_dropped(db):
    ran: list[str] = []

    async def mark(name: str) -> None:
        ran.append(name)

    async with atomic():
        await on_commit(lambda: mark("kept"))
        with pytest.raises(RuntimeError):
            async with atomic():
                await on_commit(lambda: mark("dropped"))
                raise RuntimeError("savepoint rolls back")
    assert ran == ["kept"]

    with pytest.raises(RuntimeError):
        async with atomic():
            await on_commit(lambda: mark("never"))
            raise RuntimeError("whole transaction rolls back")
    assert ran == ["kept"]


async def test_without_a_transaction_the_callback_runs_at_once(db):
    ran: list[int] = []

    async def mark() -> None:
        ran.append(1)

    await on_commit(mark)
    assert ran == [1]
