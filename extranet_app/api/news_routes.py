"""The picture of a news item (Actualités), to a logged-in person the item is addressed to.

A news picture is not a Document: the Porte-documents rule (by lease, lot, building, person)
cannot say "every owner", and the picture must follow the item's audience and publication
exactly. So this route asks services/news.py, with the same answer (404) for anything not
allowed, like the document download route.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from extranet_app.db import session_scope
from extranet_app.services import auth
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.news import NewsImage, news_image
from extranet_app.settings import get_settings

NEWS_IMAGE_PREFIX = "/api/news/"
NEWS_IMAGE_SUFFIX = "/image"
NEWS_IMAGE_PATH = NEWS_IMAGE_PREFIX + "{reference}" + NEWS_IMAGE_SUFFIX
SPACE_QUERY = "espace"
_HEADERS = {
    "Cache-Control": "private, no-store",
    "X-Content-Type-Options": "nosniff",
    "Content-Disposition": "inline",
    # Even opened on its own, the answer can never run anything.
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; sandbox",
}


def _space_for(user: SessionUser, requested: str) -> Space | None:
    # Staff see every picture (also while writing a scheduled item); a person, their space's.
    if user.is_agency:
        return Space.AGENCY
    if requested in (Space.TENANT.value, Space.OWNER.value):
        return Space(requested)
    personal = [space for space in user.spaces if space != Space.AGENCY]
    return personal[0] if len(personal) == 1 else None


def _find(token: str, reference: str, requested: str) -> NewsImage | None:
    with session_scope() as session:
        user = auth.resolve_session(session=session, token=token)
        if user is None:
            return None
        space = _space_for(user, requested)
        if space is None:
            return None
        return news_image(session=session, user=user, space=space, reference=reference)


def _not_found() -> Response:
    return PlainTextResponse("Image introuvable.", status_code=404, headers=_HEADERS)


async def picture(request: Request) -> Response:
    """Send the picture of the item named by the reference, or 404."""
    token = request.cookies.get(get_settings().session_cookie_name, "")
    reference = request.path_params["reference"][:64]
    if not token or not reference:
        return _not_found()
    found = await asyncio.to_thread(
        _find, token, reference, request.query_params.get(SPACE_QUERY, "")
    )
    if found is None:
        return _not_found()
    return FileResponse(found.path, media_type=found.mime_type, headers=_HEADERS)


routes = [Route(NEWS_IMAGE_PATH, picture, methods=["GET"])]
