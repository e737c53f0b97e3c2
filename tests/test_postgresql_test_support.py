"""The PostgreSQL test support of tests/conftest.py: emptying and restoring a test database."""

from __future__ import annotations

from sqlmodel import Session, func, select

from extranet_app.db import make_engine
from extranet_app.models import Lease, User
from tests.conftest import (
    _empty_postgres_tables,
    migrate_to_head,
    restore_postgres_rows,
    snapshot_postgres_rows,
)
from tests.factories import make_lease, make_lot, make_tenant, make_user


def _leases_and_users(url: str) -> tuple[list[tuple[int, int]], list[tuple[int, str]]]:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            leases = session.exec(select(Lease.id, Lease.rent_cents).order_by(Lease.id)).all()
            users = session.exec(select(User.id, User.email).order_by(User.id)).all()
            return [tuple(row) for row in leases], [tuple(row) for row in users]
    finally:
        engine.dispose()


def test_restoring_a_snapshot_gives_back_the_same_rows_and_ids_continue(postgres_url):
    migrate_to_head(postgres_url)
    engine = make_engine(postgres_url)
    with Session(engine, expire_on_commit=False) as session:
        tenant = make_tenant(session, user=make_user(session, email="locataire@example.test"))
        make_lease(session, lot=make_lot(session), tenants=[tenant])
        session.commit()
    snapshot_postgres_rows(postgres_url)
    before = _leases_and_users(postgres_url)
    with Session(engine, expire_on_commit=False) as session:
        session.exec(select(Lease)).one().rent_cents += 100
        make_user(session, email="intrus@example.test")
        session.commit()
    engine.dispose()

    restore_postgres_rows(postgres_url)

    assert _leases_and_users(postgres_url) == before
    engine = make_engine(postgres_url)
    with Session(engine, expire_on_commit=False) as session:
        newcomer = make_user(session, email="nouveau@example.test")
        session.commit()
        assert newcomer.id == max(user_id for user_id, _ in before[1]) + 1
    engine.dispose()


def test_emptying_leaves_no_row_and_restarts_ids(postgres_url):
    migrate_to_head(postgres_url)
    engine = make_engine(postgres_url)
    with Session(engine, expire_on_commit=False) as session:
        make_lease(session, lot=make_lot(session), tenants=[make_tenant(session)])
        session.commit()
    engine.dispose()

    _empty_postgres_tables(postgres_url)

    engine = make_engine(postgres_url)
    with Session(engine, expire_on_commit=False) as session:
        assert session.exec(select(func.count()).select_from(User)).one() == 0
        assert make_user(session).id == 1
    engine.dispose()
