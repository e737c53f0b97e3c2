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

from extranet_app.api.auth_routes import LOGIN_ERROR_QUERY, LOGIN_THROTTLED_QUERY, LOGOUT_PATH
from extranet_app.db import session_scope
from extranet_app.services import auth
from extranet_app.services.agency import get_agency_identity
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.errors import AccessDenied
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


def _reopen_preview(staff: SessionUser, target_user_id: int) -> SessionUser | None:
    with session_scope() as session:
        return auth.reopen_preview(session=session, staff=staff, target_user_id=target_user_id)


def _start_preview(staff: SessionUser, target_user_id: int, ip: str) -> SessionUser | None:
    with session_scope() as session:
        try:
            return auth.preview_as(
                session=session, staff=staff, target_user_id=target_user_id, ip=ip
            )
        except AccessDenied:
            return None


def agency_name_now() -> str:
    """The agency's current name, read from its settings (blocking: run it in a thread)."""
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
    is_admin: bool = False  # only decides which links are shown; pages check the role themselves
    # Aperçu: whose space agency staff are looking at in this tab (read-only), and its banner.
    preview_name: str = ""
    _preview_user_id: int | None = None

    async def _session_user(self, space: Space | None = None) -> SessionUser | None:
        """The user of this tab's login session, if it is live and may enter `space`.

        During an Aperçu it is the previewed person, read-only, except in the agency space.
        """
        token = session_token_from(self.router.headers.cookie)
        if not token:
            return None
        user = await asyncio.to_thread(_resolve, token)
        if user is not None and self._preview_user_id is not None and space != Space.AGENCY:
            user = await asyncio.to_thread(_reopen_preview, user, self._preview_user_id)
            if user is None:
                self._end_preview()
        if user is None or (space is not None and not user.can_enter(space)):
            return None
        return user

    def _end_preview(self) -> None:
        self._preview_user_id = None
        self.preview_name = ""

    async def _begin_preview(self, target_user_id: int):
        """Open `target_user_id`'s space read-only in this tab (agency staff only, audited)."""
        staff = await self._session_user(Space.AGENCY)
        if staff is None:
            return rx.toast.error("Action réservée à l'agence.")
        viewed = await asyncio.to_thread(
            _start_preview, staff, target_user_id, self.router.session.client_ip
        )
        if viewed is None or not viewed.spaces:
            return rx.toast.error("Aperçu impossible pour ce compte.")
        self._preview_user_id = target_user_id
        self.preview_name = viewed.display_name
        return rx.redirect(auth.landing_path(viewed))

    @rx.event
    async def exit_preview(self):
        """Leave the Aperçu and go back to the agency space."""
        self._end_preview()
        return rx.redirect(Space.AGENCY.path)

    async def _forget_everything(self) -> None:
        """Empty every var of this tab, so nothing private survives a logout or expiry."""
        root = await self.get_state(rx.State)
        root.reset()

    def _show_header(self, user: SessionUser, space: Space) -> None:
        self.user_name = user.display_name
        self.is_admin = user.is_admin and space == Space.AGENCY
        self.space_label = SPACE_LABELS[space]
        others = [other for other in user.spaces if other != space]
        # Staff do not switch into a personal space from the header; only tenant/owner pairs do.
        switch = others[0] if len(others) == 1 and space != Space.AGENCY else None
        self.other_space_path = switch.path if switch else ""
        self.other_space_label = SPACE_LABELS[switch] if switch else ""

    async def _enter(self, space: Space):
        """Page guard: show the header, or send the visitor where they belong."""
        if space == Space.AGENCY:
            self._end_preview()  # back in the agency space: the Aperçu is over
        user = await self._session_user()
        if user is None:
            await self._forget_everything()
            return rx.redirect(LOGIN_PAGE)
        if not user.can_enter(space):
            return rx.redirect(auth.landing_path(user))
        self._show_header(user, space)
        if not self.agency_name:
            self.agency_name = await asyncio.to_thread(agency_name_now)
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


def login_error_message(query: str) -> str:
    """The French message for the error the login route put in the page's query string."""
    if query == LOGIN_ERROR_QUERY:
        return "Adresse e-mail ou mot de passe incorrect."
    if query.startswith(LOGIN_THROTTLED_QUERY):
        minutes = query.rpartition("minutes=")[2]
        wait = f"{minutes} minute" + ("s" if minutes != "1" else "") if minutes.isdigit() else ""
        return (
            "Trop de tentatives de connexion. Par sécurité, réessayez dans "
            + (wait or "quelques minutes")
            + ", ou choisissez « Mot de passe oublié »."
        )
    return ""


class LoginState(SessionState):
    """The login page: shows the error of a refused attempt, skips the form when logged in."""

    error: str = ""

    @rx.event
    async def on_load(self):
        user = await self._session_user()
        if user is not None:
            return rx.redirect(auth.landing_path(user))
        self.agency_name = await asyncio.to_thread(agency_name_now)
        self.error = login_error_message(self.router.url.query)
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
