"""/locataire/quittances (Quittances de loyers): each rent period, its quittance (fully paid)
or reçu (partly paid), the yearly summary, and the consent to electronic quittances."""

from __future__ import annotations

import asyncio
from typing import ClassVar

import reflex as rx

from extranet_app.components.navigation import TENANT_NAV
from extranet_app.components.shell import space_page
from extranet_app.components.tenant_billing import lease_filter, pager, responsive, status_badge
from extranet_app.db import session_scope
from extranet_app.services import receipts
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.errors import AccessDenied
from extranet_app.services.receipts import ConsentStatus, ReceiptRow, ReceiptsPage, ReceiptsQuery
from extranet_app.services.sections import SectionKey, TenantSection
from extranet_app.services.tenant_billing import IssuedDocument
from extranet_app.states.session import SessionState
from extranet_app.states.tenant_billing import (
    READ_ONLY,
    TenantBillingState,
    is_refusal,
    open_download,
    position_in,
    refusal_message,
)

ROUTE = "/locataire/quittances"
ALL_YEARS = "toutes"
FREE_NOTE = (
    "Vos quittances sont gratuites et toujours disponibles sur cette page, que vous acceptiez "
    "ou non de les recevoir par voie électronique (loi n° 89-462, art. 21)."
)


def _load(user: SessionUser, query: ReceiptsQuery) -> ReceiptsPage:
    with session_scope() as session:
        return receipts.receipts_page(session=session, user=user, query=query)


def _issue(user: SessionUser, rent_call_id: int) -> IssuedDocument:
    with session_scope() as session:
        return receipts.issue_receipt(session=session, user=user, rent_call_id=rent_call_id)


def _issue_summary(user: SessionUser, lease_id: int, year: int) -> IssuedDocument:
    with session_scope() as session:
        return receipts.issue_yearly_summary(
            session=session, user=user, lease_id=lease_id, year=year
        )


def _set_consent(user: SessionUser, given: bool) -> ConsentStatus:
    with session_scope() as session:
        return receipts.set_receipts_consent(session=session, user=user, given=given)


class TenantReceiptsState(TenantBillingState, SessionState):
    """Quittances de loyers: the periods shown (no ids), the filters, the consent."""

    section: ClassVar[SectionKey] = TenantSection.RECEIPTS
    rows: list[ReceiptRow] = []
    years: list[str] = []
    year: str = ALL_YEARS
    consent_given: bool = False
    consent_since: str = ""

    async def _refresh(self) -> None:
        user = await self._session_user(Space.TENANT)
        if user is None:
            self._clear()
            self.rows, self.years = [], []
            return
        year = int(self.year) if self.year.isdigit() else None
        query = ReceiptsQuery(lease_id=self._lease_id(), year=year, page=self.page)
        listing = await asyncio.to_thread(_load, user, query)
        self.rows = list(listing.rows)
        self._call_ids = list(listing.call_ids)
        self.lease_options = [choice.label for choice in listing.leases]
        self._lease_ids = list(listing.lease_ids)
        self.years = [str(value) for value in listing.years]
        self.page, self.page_count, self.total = listing.page, listing.page_count, listing.total
        self._show_consent(listing.consent)
        self.loaded = True

    def _show_consent(self, consent: ConsentStatus) -> None:
        self.consent_given, self.consent_since = consent.given, consent.since

    @rx.var
    def summary_year(self) -> str:
        """The year of the summaries offered: the one chosen, else the latest."""
        if self.year != ALL_YEARS:
            return self.year
        return self.years[0] if self.years else ""

    @rx.event
    async def load(self):
        """Every period of every lease, newest first."""
        self.lease, self.year, self.page = "tous", ALL_YEARS, 1
        await self._refresh()

    @rx.event
    async def set_year(self, value: str):
        """Show one year only (or every year), from the first page."""
        valid = isinstance(value, str) and (value == ALL_YEARS or value in self.years)
        self.year = value if valid else ALL_YEARS
        self.page = 1
        await self._refresh()

    @rx.event
    async def download(self, position: int):
        """The quittance (or reçu) of the period at `position` on the page."""
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

    @rx.event
    async def download_summary(self, position: int):
        """The yearly summary of the lease at `position` in the lease filter."""
        user = await self._session_user(Space.TENANT)
        index = position_in(position, len(self._lease_ids))
        if user is None or index is None or not self.summary_year.isdigit():
            return rx.toast.error(refusal_message(AccessDenied()))
        lease_id, year = self._lease_ids[index], int(self.summary_year)
        try:
            document = await asyncio.to_thread(_issue_summary, user, lease_id, year)
        except Exception as error:
            if not is_refusal(error):
                raise
            return rx.toast.error(refusal_message(error))
        return open_download(document)

    @rx.event
    async def set_consent(self, given: bool):
        """Give or withdraw the consent to receiving quittances electronically."""
        user = await self._session_user(Space.TENANT)
        if user is None or type(given) is not bool:
            return None
        try:
            consent = await asyncio.to_thread(_set_consent, user, given)
        except AccessDenied:
            return rx.toast.error(READ_ONLY)
        self._show_consent(consent)
        message = "Consentement enregistré." if given else "Consentement retiré."
        return rx.toast.success(message)


# --- The page ---------------------------------------------------------------------------------


