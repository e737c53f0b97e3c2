"""/agence: the agency's home, with what it manages and how many people use the extranet."""

import asyncio

import reflex as rx

from extranet_app.components.navigation import AGENCY_NAV
from extranet_app.components.shell import space_page
from extranet_app.db import session_scope
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.spaces import PortfolioCounts, portfolio_counts
from extranet_app.services.timekeeping import today_in_france
from extranet_app.states.session import SessionState


def _load_counts(user: SessionUser) -> PortfolioCounts:
    with session_scope() as session:
        return portfolio_counts(session=session, user=user, today=today_in_france())


class AgencyHomeState(SessionState):
    """The agency home page."""

    counts: PortfolioCounts | None = None

    @rx.event
    async def load(self):
        user = await self._session_user(Space.AGENCY)
        if user is None:
            return
        self.counts = await asyncio.to_thread(_load_counts, user)


def _stat(label: str, value: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(label, color=rx.color("gray", 11)),
            rx.text(value, size="7", weight="bold"),
            spacing="1",
        ),
        min_width="160px",
    )


@space_page(
    route="/agence",
    title="Accueil",
    guard=SessionState.enter_agency_space,
    items=AGENCY_NAV,
    on_load=AgencyHomeState.load,
)
def agency_home() -> rx.Component:
    counts = AgencyHomeState.counts
    return rx.vstack(
        rx.heading("Accueil", as_="h1", size="7"),
        rx.text("Bonjour ", SessionState.user_name, "."),
        rx.cond(
            counts,
            rx.flex(
                _stat("Propriétaires", counts.owners),
                _stat("Locataires", counts.tenants),
                _stat("Immeubles", counts.properties),
                _stat("Lots", counts.lots),
                _stat("Baux en cours", counts.current_leases),
                _stat("Accès activés", counts.activated_users),
                wrap="wrap",
                gap="3",
            ),
        ),
        spacing="4",
        width="100%",
    )
