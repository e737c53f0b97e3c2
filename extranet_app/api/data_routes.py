"""CSV exports of the Données screen: a kind's whole list, to agency staff only.

The session comes from the HttpOnly cookie, as for documents. Anyone else gets the same 404
(a logged-in tenant's attempt is audited as refused); the file is built off the event loop.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from extranet_app.api.document_routes import content_disposition
from extranet_app.api.http import client_ip
from extranet_app.db import session_scope
from extranet_app.services import auth
from extranet_app.services.agency_data import export_csv
from extranet_app.services.audit import record_event
from extranet_app.services.data_kinds import EDITABLE_KINDS, DataKind
from extranet_app.services.timekeeping import today_in_france
from extranet_app.settings import get_settings

EXPORT_PREFIX = "/api/agence/export/"
EXPORT_PATH = EXPORT_PREFIX + "{kind}"
_NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def export_path(kind: DataKind) -> str:
    """The route of a kind's CSV export, e.g. /api/agence/export/locataires."""
    return EXPORT_PREFIX + kind.value


def _export(token: str, kind: DataKind, ip: str) -> bytes | None:
    with session_scope() as session:
        user = auth.resolve_session(session=session, token=token)
        if user is None:
            return None
        if not user.is_agency:
            record_event(
                session=session,
                action="data.export_denied",
                actor_user_id=user.user_id,
                target_type="export",
                target_id=kind.value,
                allowed=False,
                ip=ip,
            )
            session.commit()
            return None
        return export_csv(session=session, actor=user, kind=kind)


def _not_found() -> Response:
    return PlainTextResponse("Export introuvable.", status_code=404, headers=_NO_STORE)


async def export(request: Request) -> Response:
    """The CSV of one kind's list (';', UTF-8 with BOM), or 404."""
    token = request.cookies.get(get_settings().session_cookie_name, "")
    name = request.path_params["kind"]
    kind = next((kind for kind in EDITABLE_KINDS if kind.value == name), None)
    if not token or kind is None:
        return _not_found()
    data = await asyncio.to_thread(_export, token, kind, client_ip(request))
    if data is None:
        return _not_found()
    filename = f"{kind.value}-{today_in_france().isoformat()}.csv"
    return Response(
        data,
        media_type="text/csv; charset=utf-8",
        headers={**_NO_STORE, "Content-Disposition": content_disposition(filename)},
    )


routes = [Route(EXPORT_PATH, export, methods=["GET"])]
