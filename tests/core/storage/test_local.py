"""What only the local backend does: file URLs, file layout, readiness of the directory."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from core.context import TenantInfo, tenant_context
from core.errors import ConfigurationError
from core.storage.local import LocalBlobStore

TENANT = TenantInfo(id=3, slug="hue", name="Hue")


def test_file_url_names_the_root() -> None:
    assert LocalBlobStore.from_url("file:///srv/congvan/files").root == Path("/srv/congvan/files")
    assert LocalBlobStore.from_url("file://localhost/srv/x%20y").root == Path("/srv/x y")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file://server/share", "not host 'server'"),
        ("file:relative/path", "needs an absolute path"),
    ],
)
def test_bad_file_urls_are_refused(url: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message) as caught:
        LocalBlobStore.from_url(url)
    assert caught.value.detail.startswith("CONGVAN_STORAGE_URL: ")


async def test_blob_is_a_complete_file_at_its_key(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path)
    data = b"quyet dinh"
    sha = hashlib.sha256(data).hexdigest()
    with tenant_context(TENANT):
        await store.put(data)

    path = tmp_path / "tenants" / "3" / "blobs" / sha[:2] / sha[2:4] / sha
    assert path.read_bytes() == data
    assert list((tmp_path / ".tmp").iterdir()) == []


async def test_check_creates_the_directory(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "new" / "files")
    await store.check()
    assert (tmp_path / "new" / "files").is_dir()


async def test_check_fails_clearly_when_the_root_is_not_a_directory(tmp_path: Path) -> None:
    blocker = tmp_path / "files"
    blocker.write_text("a file where the directory should be")
    store = LocalBlobStore(blocker)

    with pytest.raises(ConfigurationError) as caught:
        await store.check()
    assert caught.value.detail.startswith(f"CONGVAN_STORAGE_URL: cannot create directory {blocker}")
    assert "\n" not in caught.value.detail


async def test_reading_through_a_file_where_a_directory_should_be_is_not_found(
    tmp_path: Path,
) -> None:
    (tmp_path / "tenants").write_text("not a directory")
    store = LocalBlobStore(tmp_path)
    with tenant_context(TENANT):
        assert not await store.exists("0" * 64)
