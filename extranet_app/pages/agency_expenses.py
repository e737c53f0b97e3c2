"""/agence/depenses (Dépenses propriétaires): record the invoices paid for a lot's owners, list
them by building, lot and period, delete one while its period is not published."""

import asyncio
from datetime import date
from typing import Any

import reflex as rx

from extranet_app.components.navigation import AGENCY_NAV
from extranet_app.components.pager import pager
from extranet_app.components.shell import space_page
from extranet_app.db import session_scope
from extranet_app.services import owner_expenses
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.errors import AccessDenied
from extranet_app.services.formatting import format_date
from extranet_app.services.owner_expenses import (
    SEARCH_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    ExpensePage,
    ExpenseQuery,
    ExpenseRejected,
    ExpenseRow,
    LotChoice,
)
from extranet_app.services.report_periods import month_period, publishable_choices
from extranet_app.services.timekeeping import today_in_france
from extranet_app.states.paged_list import PagedListState
from extranet_app.states.session import SessionState

ROUTE = "/agence/depenses"
STAFF_ONLY = "Action réservée à l'agence."
READ_ONLY = "Aperçu en lecture seule : aucune modification possible."
ALL_PERIODS = "toutes"
FIELDS = ("lot", "spent_on", "label", "supplier", "amount", "form")


def _load(user: SessionUser, query: ExpenseQuery) -> ExpensePage:
    with session_scope() as session:
        return owner_expenses.list_expenses(session=session, actor=user, query=query)


def _lots(user: SessionUser, text: str) -> list[LotChoice]:
    with session_scope() as session:
        return owner_expenses.lot_choices(session=session, actor=user, search=text)


def _add(user: SessionUser, lot_reference: str, form: dict[str, Any]) -> str:
    with session_scope() as session:
        return owner_expenses.add_expense(
            session=session,
            actor=user,
            lot_reference=lot_reference,
            spent_on_text=form.get("spent_on"),
            label=form.get("label"),
            supplier=form.get("supplier", ""),
            amount_text=form.get("amount"),
            today=today_in_france(),
        )


def _delete(user: SessionUser, reference: str) -> str:
    with session_scope() as session:
        return owner_expenses.delete_expense(session=session, actor=user, reference=reference)


def _iso_date(value: object) -> date | None:
    """A date from an <input type="date"> (ISO), or None when empty or not one."""
    try:
        return date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def _period_options(today: date) -> list[dict[str, str]]:
    """The running month, then the finished months and years, as a period filter offers them."""
    periods = [month_period(today.year, today.month), *publishable_choices(today)]
    return [{"key": period.key, "label": period.label} for period in periods]


