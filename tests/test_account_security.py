"""A person's own sessions and password (services/account_security)."""

from dataclasses import replace
from datetime import timedelta

import pyotp
import pytest
from sqlmodel import select

from extranet_app.models import AuditEvent, OutboxEmail, User
from extranet_app.models.base import utcnow
from extranet_app.services import account_security, auth, two_factor
from extranet_app.services.account_security import WrongPassword, describe_device
from extranet_app.services.errors import AccessDenied
from extranet_app.services.passwords import PasswordRejected
from tests.factories import PASSWORD, make_tenant, make_user

PHONE = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Mobile Safari/537.36"
)
LAPTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
NEW_PASSWORD = "Trois chats gris sur le toit"


def _person(session, email):
    user = make_user(session, email=email)
    make_tenant(session, user=user)
    session.commit()
    return user


def _log_in(session, user, agent=LAPTOP):
    opened = auth.login(session=session, email=user.email, password=PASSWORD, user_agent=agent)
    return opened, auth.resolve_session(session=session, token=opened.token)


def test_lists_only_ones_own_live_sessions_current_first(session):
    camille = _person(session, "camille@example.test")
    other = _person(session, "other@example.test")
    _log_in(session, camille, PHONE)
    _, me = _log_in(session, camille, LAPTOP)
    _log_in(session, other)
    listed = account_security.list_sessions(session=session, user=me)
    assert [item.device for item in listed] == ["Firefox sur Windows", "Chrome sur Android"]
    assert [item.is_current for item in listed] == [True, False]


def test_ending_a_session_logs_that_browser_out(session):
    camille = _person(session, "camille@example.test")
    phone, _ = _log_in(session, camille, PHONE)
    _, me = _log_in(session, camille)
    phone_id = auth.resolve_session(session=session, token=phone.token).session_id
    assert account_security.end_session(session=session, user=me, session_id=phone_id)
    assert auth.resolve_session(session=session, token=phone.token) is None
    assert len(account_security.list_sessions(session=session, user=me)) == 1


def test_someone_elses_session_cannot_be_ended(session):
    camille = _person(session, "camille@example.test")
    other = _person(session, "other@example.test")
    _, me = _log_in(session, camille)
    theirs, _ = _log_in(session, other)
    their_id = auth.resolve_session(session=session, token=theirs.token).session_id
    assert not account_security.end_session(session=session, user=me, session_id=their_id)
    assert auth.resolve_session(session=session, token=theirs.token) is not None
    refused = session.exec(
        select(AuditEvent).where(AuditEvent.action == "session.ended", ~AuditEvent.allowed)
    ).one()
    assert refused.actor_user_id == camille.id


def test_end_other_sessions_keeps_this_one(session):
    camille = _person(session, "camille@example.test")
    phone, _ = _log_in(session, camille, PHONE)
    current, me = _log_in(session, camille)
    assert account_security.end_other_sessions(session=session, user=me) == 1
    assert auth.resolve_session(session=session, token=phone.token) is None
    assert auth.resolve_session(session=session, token=current.token) is not None


def test_preview_cannot_touch_the_persons_sessions(session):
    camille = _person(session, "camille@example.test")
    _, me = _log_in(session, camille)
    staff = make_user(session, is_agency=True)
    viewed = replace(me, previewed_by_user_id=staff.id)
    with pytest.raises(AccessDenied):
        account_security.end_other_sessions(session=session, user=viewed)
    with pytest.raises(AccessDenied):
        account_security.list_sessions(session=session, user=viewed)


