"""Mon compte: the person's password, two-factor authentication and open sessions.

Open to every logged-in person, whatever their space (and to staff whose agency requires a
second factor they have not set up yet: it is where their login lands). The password form
posts natively (api/account_routes); everything else goes through these handlers, each of
which re-reads the session user and acts only on that user's own rows.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import reflex as rx

from extranet_app.api.account_routes import (
    CONFIRMATION_MISMATCH,
    PASSWORD_CHANGED,
    TOO_MANY_TRIES,
)
from extranet_app.api.account_routes import WRONG_CURRENT_PASSWORD as WRONG_CURRENT
from extranet_app.db import session_scope
from extranet_app.services import account_security, auth, messaging, two_factor
from extranet_app.services.agency import get_agency_identity
from extranet_app.services.auth import SessionUser
from extranet_app.services.errors import AccessDenied
from extranet_app.services.formatting import format_datetime
from extranet_app.services.passwords import REJECTION_MESSAGES
from extranet_app.services.security import id_from_reference, opaque_reference
from extranet_app.services.two_factor import TwoFactorError
from extranet_app.states.session import LOGIN_PAGE, SessionState, space_header

_SESSION_REFERENCE = "auth-session"
_PASSWORD_ERRORS = REJECTION_MESSAGES | {
    WRONG_CURRENT: "Mot de passe actuel incorrect.",
    CONFIRMATION_MISMATCH: "Les deux nouveaux mots de passe ne sont pas identiques.",
    TOO_MANY_TRIES: "Trop de tentatives : réessayez dans quelques minutes.",
}


@dataclass(frozen=True)
class AccountView:
    """Everything the page shows, read in one go off the event loop."""

    email: str
    two_factor: two_factor.TwoFactorStatus
    sessions: list[dict[str, Any]]
    email_notifications: bool


def _session_row(item: account_security.OpenSession) -> dict[str, Any]:
    return {
        "reference": opaque_reference(_SESSION_REFERENCE, item.session_id),
        "device": item.device,
        "ip": item.ip or "—",
        "started": format_datetime(item.started_at, separator=" à "),
        "last_seen": format_datetime(item.last_seen_at, separator=" à "),
        "current": item.is_current,
    }


def _load(user: SessionUser) -> AccountView:
    with session_scope() as session:
        return AccountView(
            email=user.email,
            two_factor=two_factor.status(session=session, user_id=user.user_id),
            sessions=[
                _session_row(item)
                for item in account_security.list_sessions(session=session, user=user)
            ],
            email_notifications=messaging.email_notifications_enabled(session=session, user=user),
        )


def _new_enrolment(user: SessionUser) -> two_factor.Enrolment:
    # The QR code is drawn here too: a few milliseconds of CPU, kept off the event loop.
    with session_scope() as session:
        issuer = get_agency_identity(session=session).name
    return two_factor.new_enrolment(email=user.email, issuer=issuer)


def _in_session(function, /, **arguments: Any) -> Any:
    with session_scope() as session:
        return function(session=session, **arguments)


def _password(form_data: Any) -> str:
    # Read from the event only, checked off the event loop, never kept in a state var.
    value = form_data.get("current_password", "") if isinstance(form_data, dict) else ""
    return value[:200] if isinstance(value, str) else ""


def _digits(form_data: Any, name: str = "code") -> str:
    value = form_data.get(name, "") if isinstance(form_data, dict) else ""
    return value[:40] if isinstance(value, str) else ""


class AccountState(SessionState):
    """The account page of the logged-in person (never during an Aperçu: it is theirs only)."""

    email: str = ""
    back_path: str = ""
    password_message: str = ""
    password_error: str = ""
    sessions: list[dict[str, Any]] = []
    two_factor_enabled: bool = False
    two_factor_since: str = ""
    two_factor_required: bool = False
    second_factor_due: bool = False
    recovery_codes_left: int = 0
    # The setup in progress: the QR code and the secret to type by hand. The secret the server
    # will store is the backend var's: the browser can read it, never choose it.
    enrol_qr: str = ""
    enrol_secret: str = ""
    enrol_error: str = ""
    _enrol_secret: str = ""
    # Recovery codes, shown once right after they are made.
    recovery_codes: list[str] = []
    two_factor_error: str = ""
    email_notifications: bool = True

    async def _owner(self) -> SessionUser | None:
        """The person whose account this is; an Aperçu never reaches it."""
        if self._preview_user_id is not None:
            return None
        return await self._session_user()

    @rx.event
    async def load(self):
        user = await self._owner()
        if user is None:
            await self._forget_everything()
            return rx.redirect(LOGIN_PAGE)
        self.user_name = user.display_name
        self._show_branding(await asyncio.to_thread(space_header, None, None))
        self.second_factor_due = user.second_factor_due
        self.back_path = "" if user.second_factor_due else auth.landing_path(user)
        self._read_password_outcome()
        self.recovery_codes = []
        self._cancel_enrolment()
        await self._refresh(user)
        return None

    def _read_password_outcome(self) -> None:
        query = parse_qs(self.router.url.query)
        success = query.get("succes", [""])[0]
        error = query.get("erreur", [""])[0]
        self.password_message = (
            "Mot de passe modifié. Vos autres sessions ont été fermées."
            if success == PASSWORD_CHANGED
            else ""
        )
        self.password_error = _PASSWORD_ERRORS.get(error, "")

    async def _refresh(self, user: SessionUser) -> None:
        view = await asyncio.to_thread(_load, user)
        self.email = view.email
        self.sessions = view.sessions
        self.email_notifications = view.email_notifications
        status = view.two_factor
        self.two_factor_enabled = status.enabled
        self.two_factor_since = format_datetime(status.enabled_at, separator=" à ")
        self.two_factor_required = status.required
        self.recovery_codes_left = status.recovery_codes_left

    # --- sessions -------------------------------------------------------------------------

    @rx.event
    async def end_session(self, reference: str):
        user = await self._owner()
        session_id = id_from_reference(_SESSION_REFERENCE, reference)
        if user is None or session_id is None:
            return rx.toast.error("Session introuvable.")
        if session_id == user.session_id:
            return rx.toast.info("Pour fermer cette session-ci, déconnectez-vous.")
        ended = await asyncio.to_thread(
            _in_session, account_security.end_session, user=user, session_id=session_id
        )
        await self._refresh(user)
        return rx.toast.success("Session fermée.") if ended else rx.toast.error("Déjà fermée.")

    @rx.event
    async def end_other_sessions(self):
        user = await self._owner()
        if user is None:
            return rx.toast.error("Session expirée : reconnectez-vous.")
        count = await asyncio.to_thread(_in_session, account_security.end_other_sessions, user=user)
        await self._refresh(user)
        return rx.toast.success(
            f"{count} autre(s) session(s) fermée(s)." if count else "Aucune autre session ouverte."
        )

    # --- e-mail notifications -----------------------------------------------------------

    @rx.event
    async def set_email_notifications(self, enabled: bool):
        user = await self._owner()
        if user is None or not isinstance(enabled, bool):
            return rx.toast.error("Session expirée : reconnectez-vous.")
        await asyncio.to_thread(
            _in_session, messaging.set_email_notifications, user=user, enabled=enabled
        )
        self.email_notifications = enabled
        return rx.toast.success(
            "Notifications par e-mail activées." if enabled else "Notifications désactivées."
        )

    # --- two-factor -----------------------------------------------------------------------

    @rx.event
    async def start_enrolment(self):
        user = await self._owner()
        if user is None:
            return rx.toast.error("Session expirée : reconnectez-vous.")
        enrolment = await asyncio.to_thread(_new_enrolment, user)
        self._enrol_secret = enrolment.secret
        self.enrol_qr = enrolment.qr_svg_data_uri
        self.enrol_secret = two_factor.grouped_secret(enrolment.secret)
        self.enrol_error = ""
        return None

    def _cancel_enrolment(self) -> None:
        self._enrol_secret = ""
        self.enrol_qr = ""
        self.enrol_secret = ""
        self.enrol_error = ""

    @rx.event
    def cancel_enrolment(self):
        self._cancel_enrolment()

    @rx.event
    async def confirm_enrolment(self, form_data: dict):
        user = await self._owner()
        if user is None or not self._enrol_secret:
            return rx.toast.error("Recommencez l'activation.")
        try:
            codes = await asyncio.to_thread(
                _in_session,
                account_security.switch_on_two_factor,
                user=user,
                secret=self._enrol_secret,
                code=_digits(form_data),
                current_password=_password(form_data),
                ip=self.router.session.client_ip,
            )
        except TwoFactorError as refused:
            self.enrol_error = refused.message
            return None
        except account_security.WrongPassword:
            self.enrol_error = "Mot de passe actuel incorrect."
            return None
        except auth.LoginThrottled:
            self.enrol_error = "Trop de tentatives : réessayez dans quelques minutes."
            return None
        except AccessDenied:
            return rx.toast.error("Action impossible.")
        self._cancel_enrolment()
        self.recovery_codes = codes
        user = await self._owner()  # staff whose agency requires it get their space back now
        if user is None:
            return rx.toast.error("Session expirée : reconnectez-vous.")
        self.second_factor_due = user.second_factor_due
        self.back_path = auth.landing_path(user)
        await self._refresh(user)
        return rx.toast.success("Double authentification activée.")

    @rx.event
    async def disable(self, form_data: dict):
        user = await self._owner()
        if user is None:
            return rx.toast.error("Session expirée : reconnectez-vous.")
        return await self._with_code(
            user, account_security.switch_off_two_factor, form_data, "désactivée"
        )

    @rx.event
    async def regenerate_recovery_codes(self, form_data: dict):
        user = await self._owner()
        if user is None:
            return rx.toast.error("Session expirée : reconnectez-vous.")
        return await self._with_code(
            user, two_factor.regenerate_recovery_codes, form_data, "codes de secours renouvelés"
        )

    async def _with_code(self, user: SessionUser, function, form_data: dict, done: str):
        try:
            codes = await asyncio.to_thread(
                _in_session, function, user_id=user.user_id, code=_digits(form_data)
            )
        except TwoFactorError as refused:
            self.two_factor_error = refused.message
            return None
        except AccessDenied:
            return rx.toast.error("Action impossible.")
        self.two_factor_error = ""
        self.recovery_codes = codes or []
        await self._refresh(user)
        return rx.toast.success(f"Double authentification : {done}.")

    @rx.event
    def hide_recovery_codes(self):
        self.recovery_codes = []
