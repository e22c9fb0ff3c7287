import pytest

from core.errors import ConfigurationError
from core.settings import load_settings


def test_embedded_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_URL", "BROKER_URL", "STORAGE_URL", "BASE_DOMAIN", "SECRET_KEY"):
        monkeypatch.delenv(f"CONGVAN_{name}", raising=False)
    settings = load_settings(var_dir=tmp_path / "var")
    assert settings.resolved_database_url == f"sqlite://{tmp_path / 'var' / 'congvan.sqlite3'}"
    assert settings.resolved_storage_url == f"file://{tmp_path / 'var' / 'files'}"
    assert settings.embedded_jobs
    assert settings.base_domain == "localhost"
    assert not settings.is_postgres


def test_secret_key_is_generated_once_and_private(tmp_path):
    settings = load_settings(var_dir=tmp_path / "var")
    key = settings.resolved_secret_key()
    assert len(key) >= 48
    assert settings.resolved_secret_key() == key
    assert (tmp_path / "var" / "secret_key").stat().st_mode & 0o077 == 0


def test_environment_variables_are_read(monkeypatch):
    monkeypatch.setenv("CONGVAN_DATABASE_URL", "postgresql://app@db/congvan")
    monkeypatch.setenv("CONGVAN_BROKER_URL", "redis://redis:6379/0")
    monkeypatch.setenv("CONGVAN_BASE_DOMAIN", "CongVan.Gov.VN.")
    settings = load_settings()
    assert settings.is_postgres and not settings.embedded_jobs
    assert settings.base_domain == "congvan.gov.vn"


@pytest.mark.parametrize(
    ("env", "value", "message"),
    [
        ("CONGVAN_DATABASE_URL", "mysql://x/y", "CONGVAN_DATABASE_URL: scheme must be one of"),
        ("CONGVAN_BROKER_URL", "amqp://x", "CONGVAN_BROKER_URL: scheme must be one of"),
        ("CONGVAN_STORAGE_URL", "ftp://x", "CONGVAN_STORAGE_URL: scheme must be one of"),
        ("CONGVAN_BASE_DOMAIN", "http://x", "CONGVAN_BASE_DOMAIN: a bare host name"),
        ("CONGVAN_MAX_UPLOAD_BYTES", "lots", "CONGVAN_MAX_UPLOAD_BYTES: Input should be a valid"),
        ("CONGVAN_JOB_WORKERS", "0", "CONGVAN_JOB_WORKERS: Input should be greater than"),
    ],
)
def test_a_wrong_setting_names_itself_in_one_line(monkeypatch, env, value, message):
    monkeypatch.setenv(env, value)
    with pytest.raises(ConfigurationError) as info:
        load_settings()
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)


async def test_an_unreachable_database_names_the_setting():
    from core.db.config import CORE_APP
    from core.db.connection import init_db
    from core.testing import free_port

    url = f"postgres://nobody@127.0.0.1:{free_port()}/nothing"
    with pytest.raises(ConfigurationError, match=r"^CONGVAN_DATABASE_URL: cannot connect"):
        await init_db(url, [CORE_APP])
