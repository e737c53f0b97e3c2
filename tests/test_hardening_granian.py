"""The security headers under granian, the production server: files sent by path (pathsend).

Granian offers the ASGI "http.response.pathsend" extension; Starlette's FileResponse (which
serves the built pages in prod mode) then sends the file's path instead of body messages. The
hardening wrapper holds an HTML page's start message until its body is complete, so it must keep
receiving the body: with pathsend, every page answered 500 in prod (found by tests/scale).
"""

from __future__ import annotations

from starlette.responses import FileResponse
from starlette.types import Message

from extranet_app.api.hardening import harden

PATHSEND = "http.response.pathsend"


async def _serve(path: str, file_response: FileResponse) -> list[Message]:
    """Run one GET through the hardened app as granian calls it, offering pathsend."""
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "extensions": {PATHSEND: {}},
    }
    await harden(file_response)(scope, receive, send)
    return sent


def _headers(start: Message) -> dict[bytes, bytes]:
    return {name.lower(): value for name, value in start["headers"]}


async def test_a_built_page_served_by_path_still_starts_with_its_security_headers(tmp_path):
    page = tmp_path / "index.html"
    html = b"<!doctype html><html><head><script>boot()</script></head><body></body></html>"
    page.write_bytes(html)
    sent = await _serve("/connexion/", FileResponse(page, media_type="text/html"))
    assert sent[0]["type"] == "http.response.start"
    headers = _headers(sent[0])
    assert b"content-security-policy" in headers
    assert b"no-store" in headers.get(b"cache-control", b"")
    body = b"".join(m.get("body", b"") for m in sent[1:] if m["type"] == "http.response.body")
    assert body == html


async def test_a_static_asset_served_by_path_arrives_whole_with_its_headers(tmp_path):
    asset = tmp_path / "app.js"
    asset.write_bytes(b"console.log('ok');")
    sent = await _serve("/assets/app.js", FileResponse(asset, media_type="text/javascript"))
    assert sent[0]["type"] == "http.response.start"
    assert b"x-content-type-options" in _headers(sent[0])
    delivered = [m for m in sent[1:] if m["type"] in ("http.response.body", PATHSEND)]
    assert delivered, "the asset was never sent"
