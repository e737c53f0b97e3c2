"""An ASGI wrapper around the whole backend: safe response headers, Reflex's upload folder closed.

Reflex serves `GET /_upload/<file>` publicly, without any login, as soon as an upload component
exists; documents live elsewhere (private storage, authenticated route), so that door stays shut.
Reflex also buffers `POST /_upload` whole, with no size limit of its own: the wrapper refuses a
body larger than the upload limit allows (413) before a byte of it is read.

Content-Security-Policy: the pages (the compiled frontend, served by the backend in production)
get a policy that allows what Reflex needs and nothing else: scripts from this origin plus the
exact inline scripts of the page (their SHA-256 is computed from the HTML being sent, so an
injected script does not run), `eval` (Reflex runs `rx.call_script` code with it), inline styles
(Radix and emotion), the backend origin for the websocket, uploads, images and form posts. Every
other response (downloads, images, JSON) gets `default-src 'none'`: nothing in it can run.
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from reflex.config import get_config
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from extranet_app.services.uploads import MAX_FILES_PER_UPLOAD
from extranet_app.settings import get_settings

_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    # Not "same-origin": that policy makes browsers send "Origin: null" on a form posted to a
    # backend on another origin (another port in development), and the login route refuses it.
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
]
# Downloads, images, JSON and error texts: a browser that opens one directly runs nothing.
NON_PAGE_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
_PATHSEND = "http.response.pathsend"
_PUBLIC_UPLOAD_PREFIX = "/_upload/"
_UPLOAD_PATH = "/_upload"
# Responses of these paths concern one signed-in person: never kept by a browser or a proxy.
_PRIVATE_PREFIXES = ("/api/", "/_upload")
# Room for the multipart boundaries and the form's other fields around the files.
_MULTIPART_OVERHEAD_BYTES = 1024 * 1024
_INLINE_SCRIPT = re.compile(rb"<script\b([^>]*)>(.*?)</script\s*>", re.DOTALL | re.IGNORECASE)
_SCRIPT_SRC_ATTRIBUTE = re.compile(rb"\ssrc\s*=", re.IGNORECASE)


def upload_body_limit() -> int:
    """The largest upload request accepted: every file at its maximum size, plus the envelope."""
    return get_settings().upload_max_bytes * MAX_FILES_PER_UPLOAD + _MULTIPART_OVERHEAD_BYTES


def _origins(url: str) -> list[str]:
    """The HTTP origin of `url` and its websocket twin, e.g. http://h:8000 and ws://h:8000."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return []
    socket_scheme = "wss" if parts.scheme == "https" else "ws"
    return [f"{parts.scheme}://{parts.netloc}", f"{socket_scheme}://{parts.netloc}"]


def inline_script_hashes(html: bytes) -> list[str]:
    """The CSP source ('sha256-…') of each inline script of a page, in order, without repeats."""
    hashes: list[str] = []
    for attributes, body in _INLINE_SCRIPT.findall(html):
        if _SCRIPT_SRC_ATTRIBUTE.search(attributes):
            continue
        digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
        source = f"'sha256-{digest}'"
        if source not in hashes:
            hashes.append(source)
    return hashes


def configured_backend_url() -> str:
    """Where the pages reach the backend (Reflex's api_url: the public address in production)."""
    return get_config().api_url


def page_policy(script_hashes: list[str] | None, backend_url: str) -> str:
    """The Content-Security-Policy of a page; None hashes (unreadable page) allow inline scripts."""
    backend = _origins(backend_url)
    http_backend = backend[:1]
    inline = script_hashes if script_hashes is not None else ["'unsafe-inline'"]
    directives = {
        "default-src": ["'self'"],
        # 'unsafe-eval': Reflex runs the code of rx.call_script with eval().
        "script-src": ["'self'", "'unsafe-eval'", *inline],
        # Radix Themes and emotion write style elements and style attributes at run time.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *http_backend],
        "font-src": ["'self'", "data:"],
        # The websocket (/_event), uploads (/_upload) and the API live on the backend origin.
        "connect-src": ["'self'", *backend],
        "form-action": ["'self'", *http_backend],
        "frame-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(
        f"{name} {' '.join(dict.fromkeys(values))}" for name, values in directives.items()
    )


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


