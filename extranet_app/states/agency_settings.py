"""The state of /agence/parametres: every handler re-checks that the user is an administrator.

Buildings are named by opaque references; the section switches by (space, key) pairs checked
against the known sections; no storage key or id reaches the browser.
"""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from extranet_app.db import session_scope
from extranet_app.email.intros import IntroKind
from extranet_app.email.messages import EmailContent
from extranet_app.services import agency_logo, agency_settings, section_settings
from extranet_app.services.agency_logo import LOGO_MAX_BYTES
from extranet_app.services.agency_settings import AgencySettingsView, SettingsRejected
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.errors import AccessDenied
from extranet_app.services.section_settings import BuildingChoice, SectionSwitch
from extranet_app.services.uploads import UploadRefused
from extranet_app.states.session import SessionState

ADMIN_ONLY = "Réservé aux administrateurs de l'agence."
NO_BUILDING = "aucun"  # the picker's "no building chosen" (a select item cannot be empty)


def _run(function, /, user: SessionUser, **arguments: Any) -> Any:
    """Call a settings service with a fresh database session (blocking: run it in a thread)."""
    with session_scope() as session:
        return function(session=session, actor=user, **arguments)


def _building_switches(user: SessionUser, reference: str) -> list[SectionSwitch]:
    property_id = section_settings.building_id(reference)
    if property_id is None:
        return []
    return _run(section_settings.building_switches, user, property_id=property_id)


def _set_section(
    user: SessionUser, space: Any, section: Any, state: Any, reference: str | None, ip: str
) -> bool:
    property_id = None
    if reference is not None:
        property_id = section_settings.building_id(reference)
        if property_id is None:
            raise AccessDenied("Immeuble introuvable.")
    return _run(
        section_settings.set_section,
        user,
        space=space,
        section=section,
        state=state,
        property_id=property_id,
        ip=ip,
    )


def _saved_message(changed: list[str]) -> rx.event.EventSpec:
    if not changed:
        return rx.toast.info("Aucune modification.")
    return rx.toast.success("Enregistré : " + ", ".join(changed) + ".")


