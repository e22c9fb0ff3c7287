"""The contract every blob store keeps; runs against the local and the S3 (moto) backend."""

from __future__ import annotations

import hashlib
import io
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import pytest

from core.context import TenantInfo, no_tenant, tenant_context
from core.errors import BlobIntegrityError, InvalidInput, NotFound, PayloadTooLarge, TenantRequired
from core.storage import BlobStore, StoredBlob

if TYPE_CHECKING:
    from conftest import Backdoor

TENANT_A = TenantInfo(id=1, slug="a", name="A")
TENANT_B = TenantInfo(id=2, slug="b", name="B")
DATA = b"Cong van so 12/UBND-VP\n" * 1000
SHA = hashlib.sha256(DATA).hexdigest()


def key_of(tenant: TenantInfo, sha256: str) -> str:
    return f"tenants/{tenant.id}/blobs/{sha256[:2]}/{sha256[2:4]}/{sha256}"


async def chunks(data: bytes, size: int) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def collect(iterator: AsyncIterator[bytes], into: list[bytes] | None = None) -> bytes:
    received = [] if into is None else into
    async for chunk in iterator:
        received.append(chunk)
    return b"".join(received)


async def test_round_trip(store: BlobStore) -> None:
    with tenant_context(TENANT_A):
        stored = await store.put(DATA)

        assert stored == StoredBlob(sha256=SHA, size=len(DATA))
        assert await store.exists(SHA)
        assert await store.read(SHA) == DATA
        assert await collect(store.stream(SHA, chunk_size=1000)) == DATA


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(lambda: DATA, id="bytes"),
        pytest.param(lambda: bytearray(DATA), id="bytearray"),
        pytest.param(lambda: io.BytesIO(DATA), id="file"),
        pytest.param(lambda: chunks(DATA, 777), id="async-chunks"),
    ],
)
async def test_every_source_kind_gives_the_same_blob(store: BlobStore, source: object) -> None:
    with tenant_context(TENANT_A):
        stored = await store.put(source())  # type: ignore[operator]

        assert stored == StoredBlob(sha256=SHA, size=len(DATA))
        assert await store.read(SHA) == DATA


async def test_empty_blob(store: BlobStore) -> None:
    empty = hashlib.sha256(b"").hexdigest()
    with tenant_context(TENANT_A):
        assert await store.put(b"") == StoredBlob(sha256=empty, size=0)
        assert await store.read(empty) == b""
        assert await collect(store.stream(empty)) == b""


async def test_same_content_twice_is_one_object(store: BlobStore, backdoor: Backdoor) -> None:
    with tenant_context(TENANT_A):
        first = await store.put(DATA)
        second = await store.put(chunks(DATA, 4096))

    assert first == second
    assert backdoor.keys() == [key_of(TENANT_A, SHA)]
    assert backdoor.temp_files() == []


async def test_keys_are_prefixed_by_tenant(store: BlobStore, backdoor: Backdoor) -> None:
    with tenant_context(TENANT_A):
        await store.put(DATA)

    with tenant_context(TENANT_B):
        assert not await store.exists(SHA)
        with pytest.raises(NotFound):
            await store.read(SHA)
        with pytest.raises(NotFound):
            await collect(store.stream(SHA))
        await store.delete(SHA)  # B cannot delete A's blob either
        await store.put(DATA)

    assert backdoor.keys() == [key_of(TENANT_A, SHA), key_of(TENANT_B, SHA)]
    with tenant_context(TENANT_A):
        assert await store.read(SHA) == DATA


async def test_too_large_upload_leaves_nothing(store: BlobStore, backdoor: Backdoor) -> None:
    with tenant_context(TENANT_A), pytest.raises(PayloadTooLarge) as caught:
        await store.put(chunks(DATA, 1024), max_size=10_000)

    assert "10,000 bytes" in caught.value.detail
    assert caught.value.extra["limit"] == 10_000
    assert backdoor.keys() == []
    assert backdoor.temp_files() == []


