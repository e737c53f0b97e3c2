"""GET /api/agence/logo: the agency's current logo, public by design.

The login page shows the logo before anyone logs in, and e-mails link to it, so this route asks
for no session. It serves the current logo and nothing else: no name or key comes from the
request (the `v` query parameter only busts caches), and the bytes are a PNG redrawn from the
pixels of the uploaded file (services/agency_logo.py), sent with nosniff and a sandbox policy.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from extranet_app.db import session_scope
from extranet_app.services.agency import LOGO_PATH
from extranet_app.services.agency_logo import LogoFile, current_logo

_HEADERS = {
    # Short: a new logo carries a new `v` in every page and e-mail that shows it anyway.
    "Cache-Control": "public, max-age=300",
    "X-Content-Type-Options": "nosniff",
    "Content-Disposition": "inline",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; sandbox",
    # The e-mails of the agency show it from the recipients' mail clients.
    "Cross-Origin-Resource-Policy": "cross-origin",
}


def _find() -> LogoFile | None:
    with session_scope() as session:
        return current_logo(session=session)


async def logo(request: Request) -> Response:
    """The current logo, or 404 when the agency has none."""
    found = await asyncio.to_thread(_find)
    if found is None:
        return PlainTextResponse("Pas de logo.", status_code=404, headers=_HEADERS)
    return FileResponse(found.path, media_type=found.mime_type, headers=_HEADERS)


routes = [Route(LOGO_PATH, logo, methods=["GET", "HEAD"])]