class AgencyExpensesState(PagedListState, SessionState):
    """Dépenses propriétaires: the lot picker, the expense form, the filtered list."""

    rows: list[ExpenseRow] = []
    total: int = 0
    loaded: bool = False
    search: str = ""
    period_key: str = ALL_PERIODS
    start_iso: str = ""
    end_iso: str = ""
    period_options: list[dict[str, str]] = []
    lot_search: str = ""
    lots: list[LotChoice] = []
    lots_searched: bool = False
    lot_reference: str = ""  # opaque: the lot's id stays on the server
    lot_label: str = ""
    today_text: str = ""
    today_iso: str = ""
    form_version: int = 0
    lot_error: str = ""
    spent_on_error: str = ""
    label_error: str = ""
    supplier_error: str = ""
    amount_error: str = ""
    form_error: str = ""
    deleting: str = ""  # the reference of the row waiting for confirmation
    deleting_label: str = ""

    @rx.var
    def pager_text(self) -> str:
        return f"{self.total} dépense(s) — page {self.page} sur {self.page_count}"

    async def _staff(self) -> SessionUser | None:
        user = await self._session_user(Space.AGENCY)
        if user is None:
            self._forget()
        return user

    def _forget(self) -> None:
        self.rows, self.lots, self.total, self.loaded = [], [], 0, False
        self.lot_reference, self.lot_label, self.deleting, self.deleting_label = "", "", "", ""

    def _set_errors(self, errors: dict[str, str]) -> None:
        for field in FIELDS:
            setattr(self, f"{field}_error", errors.get(field, ""))

    def _query(self) -> ExpenseQuery:
        period = "" if self.period_key == ALL_PERIODS else self.period_key
        return ExpenseQuery(
            search=self.search,
            period_key=period,
            start=_iso_date(self.start_iso),
            end=_iso_date(self.end_iso),
            page=self.page,
        )

    async def _reload(self, user: SessionUser) -> None:
        listing = await asyncio.to_thread(_load, user, self._query())
        self.rows, self.total = listing.rows, listing.total
        self.page, self.page_count = listing.page, listing.page_count
        self.loaded = True

    @rx.event
    async def load(self):
        """Open the page: today's date for the form, the period filter, the newest expenses."""
        user = await self._staff()
        if user is None:
            return
        today = today_in_france()
        self.today_text, self.today_iso = format_date(today), today.isoformat()
        self.period_options = _period_options(today)
        await self._reload(user)

    @rx.event
    async def apply_filters(self, form_data: dict[str, Any]):
        """The filter form was submitted: building/lot text, period, date range."""
        user = await self._staff()
        if user is None or not isinstance(form_data, dict):
            return
        text, period = form_data.get("search", ""), form_data.get("period", ALL_PERIODS)
        start, end = form_data.get("start", ""), form_data.get("end", "")
        if not all(isinstance(value, str) for value in (text, period, start, end)):
            return
        self.search = text.strip()[:SEARCH_MAX_LENGTH]
        known = {option["key"] for option in self.period_options}
        self.period_key = period if period in known else ALL_PERIODS
        self.start_iso = start if _iso_date(start) else ""
        self.end_iso = end if _iso_date(end) else ""
        self.page = 1
        await self._reload(user)

    @rx.event
    async def clear_filters(self):
        user = await self._staff()
        if user is None:
            return
        self.search, self.period_key, self.start_iso, self.end_iso = "", ALL_PERIODS, "", ""
        self.page = 1
        await self._reload(user)

    @rx.event
    async def search_lots(self, form_data: dict[str, Any]):
        """The lot picker's search was submitted (building name or lot reference)."""
        user = await self._staff()
        if user is None:
            return rx.toast.error(STAFF_ONLY)
        text = form_data.get("text") if isinstance(form_data, dict) else None
        if not isinstance(text, str) or len(text) > SEARCH_MAX_LENGTH:
            return rx.toast.error("Recherche invalide.")
        self.lots = await asyncio.to_thread(_lots, user, text)
        self.lot_search, self.lots_searched = text.strip(), True
        return None

    @rx.event
    async def choose_lot(self, reference: str):
        """Charge the expense to one of the lots found."""
        if await self._staff() is None:
            return rx.toast.error(STAFF_ONLY)
        chosen = next((lot for lot in self.lots if lot.reference == reference), None)
        if chosen is None:
            return rx.toast.error("Lot introuvable.")
        self.lot_reference, self.lot_label, self.lot_error = chosen.reference, chosen.label, ""
        return None

    @rx.event
    async def add(self, form_data: dict[str, Any]):
        """The expense form was submitted for the chosen lot."""
        user = await self._staff()
        if user is None:
            return rx.toast.error(STAFF_ONLY)
        if user.read_only:
            return rx.toast.error(READ_ONLY)
        if not isinstance(form_data, dict):
            return rx.toast.error("Formulaire invalide.")
        try:
            message = await asyncio.to_thread(_add, user, self.lot_reference, form_data)
        except ExpenseRejected as error:
            self._set_errors(error.errors)
            return rx.toast.error("Dépense non enregistrée : corrigez les champs signalés.")
        except AccessDenied:
            return rx.toast.error(STAFF_ONLY)
        self._set_errors({})
        self.form_version += 1
        await self._reload(user)
        return rx.toast.success(message)

    @rx.event
    async def ask_delete(self, reference: str):
        """Ask for confirmation before deleting the row named by `reference`."""
        if await self._staff() is None:
            return
        row = next((row for row in self.rows if row.reference == reference), None)
        if row is not None and not row.published:
            self.deleting, self.deleting_label = row.reference, f"{row.label} ({row.amount})"

    @rx.event
    def cancel_delete(self):
        self.deleting, self.deleting_label = "", ""

    @rx.event
    def delete_dialog_changed(self, is_open: bool):
        """The confirmation closed by itself (Escape, a click outside): nothing is deleted."""
        if is_open is not True:
            self.deleting, self.deleting_label = "", ""

    @rx.event
    async def confirm_delete(self):
        """Delete the expense waiting for confirmation."""
        user = await self._staff()
        if user is None:
            return rx.toast.error(STAFF_ONLY)
        if user.read_only:
            return rx.toast.error(READ_ONLY)
        reference, self.deleting, self.deleting_label = self.deleting, "", ""
        if not reference:
            return rx.toast.error("Dépense introuvable.")
        try:
            message = await asyncio.to_thread(_delete, user, reference)
        except ExpenseRejected as error:
            await self._reload(user)
            return rx.toast.error(str(error))
        except AccessDenied:
            return rx.toast.error(STAFF_ONLY)
        await self._reload(user)
        return rx.toast.success(message)


