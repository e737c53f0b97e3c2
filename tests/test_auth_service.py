"""Login and login sessions, at the service level."""

from datetime import timedelta

from sqlmodel import select

from extranet_app.models import AuditEvent, AuthSession
from extranet_app.models.base import utcnow
from extranet_app.services import auth
from extranet_app.services.auth import Space
from extranet_app.services.security import hash_token
from tests.factories import PASSWORD, make_owner, make_tenant, make_user


def _tenant_user(session, email="camille@example.test"):
    user = make_user(session, email=email)
    make_tenant(session, user=user)
    session.commit()
    return user


def test_login_is_case_insensitive_on_email_and_stores_only_the_token_hash(session):
    _tenant_user(session)
    opened = auth.login(session=session, email="  Camille@Example.TEST ", password=PASSWORD)
    assert opened is not None
    stored = session.exec(select(AuthSession)).one()
    assert stored.token_hash == hash_token(opened.token)
    assert opened.token not in stored.token_hash
    assert len(opened.token) >= 43  # 256 bits, URL-safe base64


def test_wrong_password_and_unknown_email_fail_alike_and_are_audited(session):
    _tenant_user(session)
    assert auth.login(session=session, email="camille@example.test", password="nope") is None
    assert auth.login(session=session, email="nobody@example.test", password=PASSWORD) is None
    failures = session.exec(select(AuditEvent).where(AuditEvent.action == "login.failure")).all()
    assert len(failures) == 2
    assert all(not event.allowed for event in failures)


def test_user_without_password_yet_cannot_log_in(session):
    user = make_user(session, password=None)
    make_tenant(session, user=user)
    session.commit()
    assert auth.authenticate(session=session, email=user.email, password="") is None


def test_deactivated_user_cannot_log_in_and_is_logged_out_everywhere(session):
    user = _tenant_user(session)
    opened = auth.login(session=session, email=user.email, password=PASSWORD)
    user.is_active = False
    session.commit()
    assert auth.resolve_session(session=session, token=opened.token) is None
    assert auth.login(session=session, email=user.email, password=PASSWORD) is None


def test_login_without_any_space_is_refused(session):
    make_user(session, email="orphan@example.test")
    session.commit()
    assert auth.login(session=session, email="orphan@example.test", password=PASSWORD) is None


def test_session_resolves_to_roles_and_spaces(session):
    user = make_user(session, email="both@example.test", display_name="Alex Roux")
    tenant = make_tenant(session, user=user)
    owner = make_owner(session, user=user)
    session.commit()
    opened = auth.login(session=session, email=user.email, password=PASSWORD)
    resolved = auth.resolve_session(session=session, token=opened.token)
    assert resolved.tenant_ids == (tenant.id,)
    assert resolved.owner_ids == (owner.id,)
    assert resolved.spaces == (Space.TENANT, Space.OWNER)
    assert not resolved.can_enter(Space.AGENCY)
    assert auth.landing_path(resolved) == "/espace"


def test_staff_lands_in_agency_space(session):
    make_user(session, email="staff@example.test", is_agency=True)
    session.commit()
    opened = auth.login(session=session, email="staff@example.test", password=PASSWORD)
    assert auth.landing_path(opened.user) == "/agence"


def test_logout_revokes_the_session(session):
    user = _tenant_user(session)
    opened = auth.login(session=session, email=user.email, password=PASSWORD)
    auth.logout(session=session, token=opened.token)
    assert auth.resolve_session(session=session, token=opened.token) is None


def test_idle_session_expires_and_activity_extends_it(session):
    user = _tenant_user(session)
    opened = auth.login(session=session, email=user.email, password=PASSWORD)
    start = utcnow()
    # Activity every hour keeps a session with a 2-hour idle limit alive.
    for hours in range(1, 5):
        assert auth.resolve_session(
            session=session, token=opened.token, now=start + timedelta(hours=hours)
        )
    assert (
        auth.resolve_session(session=session, token=opened.token, now=start + timedelta(hours=7))
        is None
    )


def test_absolute_lifetime_ends_even_an_active_session(session):
    user = make_user(session, email="staff@example.test", is_agency=True)
    session.commit()
    opened = auth.login(session=session, email=user.email, password=PASSWORD)
    start = utcnow()
    for minutes in range(20, 12 * 60, 20):
        assert auth.resolve_session(
            session=session, token=opened.token, now=start + timedelta(minutes=minutes)
        )
    late = start + timedelta(hours=12, minutes=1)
    assert auth.resolve_session(session=session, token=opened.token, now=late) is None


def test_revoke_all_sessions_ends_every_device(session):
    user = _tenant_user(session)
    tokens = [
        auth.login(session=session, email=user.email, password=PASSWORD).token for _ in range(3)
    ]
    assert auth.count_live_sessions(session=session, user_id=user.id) == 3
    assert auth.revoke_all_sessions(session=session, user_id=user.id) == 3
    session.commit()
    assert all(auth.resolve_session(session=session, token=t) is None for t in tokens)


def test_unknown_or_empty_token_resolves_to_nobody(session):
    assert auth.resolve_session(session=session, token="") is None
    assert auth.resolve_session(session=session, token="forged") is None
