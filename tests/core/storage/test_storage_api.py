import core
from core.context import tenant_context
from core.storage.api import set_blob_store
from core.storage.local import LocalBlobStore


async def test_plugins_reach_the_process_store_through_core(tmp_path, tenant):
    set_blob_store(LocalBlobStore(tmp_path / "files", max_size=1024))
    try:
        with tenant_context(tenant):
            stored = await core.blob_store().put(b"van ban")
            assert await core.blob_store().read(stored.sha256) == b"van ban"
        assert (tmp_path / "files" / "tenants" / str(tenant.id)).is_dir()
    finally:
        set_blob_store(None)
