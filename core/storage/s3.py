"""Blobs as objects in an S3-compatible bucket, through boto3 (AWS, MinIO, Ceph, moto …)."""

from __future__ import annotations

import asyncio
import re
import tempfile
from collections.abc import AsyncGenerator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
from boto3.exceptions import Boto3Error
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from core.errors import ConfigurationError, ServiceUnavailable
from core.storage.base import BlobStore, MissingObject
from core.storage.spool import SpooledBlob

_BUCKET = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{1,61}[A-Za-z0-9]")
_QUERY_KEYS = ("endpoint", "region", "access_key", "secret_key", "max_attempts")
_MISSING_KEY = frozenset({"404", "NoSuchKey", "NotFound"})
_MISSING_BUCKET = frozenset({"NoSuchBucket"})
_DENIED = frozenset({"403", "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"})
DEFAULT_MULTIPART_THRESHOLD = 8 * 1024 * 1024


def client_config(*, max_attempts: int = 3, connect_timeout: float = 5.0) -> Config:
    """The botocore configuration every Congvan S3 client uses.

    Path-style addressing (``endpoint/bucket/key``) works without wildcard DNS; checksums only
    ``when_required`` because the flexible checksums botocore sends by default since 1.36 are
    rejected by MinIO, Ceph RGW and other self-hosted S3 servers (moto accepts them).
    """
    return Config(
        s3={"addressing_style": "path"},
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        retries={"max_attempts": max_attempts, "mode": "standard"},
        connect_timeout=connect_timeout,
        read_timeout=60,
    )


@dataclass(frozen=True)
class S3Options:
    """Where and how to reach the bucket; parsed from ``s3://bucket[/prefix]?endpoint=…``."""

    bucket: str
    prefix: str = ""
    endpoint_url: str | None = None
    region: str | None = None
    access_key: str | None = None
    secret_key: str | None = field(default=None, repr=False)
    max_attempts: int = 3

    @classmethod
    def from_url(cls, url: str) -> S3Options:
        """Read ``s3://bucket[/prefix]?endpoint=&region=&access_key=&secret_key=&max_attempts=``.

        Credentials left out of the URL come from the standard AWS sources (``AWS_ACCESS_KEY_ID``,
        ``AWS_SECRET_ACCESS_KEY``, profiles, instance roles).
        """
        parts = urlsplit(url)
        if parts.scheme != "s3":
            raise ConfigurationError(f"CONGVAN_STORAGE_URL: {_redact(url)!r} is not an s3:// URL.")
        bucket = parts.netloc
        if not bucket:
            raise ConfigurationError(
                "CONGVAN_STORAGE_URL: the S3 URL has no bucket name: write s3://bucket?endpoint=…"
            )
        if not _BUCKET.fullmatch(bucket):
            raise ConfigurationError(
                f"CONGVAN_STORAGE_URL: {bucket!r} is not a valid bucket name (put credentials in "
                "the query or AWS_* variables, not before an @)."
            )
        query = parse_qs(parts.query, keep_blank_values=True)
        unknown = sorted(set(query) - set(_QUERY_KEYS))
        if unknown:
            raise ConfigurationError(
                f"CONGVAN_STORAGE_URL: unknown S3 option(s) {', '.join(unknown)}; "
                f"known: {', '.join(_QUERY_KEYS)}."
            )
        values = {key: items[-1] for key, items in query.items() if items[-1]}
        endpoint = values.get("endpoint")
        if endpoint is not None and urlsplit(endpoint).scheme not in ("http", "https"):
            raise ConfigurationError(
                f"CONGVAN_STORAGE_URL: endpoint {endpoint!r} must be an http:// or https:// URL."
            )
        try:
            max_attempts = int(values.get("max_attempts", "3"))
        except ValueError:
            max_attempts = 0
        if max_attempts < 1:
            raise ConfigurationError(
                "CONGVAN_STORAGE_URL: max_attempts must be a positive integer."
            )
        return cls(
            bucket=bucket,
            prefix=_prefix(parts.path),
            endpoint_url=endpoint,
            region=values.get("region"),
            access_key=values.get("access_key"),
            secret_key=values.get("secret_key"),
            max_attempts=max_attempts,
        )

    @property
    def where(self) -> str:
        """A human name for the bucket's location, for error messages."""
        host = self.endpoint_url or f"AWS S3 ({self.region or 'default region'})"
        return f"bucket {self.bucket!r} at {host}"


