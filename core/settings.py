"""Typed settings, read once from ``CONGVAN_*`` environment variables and ``.env``.

Embedded defaults need nothing installed: SQLite under ``./var/``, files under ``./var/files/``,
in-process jobs, base domain ``localhost``. Production sets ``CONGVAN_DATABASE_URL``
(``postgres://``), ``CONGVAN_BROKER_URL`` (``redis://``) and ``CONGVAN_STORAGE_URL``
(``s3://bucket?endpoint=…``). A wrong value raises :class:`~core.errors.ConfigurationError` whose
message names the setting.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.errors import ConfigurationError

DATABASE_SCHEMES = ("sqlite", "postgres", "postgresql", "asyncpg")
BROKER_SCHEMES = ("inprocess", "redis", "rediss")
STORAGE_SCHEMES = ("file", "s3")


class Settings(BaseSettings):
    """Every process-wide setting. Field names map to ``CONGVAN_<NAME>``."""

    model_config = SettingsConfigDict(
        env_prefix="CONGVAN_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    var_dir: Path = Field(
        Path("var"), description="Where the embedded database, files and key live."
    )
    database_url: str = Field(
        "", description="sqlite:///path or postgres://user@host/db (app role)."
    )
    database_admin_url: str = Field(
        "", description="Owner connection for migrations (PostgreSQL); defaults to database_url."
    )
    database_pool_size: int = Field(10, ge=1, le=500)
    broker_url: str = Field("inprocess://", description="inprocess:// or redis://host:6379/0.")
    storage_url: str = Field("", description="file:///path or s3://bucket?endpoint=http://…")
    base_domain: str = Field("localhost", description="Tenants live at <slug>.<base_domain>.")
    secret_key: str = Field(
        "", description="Signs cookies; generated into var/secret_key if empty."
    )
    max_upload_bytes: int = Field(50 * 1024 * 1024, ge=1024)
    max_request_bytes: int = Field(60 * 1024 * 1024, ge=1024)
    session_max_age: int = Field(8 * 3600, ge=60, description="Seconds a web session lives.")
    api_token_days: int = Field(30, ge=1, description="Lifetime of tokens from POST /auth/token.")
    login_max_failures_account: int = Field(5, ge=1)
    login_max_failures_address: int = Field(20, ge=1)
    login_window_seconds: int = Field(900, ge=1)
    secure_cookies: bool = Field(False, description="Set Secure on cookies (true behind HTTPS).")
    allow_rls_bypass: bool = Field(
        False,
        description="Allow a role that bypasses row-level security (never in production).",
    )
    watcher_url: str = Field(
        "", description="Policy/tenant change notifications: postgres://, redis:// or empty (auto)."
    )
    job_workers: int = Field(4, ge=1, le=64, description="In-process job workers (embedded mode).")
    dispatch_interval: float = Field(0.5, gt=0, description="Seconds between outbox polls.")
    themes_dir: Path | None = Field(
        None, description="Folder of tenant themes (default: the repository's themes/)."
    )
    log_level: str = "INFO"

    @field_validator("database_url")
    @classmethod
    def _check_database(cls, value: str) -> str:
        return _check_scheme(value, DATABASE_SCHEMES, "CONGVAN_DATABASE_URL") if value else value

    @field_validator("broker_url")
    @classmethod
    def _check_broker(cls, value: str) -> str:
        return _check_scheme(value, BROKER_SCHEMES, "CONGVAN_BROKER_URL")

    @field_validator("storage_url")
    @classmethod
    def _check_storage(cls, value: str) -> str:
        return _check_scheme(value, STORAGE_SCHEMES, "CONGVAN_STORAGE_URL") if value else value

    @field_validator("base_domain")
    @classmethod
    def _check_domain(cls, value: str) -> str:
        value = value.strip().lower().rstrip(".")
        if not value or "/" in value or ":" in value:
            raise ValueError("a bare host name such as 'localhost' or 'congvan.gov.vn'")
        return value

    # Resolved values ---------------------------------------------------------------------

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite://{(self.var_dir / 'congvan.sqlite3').resolve()}"

    @property
    def resolved_admin_database_url(self) -> str:
        return self.database_admin_url or self.resolved_database_url

    @property
    def resolved_storage_url(self) -> str:
        if self.storage_url:
            return self.storage_url
        return f"file://{(self.var_dir / 'files').resolve()}"

    @property
    def is_postgres(self) -> bool:
        return urlsplit(self.resolved_database_url).scheme in ("postgres", "postgresql", "asyncpg")

    @property
    def embedded_jobs(self) -> bool:
        return self.broker_url.startswith("inprocess")

    def resolved_secret_key(self) -> str:
        """The configured key, or one generated once into ``var/secret_key`` (mode 0600)."""
        if self.secret_key:
            return self.secret_key
        path = self.var_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.var_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.touch(mode=0o600)
        path.write_text(key)
        return key


def _check_scheme(value: str, schemes: tuple[str, ...], name: str) -> str:
    scheme = urlsplit(value).scheme
    if scheme not in schemes:
        raise ValueError(f"scheme must be one of {', '.join(s + '://' for s in schemes)}")
    return value


def load_settings(**overrides: object) -> Settings:
    """Read settings now; a bad value raises ConfigurationError naming ``CONGVAN_<FIELD>``."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        field_name = str(first["loc"][0]) if first["loc"] else "?"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigurationError(f"CONGVAN_{field_name.upper()}: {message}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return load_settings()


def reset_settings_cache() -> None:
    get_settings.cache_clear()
