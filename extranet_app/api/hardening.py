"""An ASGI wrapper around the whole backend: safe response headers, Reflex's upload folder closed.

Reflex serves `GET /_upload/<file>` publicly, without any login, as soon as an upload component
exists; documents live elsewhere (private storage, authenticated route), so that door stays shut.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
]
_PUBLIC_UPLOAD_PREFIX = "/_upload/"


async def _not_found(send: Send) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 404,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), *_SECURITY_HEADERS],
        }
    )
    await send({"type": "http.response.body", "body": b"Introuvable."})


def harden(app: ASGIApp) -> ASGIApp:
    """Wrap `app`: add the security headers to every HTTP response, refuse public upload reads."""

    async def hardened(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        if scope["method"] in ("GET", "HEAD") and scope["path"].startswith(_PUBLIC_UPLOAD_PREFIX):
            await _not_found(send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in _SECURITY_HEADERS if name not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await app(scope, receive, send_with_headers)

    return hardened
