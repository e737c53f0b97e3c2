"""Changing one's password from the account page, over plain HTTP like the other password forms:
the passwords never travel through the websocket state, and the response sets the new session
cookie (every other session of the person has just ended)."""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from extranet_app.api.auth_routes import with_session_cookie
from extranet_app.api.http import client_ip, foreign_origin_refusal, form_text, redirect_to_page
from extranet_app.db import session_scope
from extranet_app.services import account_security, auth
from extranet_app.services.errors import AccessDenied
from extranet_app.services.passwords import PasswordRejected
from extranet_app.settings import get_settings

# Addresses and query codes, not secrets (ruff S105 reads "PASSWORD" in the names).
CHANGE_PASSWORD_PATH = "/api/compte/mot-de-passe"  # noqa: S105
# What the account page is told, in its query string (never free text).
PASSWORD_CHANGED = "mot-de-passe-modifie"  # noqa: S105
WRONG_CURRENT_PASSWORD = "mot-de-passe-actuel"  # noqa: S105
TOO_MANY_TRIES = "tentatives"
CONFIRMATION_MISMATCH = "confirmation"

Outcome = auth.OpenedSession | str  # the new session, or the reason of the refusal


def _change(token: str, current: str, new: str, ip: str, user_agent: str) -> Outcome | None:
    with session_scope() as session:
        user = auth.resolve_session(session=session, token=token)
        if user is None:
            return None
        try:
            return account_security.change_password(
                session=session,
                user=user,
                current_password=current,
                new_password=new,
                ip=ip,
                user_agent=user_agent,
            )
        except account_security.WrongPassword:
            return WRONG_CURRENT_PASSWORD
        except auth.LoginThrottled:
            return TOO_MANY_TRIES
        except PasswordRejected as refused:
            return refused.reason
        except AccessDenied:
            return None


async def change_password(request: Request) -> Response:
    """Check the current password, set the new one, end every session, open a new one here."""
    if refusal := foreign_origin_refusal(request):
        return refusal
    form = await request.form()
    account_page = auth.ACCOUNT_PATH
    new_password = form_text(form, "password")
    if new_password != form_text(form, "password_confirm"):
        return redirect_to_page(f"{account_page}?{urlencode({'erreur': CONFIRMATION_MISMATCH})}")
    outcome = await asyncio.to_thread(
        _change,
        request.cookies.get(get_settings().session_cookie_name, ""),
        form_text(form, "current_password"),
        new_password,
        client_ip(request),
        request.headers.get("user-agent", ""),
    )
    if outcome is None:
        return redirect_to_page("/connexion")
    if isinstance(outcome, str):
        return redirect_to_page(f"{account_page}?{urlencode({'erreur': outcome})}")
    page = redirect_to_page(f"{account_page}?{urlencode({'succes': PASSWORD_CHANGED})}")
    return with_session_cookie(page, outcome)


routes = [Route(CHANGE_PASSWORD_PATH, change_password, methods=["POST"])]
