"""The logged-in user of a browser tab, re-checked against the database on every event.

The login token arrives only in the websocket's request cookies (HttpOnly, set by the HTTP login
route); user ids and roles stay in backend-only `_` attributes. Any handler of any state can be
called by a browser at any time, so every handler that touches private data starts with
`await self._session_user(space)` and gives up when it returns None.
"""

from __future__ import annotations

import asyncio
import json
from http.cookies import CookieError, SimpleCookie

import reflex as rx

from extranet_app.api.auth_routes import LOGIN_ERROR_QUERY, LOGOUT_PATH
from extranet_app.db import session_scope
from extranet_app.services import auth
from extranet_app.services.agency import get_agency_identity
from extranet_app.services.auth import SessionUser, Space
from extranet_app.settings import get_settings

LOGIN_PAGE = "/connexion"
SPACE_LABELS = {
    Space.AGENCY: "Espace agence",
    Space.TENANT: "Espace locataire",
    Space.OWNER: "Espace propriétaire",
}


def session_token_from(cookie_header: str) -> str:
    """The login token in a Cookie header, or "" when there is none or the header is malformed."""
    cookies = SimpleCookie()
    try:
        cookies.load(cookie_header or "")
    except CookieError:
        return ""
    morsel = cookies.get(get_settings().session_cookie_name)
    return morsel.value if morsel else ""


def _resolve(token: str) -> SessionUser | None:
    with session_scope() as session:
        return auth.resolve_session(session=session, token=token)


def _agency_name() -> str:
    with session_scope() as session:
        return get_agency_identity(session=session).name


def _backend_url(path: str) -> str:
    return rx.config.get_config().api_url.rstrip("/") + path


class SessionState(rx.State):
    """Header data of the logged-in user; page states inherit the session checks from here."""

    agency_name: str = ""
    user_name: str = ""
    space_label: str = ""
    other_space_path: str = ""
    other_space_label: str = ""

    async def _session_user(self, space: Space | None = None) -> SessionUser | None:
        """The user of this tab's login session, if it is live and may enter `space`."""
        token = session_token_from(self.router.headers.cookie)
        if not token:
            return None
        user = await asyncio.to_thread(_resolve, token)
        if user is None or (space is not None and not user.can_enter(space)):
            return None
        return user

    async def _forget_everything(self) -> None:
        """Empty every var of this tab, so nothing private survives a logout or expiry."""
        root = await self.get_state(rx.State)
        root.reset()

    def _show_header(self, user: SessionUser, space: Space) -> None:
        self.user_name = user.display_name
        self.space_label = SPACE_LABELS[space]
        others = [other for other in user.spaces if other != space]
        # Staff do not switch into a personal space from the header; only tenant/owner pairs do.
        switch = others[0] if len(others) == 1 and space != Space.AGENCY else None
        self.other_space_path = switch.path if switch else ""
        self.other_space_label = SPACE_LABELS[switch] if switch else ""

    async def _enter(self, space: Space):
        """Page guard: show the header, or send the visitor where they belong."""
        user = await self._session_user()
        if user is None:
            await self._forget_everything()
            return rx.redirect(LOGIN_PAGE)
        if not user.can_enter(space):
            return rx.redirect(auth.landing_path(user))
        self._show_header(user, space)
        if not self.agency_name:
            self.agency_name = await asyncio.to_thread(_agency_name)
        return None

    @rx.event
    async def enter_agency_space(self):
        return await self._enter(Space.AGENCY)

    @rx.event
    async def enter_tenant_space(self):
        return await self._enter(Space.TENANT)

    @rx.event
    async def enter_owner_space(self):
        return await self._enter(Space.OWNER)

    @rx.event
    async def logout(self):
        """Forget this tab's data, then let the HTTP route revoke the session and the cookie."""
        await self._forget_everything()
        # A full navigation (not client-side routing), replacing this page in the history.
        return rx.call_script(f"window.location.replace({json.dumps(_backend_url(LOGOUT_PATH))})")


class LoginState(SessionState):
    """The login page: shows the error of a refused attempt, skips the form when logged in."""

    error: str = ""

    @rx.event
    async def on_load(self):
        user = await self._session_user()
        if user is not None:
            return rx.redirect(auth.landing_path(user))
        self.agency_name = await asyncio.to_thread(_agency_name)
        failed = self.router.url.query == LOGIN_ERROR_QUERY
        self.error = "Adresse e-mail ou mot de passe incorrect." if failed else ""
        return None


class SpaceChoiceState(SessionState):
    """The page where a person who is both tenant and owner picks a space."""

    choices: list[dict[str, str]] = []

    @rx.event
    async def on_load(self):
        user = await self._session_user()
        if user is None:
            await self._forget_everything()
            return rx.redirect(LOGIN_PAGE)
        self.user_name = user.display_name
        self.choices = [{"path": space.path, "label": SPACE_LABELS[space]} for space in user.spaces]
        return None
