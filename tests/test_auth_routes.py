"""The HTTP login and logout routes: the cookie they set, and what they refuse."""

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from extranet_app.api.auth_routes import routes
from extranet_app.db import session_scope
from extranet_app.services import auth
from extranet_app.settings import get_settings
from tests.factories import PASSWORD, make_tenant, make_user

FRONTEND = "http://localhost:3000"


@pytest.fixture
def client(database_url):
    return TestClient(Starlette(routes=routes), base_url="http://localhost:8000")


@pytest.fixture
def tenant_email(session):
    user = make_user(session, email="camille@example.test")
    make_tenant(session, user=user)
    session.commit()
    return user.email


def _post_login(client, email, password, **headers):
    return client.post(
        "/api/auth/login",
        data={"email": email, "password": password},
        headers={"origin": FRONTEND, **headers},
        follow_redirects=False,
    )


def test_login_sets_an_httponly_cookie_and_goes_to_the_space(client, tenant_email):
    response = _post_login(client, tenant_email, PASSWORD)
    assert response.status_code == 303
    assert response.headers["location"] == f"{FRONTEND}/locataire"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{get_settings().session_cookie_name}=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/" in cookie
    assert response.headers["cache-control"] == "no-store"


def test_wrong_password_comes_back_with_the_error_and_no_cookie(client, tenant_email):
    response = _post_login(client, tenant_email, "wrong")
    assert response.status_code == 303
    assert response.headers["location"] == f"{FRONTEND}/connexion?erreur=identifiants"
    assert "set-cookie" not in response.headers


def test_unknown_email_gets_exactly_the_same_answer(client, tenant_email):
    unknown = _post_login(client, "nobody@example.test", PASSWORD)
    wrong = _post_login(client, tenant_email, "wrong")
    assert unknown.status_code == wrong.status_code
    assert unknown.headers["location"] == wrong.headers["location"]


def test_cross_site_post_is_refused(client, tenant_email):
    response = _post_login(client, tenant_email, PASSWORD, origin="https://evil.example")
    assert response.status_code == 403
    assert "set-cookie" not in response.headers


def test_a_file_instead_of_a_field_is_a_failed_login_not_a_crash(client, tenant_email):
    response = client.post(
        "/api/auth/login",
        files={"email": ("x.txt", b"camille@example.test"), "password": ("y.txt", b"x")},
        headers={"origin": FRONTEND},
        follow_redirects=False,
    )
    assert response.headers["location"].endswith("/connexion?erreur=identifiants")


def test_cookie_is_secure_when_the_extranet_is_served_over_https(client, tenant_email, monkeypatch):
    monkeypatch.setenv("PUBLIC_URL", "https://extranet.example.fr")
    get_settings.cache_clear()
    assert "Secure" in _post_login(client, tenant_email, PASSWORD).headers["set-cookie"]


def test_logout_revokes_the_session_and_clears_the_cookie(client, tenant_email):
    token = _post_login(client, tenant_email, PASSWORD).cookies[get_settings().session_cookie_name]
    # Not by a link or a form of another site: the session stays.
    assert client.get("/api/auth/logout", follow_redirects=False).status_code == 405
    foreign = {"origin": "https://evil.example"}
    assert client.post("/api/auth/logout", headers=foreign).status_code == 403
    with session_scope() as session:
        assert auth.resolve_session(session=session, token=token) is not None
    response = client.post("/api/auth/logout", headers={"origin": FRONTEND}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"{FRONTEND}/connexion"
    assert "Max-Age=0" in response.headers["set-cookie"]
    assert response.headers["clear-site-data"] == '"cache"'
    with session_scope() as session:
        assert auth.resolve_session(session=session, token=token) is None
