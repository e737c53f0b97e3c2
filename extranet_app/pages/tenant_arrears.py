"""/locataire/loyers-impayes: the periods the tenant still owes, and how to pay them."""

import asyncio
from typing import ClassVar

import reflex as rx

from extranet_app.components.navigation import TENANT_NAV
from extranet_app.components.shell import space_page
from extranet_app.db import session_scope
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.rent_ledger import (
    ArrearsSummary,
    PaymentReference,
    UnpaidPeriod,
    unpaid_periods,
)
from extranet_app.services.sections import SectionKey, TenantSection
from extranet_app.services.timekeeping import today_in_france
from extranet_app.states.session import SessionState

ROUTE = "/locataire/loyers-impayes"
ALL_PAID = "Aucun loyer impayé : votre compte est à jour."


def _load_arrears(user: SessionUser) -> ArrearsSummary:
    with session_scope() as session:
        return unpaid_periods(session=session, user=user, today=today_in_france())


class TenantArrearsState(SessionState):
    """The tenant's unpaid periods."""

    section: ClassVar[SectionKey] = TenantSection.ARREARS
    loaded: bool = False
    periods: list[UnpaidPeriod] = []
    total: str = ""
    beneficiary: str = ""
    iban: str = ""
    bic: str = ""
    references: list[PaymentReference] = []
    credit: str = ""

    def _clear(self) -> None:
        self.loaded = False
        self.periods, self.references = [], []
        self.total = self.beneficiary = self.iban = self.bic = self.credit = ""

    @rx.event
    async def load(self):
        user = await self._session_user(Space.TENANT)
        if user is None:
            self._clear()
            return
        summary = await asyncio.to_thread(_load_arrears, user)
        self.periods = summary.periods
        self.total = summary.total
        self.beneficiary = summary.beneficiary
        self.iban = summary.iban
        self.bic = summary.bic
        self.references = summary.references
        self.credit = summary.credit
        self.loaded = True


def _late_badge(period: UnpaidPeriod) -> rx.Component:
    return rx.cond(
        period.days_late > 0,
        rx.badge(period.days_late, " j de retard", color_scheme="red"),
        rx.badge("À échoir", color_scheme="gray"),
    )


def _period_card(period: UnpaidPeriod) -> rx.Component:
    """One period as a card, for phones."""
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(period.period, weight="bold", size="4"),
                _late_badge(period),
                justify="between",
                width="100%",
            ),
            rx.text(period.lot_label, color=rx.color("gray", 11)),
            rx.text("Échéance : ", period.due_date),
            rx.text("Appelé : ", period.called, " · Réglé : ", period.paid),
            rx.text("Reste à payer : ", period.remaining, weight="bold"),
            spacing="1",
        ),
        width="100%",
    )


def _period_row(period: UnpaidPeriod) -> rx.Component:
    return rx.table.row(
        rx.table.cell(period.period),
        rx.table.cell(period.lot_label),
        rx.table.cell(period.due_date),
        rx.table.cell(period.called, text_align="right"),
        rx.table.cell(period.paid, text_align="right"),
        rx.table.cell(rx.text(period.remaining, weight="bold"), text_align="right"),
        rx.table.cell(_late_badge(period)),
    )


def _periods_table() -> rx.Component:
    headers = ["Période", "Lot", "Échéance", "Appelé", "Réglé", "Reste à payer", "Retard"]
    return rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
        rx.table.body(rx.foreach(TenantArrearsState.periods, _period_row)),
        width="100%",
        variant="surface",
    )


def _reference(reference: PaymentReference) -> rx.Component:
    return rx.text(
        "Référence à indiquer (",
        reference.lot_label,
        ") : ",
        rx.code(reference.reference),
    )


def _how_to_pay() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Comment régler", as_="h2", size="5"),
            rx.text("Par virement au bénéficiaire ", TenantArrearsState.beneficiary, " :"),
            rx.text("IBAN : ", rx.code(TenantArrearsState.iban), id="iban"),
            rx.text("BIC : ", rx.code(TenantArrearsState.bic), id="bic"),
            rx.foreach(TenantArrearsState.references, _reference),
            spacing="2",
        ),
        width="100%",
    )


def _arrears() -> rx.Component:
    return rx.vstack(
        rx.box(_periods_table(), display=rx.breakpoints(initial="none", md="block"), width="100%"),
        rx.vstack(
            rx.foreach(TenantArrearsState.periods, _period_card),
            display=rx.breakpoints(initial="flex", md="none"),
            width="100%",
        ),
        rx.heading("Total à régler : ", TenantArrearsState.total, as_="h2", size="5", id="total"),
        _how_to_pay(),
        spacing="4",
        width="100%",
    )


def _credit() -> rx.Component:
    """An overpayment: the person sees it is not lost, and where it goes."""
    return rx.cond(
        TenantArrearsState.credit != "",
        rx.callout(
            rx.text(
                "Crédit en votre faveur : ",
                rx.text.strong(TenantArrearsState.credit),
                ". Un paiement reçu dépasse ce qui était dû : ce montant sera imputé sur vos "
                "prochaines échéances.",
            ),
            icon="piggy-bank",
            color_scheme="blue",
            id="credit",
            width="100%",
        ),
    )


@space_page(
    route=ROUTE,
    title="Loyers impayés",
    guard=SessionState.enter_tenant_space,
    items=TENANT_NAV,
    on_load=TenantArrearsState.load,
    section=TenantSection.ARREARS,
)
def tenant_arrears() -> rx.Component:
    return rx.vstack(
        rx.heading("Loyers impayés", as_="h1", size="7"),
        _credit(),
        rx.cond(
            TenantArrearsState.loaded,
            rx.cond(
                TenantArrearsState.periods.length() > 0,
                _arrears(),
                rx.callout(ALL_PAID, icon="circle-check", color_scheme="green", id="all-paid"),
            ),
            rx.spinner(),
        ),
        spacing="4",
        width="100%",
        max_width="1000px",
    )