async def test_store_default_limit_and_exact_limit(store: BlobStore, backdoor: Backdoor) -> None:
    store.max_size = len(DATA)
    with tenant_context(TENANT_A):
        assert (await store.put(DATA)).size == len(DATA)
        with pytest.raises(PayloadTooLarge):
            await store.put(io.BytesIO(DATA + b"!"))
        assert (await store.put(DATA + b"!", max_size=len(DATA) + 1)).size == len(DATA) + 1

    assert len(backdoor.keys()) == 2
    assert backdoor.temp_files() == []


async def test_upload_stops_the_producer_at_the_limit(store: BlobStore) -> None:
    produced: list[int] = []

    async def endless() -> AsyncIterator[bytes]:
        while True:
            produced.append(1)
            yield b"x" * 1024

    with tenant_context(TENANT_A), pytest.raises(PayloadTooLarge):
        await store.put(endless(), max_size=4096)
    assert len(produced) == 5


async def test_altered_object_fails_read_and_stream(store: BlobStore, backdoor: Backdoor) -> None:
    with tenant_context(TENANT_A):
        await store.put(DATA)
        backdoor.overwrite(key_of(TENANT_A, SHA), DATA.replace(b"12", b"13", 1))

        with pytest.raises(BlobIntegrityError) as caught:
            await store.read(SHA)
        assert f"stored object {SHA} of tenant a does not match its hash" in caught.value.detail

        received: list[bytes] = []
        with pytest.raises(BlobIntegrityError):
            await collect(store.stream(SHA, chunk_size=4096), into=received)
        assert len(received) == -(-len(DATA) // 4096)  # every chunk came, then the error


@pytest.mark.parametrize("altered", ["shorter", "same size"])
async def test_putting_again_heals_an_altered_object(
    store: BlobStore, backdoor: Backdoor, altered: str
) -> None:
    bad = DATA[:-1] if altered == "shorter" else DATA.replace(b"12", b"13", 1)
    with tenant_context(TENANT_A):
        await store.put(DATA)
        backdoor.overwrite(key_of(TENANT_A, SHA), bad)
        await store.put(DATA)

        assert await store.read(SHA) == DATA


async def test_stopping_a_stream_early_is_not_an_error(store: BlobStore) -> None:
    with tenant_context(TENANT_A):
        await store.put(DATA)
        iterator = store.stream(SHA, chunk_size=100)
        assert await anext(iterator) == DATA[:100]
        await iterator.aclose()


async def test_delete(store: BlobStore, backdoor: Backdoor) -> None:
    with tenant_context(TENANT_A):
        await store.put(DATA)
        await store.delete(SHA)

        assert not await store.exists(SHA)
        with pytest.raises(NotFound):
            await store.read(SHA)
        await store.delete(SHA)  # idempotent
    assert backdoor.keys() == []


BAD_NAMES = [
    "../x",
    "../" + SHA[3:],
    SHA.upper(),
    SHA[:63],
    SHA + "0",
    SHA[:62] + "/x",
    "",
    f"../../tenants/2/blobs/{SHA[:2]}/{SHA[2:4]}/{SHA}",
]


@pytest.mark.parametrize("name", BAD_NAMES)
async def test_invalid_names_are_refused(store: BlobStore, name: str) -> None:
    with tenant_context(TENANT_A):
        with pytest.raises(InvalidInput):
            await store.read(name)
        with pytest.raises(InvalidInput):
            store.stream(name)
        with pytest.raises(InvalidInput):
            await store.exists(name)
        with pytest.raises(InvalidInput):
            await store.delete(name)


async def test_no_tenant_is_refused(store: BlobStore, backdoor: Backdoor) -> None:
    with no_tenant():
        with pytest.raises(TenantRequired):
            await store.put(DATA)
        with pytest.raises(TenantRequired):
            await store.read(SHA)
        with pytest.raises(TenantRequired):
            store.stream(SHA)
        with pytest.raises(TenantRequired):
            await store.exists(SHA)
        with pytest.raises(TenantRequired):
            await store.delete(SHA)
    assert backdoor.keys() == []
    assert backdoor.temp_files() == []


async def test_check_passes_on_a_usable_store(store: BlobStore) -> None:
    await store.check()