def test_change_password_ends_every_session_and_opens_a_new_one(session):
    camille = _person(session, "camille@example.test")
    phone, _ = _log_in(session, camille, PHONE)
    current, me = _log_in(session, camille)
    opened = account_security.change_password(
        session=session, user=me, current_password=PASSWORD, new_password=NEW_PASSWORD
    )
    assert auth.resolve_session(session=session, token=phone.token) is None
    assert auth.resolve_session(session=session, token=current.token) is None
    assert auth.resolve_session(session=session, token=opened.token).user_id == camille.id
    assert auth.login(session=session, email=camille.email, password=NEW_PASSWORD)
    mail = session.exec(select(OutboxEmail)).one()
    assert mail.to_address == camille.email
    assert NEW_PASSWORD not in (mail.body_text or "") + (mail.body_html or "")


def test_change_password_refusals(session):
    camille = _person(session, "camille@example.test")
    _, me = _log_in(session, camille)
    with pytest.raises(WrongPassword):
        account_security.change_password(
            session=session, user=me, current_password="wrong", new_password=NEW_PASSWORD
        )
    with pytest.raises(PasswordRejected):
        account_security.change_password(
            session=session, user=me, current_password=PASSWORD, new_password="short"
        )
    with pytest.raises(PasswordRejected) as same:
        account_security.change_password(
            session=session, user=me, current_password=PASSWORD, new_password=PASSWORD
        )
    assert same.value.reason == "identique"
    assert session.exec(
        select(AuditEvent).where(AuditEvent.action == "password.check_refused")
    ).one()


def test_change_password_keeps_a_two_factor_login_complete(session):
    camille = _person(session, "camille@example.test")
    now = utcnow() - timedelta(minutes=5)
    enrolment = two_factor.new_enrolment(email=camille.email, issuer="Agence")
    code = pyotp.TOTP(enrolment.secret).at(now)
    two_factor.enable(
        session=session, user_id=camille.id, secret=enrolment.secret, code=code, now=now
    )
    pending = auth.login(session=session, email=camille.email, password=PASSWORD)
    opened = auth.verify_second_factor(
        session=session, token=pending.token, code=pyotp.TOTP(enrolment.secret).now()
    )
    me = auth.resolve_session(session=session, token=opened.token)
    changed = account_security.change_password(
        session=session, user=me, current_password=PASSWORD, new_password=NEW_PASSWORD
    )
    assert not changed.awaiting_second_factor
    assert auth.resolve_session(session=session, token=changed.token) is not None


def test_admin_resets_a_lost_second_factor(session):
    camille = _person(session, "camille@example.test")
    now = utcnow() - timedelta(minutes=5)
    enrolment = two_factor.new_enrolment(email=camille.email, issuer="Agence")
    code = pyotp.TOTP(enrolment.secret).at(now)
    two_factor.enable(
        session=session, user_id=camille.id, secret=enrolment.secret, code=code, now=now
    )
    admin = make_user(session, is_agency=True, is_admin=True)
    staff = make_user(session, is_agency=True)
    session.commit()
    as_staff = auth._session_user(session=session, user=staff, session_id=0)
    with pytest.raises(AccessDenied):
        account_security.reset_two_factor(session=session, actor=as_staff, user_id=camille.id)
    as_admin = auth._session_user(session=session, user=admin, session_id=0)
    account_security.reset_two_factor(session=session, actor=as_admin, user_id=camille.id)
    assert session.get(User, camille.id).totp_enabled_at is None
    assert not auth.login(
        session=session, email=camille.email, password=PASSWORD
    ).awaiting_second_factor


@pytest.mark.parametrize(
    ("agent", "device"),
    [
        (PHONE, "Chrome sur Android"),
        (LAPTOP, "Firefox sur Windows"),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Safari/604.1",
            "Safari sur iPhone",
        ),
        ("Mozilla/5.0 (Windows NT 10.0) Chrome/126.0 Safari/537.36 Edg/126.0", "Edge sur Windows"),
        ("", "Appareil inconnu"),
    ],
)
def test_describe_device(agent, device):
    assert describe_device(agent) == device


