"""The news picture route: the picture to the item's audience, the same 404 to everyone else."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from extranet_app.api.news_routes import routes
from extranet_app.models import NewsAudience
from extranet_app.models.base import utcnow
from extranet_app.services import auth, news
from extranet_app.services.news import NewsDraft
from extranet_app.settings import get_settings
from tests.factories import PASSWORD, make_lease, make_lot, make_owner, make_tenant, make_user
from tests.test_documents import as_session_user
from tests.test_news import picture, png_bytes


@pytest.fixture
def client(database_url):
    return TestClient(Starlette(routes=routes), base_url="http://localhost:8000")


@pytest.fixture
def items(session):
    staff = as_session_user(make_user(session, email="agence@example.test", is_agency=True))
    tenant = make_tenant(session, user=make_user(session, email="camille@example.test"))
    owner = make_owner(session, user=make_user(session, email="paul@example.test"))
    lot = make_lot(session, owner=owner)
    make_lease(session, lot=lot, tenants=[tenant], start_date=date(2024, 1, 1))
    session.commit()

    def create(title: str, audience: NewsAudience, **fields) -> str:
        draft = NewsDraft(title, "Texte", audience, **fields)
        news_id = news.create_news(session=session, actor=staff, draft=draft, image=picture())
        return news.news_reference(news_id)

    return {
        "owners": create("Propriétaires", NewsAudience.OWNERS),
        "everyone": create("Tous", NewsAudience.EVERYONE),
        "scheduled": create(
            "Plus tard", NewsAudience.EVERYONE, publish_at=utcnow() + timedelta(days=1)
        ),
    }


def _token(session, email: str) -> str:
    return auth.login(session=session, email=email, password=PASSWORD).token


def _get(client, reference: str, token: str | None, space: str = ""):
    client.cookies.clear()
    cookies = {get_settings().session_cookie_name: token} if token else {}
    query = f"?espace={space}" if space else ""
    return client.get(f"/api/news/{reference}/image{query}", cookies=cookies)


def test_owner_gets_the_picture_of_an_owners_item_with_safe_headers(client, session, items):
    response = _get(client, items["owners"], _token(session, "paul@example.test"))
    assert response.status_code == 200
    assert response.content == png_bytes()
    assert response.headers["content-type"] == "image/png"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "no-store" in response.headers["cache-control"]
    assert "sandbox" in response.headers["content-security-policy"]


def test_tenant_never_gets_the_picture_of_an_owners_item(client, session, items):
    token = _token(session, "camille@example.test")
    for space in ("", "locataire", "proprietaire", "agence"):
        response = _get(client, items["owners"], token, space)
        assert response.status_code == 404
    assert _get(client, items["everyone"], token).status_code == 200


def test_scheduled_picture_waits_for_publication_except_for_staff(client, session, items):
    assert _get(client, items["scheduled"], _token(session, "paul@example.test")).status_code == 404
    staff_token = _token(session, "agence@example.test")
    assert _get(client, items["scheduled"], staff_token, "agence").status_code == 200


@pytest.mark.parametrize("reference", ["0" * 32, "../../etc/passwd", "x" * 64])
def test_guessed_references_and_missing_sessions_get_the_same_404(
    client, session, items, reference
):
    token = _token(session, "paul@example.test")
    assert _get(client, reference, token).status_code == 404
    assert _get(client, items["owners"], None).status_code == 404
    assert _get(client, items["owners"], "forged-token").status_code == 404
