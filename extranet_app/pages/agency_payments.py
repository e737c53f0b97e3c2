"""/agence/paiements (Encaissements): find a lease, see its open periods, record a payment."""

import asyncio
from datetime import date
from typing import Any

import reflex as rx

from extranet_app.components.navigation import AGENCY_NAV
from extranet_app.components.shell import space_page
from extranet_app.db import session_scope
from extranet_app.services import rent_ledger
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.errors import AccessDenied
from extranet_app.services.rent_ledger import (
    METHOD_LABELS,
    LeaseListing,
    LeaseMatch,
    PaymentRejected,
    UnpaidPeriod,
    parse_euros,
)
from extranet_app.services.timekeeping import today_in_france
from extranet_app.states.session import SessionState

ROUTE = "/agence/paiements"
STAFF_ONLY = "Action réservée à l'agence."
MAX_SEARCH_LENGTH = 100
METHOD_OPTIONS = [(method.value, label) for method, label in METHOD_LABELS.items()]


def _search(user: SessionUser, text: str) -> list[LeaseMatch]:
    with session_scope() as session:
        return rent_ledger.search_leases(session=session, user=user, text=text)


def _open_periods(user: SessionUser, lease_id: int) -> list[UnpaidPeriod]:
    with session_scope() as session:
        return rent_ledger.lease_open_periods(
            session=session, user=user, lease_id=lease_id, today=today_in_france()
        )


def _record(user: SessionUser, lease_id: int, form: dict[str, Any]) -> str:
    """Record the payment described by the form; the French message to show, or raises."""
    with session_scope() as session:
        recorded = rent_ledger.record_payment(
            session=session,
            user=user,
            lease_id=lease_id,
            paid_on=_parse_date(form.get("paid_on")),
            amount_cents=_parse_amount(form.get("amount")),
            method=form.get("method"),
            note=form.get("note", ""),
        )
        return recorded.message


def _parse_amount(value: object) -> int:
    cents = parse_euros(value)
    if cents is None:
        raise PaymentRejected("Montant invalide : saisissez par exemple 1 234,56.")
    return cents


def _parse_date(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _position(value: object, size: int) -> int | None:
    """A list position sent by the browser, if it is a real index into a list of `size`."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 <= value < size else None


class AgencyPaymentsState(SessionState):
    """Encaissements: the lease search, the chosen lease's open periods and the payment form."""

    search_text: str = ""
    leases: list[LeaseListing] = []
    searched: bool = False
    chosen: int = -1
    chosen_label: str = ""
    periods: list[UnpaidPeriod] = []
    today_iso: str = ""
    form_version: int = 0
    # Database ids stay on the server; the browser only knows positions in `leases`.
    _lease_ids: list[int] = []
    _chosen_lease_id: int | None = None

    @rx.event
    async def load(self):
        user = await self._session_user(Space.AGENCY)
        if user is None:
            return
        self.today_iso = today_in_france().isoformat()

    @rx.event
    async def search(self, form_data: dict[str, Any]):
        """The search form was submitted."""
        user = await self._session_user(Space.AGENCY)
        if user is None:
            return rx.toast.error(STAFF_ONLY)
        text = form_data.get("text") if isinstance(form_data, dict) else None
        if not isinstance(text, str) or len(text) > MAX_SEARCH_LENGTH:
            return rx.toast.error("Recherche invalide.")
        matches = await asyncio.to_thread(_search, user, text)
        self.search_text = text.strip()
        self._lease_ids = [match.lease_id for match in matches]
        self.leases = [match.listing for match in matches]
        self.searched = True
        self._forget_choice()
        return None

    def _forget_choice(self) -> None:
        self.chosen, self.chosen_label, self.periods = -1, "", []
        self._chosen_lease_id = None

    @rx.event
    async def choose(self, position: int):
        """Show the open periods of the lease at `position` in the results."""
        user = await self._session_user(Space.AGENCY)
        if user is None:
            return rx.toast.error(STAFF_ONLY)
        index = _position(position, len(self._lease_ids))
        if index is None:
            return rx.toast.error("Bail introuvable.")
        self._chosen_lease_id = self._lease_ids[index]
        self.chosen = index
        self.chosen_label = self.leases[index].lot_label
        self.periods = await asyncio.to_thread(_open_periods, user, self._chosen_lease_id)
        return None

    @rx.event
    async def record(self, form_data: dict[str, Any]):
        """The payment form was submitted for the chosen lease."""
        user = await self._session_user(Space.AGENCY)
        if user is None:
            return rx.toast.error(STAFF_ONLY)
        if self._chosen_lease_id is None:
            return rx.toast.error("Choisissez d'abord un bail.")
        if not isinstance(form_data, dict):
            return rx.toast.error("Formulaire invalide.")
        try:
            message = await asyncio.to_thread(_record, user, self._chosen_lease_id, form_data)
        except PaymentRejected as error:
            return rx.toast.error(str(error))
        except AccessDenied:
            return rx.toast.error(STAFF_ONLY)
        self.periods = await asyncio.to_thread(_open_periods, user, self._chosen_lease_id)
        self.form_version += 1
        return rx.toast.success(message)


def _labelled(label: str, field: rx.Component) -> rx.Component:
    return rx.vstack(rx.text(label, size="2", weight="bold"), field, spacing="1", min_width="160px")


def _search_form() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(
                name="text",
                placeholder="Locataire, lot, immeuble ou référence de paiement",
                default_value=AgencyPaymentsState.search_text,
                max_length=MAX_SEARCH_LENGTH,
                flex="1",
                id="lease-search",
            ),
            rx.button(rx.icon("search", size=16), "Rechercher", type="submit"),
            width="100%",
        ),
        on_submit=AgencyPaymentsState.search,
        width="100%",
    )