def test_switching_two_factor_on_and_off_tells_the_person_by_email(session):
    camille = _person(session, "camille@example.test")
    _, me = _log_in(session, camille)
    enrolment = two_factor.new_enrolment(email=camille.email, issuer="Agence")
    totp = pyotp.TOTP(enrolment.secret)
    two_factor_codes = account_security.switch_on_two_factor(
        session=session,
        user=me,
        secret=enrolment.secret,
        code=totp.now(),
        current_password=PASSWORD,
    )
    assert len(two_factor_codes) == two_factor.RECOVERY_CODE_COUNT
    account_security.switch_off_two_factor(
        session=session, user_id=camille.id, code=two_factor_codes[0]
    )
    subjects = [mail.subject for mail in session.exec(select(OutboxEmail)).all()]
    assert len(subjects) == 2
    assert "activée" in subjects[0] and "désactivée" in subjects[1]


def test_switching_two_factor_on_ends_every_other_session(session):
    camille = _person(session, "camille@example.test")
    elsewhere, _ = _log_in(session, camille, PHONE)  # perhaps someone who has the password
    current, me = _log_in(session, camille)
    enrolment = two_factor.new_enrolment(email=camille.email, issuer="Agence")
    code = pyotp.TOTP(enrolment.secret).now()
    with pytest.raises(WrongPassword):  # a stolen session alone cannot do it
        account_security.switch_on_two_factor(
            session=session, user=me, secret=enrolment.secret, code=code, current_password="x"
        )
    assert not two_factor.status(session=session, user_id=camille.id).enabled
    account_security.switch_on_two_factor(
        session=session, user=me, secret=enrolment.secret, code=code, current_password=PASSWORD
    )
    assert auth.resolve_session(session=session, token=elsewhere.token) is None
    assert auth.resolve_session(session=session, token=current.token) is not None


def test_wrong_current_passwords_count_against_the_login_budget(session):
    camille = _person(session, "camille@example.test")
    _, me = _log_in(session, camille)
    for _ in range(10):
        with pytest.raises(WrongPassword):
            account_security.change_password(
                session=session, user=me, current_password="guess", new_password=NEW_PASSWORD
            )
    with pytest.raises(auth.LoginThrottled):
        account_security.change_password(
            session=session, user=me, current_password=PASSWORD, new_password=NEW_PASSWORD
        )
    # Unchanged, and logging in is throttled too (the same budget).
    assert auth.authenticate(session=session, email=camille.email, password=PASSWORD)
    with pytest.raises(auth.LoginThrottled):
        auth.login(session=session, email=camille.email, password=PASSWORD)


def _with_two_factor(session, user):
    enrolment = two_factor.new_enrolment(email=user.email, issuer="Agence")
    earlier = utcnow() - timedelta(minutes=5)
    return two_factor.enable(
        session=session,
        user_id=user.id,
        secret=enrolment.secret,
        code=pyotp.TOTP(enrolment.secret).at(earlier),
        now=earlier,
    )


def test_a_wrong_code_after_the_right_password_is_told_once(session):
    camille = _person(session, "camille@example.test")
    _with_two_factor(session, camille)
    pending = auth.login(session=session, email=camille.email, password=PASSWORD)
    for _ in range(3):
        with pytest.raises(auth.SecondFactorRefused):
            account_security.finish_login(session=session, token=pending.token, code="000000")
    notices = session.exec(select(OutboxEmail)).all()
    assert [mail.subject.split(" – ")[0] for mail in notices] == [
        "Tentative de connexion à votre compte"
    ]


def test_a_login_with_a_recovery_code_is_told(session):
    camille = _person(session, "camille@example.test")
    codes = _with_two_factor(session, camille)
    pending = auth.login(session=session, email=camille.email, password=PASSWORD)
    account_security.finish_login(session=session, token=pending.token, code=codes[3])
    notices = session.exec(select(OutboxEmail)).all()
    assert [mail.subject.split(" – ")[0] for mail in notices] == ["Code de secours utilisé"]
