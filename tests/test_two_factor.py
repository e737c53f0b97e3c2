"""Two-factor authentication (TOTP, recovery codes) at the service level, clock injected."""

from datetime import timedelta

import pyotp
import pytest
from sqlmodel import select

from extranet_app.models import AuditEvent, AuthSession, RecoveryCode, User
from extranet_app.models.base import utcnow
from extranet_app.services import agency_settings, auth, messaging, two_factor
from extranet_app.services.agency import settings_row
from extranet_app.services.agency_settings import SettingsRejected
from extranet_app.services.two_factor import TwoFactorError
from tests.factories import PASSWORD, make_tenant, make_user


def _tenant(session, email="camille@example.test"):
    user = make_user(session, email=email)
    make_tenant(session, user=user)
    session.commit()
    return user


def _code(secret: str, at) -> str:
    return pyotp.TOTP(secret).at(at)


def _enrolled(session, user, now, keep_session_id=None):
    enrolment = two_factor.new_enrolment(email=user.email, issuer="Agence")
    codes = two_factor.enable(
        session=session,
        user_id=user.id,
        secret=enrolment.secret,
        code=_code(enrolment.secret, now),
        keep_session_id=keep_session_id,
        now=now,
    )
    return enrolment.secret, codes


def _actions(session, action):
    return session.exec(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_enable_needs_a_right_code_and_keeps_the_secret_encrypted(session):
    user = _tenant(session)
    now = utcnow()
    enrolment = two_factor.new_enrolment(email=user.email, issuer="Agence Démo")
    assert enrolment.uri.startswith("otpauth://totp/")
    assert enrolment.qr_svg_data_uri.startswith("data:image/svg+xml;base64,")
    with pytest.raises(TwoFactorError):
        two_factor.enable(
            session=session, user_id=user.id, secret=enrolment.secret, code="000000", now=now
        )
    codes = two_factor.enable(
        session=session,
        user_id=user.id,
        secret=enrolment.secret,
        code=_code(enrolment.secret, now),
        now=now,
    )
    assert len(codes) == two_factor.RECOVERY_CODE_COUNT == len(set(codes))
    stored = session.get(User, user.id)
    assert stored.totp_secret and enrolment.secret not in stored.totp_secret
    assert two_factor.decrypt_secret(stored.totp_secret, user_id=user.id) == enrolment.secret
    # Bound to its user: copied onto another account, it cannot be read.
    assert two_factor.decrypt_secret(stored.totp_secret, user_id=user.id + 1) is None
    hashes = session.exec(select(RecoveryCode.code_hash)).all()
    assert not any(code.replace("-", "") in hashed for code in codes for hashed in hashes)
    status = two_factor.status(session=session, user_id=user.id)
    assert status.enabled and status.recovery_codes_left == 10 and not status.required
    assert len(_actions(session, "two_factor.enabled")) == 1


def test_login_waits_for_the_code_and_then_opens_a_new_session(session):
    user = _tenant(session)
    now = utcnow()
    secret, _ = _enrolled(session, user, now - timedelta(minutes=5))
    opened = auth.login(session=session, email=user.email, password=PASSWORD)
    assert opened.awaiting_second_factor
    # The pending token opens nothing.
    assert auth.resolve_session(session=session, token=opened.token) is None
    assert _actions(session, "login.password_ok")
    finished = auth.verify_second_factor(
        session=session, token=opened.token, code=_code(secret, now), now=now
    )
    assert not finished.awaiting_second_factor
    assert finished.token != opened.token
    assert auth.resolve_session(session=session, token=finished.token).user_id == user.id
    # The pending session is over: its token cannot be used twice.
    with pytest.raises(auth.SecondFactorRefused):
        auth.verify_second_factor(
            session=session, token=opened.token, code=_code(secret, now), now=now
        )


def test_a_code_works_only_once(session):
    user = _tenant(session)
    now = utcnow()
    secret, _ = _enrolled(session, user, now - timedelta(minutes=5))
    code = _code(secret, now)
    first = auth.login(session=session, email=user.email, password=PASSWORD)
    auth.verify_second_factor(session=session, token=first.token, code=code, now=now)
    second = auth.login(session=session, email=user.email, password=PASSWORD)
    with pytest.raises(auth.SecondFactorRefused) as refused:
        auth.verify_second_factor(session=session, token=second.token, code=code, now=now)
    assert not refused.value.expired


def test_wrong_codes_end_the_pending_login_and_count_against_the_account(session):
    user = _tenant(session)
    now = utcnow()
    _enrolled(session, user, now - timedelta(minutes=5))
    opened = auth.login(session=session, email=user.email, password=PASSWORD, now=now)
    outcomes = []
    for _ in range(5):
        with pytest.raises(auth.SecondFactorRefused) as refused:
            auth.verify_second_factor(session=session, token=opened.token, code="123456", now=now)
        outcomes.append(refused.value.expired)
    assert outcomes == [False, False, False, False, True]
    assert len(_actions(session, "login.second_factor_failure")) == 5
    from extranet_app.services import login_throttle

    assert login_throttle.failures_in_window(session=session, email=user.email, now=now) == 5


def test_throttled_account_refuses_codes_too(session):
    user = _tenant(session)
    now = utcnow()
    secret, _ = _enrolled(session, user, now - timedelta(minutes=5))
    opened = auth.login(session=session, email=user.email, password=PASSWORD, now=now)
    for _ in range(10):
        auth.login(session=session, email=user.email, password="wrong", now=now)
    with pytest.raises(auth.LoginThrottled):
        auth.verify_second_factor(
            session=session, token=opened.token, code=_code(secret, now), now=now
        )


def test_pending_login_expires_after_ten_minutes(session):
    user = _tenant(session)
    now = utcnow()
    secret, _ = _enrolled(session, user, now - timedelta(minutes=5))
    opened = auth.login(session=session, email=user.email, password=PASSWORD)
    later = utcnow() + timedelta(minutes=11)
    with pytest.raises(auth.SecondFactorRefused) as refused:
        auth.verify_second_factor(
            session=session, token=opened.token, code=_code(secret, later), now=later
        )
    assert refused.value.expired


def test_recovery_code_replaces_the_phone_once(session):
    user = _tenant(session)
    now = utcnow()
    _, codes = _enrolled(session, user, now - timedelta(minutes=5))
    opened = auth.login(session=session, email=user.email, password=PASSWORD)
    typed = codes[0].upper().replace("-", " ")  # spaces and case do not matter
    assert auth.verify_second_factor(session=session, token=opened.token, code=typed, now=now)
    again = auth.login(session=session, email=user.email, password=PASSWORD)
    with pytest.raises(auth.SecondFactorRefused):
        auth.verify_second_factor(session=session, token=again.token, code=codes[0], now=now)
    assert two_factor.status(session=session, user_id=user.id).recovery_codes_left == 9
    assert _actions(session, "two_factor.recovery_code_used")


def test_reset_link_login_still_asks_for_the_second_factor(session):
    user = _tenant(session)
    _enrolled(session, user, utcnow())
    opened = auth.open_login_session(session=session, user_id=user.id, via="password_reset")
    assert opened.awaiting_second_factor
    assert auth.resolve_session(session=session, token=opened.token) is None


def test_disable_needs_a_code(session):
    user = _tenant(session)
    now = utcnow()
    secret, _ = _enrolled(session, user, now - timedelta(minutes=5))
    with pytest.raises(TwoFactorError):
        two_factor.disable(session=session, user_id=user.id, code="999999", now=now)
    two_factor.disable(session=session, user_id=user.id, code=_code(secret, now), now=now)
    stored = session.get(User, user.id)
    assert stored.totp_secret is None and stored.totp_enabled_at is None
    assert session.exec(select(RecoveryCode)).all() == []
    assert not auth.login(
        session=session, email=user.email, password=PASSWORD
    ).awaiting_second_factor


def _require_for_staff(session, admin_id):
    admin = session.get(User, admin_id)
    actor = auth._session_user(session=session, user=admin, session_id=0)
    return agency_settings.update_staff_two_factor(session=session, actor=actor, required=True)


def test_admin_must_use_it_before_requiring_it(session):
    settings_row(session=session)
    admin = make_user(session, is_agency=True, is_admin=True)
    session.commit()
    with pytest.raises(SettingsRejected):
        _require_for_staff(session, admin.id)
    _enrolled(session, admin, utcnow())
    assert _require_for_staff(session, admin.id)


def test_required_staff_without_it_lose_the_agency_space_until_they_set_it_up(session):
    settings_row(session=session)
    admin = make_user(session, is_agency=True, is_admin=True)
    staff = make_user(session, is_agency=True, email="staff@example.test")
    session.commit()
    _enrolled(session, admin, utcnow())
    _require_for_staff(session, admin.id)
    opened = auth.login(session=session, email=staff.email, password=PASSWORD)
    assert opened is not None and not opened.awaiting_second_factor
    person = auth.resolve_session(session=session, token=opened.token)
    assert person.second_factor_due
    assert not person.is_agency and not person.is_admin
    assert not person.can_enter(auth.Space.AGENCY)
    assert auth.landing_path(person) == auth.ACCOUNT_PATH
    # A password-only session that sets it up (proving it holds the phone) becomes a staff one;
    # any other session of theirs, password-only, ends.
    elsewhere = auth.login(session=session, email=staff.email, password=PASSWORD)
    now = utcnow()
    secret, _ = _enrolled(
        session, staff, now - timedelta(minutes=5), keep_session_id=person.session_id
    )
    person = auth.resolve_session(session=session, token=opened.token)
    assert person.is_agency and not person.second_factor_due
    assert auth.resolve_session(session=session, token=elsewhere.token) is None
    # Staff cannot switch it off while it is required.
    with pytest.raises(TwoFactorError):
        two_factor.disable(session=session, user_id=staff.id, code=_code(secret, now), now=now)


def test_pending_sessions_are_not_counted_as_live(session):
    user = _tenant(session)
    _enrolled(session, user, utcnow())
    auth.login(session=session, email=user.email, password=PASSWORD)
    pending = session.exec(select(AuthSession)).one()
    assert pending.second_factor_pending
    assert pending.expires_at - pending.created_at == timedelta(minutes=10)
    assert auth.count_live_sessions(session=session, user_id=user.id) == 0
    assert not messaging.is_online(session=session, user_id=user.id, now=utcnow())


def test_wrong_codes_to_switch_it_off_are_throttled_like_logins(session):
    user = _tenant(session)
    now = utcnow()
    secret, _ = _enrolled(session, user, now - timedelta(minutes=5))
    for _ in range(10):
        with pytest.raises(TwoFactorError, match="incorrect"):
            two_factor.disable(session=session, user_id=user.id, code="000000", now=now)
    assert len(_actions(session, "two_factor.code_refused")) == 10
    # Even the right code is refused now, for this account, until the window passes.
    with pytest.raises(TwoFactorError, match="Trop de codes"):
        two_factor.disable(session=session, user_id=user.id, code=_code(secret, now), now=now)
    assert two_factor.status(session=session, user_id=user.id).enabled