# --- The form ------------------------------------------------------------------------------------


def _error(message: rx.Var) -> rx.Component:
    return rx.cond(message != "", rx.text(message, size="1", color=rx.color("red", 11)))


def _field(label: str, field_id: str, error: rx.Var, **props) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=field_id, font_weight="500", font_size="14px"),
        rx.input(id=field_id, width="100%", **props),
        _error(error),
        spacing="1",
        flex="1 1 160px",
        min_width="0",
    )


def _lot_search_form() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(
                name="text",
                placeholder="Immeuble ou numéro de lot",
                default_value=AgencyExpensesState.lot_search,
                max_length=SEARCH_MAX_LENGTH,
                flex="1",
                min_width="0",
                id="expense-lot-search",
                aria_label="Rechercher un lot",
            ),
            rx.button(rx.icon("search", size=16), "Chercher", type="submit"),
            width="100%",
        ),
        on_submit=AgencyExpensesState.search_lots,
        width="100%",
    )


def _lot_choice(lot: LotChoice) -> rx.Component:
    is_chosen = AgencyExpensesState.lot_reference == lot.reference
    return rx.hstack(
        rx.vstack(
            rx.text(lot.label, weight="bold", size="2"),
            rx.text(lot.owners, size="1", color=rx.color("gray", 11)),
            spacing="0",
            min_width="0",
        ),
        rx.button(
            "Choisir",
            size="1",
            on_click=AgencyExpensesState.choose_lot(lot.reference),
            variant=rx.cond(is_chosen, "solid", "soft"),
        ),
        justify="between",
        align="center",
        width="100%",
        class_name="expense-lot-choice",
    )


def _lot_picker() -> rx.Component:
    return rx.vstack(
        rx.text("Lot", weight="bold", size="2"),
        _lot_search_form(),
        rx.cond(
            AgencyExpensesState.lots.length() > 0,
            rx.vstack(rx.foreach(AgencyExpensesState.lots, _lot_choice), width="100%"),
            rx.cond(AgencyExpensesState.lots_searched, rx.text("Aucun lot trouvé.", size="2")),
        ),
        rx.cond(
            AgencyExpensesState.lot_label != "",
            rx.callout(
                "Lot choisi : " + AgencyExpensesState.lot_label,
                icon="check",
                size="1",
                width="100%",
            ),
        ),
        _error(AgencyExpensesState.lot_error),
        width="100%",
        spacing="2",
    )