def _document_button(row: ReceiptRow, index: rx.Var) -> rx.Component:
    return rx.cond(
        row.document_label != "",
        rx.button(
            rx.icon("download", size=16),
            row.document_label,
            on_click=TenantReceiptsState.download(index),
            variant="soft",
            size="2",
            aria_label=f"Télécharger : {row.document_label} {row.period}",
            class_name="receipt-download",
        ),
        rx.text("—", color=rx.color("gray", 10)),
    )


def _row(row: ReceiptRow, index: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row.period, weight="medium"), rx.text(row.lot_label, size="1")),
        rx.table.cell(row.rent, text_align="right"),
        rx.table.cell(row.charges, text_align="right"),
        rx.table.cell(row.total, text_align="right"),
        rx.table.cell(row.paid, text_align="right"),
        rx.table.cell(row.payment_dates),
        rx.table.cell(status_badge(row.status, row.status_label)),
        rx.table.cell(_document_button(row, index)),
    )


def _card(row: ReceiptRow, index: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(row.period, weight="bold", size="4"),
                status_badge(row.status, row.status_label),
                justify="between",
                width="100%",
            ),
            rx.text(row.lot_label, size="2", color=rx.color("gray", 11)),
            rx.text("Loyer : ", row.rent, " · Charges : ", row.charges),
            rx.text("Total : ", row.total, " · Réglé : ", row.paid),
            rx.text("Payé le : ", row.payment_dates, size="2"),
            _document_button(row, index),
            spacing="1",
        ),
        width="100%",
        class_name="receipt-card",
    )


def _periods() -> rx.Component:
    headers = ["Période", "Loyer", "Charges", "Total", "Réglé", "Payé le", "Statut", "Document"]
    table = rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
        rx.table.body(rx.foreach(TenantReceiptsState.rows, _row)),
        width="100%",
        variant="surface",
        id="receipts-table",
    )
    return responsive(table, rx.foreach(TenantReceiptsState.rows, _card))


def _year_filter() -> rx.Component:
    return rx.select.root(
        rx.select.trigger(placeholder="Année", aria_label="Année", id="year-filter"),
        rx.select.content(
            rx.select.item("Toutes les années", value=ALL_YEARS),
            rx.foreach(TenantReceiptsState.years, lambda y: rx.select.item(y, value=y)),
        ),
        value=TenantReceiptsState.year,
        on_change=TenantReceiptsState.set_year,
    )


def _summary_button(label: rx.Var, index: rx.Var) -> rx.Component:
    return rx.button(
        rx.icon("file-text", size=16),
        rx.cond(TenantReceiptsState.several_leases, label, "Télécharger le récapitulatif"),
        on_click=TenantReceiptsState.download_summary(index),
        variant="outline",
        white_space="normal",
        height="auto",
        padding_y="0.4em",
    )


def _summary() -> rx.Component:
    return rx.cond(
        TenantReceiptsState.summary_year != "",
        rx.card(
            rx.vstack(
                rx.heading(
                    "Récapitulatif annuel ", TenantReceiptsState.summary_year, as_="h2", size="4"
                ),
                rx.text(
                    "Chaque période de l'année, les sommes appelées et réglées, avec les totaux.",
                    size="2",
                ),
                rx.flex(
                    rx.foreach(TenantReceiptsState.lease_options, _summary_button),
                    wrap="wrap",
                    spacing="2",
                ),
                spacing="2",
            ),
            width="100%",
            id="yearly-summary",
        ),
    )


def _consent() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(
                rx.hstack(
                    rx.switch(
                        checked=TenantReceiptsState.consent_given,
                        on_change=TenantReceiptsState.set_consent,
                        id="receipts-consent",
                    ),
                    rx.text("J'accepte de recevoir mes quittances par voie électronique"),
                    align="center",
                    spacing="2",
                ),
                as_="label",
            ),
            rx.cond(
                TenantReceiptsState.consent_given,
                rx.text(
                    "Consentement donné le ",
                    TenantReceiptsState.consent_since,
                    ". Vous pouvez le retirer à tout moment.",
                    size="2",
                    id="consent-since",
                ),
            ),
            rx.text(FREE_NOTE, size="1", color=rx.color("gray", 11)),
            spacing="2",
        ),
        width="100%",
    )


@space_page(
    route=ROUTE,
    title="Quittances de loyers",
    guard=SessionState.enter_tenant_space,
    items=TENANT_NAV,
    section=TenantSection.RECEIPTS,
    on_load=TenantReceiptsState.load,
)
def tenant_receipts() -> rx.Component:
    return rx.vstack(
        rx.heading("Quittances de loyers", as_="h1", size="7"),
        rx.text(
            "Une quittance pour chaque période entièrement payée, un reçu pour un paiement "
            "partiel.",
            color=rx.color("gray", 11),
        ),
        rx.flex(
            lease_filter(TenantReceiptsState),
            _year_filter(),
            spacing="3",
            direction=rx.breakpoints(initial="column", sm="row"),
            width="100%",
        ),
        rx.cond(
            TenantReceiptsState.loaded,
            rx.cond(
                TenantReceiptsState.rows.length() > 0,
                rx.vstack(_periods(), pager(TenantReceiptsState), width="100%", spacing="3"),
                rx.text("Aucune période de loyer.", color=rx.color("gray", 11)),
            ),
            rx.spinner(),
        ),
        _summary(),
        _consent(),
        spacing="4",
        width="100%",
        max_width="1100px",
    )
