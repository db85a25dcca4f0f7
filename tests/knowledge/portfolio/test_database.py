"""Database URLs: the plain URLs people write get the async driver; bad ones fail clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.errors import DatabaseUrlError, KnowledgeError
from knowledge.portfolio.database import async_url, create_engine, describe, sqlite_url


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///data/portfolio.db", "sqlite+aiosqlite:///data/portfolio.db"),
        ("sqlite:////srv/portfolio/portfolio.db", "sqlite+aiosqlite:////srv/portfolio/portfolio.db"),
        ("sqlite://", "sqlite+aiosqlite://"),
        ("sqlite+pysqlite:///p.db", "sqlite+aiosqlite:///p.db"),
        ("sqlite+aiosqlite:///p.db", "sqlite+aiosqlite:///p.db"),
        ("postgresql://portfolio@db.example/portfolio",
         "postgresql+asyncpg://portfolio@db.example/portfolio"),
        ("postgres://portfolio@db.example:5433/portfolio",
         "postgresql+asyncpg://portfolio@db.example:5433/portfolio"),
        ("postgresql+psycopg2://portfolio@db.example/portfolio",
         "postgresql+asyncpg://portfolio@db.example/portfolio"),
        ("  postgresql://portfolio@db.example/portfolio\n",
         "postgresql+asyncpg://portfolio@db.example/portfolio"),
    ],
)
def test_plain_urls_get_the_async_driver(given: str, expected: str) -> None:
    assert async_url(given).render_as_string(hide_password=False) == expected


def test_password_survives_normalisation() -> None:
    url = async_url("postgresql://reader:s3cret@db.example:5432/portfolio")
    assert url.drivername == "postgresql+asyncpg"
    assert url.username == "reader"
    assert url.password == "s3cret"
    assert url.host == "db.example"
    assert url.port == 5432
    assert url.database == "portfolio"


@pytest.mark.parametrize(
    "given",
    ["mysql://reader:s3cret@db.example/portfolio", "mssql+pyodbc://reader:s3cret@dsn",
     "oracle://reader:s3cret@db.example/portfolio"],
)
def test_unsupported_database_is_refused_with_password_hidden(given: str) -> None:
    with pytest.raises(DatabaseUrlError) as caught:
        async_url(given)
    message = str(caught.value)
    assert "s3cret" not in message
    assert "unsupported database" in message
    assert given.split(":", 1)[0].split("+", 1)[0] in message
    assert "reader:***@" in message
    assert "sqlite or postgresql" in message


@pytest.mark.parametrize(
    "given",
    ["garbage", "", "   ", "://reader:s3cret@db.example/portfolio",
     "postgresql://reader:s3cret@db.example:notaport/portfolio",
     "postgresql://reader:s3cret@db.example:99999999999999999999/portfolio"],
)
def test_garbage_is_a_database_url_error_with_password_hidden(given: str) -> None:
    with pytest.raises(DatabaseUrlError) as caught:
        async_url(given)
    assert isinstance(caught.value, KnowledgeError)
    assert "s3cret" not in str(caught.value)
    assert "not a database URL" in str(caught.value)


def test_describe_hides_the_password() -> None:
    shown = describe("postgresql://reader:s3cret@db.example/portfolio")
    assert shown == "postgresql://reader:***@db.example/portfolio"
    assert describe("sqlite:///data/portfolio.db") == "sqlite:///data/portfolio.db"
    assert "s3cret" not in describe("postgresql://reader:s3cret@db.example:bad/portfolio")


def test_sqlite_url_of_a_path(tmp_path: Path) -> None:
    path = tmp_path / "portfolio.db"
    assert sqlite_url(path) == f"sqlite:///{path}"
    assert async_url(sqlite_url(path)).database == str(path)


async def test_sqlite_engine_creates_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "not" / "yet"
    engine = create_engine(sqlite_url(folder / "portfolio.db"))
    try:
        assert folder.is_dir()
        assert engine.dialect.name == "sqlite"
        assert engine.dialect.driver == "aiosqlite"
    finally:
        await engine.dispose()


async def test_sqlite_engine_for_a_folder_that_cannot_exist_is_still_built(tmp_path: Path) -> None:
    """The failure belongs to the first connection (a SyncError), not to building the engine."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    engine = create_engine(sqlite_url(blocker / "sub" / "portfolio.db"))
    await engine.dispose()
    assert blocker.is_file()


async def test_postgres_engine_uses_asyncpg() -> None:
    engine = create_engine("postgresql://postgres@127.0.0.1:5432/test")
    try:
        assert engine.dialect.name == "postgresql"
        assert engine.dialect.driver == "asyncpg"
    finally:
        await engine.dispose()


def test_unsupported_url_fails_before_any_engine() -> None:
    with pytest.raises(DatabaseUrlError):
        create_engine("mysql://reader:s3cret@db.example/portfolio")
