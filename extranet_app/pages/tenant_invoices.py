"""/locataire/facturations (Facturations): the avis d'échéance of each period and the other
invoices, newest first, each with its payment status and its PDF."""

from __future__ import annotations

import asyncio
from typing import ClassVar

import reflex as rx

from extranet_app.components.navigation import TENANT_NAV
from extranet_app.components.shell import space_page
from extranet_app.components.tenant_billing import lease_filter, pager, responsive, status_badge
from extranet_app.db import session_scope
from extranet_app.services import invoices
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.errors import AccessDenied
from extranet_app.services.invoices import InvoiceRow, InvoicesPage
from extranet_app.services.sections import SectionKey, TenantSection
from extranet_app.services.tenant_billing import IssuedDocument
from extranet_app.states.session import SessionState
from extranet_app.states.tenant_billing import (
    TenantBillingState,
    is_refusal,
    open_download,
    position_in,
    refusal_message,
)

ROUTE = "/locataire/facturations"


def _load(user: SessionUser, lease_id: int | None, page: int) -> InvoicesPage:
    with session_scope() as session:
        return invoices.invoices_page(session=session, user=user, lease_id=lease_id, page=page)


def _issue(user: SessionUser, rent_call_id: int) -> IssuedDocument:
    with session_scope() as session:
        return invoices.issue_invoice_document(
            session=session, user=user, rent_call_id=rent_call_id
        )


class TenantInvoicesState(TenantBillingState, SessionState):
    """Facturations: the invoices shown (no ids), the lease filter and the pages."""

    section: ClassVar[SectionKey] = TenantSection.INVOICES
    rows: list[InvoiceRow] = []

    async def _refresh(self) -> None:
        user = await self._session_user(Space.TENANT)
        if user is None:
            self._clear()
            self.rows = []
            return
        listing = await asyncio.to_thread(_load, user, self._lease_id(), self.page)
        self.rows = list(listing.rows)
        self._call_ids = list(listing.call_ids)
        self.lease_options = [choice.label for choice in listing.leases]
        self._lease_ids = list(listing.lease_ids)
        self.page, self.page_count, self.total = listing.page, listing.page_count, listing.total
        self.loaded = True

    @rx.event
    async def load(self):
        """The newest invoices of every lease."""
        self.lease, self.page = "tous", 1
        await self._refresh()

    @rx.event
    async def download(self, position: int):
        """The PDF of the avis d'échéance or invoice at `position` on the page."""
        user = await self._session_user(Space.TENANT)
        index = position_in(position, len(self._call_ids))
        if user is None or index is None:
            return rx.toast.error(refusal_message(AccessDenied()))
        try:
            document = await asyncio.to_thread(_issue, user, self._call_ids[index])
        except Exception as error:
            if not is_refusal(error):
                raise
            return rx.toast.error(refusal_message(error))
        return open_download(document)


# --- The page ---------------------------------------------------------------------------------


def _download_button(row: InvoiceRow, index: rx.Var) -> rx.Component:
    return rx.button(
        rx.icon("download", size=16),
        "PDF",
        on_click=TenantInvoicesState.download(index),
        variant="soft",
        aria_label="Télécharger " + row.title,
        class_name="invoice-download",
    )


def _kind_badge(row: InvoiceRow) -> rx.Component:
    """What an invoice other than an avis d'échéance is for (its title is its own label)."""
    return rx.cond(row.is_rent_notice, rx.fragment(), rx.badge(row.kind_label, variant="outline"))


def _row(row: InvoiceRow, index: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.text(row.title, weight="medium"),
            _kind_badge(row),
            rx.text(row.lot_label, size="1", color=rx.color("gray", 11)),
        ),
        rx.table.cell(row.issued_on),
        rx.table.cell(row.due_date),
        rx.table.cell(row.amount, text_align="right"),
        rx.table.cell(row.remaining, text_align="right"),
        rx.table.cell(status_badge(row.status, row.status_label)),
        rx.table.cell(_download_button(row, index)),
    )


def _card(row: InvoiceRow, index: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(row.title, weight="bold"),
                status_badge(row.status, row.status_label),
                justify="between",
                width="100%",
            ),
            _kind_badge(row),
            rx.text(row.lot_label, size="2", color=rx.color("gray", 11)),
            rx.text("Émis le ", row.issued_on, " · échéance le ", row.due_date, size="2"),
            rx.text("Montant : ", row.amount, " · Reste à payer : ", row.remaining),
            _download_button(row, index),
            spacing="1",
        ),
        width="100%",
        class_name="invoice-card",
    )


def _invoices() -> rx.Component:
    headers = ["Document", "Émis le", "Échéance", "Montant", "Reste dû", "Statut", ""]
    table = rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
        rx.table.body(rx.foreach(TenantInvoicesState.rows, _row)),
        width="100%",
        variant="surface",
        id="invoices-table",
    )
    return responsive(table, rx.foreach(TenantInvoicesState.rows, _card))


@space_page(
    route=ROUTE,
    title="Facturations",
    guard=SessionState.enter_tenant_space,
    items=TENANT_NAV,
    section=TenantSection.INVOICES,
    on_load=TenantInvoicesState.load,
)
def tenant_invoices() -> rx.Component:
    return rx.vstack(
        rx.heading("Facturations", as_="h1", size="7"),
        rx.text(
            "Vos avis d'échéance et vos autres factures (régularisation des charges, travaux).",
            color=rx.color("gray", 11),
        ),
        lease_filter(TenantInvoicesState),
        rx.cond(
            TenantInvoicesState.loaded,
            rx.cond(
                TenantInvoicesState.rows.length() > 0,
                rx.vstack(_invoices(), pager(TenantInvoicesState), width="100%", spacing="3"),
                rx.text("Aucune facture.", color=rx.color("gray", 11)),
            ),
            rx.spinner(),
        ),
        spacing="4",
        width="100%",
        max_width="1100px",
    )