def _expense_fields() -> rx.Component:
    state = AgencyExpensesState
    return rx.flex(
        _field(
            "Date (jj/mm/aaaa)",
            "expense-date",
            state.spent_on_error,
            name="spent_on",
            default_value=state.today_text,
            placeholder="jj/mm/aaaa",
            input_mode="numeric",
            max_length=10,
            required=True,
        ),
        _field(
            "Libellé",
            "expense-label",
            state.label_error,
            name="label",
            placeholder="Réparation chaudière",
            max_length=TEXT_MAX_LENGTH,
            required=True,
        ),
        _field(
            "Fournisseur",
            "expense-supplier",
            state.supplier_error,
            name="supplier",
            max_length=TEXT_MAX_LENGTH,
        ),
        _field(
            "Montant (€)",
            "expense-amount",
            state.amount_error,
            name="amount",
            placeholder="1 234,56",
            input_mode="decimal",
            required=True,
        ),
        wrap="wrap",
        spacing="3",
        width="100%",
    )


def _expense_form() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Enregistrer une dépense", as_="h2", size="5"),
            rx.text(
                "La dépense est imputée au lot : chaque copropriétaire en supporte sa part "
                "dans son rapport de gestion.",
                size="2",
                color=rx.color("gray", 11),
            ),
            _lot_picker(),
            rx.form(
                _expense_fields(),
                _error(AgencyExpensesState.form_error),
                rx.button(
                    "Enregistrer la dépense", type="submit", margin_top="0.75em", id="add-expense"
                ),
                on_submit=AgencyExpensesState.add,
                key=AgencyExpensesState.form_version,
                width="100%",
                id="expense-form",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


# --- The list ------------------------------------------------------------------------------------


def _period_select() -> rx.Component:
    return rx.el.select(
        rx.el.option("Toutes les périodes", value=ALL_PERIODS),
        rx.foreach(
            AgencyExpensesState.period_options,
            lambda option: rx.el.option(option["label"], value=option["key"]),
        ),
        name="period",
        default_value=AgencyExpensesState.period_key,
        aria_label="Période",
        id="expense-period",
        style={
            "padding": "0.3em 0.5em",
            "border": "1px solid var(--gray-7)",
            "borderRadius": "var(--radius-2)",
            "background": "var(--color-surface)",
            "maxWidth": "100%",
        },
    )


def _filters() -> rx.Component:
    return rx.form(
        rx.flex(
            rx.input(
                name="search",
                placeholder="Immeuble ou lot",
                default_value=AgencyExpensesState.search,
                max_length=SEARCH_MAX_LENGTH,
                aria_label="Immeuble ou lot",
                flex="1 1 180px",
                id="expense-filter-search",
            ),
            _period_select(),
            rx.hstack(
                rx.text("Du", size="2"),
                rx.input(type="date", name="start", default_value=AgencyExpensesState.start_iso),
                rx.text("au", size="2"),
                rx.input(type="date", name="end", default_value=AgencyExpensesState.end_iso),
                align="center",
                wrap="wrap",
            ),
            rx.hstack(
                rx.button(rx.icon("filter", size=16), "Filtrer", type="submit"),
                rx.button(
                    "Effacer",
                    type="button",
                    variant="soft",
                    color_scheme="gray",
                    on_click=AgencyExpensesState.clear_filters,
                ),
            ),
            wrap="wrap",
            spacing="2",
            align="center",
            width="100%",
        ),
        on_submit=AgencyExpensesState.apply_filters,
        width="100%",
        id="expense-filters",
    )


def _published_badge(row: ExpenseRow) -> rx.Component:
    return rx.cond(
        row.published,
        rx.badge(row.published_notice, color_scheme="amber", white_space="normal"),
    )


def _delete_button(row: ExpenseRow) -> rx.Component:
    return rx.cond(
        row.published,
        rx.fragment(),
        rx.icon_button(
            rx.icon("trash-2", size=16),
            on_click=AgencyExpensesState.ask_delete(row.reference),
            variant="ghost",
            color_scheme="red",
            aria_label="Supprimer la dépense " + row.label,
        ),
    )


def _row(row: ExpenseRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.spent_on, white_space="nowrap"),
        rx.table.cell(
            rx.text(row.lot_label, weight="medium"),
            rx.text(row.owners, size="1", color=rx.color("gray", 11)),
        ),
        rx.table.cell(rx.text(row.label), _published_badge(row)),
        rx.table.cell(row.supplier),
        rx.table.cell(row.amount, text_align="right", white_space="nowrap"),
        rx.table.cell(_delete_button(row)),
        class_name="expense-row",
    )


