"""What only the S3 backend does: client settings, URL options, readiness, skipped uploads."""

from __future__ import annotations

import hashlib
import os
import socket
import time
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from core.context import TenantInfo, tenant_context
from core.errors import ConfigurationError, ServiceUnavailable
from core.storage.s3 import S3BlobStore, S3Options

TENANT = TenantInfo(id=7, slug="hanoi", name="Ha Noi")
MakeUrl = Callable[..., str]


@pytest.fixture
async def s3_store(
    moto_endpoint: str, make_s3_url: MakeUrl, tmp_path: Path
) -> AsyncIterator[S3BlobStore]:
    store = S3BlobStore.from_url(
        make_s3_url(moto_endpoint, prefix=f"s3-{uuid.uuid4().hex}"), tmp_dir=tmp_path / "spool"
    )
    yield store
    await store.close()


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_client_uses_path_style_and_when_required_checksums() -> None:
    store = S3BlobStore(S3Options(bucket="docs", endpoint_url="http://127.0.0.1:9000"))
    config = store.client.meta.config

    assert config.s3["addressing_style"] == "path"
    assert config.request_checksum_calculation == "when_required"
    assert config.response_checksum_validation == "when_required"
    assert store.client_config is config or store.client_config.s3 == config.s3


def test_url_options_are_parsed() -> None:
    options = S3Options.from_url(
        "s3://docs/prod/congvan/?endpoint=http://minio:9000&region=ap-southeast-1"
        "&access_key=AK&secret_key=SK&max_attempts=2"
    )

    assert options == S3Options(
        bucket="docs",
        prefix="prod/congvan",
        endpoint_url="http://minio:9000",
        region="ap-southeast-1",
        access_key="AK",
        secret_key="SK",
        max_attempts=2,
    )
    assert "SK" not in repr(options)


@pytest.mark.parametrize(
    ("bad_url", "message"),
    [
        ("s3://?endpoint=http://minio:9000", "no bucket name"),
        ("s3:///docs", "no bucket name"),
        ("s3://AK:SK@docs", "not a valid bucket name"),
        ("s3://docs?endpont=http://minio:9000", "unknown S3 option(s) endpont"),
        ("s3://docs?endpoint=minio:9000", "must be an http:// or https:// URL"),
        ("s3://docs?max_attempts=0", "max_attempts"),
        ("s3://docs/a/../b", "bad key prefix"),
    ],
)
def test_bad_urls_are_refused(bad_url: str, message: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        S3Options.from_url(bad_url)
    assert caught.value.detail.startswith("CONGVAN_STORAGE_URL: ")
    assert message in caught.value.detail


def test_credentials_fall_back_to_aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "from-env")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret-from-env")
    store = S3BlobStore.from_url("s3://docs?endpoint=http://127.0.0.1:9000&region=us-east-1")

    credentials = store.client._request_signer._credentials
    assert credentials.access_key == "from-env"


async def test_check_passes_for_an_existing_bucket(s3_store: S3BlobStore) -> None:
    await s3_store.check()


async def test_check_fails_clearly_for_a_missing_bucket(
    moto_endpoint: str, make_s3_url: MakeUrl
) -> None:
    store = S3BlobStore.from_url(make_s3_url(moto_endpoint, bucket="no-such-bucket"))
    with pytest.raises(ConfigurationError) as caught:
        await store.check()
    assert caught.value.detail == (
        f"CONGVAN_STORAGE_URL: bucket 'no-such-bucket' at {moto_endpoint} does not exist."
    )


async def test_put_into_a_missing_bucket_is_a_configuration_error(
    moto_endpoint: str, make_s3_url: MakeUrl, tmp_path: Path
) -> None:
    store = S3BlobStore.from_url(
        make_s3_url(moto_endpoint, bucket="no-such-bucket"), tmp_dir=tmp_path
    )
    with tenant_context(TENANT), pytest.raises(ConfigurationError, match="does not exist"):
        await store.put(b"data")
    assert os.listdir(tmp_path) == []


async def test_check_fails_clearly_for_an_unreachable_endpoint(make_s3_url: MakeUrl) -> None:
    endpoint = f"http://127.0.0.1:{closed_port()}"
    store = S3BlobStore.from_url(make_s3_url(endpoint, max_attempts="1"))
    started = time.monotonic()

    with pytest.raises(ServiceUnavailable) as caught:
        await store.check()

    assert time.monotonic() - started < 10
    assert caught.value.detail.startswith(f"Storage bucket 'congvan-test' at {endpoint} is unre")
    assert "\n" not in caught.value.detail


async def test_read_from_an_unreachable_endpoint_is_service_unavailable(
    make_s3_url: MakeUrl,
) -> None:
    store = S3BlobStore.from_url(make_s3_url(f"http://127.0.0.1:{closed_port()}", max_attempts="1"))
    with tenant_context(TENANT), pytest.raises(ServiceUnavailable):
        await store.read(hashlib.sha256(b"x").hexdigest())


async def test_put_skips_the_upload_when_the_object_exists(
    s3_store: S3BlobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    uploads: list[str] = []
    upload = s3_store.client.upload_fileobj

    def counting_upload(*args: Any, **kwargs: Any) -> Any:
        uploads.append(args[2])
        return upload(*args, **kwargs)

    monkeypatch.setattr(s3_store.client, "upload_fileobj", counting_upload)
    with tenant_context(TENANT):
        await s3_store.put(b"first")
        await s3_store.put(b"first")
        await s3_store.put(b"second")

    assert len(uploads) == 2
    assert all(key.split("/")[1:4] == ["tenants", "7", "blobs"] for key in uploads)


async def test_large_blob_goes_up_in_parts(
    moto_endpoint: str, make_s3_url: MakeUrl, tmp_path: Path
) -> None:
    store = S3BlobStore(
        S3Options.from_url(make_s3_url(moto_endpoint, prefix=f"big-{uuid.uuid4().hex}")),
        tmp_dir=tmp_path,
        multipart_threshold=5 * 1024 * 1024,
    )
    data = os.urandom(11 * 1024 * 1024)
    sha = hashlib.sha256(data).hexdigest()
    with tenant_context(TENANT):
        stored = await store.put(data)
        head = await store._call(
            store.client.head_object,
            Bucket=store.bucket,
            Key=store.object_key(f"tenants/7/blobs/{sha[:2]}/{sha[2:4]}/{sha}"),
        )
        streamed = b"".join([chunk async for chunk in store.stream(sha, chunk_size=1 << 20)])
    await store.close()

    assert stored.size == len(data)
    assert head["ETag"].strip('"').endswith("-3")  # a multipart upload of three parts
    assert streamed == data
