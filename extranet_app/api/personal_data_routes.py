"""GDPR exports as downloads: GET /api/mes-donnees (the logged-in person's own data) and
GET /api/agence/donnees-personnelles/{kind}/{reference} (agency staff, one person).

The session comes from the HttpOnly cookie, as for documents. Whoever may not have the export
gets the same 404 (a refused staff export is audited by the service); the zip is built off the
event loop.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from extranet_app.api.document_routes import content_disposition
from extranet_app.db import session_scope
from extranet_app.services import auth
from extranet_app.services.errors import AccessDenied
from extranet_app.services.personal_data import (
    PersonalExport,
    export_own_data,
    export_person_data,
)
from extranet_app.services.security import id_from_reference, opaque_reference
from extranet_app.settings import get_settings

OWN_EXPORT_PATH = "/api/mes-donnees"
STAFF_EXPORT_PREFIX = "/api/agence/donnees-personnelles/"
# Which argument of export_person_data each kind of reference names.
_PERSON_KINDS = {"locataire": "tenant_id", "proprietaire": "owner_id", "compte": "user_id"}
_NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def staff_export_path(kind: str, row_id: int) -> str:
    """The agency's download link for one person: kind "locataire", "proprietaire" or "compte"."""
    if kind not in _PERSON_KINDS:
        raise ValueError(f"unknown person kind {kind!r}")
    return f"{STAFF_EXPORT_PREFIX}{kind}/{opaque_reference(f'gdpr-{kind}', row_id)}"


def _own(token: str) -> PersonalExport | None:
    with session_scope() as session:
        user = auth.resolve_session(session=session, token=token)
        return export_own_data(session=session, user=user) if user else None


def _staff(token: str, kind: str, reference: str) -> PersonalExport | None:
    with session_scope() as session:
        user = auth.resolve_session(session=session, token=token)
        row_id = id_from_reference(f"gdpr-{kind}", reference)
        if user is None or row_id is None:
            return None
        try:
            return export_person_data(session=session, actor=user, **{_PERSON_KINDS[kind]: row_id})
        except AccessDenied:
            return None


def _zip(export: PersonalExport | None) -> Response:
    if export is None:
        return PlainTextResponse("Export introuvable.", status_code=404, headers=_NO_STORE)
    return Response(
        export.data,
        media_type="application/zip",
        headers={**_NO_STORE, "Content-Disposition": content_disposition(export.filename)},
    )


async def own_export(request: Request) -> Response:
    """The logged-in person's own data as a zip, or 404 without a session."""
    token = request.cookies.get(get_settings().session_cookie_name, "")
    return _zip(await asyncio.to_thread(_own, token) if token else None)


async def staff_export(request: Request) -> Response:
    """One person's data as a zip for agency staff, or 404."""
    token = request.cookies.get(get_settings().session_cookie_name, "")
    kind, reference = request.path_params["kind"], request.path_params["reference"][:64]
    if not token or kind not in _PERSON_KINDS:
        return _zip(None)
    return _zip(await asyncio.to_thread(_staff, token, kind, reference))


routes = [
    Route(OWN_EXPORT_PATH, own_export, methods=["GET"]),
    Route(STAFF_EXPORT_PREFIX + "{kind}/{reference}", staff_export, methods=["GET"]),
]
