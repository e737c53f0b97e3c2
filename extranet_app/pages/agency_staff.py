"""/agence/equipe: the agency's staff logins: invite, deactivate, reactivate, change role."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from extranet_app.components.navigation import AGENCY_NAV
from extranet_app.components.shell import space_page
from extranet_app.db import session_scope
from extranet_app.services import staff
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.errors import AccessDenied
from extranet_app.services.staff import StaffRejected, StaffRow
from extranet_app.states.session import SessionState

ROUTE = "/agence/equipe"
ADMIN_ONLY = "Réservé aux administrateurs de l'agence."


def _run(function, /, user: SessionUser, **arguments: Any) -> Any:
    with session_scope() as session:
        return function(session=session, actor=user, **arguments)


def _on_member(function, /, user: SessionUser, reference: str, **arguments: Any) -> Any:
    user_id = staff.staff_id(reference)
    if user_id is None:
        raise AccessDenied("Membre de l'équipe introuvable.")
    return _run(function, user, user_id=user_id, **arguments)


class AgencyStaffState(SessionState):
    """Équipe: the staff list and the invitation form (administrators only)."""

    members: list[StaffRow] = []
    loaded: bool = False
    form_version: int = 0
    invite_error: str = ""

    async def _admin(self) -> SessionUser | None:
        user = await self._session_user(Space.AGENCY)
        if user is None or not user.is_admin or user.read_only:
            self.members = []
            return None
        return user

    async def _refresh(self, user: SessionUser) -> None:
        self.members = await asyncio.to_thread(_run, staff.list_staff, user)

    @rx.event
    async def load(self):
        """Page load: administrators see the team; anyone else goes back to /agence."""
        user = await self._admin()
        if user is None:
            self.loaded = False
            return rx.redirect(Space.AGENCY.path)
        self.invite_error = ""
        await self._refresh(user)
        self.loaded = True
        return None

    @rx.event
    async def invite(self, form_data: dict[str, Any]):
        """Create a colleague's login and put their access code e-mail in the centre d'envoi."""
        user = await self._admin()
        if user is None:
            return rx.toast.error(ADMIN_ONLY)
        if not isinstance(form_data, dict):
            return rx.toast.error("Formulaire invalide.")
        try:
            address = await asyncio.to_thread(
                _run,
                staff.invite_staff,
                user,
                email=form_data.get("email"),
                display_name=form_data.get("name"),
                admin=form_data.get("role") == "admin",
                ip=self.router.session.client_ip,
            )
        except StaffRejected as refused:
            self.invite_error = str(refused)
            return None
        self.invite_error = ""
        self.form_version += 1
        await self._refresh(user)
        return rx.toast.success(
            f"Invitation de {address} transférée au centre d'envoi (code d'accès)."
        )

    async def _change(self, function, reference: Any, done: str, **arguments: Any):
        user = await self._admin()
        if user is None:
            return rx.toast.error(ADMIN_ONLY)
        if not isinstance(reference, str):
            return rx.toast.error("Membre de l'équipe introuvable.")
        try:
            await asyncio.to_thread(
                _on_member,
                function,
                user,
                reference,
                ip=self.router.session.client_ip,
                **arguments,
            )
        except (StaffRejected, AccessDenied) as refused:
            return rx.toast.error(str(refused) or ADMIN_ONLY)
        if await self._admin() is None:  # the admin changed their own account
            return rx.redirect(Space.AGENCY.path)
        await self._refresh(user)
        return rx.toast.success(done)

    @rx.event
    async def deactivate(self, reference: str):
        """End a colleague's access now (their sessions are closed)."""
        return await self._change(
            staff.set_staff_active, reference, "Compte désactivé.", active=False
        )

    @rx.event
    async def reactivate(self, reference: str):
        """Give a colleague their access back."""
        return await self._change(
            staff.set_staff_active, reference, "Compte réactivé.", active=True
        )

    @rx.event
    async def set_role(self, reference: str, role: str):
        """Make a colleague an administrator or a collaborator."""
        if role not in ("admin", "staff"):
            return rx.toast.error("Rôle invalide.")
        return await self._change(
            staff.set_staff_role, reference, "Rôle modifié.", admin=role == "admin"
        )

    @rx.event
    async def reset_two_factor(self, reference: str):
        """A colleague lost their phone: their second factor is switched off, sessions ended."""
        return await self._change(
            staff.reset_staff_two_factor,
            reference,
            "Double authentification réinitialisée : à réactiver à la prochaine connexion.",
        )

    @rx.event
    async def resend(self, reference: str):
        """Queue a new access code for a colleague who has not activated their login."""
        user = await self._admin()
        if user is None:
            return rx.toast.error(ADMIN_ONLY)
        try:
            await asyncio.to_thread(_on_member, staff.resend_invitation, user, reference)
        except (StaffRejected, AccessDenied) as refused:
            return rx.toast.error(str(refused) or ADMIN_ONLY)
        await self._refresh(user)
        return rx.toast.success("Nouveau code d'accès transféré au centre d'envoi.")


def _role_select(member: StaffRow) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(aria_label="Rôle de " + member.name),
        rx.select.content(
            rx.select.item("Administrateur", value="admin"),
            rx.select.item("Collaborateur", value="staff"),
        ),
        value=rx.cond(member.is_admin, "admin", "staff"),
        on_change=lambda role: AgencyStaffState.set_role(member.reference, role),
        size="1",
    )


