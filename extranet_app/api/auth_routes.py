"""Login and logout over plain HTTP, so the session cookie can be HttpOnly.

JavaScript cannot set an HttpOnly cookie, so the login form posts natively here; the response
sets the cookie and sends the browser on to its space. The websocket then sees the cookie in its
request headers, server-side only.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from reflex.config import get_config
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from extranet_app.db import session_scope
from extranet_app.services import auth
from extranet_app.settings import get_settings

LOGIN_PATH = "/api/auth/login"
LOGOUT_PATH = "/api/auth/logout"
LOGIN_ERROR_QUERY = "erreur=identifiants"
_MAX_FIELD_LENGTH = 300


def frontend_url(path: str) -> str:
    """Absolute address of a page (in development the pages are served on another port)."""
    return (get_config().deploy_url or "").rstrip("/") + path


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _is_trusted_origin(request: Request) -> bool:
    """Refuse cross-site form posts (login CSRF); browsers always send Origin on a POST."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    config = get_config()
    return origin in {_origin(config.deploy_url or ""), _origin(config.api_url)}


def _redirect(path: str) -> RedirectResponse:
    response = RedirectResponse(frontend_url(path), status_code=303)
    response.headers["Cache-Control"] = "no-store"
    return response


def _form_text(form, name: str) -> str:
    value = form.get(name)
    return value[:_MAX_FIELD_LENGTH] if isinstance(value, str) else ""


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def _login(email: str, password: str, ip: str, user_agent: str) -> auth.OpenedSession | None:
    with session_scope() as session:
        return auth.login(
            session=session, email=email, password=password, ip=ip, user_agent=user_agent
        )


async def login(request: Request) -> Response:
    """Check the credentials; on success set the session cookie and go to the user's space."""
    if not _is_trusted_origin(request):
        return PlainTextResponse("Origine de la requête refusée.", status_code=403)
    form = await request.form()
    # bcrypt and the database are slow and blocking: keep them off the event loop.
    opened = await asyncio.to_thread(
        _login,
        _form_text(form, "email"),
        _form_text(form, "password"),
        _client_ip(request),
        request.headers.get("user-agent", ""),
    )
    if opened is None:
        return _redirect(f"/connexion?{LOGIN_ERROR_QUERY}")
    response = _redirect(auth.landing_path(opened.user))
    settings = get_settings()
    response.set_cookie(
        settings.session_cookie_name,
        opened.token,
        max_age=opened.max_age_seconds,
        path="/",
        httponly=True,
        secure=settings.cookie_secure,
        samesite="lax",
    )
    return response


def _logout(token: str) -> None:
    with session_scope() as session:
        auth.logout(session=session, token=token)


async def logout(request: Request) -> Response:
    """Revoke the session, forget the cookie and the page caches, back to the login page."""
    settings = get_settings()
    await asyncio.to_thread(_logout, request.cookies.get(settings.session_cookie_name, ""))
    response = _redirect("/connexion")
    response.delete_cookie(
        settings.session_cookie_name,
        path="/",
        httponly=True,
        secure=settings.cookie_secure,
        samesite="lax",
    )
    # Keeps Back from showing a cached private page (applies to this origin).
    response.headers["Clear-Site-Data"] = '"cache"'
    return response


routes = [
    Route(LOGIN_PATH, login, methods=["POST"]),
    Route(LOGOUT_PATH, logout, methods=["GET", "POST"]),
]
