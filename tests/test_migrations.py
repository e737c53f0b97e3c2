"""The Alembic history builds the whole schema, and matches the models exactly."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import extranet_app.models  # noqa: F401
from extranet_app.db import make_engine
from tests.conftest import migrate_to_head


def test_empty_database_upgrades_to_head_with_every_table(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    migrate_to_head(url)
    tables = set(inspect(make_engine(url)).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_autogenerate_finds_no_difference_with_the_models(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    migrate_to_head(url)
    with make_engine(url).connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == []


def test_postgresql_upgrades_to_head_and_matches_the_models(postgres_url):
    migrate_to_head(postgres_url)
    engine = make_engine(postgres_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    engine.dispose()
    assert differences == []
