"""/proprietaire: the owner's home, with the lots under management."""

import asyncio

import reflex as rx

from extranet_app.components.navigation import OWNER_NAV
from extranet_app.components.shell import space_page
from extranet_app.db import session_scope
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.spaces import OwnedLotSummary, list_owner_lots
from extranet_app.services.timekeeping import today_in_france
from extranet_app.states.session import SessionState


def _load_lots(user: SessionUser) -> list[OwnedLotSummary]:
    with session_scope() as session:
        return list_owner_lots(session=session, user=user, today=today_in_france())


class OwnerHomeState(SessionState):
    """The owner home page."""

    lots: list[OwnedLotSummary] = []

    @rx.event
    async def load(self):
        user = await self._session_user(Space.OWNER)
        if user is None:
            return
        self.lots = await asyncio.to_thread(_load_lots, user)


def _lot_row(lot: OwnedLotSummary) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(lot.lot_label, weight="medium"), rx.text(lot.address, size="1")),
        rx.table.cell(lot.share),
        rx.table.cell(
            rx.badge(lot.status, color_scheme=rx.cond(lot.status == "Vacant", "orange", "green"))
        ),
        rx.table.cell(lot.rent),
    )


@space_page(
    route="/proprietaire",
    title="Accueil",
    guard=SessionState.enter_owner_space,
    items=OWNER_NAV,
    on_load=OwnerHomeState.load,
)
def owner_home() -> rx.Component:
    return rx.vstack(
        rx.heading("Accueil", as_="h1", size="7"),
        rx.text("Bonjour ", SessionState.user_name, "."),
        rx.heading("Vos lots en gestion", as_="h2", size="5"),
        rx.cond(
            OwnerHomeState.lots.length() == 0,
            rx.text("Aucun lot en gestion pour le moment.", color=rx.color("gray", 11)),
            _lots_table(),
        ),
        spacing="4",
        width="100%",
        max_width="1000px",
    )


def _lots_table() -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("Lot"),
                    rx.table.column_header_cell("Quote-part"),
                    rx.table.column_header_cell("Situation"),
                    rx.table.column_header_cell("Loyer mensuel"),
                )
            ),
            rx.table.body(rx.foreach(OwnerHomeState.lots, _lot_row)),
            width="100%",
        ),
        overflow_x="auto",
        width="100%",
    )
