"""Activation and password reset over HTTP: the forms post natively, the answer logs in."""

from datetime import timedelta

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from extranet_app.api.password_routes import routes
from extranet_app.db import session_scope
from extranet_app.models.base import utcnow
from extranet_app.services import access_codes, auth
from extranet_app.settings import get_settings
from tests.factories import PASSWORD, make_tenant, make_user

FRONTEND = "http://localhost:3000"
NEW_PASSWORD = "trois pommes vertes sur la table"


@pytest.fixture
def client(database_url):
    return TestClient(Starlette(routes=routes), base_url="http://localhost:8000")


@pytest.fixture
def enrolled(session):
    """A tenant enrolled but not yet activated, with a fresh access code."""
    user = make_user(session, email="camille@example.test", password=None)
    make_tenant(session, user=user)
    code = access_codes.issue_access_code(session=session, user=user)
    session.commit()
    return code


def _post(client, path, **fields):
    return client.post(path, data=fields, headers={"origin": FRONTEND}, follow_redirects=False)


def _activate(client, **fields):
    return _post(client, "/api/auth/activation", **fields)


def test_activation_link_sets_the_password_and_logs_in(client, enrolled):
    response = _activate(
        client, token=enrolled.token, password=NEW_PASSWORD, password_confirm=NEW_PASSWORD
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"{FRONTEND}/locataire"
    assert "HttpOnly" in response.headers["set-cookie"]
    with session_scope() as session:
        user = auth.authenticate(
            session=session, email="camille@example.test", password=NEW_PASSWORD
        )
    assert user is not None and user.activated_at is not None


def test_typed_email_and_code_activate_too(client, enrolled):
    response = _activate(
        client,
        email="Camille@Example.test",
        short_code=enrolled.short_code.lower().replace("-", " "),
        password=NEW_PASSWORD,
        password_confirm=NEW_PASSWORD,
    )
    assert response.headers["location"] == f"{FRONTEND}/locataire"


def test_a_code_works_once(client, enrolled):
    fields = {"token": enrolled.token, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    _activate(client, **fields)
    again = _activate(client, **fields)
    assert again.headers["location"].endswith("erreur=used")
    assert "set-cookie" not in again.headers


def test_mismatched_confirmation_comes_back_to_the_link(client, enrolled):
    response = _activate(
        client, token=enrolled.token, password=NEW_PASSWORD, password_confirm="autre chose"
    )
    assert response.headers["location"] == (
        f"{FRONTEND}/activation?jeton={enrolled.token}&erreur=confirmation"
    )


@pytest.mark.parametrize(
    ("password", "reason"),
    [("court", "trop-court"), ("motdepasse1234", "trop-courant"), ("é" * 37, "trop-long")],
)
def test_a_refused_password_says_why_and_keeps_the_code(client, enrolled, password, reason):
    response = _activate(client, token=enrolled.token, password=password, password_confirm=password)
    assert response.headers["location"].endswith(f"erreur={reason}")
    ok = _activate(
        client, token=enrolled.token, password=NEW_PASSWORD, password_confirm=NEW_PASSWORD
    )
    assert ok.headers["location"] == f"{FRONTEND}/locataire"


def test_expired_code_is_refused(client, session):
    user = make_user(session, email="late@example.test", password=None)
    make_tenant(session, user=user)
    days = get_settings().access_code_valid_days
    code = access_codes.issue_access_code(
        session=session, user=user, now=utcnow() - timedelta(days=days, seconds=1)
    )
    session.commit()
    response = _activate(
        client, token=code.token, password=NEW_PASSWORD, password_confirm=NEW_PASSWORD
    )
    assert response.headers["location"].endswith("erreur=expired")


def test_cross_site_activation_is_refused(client, enrolled):
    response = client.post(
        "/api/auth/activation",
        data={"token": enrolled.token, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
        headers={"origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert response.status_code == 403


def test_reset_link_changes_the_password_and_ends_other_sessions(client, session):
    user = make_user(session, email="paul@example.test")
    make_tenant(session, user=user)
    session.commit()
    with session_scope() as scoped:
        old = auth.login(session=scoped, email=user.email, password=PASSWORD).token
    link = access_codes.issue_password_reset_token(session=session, user=user)
    session.commit()
    response = _post(
        client,
        "/api/auth/nouveau-mot-de-passe",
        token=link.token,
        password=NEW_PASSWORD,
        password_confirm=NEW_PASSWORD,
    )
    assert response.headers["location"] == f"{FRONTEND}/locataire"
    with session_scope() as scoped:
        assert auth.resolve_session(session=scoped, token=old) is None
        assert auth.authenticate(session=scoped, email=user.email, password=NEW_PASSWORD)
