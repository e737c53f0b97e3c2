"""Shared test set-up: a fresh SQLite database per test, copied from one migrated to head.

EXTRANET_TEST_DATABASE=postgresql runs the database tests on PostgreSQL instead (`make
test-postgresql`): one database migrated to head for the run, emptied before each test, and
only the tests that use the `database_url` fixture (the others would run exactly as on SQLite).
A module that builds a large data set once can copy its rows aside with `snapshot_postgres_rows`
and give each test a fresh copy with `restore_postgres_rows`.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# Fast hashing and a test environment, before anything reads the settings.
os.environ.setdefault("BCRYPT_ROUNDS", "4")
os.environ.setdefault("EXTRANET_ENV", "test")

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool
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
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A private, migrated database that the app's own engine also points to."""
    if ON_POSTGRESQL:
        url = request.getfixturevalue("postgres_test_database")
        _empty_postgres_tables(url)
    else:
        path = tmp_path / "extranet.db"
        shutil.copyfile(request.getfixturevalue("migrated_template"), path)
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


# Which database `database_url` gives: "sqlite" (the default) or "postgresql".
TEST_DATABASE = os.environ.get("EXTRANET_TEST_DATABASE", "sqlite").strip().lower()
ON_POSTGRESQL = TEST_DATABASE in ("postgresql", "postgres")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only: reads the SQLite file itself; not run with the PostgreSQL switch"
    )
    if TEST_DATABASE not in ("sqlite", "postgresql", "postgres"):
        raise pytest.UsageError(f"EXTRANET_TEST_DATABASE={TEST_DATABASE!r}: sqlite or postgresql")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, keep only the tests that use the database (and can run on it)."""
    if not ON_POSTGRESQL:
        return
    kept, dropped = [], []
    for item in items:
        uses_database = "database_url" in getattr(item, "fixturenames", ())
        if uses_database and item.get_closest_marker("sqlite_only") is None:
            kept.append(item)
        else:
            dropped.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@contextmanager
def _new_postgres_database(*, required: bool) -> Iterator[str]:
    """Create an empty PostgreSQL database, give its URL, drop it afterwards.

    Without a server: skip the test, or fail it when the run asked for PostgreSQL.
    """
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"extranet_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        admin.dispose()
        message = f"PostgreSQL unavailable at {POSTGRES_ADMIN_URL}: {error.orig}"
        if required:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped afterwards; skipped where no server runs."""
    with _new_postgres_database(required=False) as url:
        yield url


@pytest.fixture(scope="session")
def postgres_test_database() -> Iterator[str]:
    """The run's PostgreSQL database, migrated to head once (EXTRANET_TEST_DATABASE=postgresql)."""
    with _new_postgres_database(required=True) as url:
        _skip_commit_flush(url)
        migrate_to_head(url)
        yield url


def _skip_commit_flush(url: str) -> None:
    """Let commits return before the WAL reaches the disk: a throw-away database loses nothing."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            name = connection.execute(text("SELECT current_database()")).scalar_one()
            connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    finally:
        engine.dispose()


def _empty_postgres_tables(url: str) -> None:
    """Delete every row but Alembic's, so each test starts from the freshly migrated state.

    DELETE, children first, then the sequences reset: about 40 ms here, where one TRUNCATE of
    all tables takes about 500 ms.
    """
    from sqlalchemy import create_engine, text
    from sqlmodel import SQLModel

    import extranet_app.models  # noqa: F401 (registers every table in the metadata)

    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            # A connection some earlier test leaked would block the deletes: fail clearly instead.
            connection.execute(text("SET LOCAL lock_timeout = '10s'"))
            for table in reversed(SQLModel.metadata.sorted_tables):
                connection.execute(table.delete())
            # Ids start again at 1, as in a new database (some tests name rows by id).
            connection.execute(
                text(
                    "SELECT setval(oid::regclass, 1, false) FROM pg_class "
                    "WHERE relkind = 'S' AND relnamespace = 'public'::regnamespace"
                )
            )
    finally:
        engine.dispose()


def snapshot_postgres_rows(url: str, *, schema: str = "snapshot") -> None:
    """Copy every row of the database at `url` into `schema` (replaced if present).

    With `restore_postgres_rows`, a test module builds its data once and gives each test a fresh
    copy in about 50 ms, where cloning a database (CREATE DATABASE … TEMPLATE) takes about 500 ms.
    """
    from sqlalchemy import create_engine, text

    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            for table in _tables_parents_first():
                connection.execute(
                    text(f'CREATE TABLE "{schema}"."{table}" AS TABLE public."{table}"')
                )
    finally:
        engine.dispose()


def restore_postgres_rows(url: str, *, schema: str = "snapshot") -> None:
    """Make the rows of the database at `url` exactly those of `snapshot_postgres_rows`."""
    from sqlalchemy import create_engine, text

    tables = _tables_parents_first()
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            connection.execute(text("SET LOCAL lock_timeout = '10s'"))
            for table in reversed(tables):
                connection.execute(text(f'DELETE FROM public."{table}"'))  # noqa: S608 (model names)
            # Generated columns (e.g. sort names) cannot be inserted: they compute themselves.
            stored = connection.execute(
                text(
                    "SELECT table_name, quote_ident(column_name) FROM information_schema.columns "
                    "WHERE table_schema = 'public' AND is_generated = 'NEVER' "
                    "ORDER BY table_name, ordinal_position"
                )
            ).all()
            for table in tables:
                columns = ", ".join(column for name, column in stored if name == table)
                connection.execute(
                    text(
                        f'INSERT INTO public."{table}" ({columns}) OVERRIDING SYSTEM VALUE '  # noqa: S608
                        f'SELECT {columns} FROM "{schema}"."{table}"'
                    )
                )
            # Each id sequence continues after the restored rows, as it did after the originals.
            serials = connection.execute(
                text(
                    "SELECT quote_ident(table_name), quote_ident(column_name), "
                    "pg_get_serial_sequence(format('public.%I', table_name), column_name) "
                    "FROM information_schema.columns WHERE table_schema = 'public'"
                )
            ).all()
            for table, column, sequence in serials:
                if sequence is not None:
                    connection.execute(
                        text(
                            f"SELECT setval('{sequence}', COALESCE(MAX({column}), 0) + 1, false) "  # noqa: S608
                            f"FROM public.{table}"
                        )
                    )
    finally:
        engine.dispose()


def _tables_parents_first() -> list[str]:
    """Every table of the models, each after the tables it refers to."""
    from sqlmodel import SQLModel

    import extranet_app.models  # noqa: F401 (registers every table in the metadata)

    return [table.name for table in SQLModel.metadata.sorted_tables]
