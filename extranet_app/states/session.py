"""The logged-in user of a browser tab, re-checked against the database on every event.

The login token arrives only in the websocket's request cookies (HttpOnly, set by the HTTP login
route); user ids and roles stay in backend-only `_` attributes. Any handler of any state can be
called by a browser at any time, so every handler that touches private data starts with
`await self._session_user(space)` and gives up when it returns None.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import ClassVar

import reflex as rx

from extranet_app.api.auth_routes import (
    LOGIN_ERROR_QUERY,
    LOGIN_EXPIRED_QUERY,
    LOGIN_THROTTLED_QUERY,
    LOGOUT_PATH,
)
from extranet_app.db import session_scope
from extranet_app.models import AgencySettings
from extranet_app.services import auth
from extranet_app.services.agency import AGENCY_SETTINGS_ID, get_agency_identity, logo_version
from extranet_app.services.audit import record_event
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.errors import AccessDenied
from extranet_app.services.sections import (
    OwnerSection,
    SectionKey,
    TenantSection,
    disabled_sections,
    refuse_if_disabled,
)
from extranet_app.settings import get_settings

LOGIN_PAGE = "/connexion"
SECTION_OFF_MESSAGE = "Cette rubrique n'est pas disponible dans votre espace."
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


@dataclass(frozen=True)
class SpaceHeader:
    """What the frame of a page shows: the agency's branding, the sections hidden to the user."""

    agency_name: str
    brand_color: str
    logo_version: str
    login_welcome_text: str
    hidden_sections: list[str]


def space_header(user: SessionUser | None, space: Space | None) -> SpaceHeader:
    """The branding of the agency and, for a person in `space`, the sections they do not see
    (blocking: run it in a thread)."""
    with session_scope() as session:
        identity = get_agency_identity(session=session)
        row = session.get(AgencySettings, AGENCY_SETTINGS_ID)
        hidden = (
            disabled_sections(session=session, user=user, space=space)
            if user is not None and space is not None
            else frozenset()
        )
        return SpaceHeader(
            agency_name=identity.name,
            brand_color=identity.primary_color,
            logo_version=logo_version(row.logo_key if row else None),
            login_welcome_text=identity.login_welcome_text,
            hidden_sections=sorted(hidden),
        )


def _section_refused(user: SessionUser, section: SectionKey, ip: str) -> bool:
    with session_scope() as session:
        return refuse_if_disabled(session=session, user=user, section=section, ip=ip)


def _journal_refused_space(user: SessionUser, space: Space, ip: str) -> None:
    # A live session calling a handler of a space it may not enter: a forged call, or a typed
    # address; either way the journal keeps it (unauthenticated calls are not journaled).
    with session_scope() as session:
        record_event(
            session=session,
            action="space.refused",
            actor_user_id=user.previewed_by_user_id or user.user_id,
            allowed=False,
            ip=ip,
            detail={"space": space.value},
        )
        session.commit()


_POST_SCRIPT = (
    "(() => { const form = document.createElement('form'); form.method = 'post'; "
    "form.action = %s; document.body.appendChild(form); form.submit(); })()"
)


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
    brand_color: str = ""  # "#rrggbb", checked by the service
    logo_version: str = ""  # "" without a logo
    # The sections of this space the agency turned off for the user: hidden in the navigation.
    hidden_sections: list[str] = []
    # Aperçu: whose space agency staff are looking at in this tab (read-only), and its banner.
    preview_name: str = ""
    _preview_user_id: int | None = None
    # The section of the tenant or owner space a page state serves: when the agency turned it
    # off for the user, every handler of the state is refused as if they were logged out.
    # Declare it with its annotation (`section: ClassVar[SectionKey] = TenantSection.X`); a bare
    # assignment would make it a state var.
    section: ClassVar[SectionKey | None] = None

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
        if user is None:
            return None
        if space is not None and not user.can_enter(space):
            await asyncio.to_thread(
                _journal_refused_space, user, space, self.router.session.client_ip
            )
            return None
        section = self._declared_section()
        if section is not None and await asyncio.to_thread(
            _section_refused, user, section, self.router.session.client_ip
        ):
            return None
        return user

    @classmethod
    def _declared_section(cls) -> SectionKey | None:
        section = cls.section
        if section is not None and not isinstance(section, TenantSection | OwnerSection):
            raise TypeError(f"{cls.__name__}.section must be declared as a ClassVar section key")
        return section

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
            self.hidden_sections = []
            return rx.redirect(auth.landing_path(user))
        self._show_header(user, space)
        self._show_branding(await asyncio.to_thread(space_header, user, space))
        return None

    def _show_branding(self, header: SpaceHeader) -> None:
        self.agency_name = header.agency_name
        self.brand_color = header.brand_color
        self.logo_version = header.logo_version
        self.hidden_sections = header.hidden_sections

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
    async def enter_section(self, space: str, section: str):
        """Page guard of a section, after the space's guard: back to the space's home with a
        message when the agency turned the section off for this user (its handlers refuse
        anyway)."""
        if not isinstance(space, str) or not isinstance(section, str):
            return None
        if section in self.hidden_sections and self.space_label == SPACE_LABELS.get(space):
            return [rx.toast.info(SECTION_OFF_MESSAGE), rx.redirect(Space(space).path)]
        return None

    @rx.event
    async def logout(self):
        """Forget this tab's data, then let the HTTP route revoke the session and the cookie."""
        await self._forget_everything()
        # A full navigation (not client-side routing) by a POST: a link or an image on another
        # site cannot log anyone out (the route refuses GET and foreign origins).
        return rx.call_script(_POST_SCRIPT % json.dumps(_backend_url(LOGOUT_PATH)))


def login_error_message(query: str) -> str:
    """The French message for the error the login route put in the page's query string."""
    if query == LOGIN_ERROR_QUERY:
        return "Adresse e-mail ou mot de passe incorrect."
    if query == LOGIN_EXPIRED_QUERY:
        return (
            "Connexion interrompue (délai dépassé ou trop de codes erronés) : saisissez de "
            "nouveau votre mot de passe."
        )
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
    welcome_text: str = ""

    @rx.event
    async def on_load(self):
        user = await self._session_user()
        if user is not None:
            return rx.redirect(auth.landing_path(user))
        header = await asyncio.to_thread(space_header, None, None)
        self._show_branding(header)
        self.welcome_text = header.login_welcome_text
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
