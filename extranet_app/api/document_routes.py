"""The one download route of the extranet: a document, to a logged-in person allowed to see it.

The session comes from the HttpOnly cookie; whatever goes wrong (no session, unknown reference,
a document of someone else, a missing file) the answer is the same 404, so nothing is revealed.
"""

from __future__ import annotations

import asyncio
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from extranet_app.api.http import client_ip
from extranet_app.db import session_scope
from extranet_app.services import auth
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.documents import DownloadableDocument, downloadable_document
from extranet_app.settings import get_settings

DOWNLOAD_PREFIX = "/api/documents/"
DOWNLOAD_PATH = DOWNLOAD_PREFIX + "{reference}"
SPACE_QUERY = "espace"
_NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def _space_for(user: SessionUser, requested: str) -> Space | None:
    # Staff may download any document (also from a person's space during an Aperçu).
    if user.is_agency:
        return Space.AGENCY
    if requested in (Space.TENANT.value, Space.OWNER.value):
        return Space(requested)
    # Without a choice, a person who is only tenant or only owner gets their one space.
    personal = [space for space in user.spaces if space != Space.AGENCY]
    return personal[0] if len(personal) == 1 else None


def _find(token: str, reference: str, requested: str, ip: str) -> DownloadableDocument | None:
    with session_scope() as session:
        user = auth.resolve_session(session=session, token=token)
        if user is None:
            return None
        space = _space_for(user, requested)
        if space is None:
            return None
        return downloadable_document(
            session=session, user=user, space=space, reference=reference, ip=ip
        )


def content_disposition(filename: str) -> str:
    """An attachment header that keeps accents (RFC 6266 / RFC 5987) with an ASCII fallback."""
    cleaned = "".join(char for char in filename if char.isprintable() and char not in '"\\/')
    fallback = cleaned.encode("ascii", "replace").decode().replace("?", "_") or "document"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(cleaned, safe='')}"


def _not_found() -> Response:
    return PlainTextResponse("Document introuvable.", status_code=404, headers=_NO_STORE)


async def download(request: Request) -> Response:
    """Send the document named by the reference, or 404."""
    token = request.cookies.get(get_settings().session_cookie_name, "")
    reference = request.path_params["reference"][:64]
    if not token or not reference:
        return _not_found()
    # The session lookup, the visibility query and the audit write block: keep them off the loop.
    found = await asyncio.to_thread(
        _find, token, reference, request.query_params.get(SPACE_QUERY, ""), client_ip(request)
    )
    if found is None:
        return _not_found()
    return FileResponse(
        found.path,
        media_type=found.mime_type,
        headers={**_NO_STORE, "Content-Disposition": content_disposition(found.filename)},
    )


routes = [Route(DOWNLOAD_PATH, download, methods=["GET"])]