def _actions(member: StaffRow) -> rx.Component:
    return rx.hstack(
        rx.cond(
            member.status_label == "Invitation envoyée",
            rx.button(
                "Renvoyer le code",
                on_click=AgencyStaffState.resend(member.reference),
                size="1",
                variant="soft",
            ),
        ),
        rx.cond(
            member.two_factor & ~member.is_me,
            rx.button(
                "Réinitialiser la double authentification",
                on_click=AgencyStaffState.reset_two_factor(member.reference),
                size="1",
                variant="soft",
                color_scheme="amber",
                class_name="reset-two-factor",
            ),
        ),
        rx.cond(
            member.is_active,
            rx.button(
                "Désactiver",
                on_click=AgencyStaffState.deactivate(member.reference),
                size="1",
                variant="soft",
                color_scheme="red",
                class_name="deactivate",
            ),
            rx.button(
                "Réactiver",
                on_click=AgencyStaffState.reactivate(member.reference),
                size="1",
                variant="soft",
                class_name="reactivate",
            ),
        ),
        spacing="2",
        wrap="wrap",
    )


def _name(member: StaffRow) -> rx.Component:
    return rx.vstack(
        rx.text(member.name, rx.cond(member.is_me, " (vous)", ""), weight="bold"),
        rx.text(member.email, size="1", color=rx.color("gray", 11)),
        spacing="0",
    )


def _status(member: StaffRow) -> rx.Component:
    return rx.hstack(
        rx.badge(
            member.status_label,
            color_scheme=rx.match(
                member.status_label, ("Actif", "green"), ("Désactivé", "red"), "gray"
            ),
        ),
        rx.cond(
            member.two_factor,
            rx.badge("Double authentification", color_scheme="blue", variant="outline"),
        ),
        spacing="1",
        wrap="wrap",
    )


def _row(member: StaffRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(_name(member)),
        rx.table.cell(_role_select(member)),
        rx.table.cell(_status(member)),
        rx.table.cell(member.last_login),
        rx.table.cell(_actions(member)),
        class_name="staff-row",
    )


def _card(member: StaffRow) -> rx.Component:
    return rx.card(
        rx.vstack(
            _name(member),
            rx.hstack(_role_select(member), _status(member), align="center", wrap="wrap"),
            rx.text("Dernière connexion : ", member.last_login, size="2"),
            _actions(member),
            spacing="2",
        ),
        width="100%",
    )


def _members() -> rx.Component:
    headers = ["Nom", "Rôle", "État", "Dernière connexion", ""]
    return rx.vstack(
        rx.box(
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
                rx.table.body(rx.foreach(AgencyStaffState.members, _row)),
                width="100%",
                variant="surface",
                id="staff-table",
            ),
            display=rx.breakpoints(initial="none", md="block"),
            width="100%",
        ),
        rx.vstack(
            rx.foreach(AgencyStaffState.members, _card),
            display=rx.breakpoints(initial="flex", md="none"),
            width="100%",
        ),
        width="100%",
    )


def _invite_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Inviter un collaborateur", as_="h2", size="4"),
                rx.text(
                    "La personne reçoit un code d'accès par e-mail (via le centre d'envoi) et "
                    "choisit son mot de passe, comme les locataires et les propriétaires.",
                    size="2",
                    color=rx.color("gray", 11),
                ),
                rx.flex(
                    rx.input(
                        name="name", placeholder="Prénom et nom", required=True, id="invite-name"
                    ),
                    rx.input(
                        name="email",
                        type="email",
                        placeholder="Adresse e-mail",
                        required=True,
                        id="invite-email",
                    ),
                    rx.select.root(
                        rx.select.trigger(aria_label="Rôle"),
                        rx.select.content(
                            rx.select.item("Collaborateur", value="staff"),
                            rx.select.item("Administrateur", value="admin"),
                        ),
                        name="role",
                        default_value="staff",
                    ),
                    rx.button("Inviter", type="submit", id="invite"),
                    direction=rx.breakpoints(initial="column", sm="row"),
                    spacing="2",
                    wrap="wrap",
                    width="100%",
                ),
                rx.cond(
                    AgencyStaffState.invite_error != "",
                    rx.callout(
                        AgencyStaffState.invite_error,
                        icon="triangle-alert",
                        color_scheme="red",
                        role="alert",
                        id="invite-error",
                    ),
                ),
                spacing="3",
                width="100%",
            ),
            key=AgencyStaffState.form_version,
            on_submit=AgencyStaffState.invite,
            width="100%",
        ),
        width="100%",
    )


@space_page(
    route=ROUTE,
    title="Équipe",
    guard=SessionState.enter_agency_space,
    items=AGENCY_NAV,
    on_load=AgencyStaffState.load,
)
def agency_staff() -> rx.Component:
    return rx.vstack(
        rx.heading("Équipe", as_="h1", size="7"),
        rx.text(
            "Un compte désactivé est déconnecté aussitôt. L'agence garde toujours au moins un "
            "administrateur actif.",
            size="2",
            color=rx.color("gray", 11),
        ),
        rx.cond(
            AgencyStaffState.loaded,
            rx.vstack(_invite_form(), _members(), width="100%", spacing="4"),
            rx.spinner(),
        ),
        spacing="4",
        width="100%",
        max_width="1100px",
    )
