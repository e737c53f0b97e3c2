"""Shared test set-up: a fresh SQLite database per test, copied from one migrated to head."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

# Fast hashing and a test environment, before anything reads the settings.
os.environ.setdefault("BCRYPT_ROUNDS", "4")
os.environ.setdefault("EXTRANET_ENV", "test")

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine
from sqlmodel import Session

from extranet_app import db
from extranet_app.settings import PROJECT_ROOT, get_settings


def migrate_to_head(database_url: str) -> None:
    """Upgrade the database at `database_url` to the newest Alembic revision."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = database_url
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate_to_head(f"sqlite:///{path}")
    return path


@pytest.fixture
def database_url(
    migrated_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A private, migrated database that the app's own engine also points to."""
    path = tmp_path / "extranet.db"
    shutil.copyfile(migrated_template, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("REFLEX_DB_URL", url)
    monkeypatch.setenv("DOCUMENTS_DIR", str(tmp_path / "documents"))
    get_settings.cache_clear()
    db.get_engine.cache_clear()
    yield url
    db.get_engine().dispose()
    get_settings.cache_clear()
    db.get_engine.cache_clear()


@pytest.fixture
def engine(database_url: str) -> Engine:
    return db.get_engine()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped afterwards; skipped where no server runs."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"extranet_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        admin.dispose()
        pytest.skip(f"PostgreSQL unavailable: {error.orig}")
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
