"""The HTTP routes of the second login step and of the password change (cookies, redirects)."""

from datetime import timedelta

import pyotp
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from extranet_app.api.account_routes import routes as account_routes
from extranet_app.api.auth_routes import routes as auth_routes
from extranet_app.db import session_scope
from extranet_app.models.base import utcnow
from extranet_app.services import auth, two_factor
from extranet_app.settings import get_settings
from tests.factories import PASSWORD, make_tenant, make_user

FRONTEND = "http://localhost:3000"
NEW_PASSWORD = "Trois chats gris sur le toit"


@pytest.fixture
def client(database_url):
    app = Starlette(routes=[*auth_routes, *account_routes])
    return TestClient(app, base_url="http://localhost:8000")


@pytest.fixture
def tenant(session):
    user = make_user(session, email="camille@example.test")
    make_tenant(session, user=user)
    session.commit()
    return user


def _post(client, path, data):
    return client.post(path, data=data, headers={"origin": FRONTEND}, follow_redirects=False)


def _token(response) -> str:
    name = get_settings().session_cookie_name
    return response.cookies.get(name) or ""


def _enrol(session, user) -> str:
    enrolment = two_factor.new_enrolment(email=user.email, issuer="Agence")
    # Enrolled three steps ago, so that the code of now has not been used.
    earlier = utcnow() - timedelta(seconds=90)
    code = pyotp.TOTP(enrolment.secret).at(earlier)
    two_factor.enable(
        session=session, user_id=user.id, secret=enrolment.secret, code=code, now=earlier
    )
    return enrolment.secret


def _resolve(token):
    with session_scope() as session:
        return auth.resolve_session(session=session, token=token)


def test_login_with_two_factor_goes_to_the_code_page_then_to_the_space(client, session, tenant):
    secret = _enrol(session, tenant)
    first = _post(client, "/api/auth/login", {"email": tenant.email, "password": PASSWORD})
    assert first.headers["location"] == f"{FRONTEND}/connexion/code"
    pending = _token(first)
    assert pending and _resolve(pending) is None
    wrong = _post(client, "/api/auth/code", {"code": "000000"})
    assert wrong.headers["location"] == f"{FRONTEND}/connexion/code?erreur=code"
    right = _post(client, "/api/auth/code", {"code": pyotp.TOTP(secret).now()})
    assert right.headers["location"] == f"{FRONTEND}/locataire"
    token = _token(right)
    assert token != pending and "HttpOnly" in right.headers["set-cookie"]
    assert _resolve(token).user_id == tenant.id


def test_too_many_wrong_codes_send_back_to_the_password(client, session, tenant):
    _enrol(session, tenant)
    _post(client, "/api/auth/login", {"email": tenant.email, "password": PASSWORD})
    locations = [
        _post(client, "/api/auth/code", {"code": "000000"}).headers["location"] for _ in range(5)
    ]
    assert locations[-1] == f"{FRONTEND}/connexion?erreur=expiree"
    assert locations[0].endswith("/connexion/code?erreur=code")


def test_code_without_a_pending_login_is_refused(client, tenant):
    response = _post(client, "/api/auth/code", {"code": "123456"})
    assert response.headers["location"] == f"{FRONTEND}/connexion?erreur=expiree"


def test_password_change_sets_a_new_cookie_and_ends_the_old_session(client, tenant):
    login = _post(client, "/api/auth/login", {"email": tenant.email, "password": PASSWORD})
    old = _token(login)
    changed = _post(
        client,
        "/api/compte/mot-de-passe",
        {
            "current_password": PASSWORD,
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
        },
    )
    assert changed.headers["location"] == f"{FRONTEND}/compte?succes=mot-de-passe-modifie"
    assert _resolve(old) is None
    assert _resolve(_token(changed)).user_id == tenant.id


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"current_password": "wrong", "password": NEW_PASSWORD}, "mot-de-passe-actuel"),
        ({"current_password": PASSWORD, "password": "court"}, "trop-court"),
        ({"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": "x"}, "confirmation"),
    ],
)
def test_password_change_refusals_come_back_as_codes(client, tenant, fields, error):
    login = _post(client, "/api/auth/login", {"email": tenant.email, "password": PASSWORD})
    confirm = fields.pop("confirm", fields["password"])
    response = _post(client, "/api/compte/mot-de-passe", {**fields, "password_confirm": confirm})
    assert response.headers["location"] == f"{FRONTEND}/compte?erreur={error}"
    assert _resolve(_token(login)) is not None


def test_password_change_without_a_session_goes_to_login(client, tenant):
    response = _post(
        client,
        "/api/compte/mot-de-passe",
        {"current_password": PASSWORD, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
    )
    assert response.headers["location"] == f"{FRONTEND}/connexion"
