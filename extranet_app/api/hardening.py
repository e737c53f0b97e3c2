"""An ASGI wrapper around the whole backend: safe response headers, Reflex's upload folder closed.

Reflex serves `GET /_upload/<file>` publicly, without any login, as soon as an upload component
exists; documents live elsewhere (private storage, authenticated route), so that door stays shut.
Reflex also buffers `POST /_upload` whole, with no size limit of its own: the wrapper refuses a
body larger than the upload limit allows (413) before a byte of it is read.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from extranet_app.services.uploads import MAX_FILES_PER_UPLOAD
from extranet_app.settings import get_settings

_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
]
_PUBLIC_UPLOAD_PREFIX = "/_upload/"
_UPLOAD_PATH = "/_upload"
# Room for the multipart boundaries and the form's other fields around the files.
_MULTIPART_OVERHEAD_BYTES = 1024 * 1024


def upload_body_limit() -> int:
    """The largest upload request accepted: every file at its maximum size, plus the envelope."""
    return get_settings().upload_max_bytes * MAX_FILES_PER_UPLOAD + _MULTIPART_OVERHEAD_BYTES


async def _refuse(send: Send, status: int, text: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"connection", b"close"),
                *_SECURITY_HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": text.encode()})


def _upload_size_refusal(scope: Scope) -> tuple[int, str] | None:
    """Why an upload request is refused from its headers alone, or None to let it through."""
    headers = dict(scope.get("headers", []))
    length = headers.get(b"content-length")
    if length is None or not length.isdigit():
        return 411, "Taille de l'envoi manquante."
    if int(length) > upload_body_limit():
        return 413, "Envoi trop volumineux."
    return None


async def _not_found(send: Send) -> None:
    await _refuse(send, 404, "Introuvable.")


def harden(app: ASGIApp) -> ASGIApp:
    """Wrap `app`: add the security headers to every HTTP response, refuse public upload reads."""

    async def hardened(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        if scope["method"] in ("GET", "HEAD") and scope["path"].startswith(_PUBLIC_UPLOAD_PREFIX):
            await _not_found(send)
            return
        if scope["method"] == "POST" and scope["path"].rstrip("/") == _UPLOAD_PATH:
            refusal = _upload_size_refusal(scope)
            if refusal is not None:
                await _refuse(send, *refusal)
                return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in _SECURITY_HEADERS if name not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await app(scope, receive, send_with_headers)

    return hardened
