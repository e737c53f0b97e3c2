"""/proprietaire: the owner's Tableau de bord, and the lots under management."""

import asyncio

import reflex as rx

from extranet_app.components.dashboard import (
    dashboard_tile,
    news_headlines,
    personal_data_card,
)
from extranet_app.components.navigation import OWNER_NAV
from extranet_app.components.shell import space_page
from extranet_app.db import session_scope
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.dashboards import OwnerDashboard, owner_dashboard
from extranet_app.services.sections import OwnerSection
from extranet_app.services.spaces import OwnedLotSummary, list_owner_lots
from extranet_app.services.timekeeping import today_in_france
from extranet_app.states.session import SessionState


def _load(user: SessionUser) -> tuple[OwnerDashboard, list[OwnedLotSummary]]:
    today = today_in_france()
    with session_scope() as session:
        dashboard = owner_dashboard(session=session, user=user, today=today)
        return dashboard, list_owner_lots(session=session, user=user, today=today)


class OwnerHomeState(SessionState):
    """The owner's Tableau de bord."""

    dashboard: OwnerDashboard | None = None
    lots: list[OwnedLotSummary] = []

    @rx.event
    async def load(self):
        user = await self._session_user(Space.OWNER)
        if user is None:
            return
        self.dashboard, self.lots = await asyncio.to_thread(_load, user)


def _tiles(board) -> rx.Component:
    return rx.grid(
        rx.card(
            rx.vstack(
                rx.text("Lots en gestion", size="2", color=rx.color("gray", 11)),
                rx.text(board.lots.to_string(), size="6", weight="bold", class_name="tile-value"),
                rx.text(
                    board.let_lots.to_string() + " loué(s) · occupation " + board.occupancy,
                    size="2",
                    color=rx.color("gray", 11),
                ),
                spacing="1",
            ),
            id="tile-lots",
        ),
        dashboard_tile(
            OwnerSection.REPORTS,
            board.shown,
            title="Loyers encaissés ce mois-ci",
            value=board.collected_this_month,
            detail="depuis le 1er janvier : " + board.collected_this_year,
            href="/proprietaire/rapports",
            element_id="tile-collected",
        ),
        dashboard_tile(
            OwnerSection.REPORTS,
            board.shown,
            title="Dernier rapport de gestion",
            value=rx.cond(board.last_report_period != "", board.last_report_period, "—"),
            detail=rx.cond(
                board.last_report_period != "",
                "net " + board.last_report_net + " · publié le " + board.last_report_published_on,
                "aucun rapport publié",
            ),
            href="/proprietaire/rapports",
            element_id="tile-report",
        ),
        dashboard_tile(
            OwnerSection.DOCUMENT_REQUESTS,
            board.shown,
            title="Documents à fournir",
            value=board.documents_to_provide.to_string(),
            detail=rx.cond(board.documents_to_provide > 0, "en attente", "rien à fournir"),
            href="/proprietaire/documents-a-fournir",
            element_id="tile-requests",
            alert=board.documents_to_provide > 0,
        ),
        dashboard_tile(
            OwnerSection.MESSAGES,
            board.shown,
            title="Messagerie",
            value=board.unread_messages.to_string(),
            detail="message(s) non lu(s)",
            href="/proprietaire/messages",
            element_id="tile-messages",
            alert=board.unread_messages > 0,
        ),
        columns=rx.breakpoints(initial="1", sm="2", lg="3"),
        spacing="3",
        width="100%",
    )


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
    title="Tableau de bord",
    guard=SessionState.enter_owner_space,
    items=OWNER_NAV,
    on_load=OwnerHomeState.load,
)
def owner_home() -> rx.Component:
    return rx.vstack(
        rx.heading("Tableau de bord", as_="h1", size="7"),
        rx.text("Bonjour ", SessionState.user_name, "."),
        rx.cond(OwnerHomeState.dashboard, _tiles(OwnerHomeState.dashboard)),
        rx.cond(
            OwnerHomeState.dashboard,
            news_headlines(
                OwnerSection.NEWS,
                OwnerHomeState.dashboard.shown,
                OwnerHomeState.dashboard.latest_news,
                "/proprietaire",
            ),
        ),
        rx.heading("Vos lots en gestion", as_="h2", size="5"),
        rx.cond(
            OwnerHomeState.lots.length() == 0,
            rx.text("Aucun lot en gestion pour le moment.", color=rx.color("gray", 11)),
            _lots_table(),
        ),
        personal_data_card(),
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