def _card(row: ExpenseRow) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(row.spent_on, size="2"),
                rx.text(row.amount, weight="bold"),
                justify="between",
                width="100%",
            ),
            rx.text(row.label, weight="bold"),
            rx.text(row.lot_label, size="2"),
            rx.text(row.owners, size="1", color=rx.color("gray", 11)),
            rx.cond(row.supplier != "", rx.text("Fournisseur : ", row.supplier, size="2")),
            _published_badge(row),
            _delete_button(row),
            spacing="1",
            width="100%",
        ),
        width="100%",
        class_name="expense-card",
    )


def _list() -> rx.Component:
    headers = ["Date", "Lot", "Libellé", "Fournisseur", "Montant", ""]
    table = rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
        rx.table.body(rx.foreach(AgencyExpensesState.rows, _row)),
        width="100%",
        id="expenses-table",
    )
    cards = rx.vstack(rx.foreach(AgencyExpensesState.rows, _card), width="100%")
    return rx.cond(
        AgencyExpensesState.rows.length() > 0,
        rx.box(
            rx.box(table, display=rx.breakpoints(initial="none", md="block"), width="100%"),
            rx.box(cards, display=rx.breakpoints(initial="block", md="none"), width="100%"),
            width="100%",
        ),
        rx.cond(AgencyExpensesState.loaded, rx.text("Aucune dépense.")),
    )


def _delete_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Supprimer la dépense ?"),
            rx.alert_dialog.description(
                "« ",
                AgencyExpensesState.deleting_label,
                " » sera supprimée. Cette action est définitive.",
            ),
            rx.flex(
                rx.alert_dialog.cancel(
                    rx.button(
                        "Annuler",
                        variant="soft",
                        color_scheme="gray",
                        on_click=AgencyExpensesState.cancel_delete,
                    )
                ),
                rx.alert_dialog.action(
                    rx.button(
                        "Supprimer",
                        color_scheme="red",
                        on_click=AgencyExpensesState.confirm_delete,
                        id="confirm-delete-expense",
                    )
                ),
                spacing="3",
                justify="end",
                margin_top="1em",
            ),
            max_width="440px",
        ),
        open=AgencyExpensesState.deleting != "",
        on_open_change=AgencyExpensesState.delete_dialog_changed,
    )


@space_page(
    route=ROUTE,
    title="Dépenses propriétaires",
    guard=SessionState.enter_agency_space,
    items=AGENCY_NAV,
    on_load=AgencyExpensesState.load,
)
def agency_expenses() -> rx.Component:
    return rx.vstack(
        rx.heading("Dépenses propriétaires", as_="h1", size="7"),
        _expense_form(),
        rx.heading("Dépenses enregistrées", as_="h2", size="5"),
        _filters(),
        _list(),
        pager(
            text=AgencyExpensesState.pager_text,
            page=AgencyExpensesState.page,
            page_count=AgencyExpensesState.page_count,
            go_to_page=AgencyExpensesState.go_to_page,
            previous_page=AgencyExpensesState.previous_page,
            next_page=AgencyExpensesState.next_page,
            element_id="expenses-pager",
        ),
        _delete_dialog(),
        spacing="4",
        width="100%",
        max_width="1100px",
    )
