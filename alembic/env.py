"""Alembic environment. `reflex db migrate` drives Alembic itself; this file serves the plain
`alembic` command and the tests, with the same metadata and database URL as the app."""

from logging.config import fileConfig

from alembic import context
from sqlmodel import SQLModel

import extranet_app.models  # noqa: F401  (registers every table on SQLModel.metadata)
from extranet_app.db import make_engine
from extranet_app.settings import get_settings

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name)

target_metadata = SQLModel.metadata


def _database_url() -> str:
    return config.attributes.get("database_url") or get_settings().database_url


def run_migrations_offline() -> None:
    context.configure(url=_database_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(_database_url())
    with engine.connect() as connection:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