def _prefix(path: str) -> str:
    prefix = path.strip("/")
    if prefix and any(part in ("", ".", "..") for part in prefix.split("/")):
        raise ConfigurationError(f"CONGVAN_STORAGE_URL: bad key prefix {path!r} after the bucket.")
    return prefix


def _redact(url: str) -> str:
    return re.sub(r"(secret_key=)[^&]*", r"\1***", url)


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class S3BlobStore(BlobStore):
    """Objects at ``[<prefix>/]tenants/<id>/blobs/<aa>/<bb>/<sha256>`` in one bucket.

    Uploads are spooled to a local temporary file (``tmp_dir``, default the system temp
    directory), then sent with ``upload_fileobj`` (multipart beyond ``multipart_threshold``)
    unless an object of the same size already exists under the key.
    """

    def __init__(
        self,
        options: S3Options,
        *,
        max_size: int | None = None,
        tmp_dir: Path | str | None = None,
        multipart_threshold: int = DEFAULT_MULTIPART_THRESHOLD,
        connect_timeout: float = 5.0,
    ) -> None:
        super().__init__(max_size=max_size)
        self.options = options
        self.bucket = options.bucket
        self._tmp_dir = Path(tmp_dir) if tmp_dir is not None else Path(tempfile.gettempdir())
        self.client_config = client_config(
            max_attempts=options.max_attempts, connect_timeout=connect_timeout
        )
        self.client: Any = boto3.session.Session().client(
            "s3",
            endpoint_url=options.endpoint_url,
            region_name=options.region,
            aws_access_key_id=options.access_key,
            aws_secret_access_key=options.secret_key,
            config=self.client_config,
        )
        self._transfer = TransferConfig(
            multipart_threshold=multipart_threshold, multipart_chunksize=multipart_threshold
        )

    @classmethod
    def from_url(
        cls, url: str, *, max_size: int | None = None, tmp_dir: Path | str | None = None
    ) -> S3BlobStore:
        return cls(S3Options.from_url(url), max_size=max_size, tmp_dir=tmp_dir)

    def __repr__(self) -> str:
        return f"S3BlobStore({self.options.where}, prefix={self.options.prefix!r})"

    @property
    def spool_dir(self) -> Path:
        return self._tmp_dir

    def object_key(self, key: str) -> str:
        """The bucket key of a relative blob key (with the URL's prefix, if any)."""
        return f"{self.options.prefix}/{key}" if self.options.prefix else key

    async def check(self) -> None:
        try:
            await self._call(self.client.head_bucket, Bucket=self.bucket)
        except ClientError as exc:
            code = _code(exc)
            if code in ("404", *_MISSING_BUCKET):
                raise ConfigurationError(
                    f"CONGVAN_STORAGE_URL: {self.options.where} does not exist."
                ) from None
            raise ServiceUnavailable(
                f"Storage check failed for {self.options.where}: {code or exc}."
            ) from None

    async def close(self) -> None:
        await asyncio.to_thread(self.client.close)

    # Calls --------------------------------------------------------------------------------

    async def _call(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        """Run a blocking boto3 call in a thread; connection problems become our errors.

        :class:`ClientError` passes through for the caller to interpret, except a missing bucket
        or refused access, which are configuration problems wherever they show up.
        """
        with self._translated():
            return await asyncio.to_thread(fn, *args, **kwargs)

    @contextmanager
    def _translated(self) -> Iterator[None]:
        where = self.options.where
        try:
            yield
        except ClientError as exc:
            problem = self._configuration_problem(exc)
            if problem is not None:
                raise problem from None
            raise
        except NoCredentialsError:
            raise ConfigurationError(
                "CONGVAN_STORAGE_URL: no S3 credentials; set access_key and secret_key in the "
                "URL or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY."
            ) from None
        except BotoCoreError as exc:
            raise ServiceUnavailable(f"Storage {where} is unreachable: {exc}") from None
        except Boto3Error as exc:
            # upload_fileobj wraps the ClientError (e.g. NoSuchBucket) in S3UploadFailedError.
            cause = exc.__cause__ or exc.__context__
            if isinstance(cause, ClientError):
                problem = self._configuration_problem(cause)
                if problem is not None:
                    raise problem from None
            raise ServiceUnavailable(f"Storage {where} failed: {exc}") from None

    def _configuration_problem(self, exc: ClientError) -> ConfigurationError | None:
        code, where = _code(exc), self.options.where
        if code in _MISSING_BUCKET:
            return ConfigurationError(f"CONGVAN_STORAGE_URL: {where} does not exist.")
        if code in _DENIED:
            return ConfigurationError(
                f"CONGVAN_STORAGE_URL: access to {where} denied ({code}); "
                "check the credentials and the bucket policy."
            )
        return None

    # Primitives ---------------------------------------------------------------------------

    async def _store(self, spooled: SpooledBlob, key: str) -> None:
        # Skip only an object this store wrote with the same digest: an object rewritten behind
        # our back (without our metadata) is replaced, which repairs it as the local store does.
        head = await self._head(key)
        if head is not None and head["size"] == spooled.size and head["sha256"] == spooled.sha256:
            return
        await self._call(self._upload, spooled, self.object_key(key))

    def _upload(self, spooled: SpooledBlob, object_key: str) -> None:
        with spooled.path.open("rb") as file:
            self.client.upload_fileobj(
                file,
                self.bucket,
                object_key,
                ExtraArgs={
                    "ContentType": "application/octet-stream",
                    "Metadata": {"sha256": spooled.sha256},
                },
                Config=self._transfer,
            )

    async def _head(self, key: str) -> dict[str, Any] | None:
        """Size and recorded digest of the stored object, or None when there is none."""
        try:
            head = await self._call(
                self.client.head_object, Bucket=self.bucket, Key=self.object_key(key)
            )
        except ClientError as exc:
            if _code(exc) in _MISSING_KEY:
                return None
            raise self._unexpected(exc) from None
        return {
            "size": int(head["ContentLength"]),
            "sha256": (head.get("Metadata") or {}).get("sha256"),
        }

    async def _read(self, key: str) -> bytes:
        body = await self._open(key)
        try:
            data: bytes = await self._call(body.read)
        finally:
            await asyncio.to_thread(body.close)
        return data

    async def _chunks(self, key: str, chunk_size: int) -> AsyncGenerator[bytes, None]:
        body = await self._open(key)
        try:
            while chunk := await self._call(body.read, chunk_size):
                yield chunk
        finally:
            await asyncio.to_thread(body.close)

    async def _open(self, key: str) -> Any:
        try:
            response = await self._call(
                self.client.get_object, Bucket=self.bucket, Key=self.object_key(key)
            )
        except ClientError as exc:
            if _code(exc) in _MISSING_KEY:
                raise MissingObject(key) from None
            raise self._unexpected(exc) from None
        return response["Body"]

    async def _exists(self, key: str) -> bool:
        return await self._head(key) is not None

    async def _delete(self, key: str) -> None:
        try:
            await self._call(
                self.client.delete_object, Bucket=self.bucket, Key=self.object_key(key)
            )
        except ClientError as exc:
            raise self._unexpected(exc) from None

    def _unexpected(self, exc: ClientError) -> ServiceUnavailable:
        return ServiceUnavailable(f"Storage {self.options.where} failed: {_code(exc) or exc}.")