class AgencySettingsState(SessionState):
    """Paramètres de l'agence: identity, branding, sections, e-mails and sending."""

    loaded: bool = False
    form_version: int = 0  # changed to re-draw the forms with their saved values
    identity: dict[str, str] = {}
    errors: dict[str, str] = {}
    primary_color: str = ""
    welcome_text: str = ""
    intros: dict[str, str] = {}
    intro_kind: str = IntroKind.INVITATION.value
    intro_draft: str = ""
    preview_subject: str = ""
    preview_text: str = ""
    preview_html: str = ""
    auto_send: bool = False
    max_attempts: int = 8
    retry_delay: int = 1
    staff_two_factor_required: bool = False
    global_switches: list[SectionSwitch] = []
    buildings: list[BuildingChoice] = []
    building: str = NO_BUILDING
    building_switches: list[SectionSwitch] = []
    saving: bool = False

    async def _admin(self) -> SessionUser | None:
        user = await self._session_user(Space.AGENCY)
        if user is None or not user.is_admin or user.read_only:
            return None
        return user

    def _show(self, view: AgencySettingsView) -> None:
        self.identity = dict(view.identity)
        self.primary_color = view.primary_color
        self.welcome_text = view.login_welcome_text
        self.logo_version = view.logo_version
        self.intros = dict(view.intros)
        self.intro_draft = self.intros.get(self.intro_kind, "")
        self.auto_send = view.outbox_auto_send
        self.max_attempts = view.outbox_max_attempts
        self.retry_delay = view.outbox_retry_delay_minutes
        self.staff_two_factor_required = view.staff_two_factor_required
        self.form_version += 1

    async def _reload(self, user: SessionUser) -> None:
        self._show(await asyncio.to_thread(_run, agency_settings.load_settings, user))
        self.global_switches = await asyncio.to_thread(_run, section_settings.global_switches, user)
        if self.building != NO_BUILDING:
            self.building_switches = await asyncio.to_thread(
                _building_switches, user, self.building
            )

    @rx.event
    async def load(self):
        """Page load: administrators see the settings; anyone else goes back to /agence."""
        user = await self._admin()
        if user is None:
            self.loaded = False
            return rx.redirect(Space.AGENCY.path)
        self.errors, self.building, self.building_switches = {}, NO_BUILDING, []
        self.buildings = await asyncio.to_thread(_run, section_settings.list_buildings, user)
        await self._reload(user)
        await self._preview(user)
        self.loaded = True
        return None

    async def _save(self, function, **arguments: Any):
        """Run a saving service; errors go beside their fields, the outcome into a toast."""
        user = await self._admin()
        if user is None:
            return rx.toast.error(ADMIN_ONLY)
        ip = self.router.session.client_ip
        try:
            changed = await asyncio.to_thread(_run, function, user, ip=ip, **arguments)
        except SettingsRejected as rejected:
            self.errors = dict(rejected.errors)
            return rx.toast.error("Vérifiez les champs signalés.")
        except AccessDenied:
            return rx.toast.error(ADMIN_ONLY)
        self.errors = {}
        await self._reload(user)
        return _saved_message(changed)

    @rx.event
    async def save_identity(self, form_data: dict[str, Any]):
        """The identity form was submitted."""
        if not isinstance(form_data, dict):
            return rx.toast.error("Formulaire invalide.")
        return await self._save(agency_settings.update_identity, values=form_data)

    @rx.event
    async def save_branding(self, form_data: dict[str, Any]):
        """The colour and welcome text form was submitted."""
        if not isinstance(form_data, dict):
            return rx.toast.error("Formulaire invalide.")
        return await self._save(
            agency_settings.update_branding,
            primary_color=form_data.get("primary_color"),
            login_welcome_text=form_data.get("login_welcome_text"),
        )

    @rx.event
    async def save_sending(self, form_data: dict[str, Any]):
        """The sending mode and retry policy form was submitted."""
        if not isinstance(form_data, dict):
            return rx.toast.error("Formulaire invalide.")
        return await self._save(
            agency_settings.update_sending,
            auto_send=form_data.get("mode") == "auto",
            max_attempts=_whole_number(form_data.get("max_attempts")),
            retry_delay_minutes=_whole_number(form_data.get("retry_delay")),
        )

    @rx.event
    async def save_staff_two_factor(self, required: bool):
        """The switch requiring two-factor authentication of the staff was flipped."""
        if not isinstance(required, bool):
            return rx.toast.error("Réglage invalide.")
        return await self._save(agency_settings.update_staff_two_factor, required=required)

    # --- Logo --------------------------------------------------------------------------------

    @rx.event
    async def upload_logo(self, files: list[rx.UploadFile]):
        """Check, redraw and store the chosen logo."""
        user = await self._admin()
        if user is None:
            return rx.toast.error(ADMIN_ONLY)
        if not isinstance(files, list) or len(files) != 1:
            return rx.toast.error("Choisissez un fichier (un seul).")
        upload = files[0]
        data = await upload.read(LOGO_MAX_BYTES + 1)
        declared = upload.headers.get("content-type", "") if upload.headers else ""
        try:
            self.logo_version = await asyncio.to_thread(
                _run,
                agency_logo.set_logo,
                user,
                filename=upload.name or "",
                data=data,
                declared_type=declared,
            )
        except UploadRefused as refused:
            return rx.toast.error(str(refused))
        except AccessDenied:
            return rx.toast.error(ADMIN_ONLY)
        return [rx.clear_selected_files("logo-upload"), rx.toast.success("Logo enregistré.")]

    @rx.event
    async def remove_logo(self):
        """Go back to no logo."""
        user = await self._admin()
        if user is None:
            return rx.toast.error(ADMIN_ONLY)
        await asyncio.to_thread(_run, agency_logo.remove_logo, user)
        self.logo_version = ""
        return rx.toast.success("Logo retiré.")

    # --- E-mail introductions ------------------------------------------------------------------

    async def _preview(self, user: SessionUser) -> None:
        try:
            email: EmailContent = await asyncio.to_thread(
                _run,
                agency_settings.preview_email,
                user,
                kind=self.intro_kind,
                text=self.intro_draft,
            )
        except SettingsRejected as rejected:
            self.errors = dict(rejected.errors)
            return
        self.preview_subject, self.preview_text, self.preview_html = (
            email.subject,
            email.text,
            email.html,
        )

    @rx.event
    async def choose_intro(self, kind: str):
        """Edit the introduction of another e-mail kind."""
        user = await self._admin()
        if user is None or kind not in self.intros:
            return None
        self.intro_kind = kind
        self.intro_draft = self.intros[kind]
        self.errors = {}
        self.form_version += 1
        await self._preview(user)
        return None

    @rx.event
    async def set_intro_draft(self, text: str):
        """The introduction being written (checked again when saved)."""
        user = await self._admin()
        if user is None or not isinstance(text, str):
            return
        self.intro_draft = text[:2000]

    @rx.event
    async def preview_intro(self):
        """Show the e-mail with the introduction being written."""
        user = await self._admin()
        if user is None:
            return rx.toast.error(ADMIN_ONLY)
        self.errors = {}
        await self._preview(user)
        return None

    @rx.event
    async def save_intro(self):
        """Save the introduction being written."""
        result = await self._save(
            agency_settings.update_email_intro, kind=self.intro_kind, text=self.intro_draft
        )
        user = await self._admin()
        if user is not None:
            await self._preview(user)
        return result

    @rx.event
    async def restore_intro(self):
        """Go back to the built-in introduction of this e-mail kind."""
        self.intro_draft = ""
        return await self.save_intro()

    # --- Sections -------------------------------------------------------------------------------

    async def _switch(self, space: Any, section: Any, state: Any, reference: str | None):
        user = await self._admin()
        if user is None:
            return rx.toast.error(ADMIN_ONLY)
        ip = self.router.session.client_ip
        try:
            changed = await asyncio.to_thread(
                _set_section, user, space, section, state, reference, ip
            )
        except (ValueError, AccessDenied) as refused:
            return rx.toast.error(str(refused) or ADMIN_ONLY)
        await self._reload(user)
        return rx.toast.success("Rubrique mise à jour.") if changed else None

    @rx.event
    async def set_global_section(self, space: str, section: str, enabled: bool):
        """Turn a section on or off for every building."""
        if type(enabled) is not bool:
            return rx.toast.error("Réglage invalide.")
        state = section_settings.SectionState.ON if enabled else section_settings.SectionState.OFF
        return await self._switch(space, section, state.value, None)

    @rx.event
    async def choose_building(self, reference: str):
        """Show the sections as one building sees them."""
        user = await self._admin()
        if user is None:
            return None
        if reference == NO_BUILDING or section_settings.building_id(reference) is None:
            self.building, self.building_switches = NO_BUILDING, []
            return None
        self.building = reference
        self.building_switches = await asyncio.to_thread(_building_switches, user, reference)
        return None

    @rx.event
    async def set_building_section(self, space: str, section: str, state: str):
        """Choose one building's state of a section (as the general setting, on, or off)."""
        if self.building == NO_BUILDING:
            return rx.toast.error("Choisissez d'abord un immeuble.")
        return await self._switch(space, section, state, self.building)


def _whole_number(value: object) -> int | None:
    """A whole number typed in a form field, or None."""
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 6:
        return int(value.strip())
    return None