def _lease_result(listing: LeaseListing, index: rx.Var) -> rx.Component:
    is_chosen = AgencyPaymentsState.chosen == index
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.text(listing.lot_label, weight="bold"),
                rx.text(listing.tenants, size="2"),
                rx.text("Référence : ", listing.payment_reference, size="2"),
                spacing="1",
            ),
            rx.button(
                "Choisir",
                on_click=AgencyPaymentsState.choose(index),
                variant=rx.cond(is_chosen, "solid", "soft"),
            ),
            justify="between",
            align="center",
            width="100%",
        ),
        width="100%",
    )


def _results() -> rx.Component:
    return rx.cond(
        AgencyPaymentsState.leases.length() > 0,
        rx.vstack(rx.foreach(AgencyPaymentsState.leases, _lease_result), width="100%"),
        rx.cond(AgencyPaymentsState.searched, rx.text("Aucun bail trouvé.")),
    )


def _period_line(period: UnpaidPeriod) -> rx.Component:
    return rx.table.row(
        rx.table.cell(period.period),
        rx.table.cell(period.due_date),
        rx.table.cell(period.called, text_align="right"),
        rx.table.cell(period.paid, text_align="right"),
        rx.table.cell(period.remaining, text_align="right"),
        rx.table.cell(period.days_late),
    )


def _open_periods_table() -> rx.Component:
    headers = ["Période", "Échéance", "Appelé", "Réglé", "Reste", "Jours de retard"]
    return rx.cond(
        AgencyPaymentsState.periods.length() > 0,
        rx.box(
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
                rx.table.body(rx.foreach(AgencyPaymentsState.periods, _period_line)),
                variant="surface",
                width="100%",
            ),
            overflow_x="auto",
            width="100%",
        ),
        rx.text("Aucune échéance ouverte sur ce bail."),
    )


def _payment_fields() -> rx.Component:
    method = rx.select.root(
        rx.select.trigger(width="100%", aria_label="Mode de paiement"),
        rx.select.content(*[rx.select.item(label, value=value) for value, label in METHOD_OPTIONS]),
        name="method",
        default_value=METHOD_OPTIONS[0][0],
    )
    return rx.flex(
        _labelled(
            "Date",
            rx.input(
                type="date",
                name="paid_on",
                default_value=AgencyPaymentsState.today_iso,
                max=AgencyPaymentsState.today_iso,
                required=True,
            ),
        ),
        _labelled(
            "Montant (€)",
            rx.input(name="amount", placeholder="1 234,56", input_mode="decimal", required=True),
        ),
        _labelled("Mode", method),
        _labelled("Note", rx.input(name="note", max_length=rent_ledger.NOTE_MAX_LENGTH)),
        wrap="wrap",
        spacing="3",
        width="100%",
    )


def _payment_form() -> rx.Component:
    return rx.form(
        _payment_fields(),
        rx.button("Enregistrer le paiement", type="submit", margin_top="0.75em", id="record"),
        on_submit=AgencyPaymentsState.record,
        key=AgencyPaymentsState.form_version,
        width="100%",
        id="payment-form",
    )


def _chosen_lease() -> rx.Component:
    return rx.cond(
        AgencyPaymentsState.chosen >= 0,
        rx.card(
            rx.vstack(
                rx.heading(AgencyPaymentsState.chosen_label, as_="h2", size="5"),
                rx.heading("Échéances ouvertes", as_="h3", size="3"),
                _open_periods_table(),
                rx.heading("Enregistrer un paiement", as_="h3", size="3"),
                rx.text(
                    "Le paiement règle d'abord les échéances les plus anciennes ; "
                    "l'excédent reste en crédit.",
                    size="2",
                    color=rx.color("gray", 11),
                ),
                _payment_form(),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
    )


@space_page(
    route=ROUTE,
    title="Encaissements",
    guard=SessionState.enter_agency_space,
    items=AGENCY_NAV,
    on_load=AgencyPaymentsState.load,
)
def agency_payments() -> rx.Component:
    return rx.vstack(
        rx.heading("Encaissements", as_="h1", size="7"),
        _search_form(),
        _results(),
        _chosen_lease(),
        spacing="4",
        width="100%",
        max_width="1000px",
    )
