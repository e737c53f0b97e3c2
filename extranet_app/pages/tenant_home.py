"""/locataire: the tenant's Tableau de bord, and the leases they hold."""

import asyncio

import reflex as rx

from extranet_app.components.dashboard import (
    dashboard_tile,
    news_headlines,
    personal_data_card,
)
from extranet_app.components.navigation import TENANT_NAV
from extranet_app.components.shell import space_page
from extranet_app.db import session_scope
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.dashboards import TenantDashboard, tenant_dashboard
from extranet_app.services.sections import TenantSection
from extranet_app.services.spaces import LeaseSummary, list_tenant_leases
from extranet_app.services.timekeeping import today_in_france
from extranet_app.states.session import SessionState


def _load(user: SessionUser) -> tuple[TenantDashboard, list[LeaseSummary]]:
    today = today_in_france()
    with session_scope() as session:
        dashboard = tenant_dashboard(session=session, user=user, today=today)
        return dashboard, list_tenant_leases(session=session, user=user, today=today)


class TenantHomeState(SessionState):
    """The tenant's Tableau de bord."""

    dashboard: TenantDashboard | None = None
    leases: list[LeaseSummary] = []

    @rx.event
    async def load(self):
        user = await self._session_user(Space.TENANT)
        if user is None:
            return
        self.dashboard, self.leases = await asyncio.to_thread(_load, user)


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


def _tiles(board) -> rx.Component:
    return rx.grid(
        dashboard_tile(
            TenantSection.ARREARS,
            board.shown,
            title="Solde à régler",
            value=rx.cond(board.balance_cents > 0, board.balance, "Aucun impayé"),
            detail=rx.cond(
                board.unpaid_periods > 0,
                board.unpaid_periods.to_string() + " période(s)",
                rx.cond(board.credit != "", "Crédit en votre faveur : " + board.credit, ""),
            ),
            href="/locataire/loyers-impayes",
            element_id="tile-balance",
            alert=board.balance_cents > 0,
        ),
        dashboard_tile(
            TenantSection.ARREARS,
            board.shown,
            title="Prochaine échéance",
            value=rx.cond(board.next_due_date != "", board.next_due_amount, "—"),
            detail=rx.cond(board.next_due_date != "", "le " + board.next_due_date, ""),
            href="/locataire/facturations",
            element_id="tile-next-due",
        ),
        dashboard_tile(
            TenantSection.RECEIPTS,
            board.shown,
            title="Dernière quittance",
            value=rx.cond(board.last_receipt_period != "", board.last_receipt_period, "—"),
            detail="Quittances de loyers",
            href="/locataire/quittances",
            element_id="tile-receipt",
        ),
        dashboard_tile(
            TenantSection.DOCUMENT_REQUESTS,
            board.shown,
            title="Documents à fournir",
            value=board.documents_to_provide.to_string(),
            detail=rx.cond(board.documents_to_provide > 0, "en attente", "rien à fournir"),
            href="/locataire/documents-a-fournir",
            element_id="tile-requests",
            alert=board.documents_to_provide > 0,
        ),
        dashboard_tile(
            TenantSection.MESSAGES,
            board.shown,
            title="Messagerie",
            value=board.unread_messages.to_string(),
            detail="message(s) non lu(s)",
            href="/locataire/messages",
            element_id="tile-messages",
            alert=board.unread_messages > 0,
        ),
        columns=rx.breakpoints(initial="1", sm="2", lg="3"),
        spacing="3",
        width="100%",
    )


@space_page(
    route="/locataire",
    title="Tableau de bord",
    guard=SessionState.enter_tenant_space,
    items=TENANT_NAV,
    on_load=TenantHomeState.load,
)
def tenant_home() -> rx.Component:
    board = TenantHomeState.dashboard
    return rx.vstack(
        rx.heading("Tableau de bord", as_="h1", size="7"),
        rx.text("Bonjour ", SessionState.user_name, "."),
        rx.cond(board, _tiles(board)),
        rx.cond(
            board,
            news_headlines(TenantSection.NEWS, board.shown, board.latest_news, "/locataire"),
        ),
        rx.heading("Votre location", as_="h2", size="5"),
        rx.cond(
            TenantHomeState.leases.length() > 0,
            rx.foreach(TenantHomeState.leases, _lease_card),
            rx.text("Aucun bail en cours.", color=rx.color("gray", 11)),
        ),
        personal_data_card(),
        spacing="4",
        width="100%",
        max_width="1000px",
    )
