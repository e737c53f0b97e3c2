"""The scale-out database: the login session life cycle on a real PostgreSQL server."""

from datetime import timedelta

from sqlmodel import Session

from extranet_app.db import make_engine
from extranet_app.models.base import utcnow
from extranet_app.services import auth
from tests.conftest import migrate_to_head
from tests.factories import PASSWORD, make_owner, make_tenant, make_user


def test_login_session_life_cycle_on_postgresql(postgres_url):
    migrate_to_head(postgres_url)
    engine = make_engine(postgres_url)
    with Session(engine, expire_on_commit=False) as session:
        user = make_user(session, email="Both@Example.test")
        make_tenant(session, user=user)
        make_owner(session, user=user)
        session.commit()
        opened = auth.login(session=session, email="both@example.TEST", password=PASSWORD)
        later = utcnow() + timedelta(minutes=90)
        resolved = auth.resolve_session(session=session, token=opened.token, now=later)
        assert resolved.spaces == (auth.Space.TENANT, auth.Space.OWNER)
        too_late = later + timedelta(hours=2, minutes=1)
        assert auth.resolve_session(session=session, token=opened.token, now=too_late) is None
        assert auth.revoke_all_sessions(session=session, user_id=user.id) == 1
        session.commit()
    engine.dispose()
