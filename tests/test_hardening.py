"""The ASGI wrapper: security headers on every response, Reflex's public upload folder closed."""

from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from extranet_app.api.hardening import harden, upload_body_limit
from extranet_app.settings import get_settings


def _client() -> TestClient:
    async def anything(request):
        return PlainTextResponse("contenu")

    inner = Starlette(routes=[Route("/{path:path}", anything, methods=["GET", "POST"])])
    return TestClient(harden(inner))


def test_every_response_carries_the_security_headers():
    response = _client().get("/connexion")
    assert response.text == "contenu"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["content-security-policy"] == "frame-ancestors 'none'"
    assert response.headers["referrer-policy"] == "same-origin"


def test_public_upload_folder_cannot_be_read():
    client = _client()
    assert client.get("/_upload/bail.pdf").status_code == 404
    assert client.head("/_upload/x/../bail.pdf").status_code == 404
    assert client.get("/_upload/bail.pdf").text == "Introuvable."


@pytest.fixture
def small_upload_limit(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """Files of 1 Ko at most: the request limit becomes ten of them plus the envelope."""
    monkeypatch.setenv("UPLOAD_MAX_BYTES", "1024")
    get_settings.cache_clear()
    yield upload_body_limit()
    get_settings.cache_clear()


def test_an_upload_over_the_body_limit_is_refused_before_it_is_read(small_upload_limit):
    response = _client().post("/_upload", content=b"x" * (small_upload_limit + 1))
    assert response.status_code == 413
    assert response.text == "Envoi trop volumineux."
    # Only the announced length counts: the wrapper answers before reading a byte.
    announced = _client().post(
        "/_upload", content=b"x", headers={"content-length": str(small_upload_limit + 1)}
    )
    assert announced.status_code == 413


def test_an_upload_without_a_content_length_is_refused():
    response = _client().post("/_upload", content=iter([b"%PDF-1.4 ", b"morceaux"]))
    assert response.status_code == 411
    assert response.text == "Taille de l'envoi manquante."


def test_an_upload_within_the_limit_reaches_the_app(small_upload_limit):
    response = _client().post("/_upload", content=b"x" * small_upload_limit)
    assert response.status_code == 200 and response.text == "contenu"
    assert response.headers["x-content-type-options"] == "nosniff"
