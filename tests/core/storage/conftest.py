"""Fixtures for the blob store suite: one real moto_server per xdist worker, both backends."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from core.storage.base import BlobStore
from core.storage.local import LocalBlobStore
from core.storage.s3 import S3BlobStore, client_config

BUCKET = "congvan-test"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _moto_server_executable() -> str | None:
    beside_python = Path(sys.executable).with_name("moto_server")
    if beside_python.exists():
        return str(beside_python)
    return shutil.which("moto_server")


def _wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"moto_server exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except urllib.error.HTTPError:
            return  # it answered
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"moto_server did not answer at {url} within {timeout:.0f}s")


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real moto S3 server on a free port (one per xdist worker) with bucket ``BUCKET``."""
    executable = _moto_server_executable()
    if executable is None:
        pytest.skip("moto_server executable not found (pip install 'moto[server]')")
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("moto") / "moto_server.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [executable, "-H", "127.0.0.1", "-p", str(port)],
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(endpoint, process)
        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            config=client_config(),
            **CREDENTIALS,
        )
        client.create_bucket(Bucket=BUCKET)
        client.close()
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def s3_url(endpoint: str, bucket: str = BUCKET, prefix: str = "", **extra: str) -> str:
    query = {
        "endpoint": endpoint,
        "region": "us-east-1",
        "access_key": CREDENTIALS["aws_access_key_id"],
        "secret_key": CREDENTIALS["aws_secret_access_key"],
        **extra,
    }
    path = f"/{prefix}" if prefix else ""
    return f"s3://{bucket}{path}?" + "&".join(f"{key}={value}" for key, value in query.items())


@pytest.fixture(scope="session")
def make_s3_url() -> Callable[..., str]:
    """``make_s3_url(endpoint, bucket=…, prefix=…, **options)``: a URL with test credentials."""
    return s3_url


@pytest.fixture
def s3_client(moto_endpoint: str) -> Iterator[Any]:
    """A plain boto3 client on the moto server, to look behind the store's back."""
    client = boto3.client(
        "s3",
        endpoint_url=moto_endpoint,
        region_name="us-east-1",
        config=client_config(),
        **CREDENTIALS,
    )
    yield client
    client.close()


@dataclass
class Backdoor:
    """Raw access to what a store holds, bypassing the store (to inspect and to corrupt)."""

    store: BlobStore
    s3_client: Any = None

    def keys(self) -> list[str]:
        """Every stored object, as keys relative to the store's root or prefix."""
        if isinstance(self.store, LocalBlobStore):
            root = self.store.root
            tenants = root / "tenants"
            return sorted(
                str(path.relative_to(root)) for path in tenants.rglob("*") if path.is_file()
            )
        assert isinstance(self.store, S3BlobStore)
        prefix = self.store.options.prefix + "/"
        response = self.s3_client.list_objects_v2(Bucket=self.store.bucket, Prefix=prefix)
        return sorted(item["Key"].removeprefix(prefix) for item in response.get("Contents", []))

    def overwrite(self, key: str, data: bytes) -> None:
        if isinstance(self.store, LocalBlobStore):
            (self.store.root / key).write_bytes(data)
            return
        assert isinstance(self.store, S3BlobStore)
        self.s3_client.put_object(
            Bucket=self.store.bucket, Key=self.store.object_key(key), Body=data
        )

    def temp_files(self) -> list[Path]:
        directory = self.store.spool_dir
        return sorted(directory.iterdir()) if directory.exists() else []


@pytest.fixture(params=["local", "s3"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[BlobStore]:
    """An empty store of each backend; the S3 one uses a fresh key prefix in the shared bucket."""
    blob_store: BlobStore
    if request.param == "local":
        blob_store = LocalBlobStore(tmp_path / "files")
    else:
        endpoint = request.getfixturevalue("moto_endpoint")
        url = s3_url(endpoint, prefix=f"test-{uuid.uuid4().hex}")
        blob_store = S3BlobStore.from_url(url, tmp_dir=tmp_path / "spool")
    yield blob_store
    await blob_store.close()


@pytest.fixture
def backdoor(store: BlobStore, request: pytest.FixtureRequest) -> Backdoor:
    if isinstance(store, S3BlobStore):
        return Backdoor(store, request.getfixturevalue("s3_client"))
    return Backdoor(store)
