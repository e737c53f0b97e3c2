"""Login and logout over plain HTTP, so the session cookie can be HttpOnly.

JavaScript cannot set an HttpOnly cookie, so the login form posts natively here; the response
sets the cookie and sends the browser on to its space. The websocket then sees the cookie in its
request headers, server-side only.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from extranet_app.api.http import (
    client_ip,
    foreign_origin_refusal,
    form_text,
    redirect_to_page,
)
from extranet_app.db import session_scope
from extranet_app.services import account_security, auth
from extranet_app.settings import get_settings

LOGIN_PATH = "/api/auth/login"
LOGOUT_PATH = "/api/auth/logout"
SECOND_FACTOR_PATH = "/api/auth/code"
LOGIN_ERROR_QUERY = "erreur=identifiants"
LOGIN_THROTTLED_QUERY = "erreur=tentatives"
# The page asking for the second factor, and what it is told after a refused code.
SECOND_FACTOR_PAGE = "/connexion/code"
WRONG_CODE_QUERY = "erreur=code"
LOGIN_EXPIRED_QUERY = "erreur=expiree"


def _login(
    email: str, password: str, ip: str, user_agent: str
) -> auth.OpenedSession | auth.LoginThrottled | None:
    with session_scope() as session:
        try:
            return auth.login(
                session=session, email=email, password=password, ip=ip, user_agent=user_agent
            )
        except auth.LoginThrottled as throttled:
            return throttled


async def login(request: Request) -> Response:
    """Check the credentials; on success set the session cookie and go to the user's space."""
    if refusal := foreign_origin_refusal(request):
        return refusal
    form = await request.form()
    # bcrypt and the database are slow and blocking: keep them off the event loop.
    opened = await asyncio.to_thread(
        _login,
        form_text(form, "email"),
        form_text(form, "password"),
        client_ip(request),
        request.headers.get("user-agent", ""),
    )
    if isinstance(opened, auth.LoginThrottled):
        return _throttled(opened)
    if opened is None:
        return redirect_to_page(f"/connexion?{LOGIN_ERROR_QUERY}")
    return enter_space(opened)


def _verify_code(
    token: str, code: str, ip: str, user_agent: str
) -> auth.OpenedSession | auth.SecondFactorRefused | auth.LoginThrottled:
    with session_scope() as session:
        try:
            return account_security.finish_login(
                session=session, token=token, code=code, ip=ip, user_agent=user_agent
            )
        except (auth.SecondFactorRefused, auth.LoginThrottled) as refused:
            return refused


async def second_factor(request: Request) -> Response:
    """The code of the phone app (or a recovery code) after the password: the pending session
    in the cookie becomes a real one, under a new token."""
    if refusal := foreign_origin_refusal(request):
        return refusal
    form = await request.form()
    outcome = await asyncio.to_thread(
        _verify_code,
        request.cookies.get(get_settings().session_cookie_name, ""),
        form_text(form, "code"),
        client_ip(request),
        request.headers.get("user-agent", ""),
    )
    if isinstance(outcome, auth.LoginThrottled):
        return _throttled(outcome)
    if isinstance(outcome, auth.SecondFactorRefused):
        if outcome.expired:
            return _forget_cookie(redirect_to_page(f"/connexion?{LOGIN_EXPIRED_QUERY}"))
        return redirect_to_page(f"{SECOND_FACTOR_PAGE}?{WRONG_CODE_QUERY}")
    return enter_space(outcome)


def _throttled(refusal: auth.LoginThrottled) -> Response:
    return redirect_to_page(f"/connexion?{LOGIN_THROTTLED_QUERY}&minutes={refusal.minutes_left}")


def enter_space(opened: auth.OpenedSession) -> Response:
    """Send a freshly logged-in person to their space, carrying the session in the cookie (or,
    when their second factor is still to give, to the page asking for it)."""
    if opened.awaiting_second_factor:
        return with_session_cookie(redirect_to_page(SECOND_FACTOR_PAGE), opened)
    return with_session_cookie(redirect_to_page(auth.landing_path(opened.user)), opened)


def with_session_cookie(response: Response, opened: auth.OpenedSession) -> Response:
    """`response` carrying the session's token in the HttpOnly cookie."""
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
    """Revoke the session, forget the cookie and the page caches, back to the login page
    (POST from the extranet's own pages only: no logging out by a foreign link or form)."""
    if refusal := foreign_origin_refusal(request):
        return refusal
    settings = get_settings()
    await asyncio.to_thread(_logout, request.cookies.get(settings.session_cookie_name, ""))
    response = _forget_cookie(redirect_to_page("/connexion"))
    # Keeps Back from showing a cached private page (applies to this origin).
    response.headers["Clear-Site-Data"] = '"cache"'
    return response


def _forget_cookie(response: Response) -> Response:
    settings = get_settings()
    response.delete_cookie(
        settings.session_cookie_name,
        path="/",
        httponly=True,
        secure=settings.cookie_secure,
        samesite="lax",
    )
    return response


routes = [
    Route(LOGIN_PATH, login, methods=["POST"]),
    Route(LOGOUT_PATH, logout, methods=["POST"]),
    Route(SECOND_FACTOR_PATH, second_factor, methods=["POST"]),
]
