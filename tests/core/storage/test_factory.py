"""open_store picks the backend from CONGVAN_STORAGE_URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import ConfigurationError
from core.settings import load_settings
from core.storage import open_store, store_from_settings
from core.storage.local import LocalBlobStore
from core.storage.s3 import S3BlobStore


def test_file_url_opens_a_local_store() -> None:
    store = open_store("file:///srv/files", max_size=1234)
    assert isinstance(store, LocalBlobStore)
    assert store.root == Path("/srv/files")
    assert store.max_size == 1234


def test_s3_url_opens_an_s3_store() -> None:
    store = open_store("s3://docs?endpoint=http://127.0.0.1:9000&region=us-east-1")
    assert isinstance(store, S3BlobStore)
    assert store.bucket == "docs"
    assert store.client.meta.endpoint_url == "http://127.0.0.1:9000"
    assert store.client.meta.region_name == "us-east-1"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://files.example/x", "unsupported scheme ftp://"),
        ("/srv/files", "unsupported scheme (none)"),
        ("s3://?endpoint=http://127.0.0.1:9000", "no bucket name"),
    ],
)
def test_unusable_urls_name_the_setting(url: str, message: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        open_store(url)
    assert caught.value.detail.startswith("CONGVAN_STORAGE_URL: ")
    assert message in caught.value.detail


def test_store_from_settings_uses_the_upload_limit(tmp_path: Path) -> None:
    settings = load_settings(var_dir=tmp_path, storage_url="", max_upload_bytes=4096)
    store = store_from_settings(settings)
    assert isinstance(store, LocalBlobStore)
    assert store.root == (tmp_path / "files").resolve()
    assert store.max_size == 4096
