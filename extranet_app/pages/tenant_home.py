"""/locataire: the tenant's home, with the leases they hold."""

import asyncio

import reflex as rx

from extranet_app.components.navigation import TENANT_NAV
from extranet_app.components.shell import space_page
from extranet_app.db import session_scope
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.spaces import LeaseSummary, list_tenant_leases
from extranet_app.services.timekeeping import today_in_france
from extranet_app.states.session import SessionState


def _load_leases(user: SessionUser) -> list[LeaseSummary]:
    with session_scope() as session:
        return list_tenant_leases(session=session, user=user, today=today_in_france())


class TenantHomeState(SessionState):
    """The tenant home page."""

    leases: list[LeaseSummary] = []

    @rx.event
    async def load(self):
        user = await self._session_user(Space.TENANT)
        if user is None:
            return
        self.leases = await asyncio.to_thread(_load_leases, user)


def _lease_card(lease: LeaseSummary) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(lease.lot_label, weight="bold", size="4"),
            rx.text(lease.address, class_name="lease-address"),
            rx.text("Co-titulaires : ", lease.tenants, color=rx.color("gray", 11)),
            rx.text("Bail depuis le ", lease.start_date),
            rx.hstack(
                rx.badge("Loyer : ", lease.rent, size="2"),
                rx.badge("Provision sur charges : ", lease.charges, size="2", color_scheme="gray"),
                wrap="wrap",
            ),
            spacing="2",
        ),
        width="100%",
    )


@space_page(
    route="/locataire",
    title="Accueil",
    guard=SessionState.enter_tenant_space,
    items=TENANT_NAV,
    on_load=TenantHomeState.load,
)
def tenant_home() -> rx.Component:
    return rx.vstack(
        rx.heading("Accueil", as_="h1", size="7"),
        rx.text("Bonjour ", SessionState.user_name, "."),
        rx.heading("Votre location", as_="h2", size="5"),
        rx.cond(
            TenantHomeState.leases.length() > 0,
            rx.foreach(TenantHomeState.leases, _lease_card),
            rx.text("Aucun bail en cours.", color=rx.color("gray", 11)),
        ),
        spacing="4",
        width="100%",
        max_width="900px",
    )
