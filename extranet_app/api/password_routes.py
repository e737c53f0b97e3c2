"""Choosing a password over plain HTTP: activation with an access code, and password reset.

Like the login form, these forms post natively so that the password never travels through the
websocket state, and the response can log the person in with the HttpOnly cookie. A refusal
comes back to the page as a short code in the query string, never as free text.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from extranet_app.api.auth_routes import enter_space
from extranet_app.api.http import (
    client_ip,
    foreign_origin_refusal,
    form_text,
    redirect_to_page,
)
from extranet_app.db import session_scope
from extranet_app.services import access_codes, auth
from extranet_app.services.access_codes import AccessCodeError
from extranet_app.services.passwords import PasswordRejected

ACTIVATE_PATH = "/api/auth/activation"
RESET_PATH = "/api/auth/nouveau-mot-de-passe"
ERROR_PARAMETER = "erreur"
CONFIRMATION_MISMATCH = "confirmation"

Outcome = auth.OpenedSession | str  # logged in, or the reason of the refusal


def _set_password_and_log_in(
    change: Callable[..., access_codes.PasswordSet], via: str, ip: str, user_agent: str, **fields
) -> Outcome:
    with session_scope() as session:
        try:
            changed = change(session=session, ip=ip, **fields)
        except AccessCodeError as refused:
            return refused.problem.value
        except PasswordRejected as refused:
            return refused.reason
        opened = auth.open_login_session(
            session=session, user_id=changed.user_id, via=via, ip=ip, user_agent=user_agent
        )
        return opened if opened is not None else access_codes.CodeProblem.ACCOUNT_DISABLED.value


async def _choose_password(
    request: Request, *, page: str, change: Callable, via: str, code_fields: tuple[str, ...]
) -> Response:
    """Shared by both forms: check, set the password off the event loop, log in or go back."""
    if refusal := foreign_origin_refusal(request):
        return refusal
    form = await request.form()
    codes = {name: form_text(form, name) for name in code_fields}
    password = form_text(form, "password")
    back = {"jeton": codes["token"]} if codes.get("token") else {}
    if password != form_text(form, "password_confirm"):
        return redirect_to_page(
            f"{page}?{urlencode({**back, ERROR_PARAMETER: CONFIRMATION_MISMATCH})}"
        )
    outcome = await asyncio.to_thread(
        _set_password_and_log_in,
        change,
        via,
        client_ip(request),
        request.headers.get("user-agent", ""),
        password=password,
        **{name: value for name, value in codes.items() if value},
    )
    if isinstance(outcome, str):
        return redirect_to_page(f"{page}?{urlencode({**back, ERROR_PARAMETER: outcome})}")
    return enter_space(outcome)


async def activate(request: Request) -> Response:
    """Activation: the access code (link token, or e-mail + typed code) and the new password."""
    return await _choose_password(
        request,
        page=access_codes.ACTIVATION_PATH,
        change=access_codes.set_password_from_code,
        via="access_code",
        code_fields=("token", "email", "short_code"),
    )


async def reset(request: Request) -> Response:
    """Password reset: the link's token and the new password."""
    return await _choose_password(
        request,
        page=access_codes.PASSWORD_RESET_PATH,
        change=access_codes.reset_password,
        via="password_reset",
        code_fields=("token",),
    )


routes = [
    Route(ACTIVATE_PATH, activate, methods=["POST"]),
    Route(RESET_PATH, reset, methods=["POST"]),
]