def _readable_html(body: bytes, encoding: bytes | None) -> bytes | None:
    """The page's HTML, decompressed if need be; None when it cannot be read here."""
    if encoding in (None, b"", b"identity"):
        return body
    if encoding.lower() == b"gzip":
        try:
            return gzip.decompress(body)
        except (OSError, EOFError):
            return None
    return None


def _extra_headers(
    headers: list[tuple[bytes, bytes]], *, policy: str, no_store: bool
) -> list[tuple[bytes, bytes]]:
    """The security headers missing from `headers` (a route's own choice wins)."""
    wanted = [*_SECURITY_HEADERS, (b"content-security-policy", policy.encode())]
    if no_store:
        wanted.append((b"cache-control", b"no-store"))
    if get_settings().cookie_secure:
        wanted.append((b"strict-transport-security", b"max-age=31536000"))
    present = {name.lower() for name, _ in headers}
    return [(name, value) for name, value in wanted if name not in present]


async def _refuse(send: Send, status: int, text: str) -> None:
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close")]
    headers += _extra_headers(headers, policy=NON_PAGE_POLICY, no_store=True)
    await send({"type": "http.response.start", "status": status, "headers": headers})
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


class _HeaderingSender:
    """Adds the headers to one response; holds an HTML page until its scripts are hashed."""

    def __init__(self, send: Send, path: str, backend_url: Callable[[], str]) -> None:
        self._send = send
        self._path = path
        self._backend_url = backend_url
        self._held_start: Message | None = None
        self._held_body: list[bytes] = []

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            content_type = (_header(headers, b"content-type") or b"").lower()
            if content_type.startswith(b"text/html"):
                self._held_start = {**message, "headers": headers}
                return
            private = self._path.startswith(_PRIVATE_PREFIXES)
            extra = _extra_headers(headers, policy=NON_PAGE_POLICY, no_store=private)
            await self._send({**message, "headers": [*headers, *extra]})
        elif message["type"] == "http.response.body" and self._held_start is not None:
            self._held_body.append(message.get("body", b""))
            if not message.get("more_body", False):
                await self._release_page()
        elif message["type"] == _PATHSEND and self._held_start is not None:
            # Granian's "send this file by path": a page is read here to hash its scripts,
            # then sent as an ordinary body (pages are a few kilobytes).
            page = await asyncio.to_thread(Path(message["path"]).read_bytes)
            self._held_body = [page]
            await self._release_page()
        else:
            await self._send(message)

    async def _release_page(self) -> None:
        start, body = self._held_start, b"".join(self._held_body)
        self._held_start, self._held_body = None, []
        headers = start["headers"]
        html = _readable_html(body, _header(headers, b"content-encoding"))
        hashes = None if html is None else inline_script_hashes(html)
        policy = page_policy(hashes, self._backend_url())
        # The page itself is static, but a stored copy could outlive a logout (back button).
        extra = _extra_headers(headers, policy=policy, no_store=True)
        await self._send({**start, "headers": [*headers, *extra]})
        await self._send({"type": "http.response.body", "body": body})


def harden(app: ASGIApp, *, backend_url: Callable[[], str] = configured_backend_url) -> ASGIApp:
    """Wrap `app`: add the security headers to every HTTP response, refuse public upload reads.

    `backend_url` tells the pages' policy where the backend is (a static server apart from the
    backend, as in the browser-test harness, passes it explicitly).
    """

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
        await app(scope, receive, _HeaderingSender(send, scope["path"], backend_url))

    return hardened
