"""Codes sent in parallel on PostgreSQL: the limits hold under a burst (rows locked in turn)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pyotp
from sqlmodel import Session, select

from extranet_app.db import make_engine
from extranet_app.models import AuditEvent, AuthSession
from extranet_app.models.base import utcnow
from extranet_app.services import auth, two_factor
from tests.conftest import migrate_to_head
from tests.factories import PASSWORD, make_tenant, make_user

PARALLEL = 30


def _guess_in_parallel(engine, token: str) -> list[str]:
    barrier = threading.Barrier(PARALLEL)
    outcomes: list[str] = []

    def guess(index: int) -> None:
        barrier.wait()
        with Session(engine) as session:
            try:
                auth.verify_second_factor(
                    session=session, token=token, code=f"{index:06d}", ip="203.0.113.9"
                )
                outcomes.append("accepted")
            except auth.SecondFactorRefused as refused:
                outcomes.append("expired" if refused.expired else "wrong")
            except auth.LoginThrottled:
                outcomes.append("throttled")

    threads = [threading.Thread(target=guess, args=(index,)) for index in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_parallel_wrong_codes_are_counted_one_by_one(postgres_url):
    migrate_to_head(postgres_url)
    engine = make_engine(postgres_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            user = make_user(session, email="camille@example.test")
            make_tenant(session, user=user)
            session.commit()
            earlier = utcnow() - timedelta(minutes=5)
            secret = pyotp.random_base32()
            code = pyotp.TOTP(secret).at(earlier)
            two_factor.enable(
                session=session, user_id=user.id, secret=secret, code=code, now=earlier
            )
            pending = auth.login(session=session, email=user.email, password=PASSWORD)
        outcomes = _guess_in_parallel(engine, pending.token)
        with Session(engine) as session:
            evaluated = session.exec(
                select(AuditEvent).where(AuditEvent.action == "login.second_factor_failure")
            ).all()
            row = session.exec(select(AuthSession).where(AuthSession.second_factor_pending)).one()
        assert len(outcomes) == PARALLEL and "accepted" not in outcomes
        # Exactly the pending login's limit was tried; every other request found it ended.
        assert len(evaluated) == row.failed_codes == 5
        assert row.revoked_at is not None
    finally:
        engine.dispose()
