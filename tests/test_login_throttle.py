"""Login throttling: 10 failures per account or 50 per address in 15 minutes lock further tries."""

import time
from datetime import timedelta

import pytest
from sqlmodel import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from extranet_app.api.auth_routes import routes
from extranet_app.models import AuditEvent, LoginAttempt
from extranet_app.models.base import utcnow
from extranet_app.services import auth, login_throttle
from extranet_app.states.session import login_error_message
from tests.factories import PASSWORD, make_tenant, make_user

EMAIL = "camille@example.test"
FRONTEND = "http://localhost:3000"


@pytest.fixture
def tenant(session):
    user = make_user(session, email=EMAIL)
    make_tenant(session, user=user)
    session.commit()
    return user


def _fail(session, times, *, email=EMAIL, ip="203.0.113.7", now):
    for _ in range(times):
        assert auth.login(session=session, email=email, password="faux", ip=ip, now=now) is None


def test_ten_failures_lock_the_account_even_for_the_right_password(session, tenant):
    now = utcnow()
    _fail(session, 10, now=now)
    with pytest.raises(auth.LoginThrottled) as refused:
        auth.login(session=session, email=EMAIL, password=PASSWORD, ip="198.51.100.1", now=now)
    assert refused.value.minutes_left == 15
    throttled = session.exec(select(AuditEvent).where(AuditEvent.action == "login.throttled"))
    assert len(throttled.all()) == 1


def test_nine_failures_do_not_lock(session, tenant):
    now = utcnow()
    _fail(session, 9, now=now)
    assert auth.login(session=session, email=EMAIL, password=PASSWORD, now=now) is not None


def test_the_lock_ends_when_the_window_has_passed(session, tenant):
    start = utcnow()
    _fail(session, 10, now=start)
    with pytest.raises(auth.LoginThrottled):
        auth.login(
            session=session, email=EMAIL, password=PASSWORD, now=start + timedelta(minutes=14)
        )
    later = start + timedelta(minutes=15, seconds=1)
    assert auth.login(session=session, email=EMAIL, password=PASSWORD, now=later) is not None


def test_refused_tries_do_not_extend_the_lock(session, tenant):
    start = utcnow()
    _fail(session, 10, now=start)
    for minute in range(1, 15):
        with pytest.raises(auth.LoginThrottled):
            auth.login(
                session=session,
                email=EMAIL,
                password="faux",
                now=start + timedelta(minutes=minute),
            )
    later = start + timedelta(minutes=15, seconds=1)
    assert auth.login(session=session, email=EMAIL, password=PASSWORD, now=later) is not None


def test_a_success_does_not_erase_earlier_failures_but_they_age_out(session, tenant):
    start = utcnow()
    _fail(session, 5, now=start)
    assert auth.login(session=session, email=EMAIL, password=PASSWORD, now=start) is not None
    _fail(session, 5, now=start + timedelta(minutes=10))
    with pytest.raises(auth.LoginThrottled):
        auth.login(
            session=session, email=EMAIL, password=PASSWORD, now=start + timedelta(minutes=11)
        )
    # The first five leave the window at 15 minutes: five failures left, under the limit.
    after = start + timedelta(minutes=15, seconds=1)
    assert auth.login(session=session, email=EMAIL, password=PASSWORD, now=after) is not None


def test_unknown_accounts_are_locked_exactly_like_real_ones(session, tenant):
    now = utcnow()
    _fail(session, 10, email="personne@example.test", now=now)
    with pytest.raises(auth.LoginThrottled) as refused:
        auth.login(session=session, email="personne@example.test", password=PASSWORD, now=now)
    assert refused.value.minutes_left == 15


def test_one_address_has_a_budget_across_accounts(session, tenant):
    now = utcnow()
    for number in range(50):
        _fail(session, 1, email=f"essai{number}@example.test", ip="192.0.2.9", now=now)
    with pytest.raises(auth.LoginThrottled):
        auth.login(session=session, email=EMAIL, password=PASSWORD, ip="192.0.2.9", now=now)
    # The account itself is not locked: from elsewhere its owner still gets in.
    assert auth.login(session=session, email=EMAIL, password=PASSWORD, ip="198.51.100.4", now=now)


def test_the_e_mail_typed_is_never_stored_in_clear(session, tenant):
    _fail(session, 1, email="Attaquant@Example.test", now=utcnow())
    attempt = session.exec(select(LoginAttempt)).one()
    assert "attaquant" not in attempt.account_key.lower()
    assert attempt.account_key == login_throttle.account_key("attaquant@example.test")


def test_old_attempts_are_purged(session, tenant):
    start = utcnow()
    _fail(session, 3, now=start)
    _fail(session, 1, now=start + timedelta(hours=2))
    assert len(session.exec(select(LoginAttempt)).all()) == 1


def test_a_locked_try_costs_as_much_as_a_real_check(session, tenant):
    now = utcnow()
    started = time.perf_counter()
    _fail(session, 10, now=now)
    per_failure = (time.perf_counter() - started) / 10
    started = time.perf_counter()
    with pytest.raises(auth.LoginThrottled):
        auth.login(session=session, email=EMAIL, password=PASSWORD, now=now)
    locked = time.perf_counter() - started
    # Not a speed target: only that the refusal also pays for bcrypt (same order of magnitude).
    assert locked > per_failure / 5


def test_the_login_route_says_to_wait_and_sets_no_cookie(database_url, tenant, session):
    client = TestClient(Starlette(routes=routes), base_url="http://localhost:8000")
    for _ in range(10):
        client.post(
            "/api/auth/login",
            data={"email": EMAIL, "password": "faux"},
            headers={"origin": FRONTEND},
            follow_redirects=False,
        )
    response = client.post(
        "/api/auth/login",
        data={"email": EMAIL, "password": PASSWORD},
        headers={"origin": FRONTEND},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"{FRONTEND}/connexion?erreur=tentatives&minutes=15"
    assert "set-cookie" not in response.headers


def test_the_login_page_explains_the_wait_in_french():
    message = login_error_message("erreur=tentatives&minutes=12")
    assert "Trop de tentatives" in message and "12 minutes" in message
    assert "1 minute," in login_error_message("erreur=tentatives&minutes=1")
    assert login_error_message("erreur=identifiants") == "Adresse e-mail ou mot de passe incorrect."
    assert login_error_message("") == ""
