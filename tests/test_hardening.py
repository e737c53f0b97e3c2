"""The ASGI wrapper: security headers on every response, Reflex's public upload folder closed."""

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from extranet_app.api.hardening import harden


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
