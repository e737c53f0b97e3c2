"""/agence/journal: the audit journal, for agency administrators only.

Pages follow the event ids (keyset), which stay in backend-only vars; plain staff are sent back
to /agence and their calls of these handlers get nothing.
"""

from __future__ import annotations

import asyncio
from datetime import date

import reflex as rx

from extranet_app.components.navigation import AGENCY_NAV
from extranet_app.components.shell import space_page
from extranet_app.db import session_scope
from extranet_app.services import journal
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.errors import AccessDenied
from extranet_app.services.journal import (
    ACTION_LABELS,
    JournalCursor,
    JournalFilter,
    JournalPage,
    JournalRow,
)
from extranet_app.states.session import SessionState

PAGE_SIZE = 50
ALL = "toutes"  # "no filter" (a select item cannot have an empty value)
MAX_SEARCH_LENGTH = 200
ACTION_OPTIONS = [
    (ALL, "Toutes les actions"),
    *sorted(ACTION_LABELS.items(), key=lambda item: item[1]),
]


def parse_filters(form_data: object) -> JournalFilter | None:
    """The filter form as sent by the browser, or None when any field is malformed."""
    if not isinstance(form_data, dict):
        return None
    action, actor = form_data.get("action", ALL), form_data.get("actor", "")
    start, end = form_data.get("from", ""), form_data.get("to", "")
    fields = (action, actor, start, end)
    if not all(isinstance(value, str) for value in fields):
        return None
    if action != ALL and action not in ACTION_LABELS:
        return None
    try:
        date_from, date_to = _day(start), _day(end)
    except ValueError:
        return None
    return JournalFilter(
        action="" if action == ALL else action,
        actor_search=actor.strip()[:MAX_SEARCH_LENGTH],
        date_from=date_from,
        date_to=date_to,
        denied_only=form_data.get("denied") in ("on", True),
    )


def _day(text: str) -> date | None:
    return date.fromisoformat(text) if text.strip() else None


def _count_label(count: int, more: bool) -> str:
    if more:
        return f"Plus de {count:,} événements".replace(",", "\u202f")
    return f"{count:,} événement(s)".replace(",", "\u202f")


def _page(user: SessionUser, filters: JournalFilter, cursor: JournalCursor | None) -> JournalPage:
    with session_scope() as session:
        return journal.list_events(
            session=session, actor=user, filters=filters, cursor=cursor, page_size=PAGE_SIZE
        )


def _count(user: SessionUser, filters: JournalFilter) -> tuple[int, bool]:
    with session_scope() as session:
        return journal.count_events(session=session, actor=user, filters=filters)


class JournalState(SessionState):
    """The journal page: events, filters and the pager."""

    rows: list[JournalRow] = []
    action_filter: str = ALL
    actor_search: str = ""
    date_from: str = ""
    date_to: str = ""
    denied_only: bool = False
    page_number: int = 1
    has_newer: bool = False
    has_older: bool = False
    count_label: str = ""
    form_version: int = 0  # changed to re-draw the filter form with its new default values
    _filters: JournalFilter = JournalFilter()
    _newest_id: int | None = None
    _oldest_id: int | None = None

    async def _admin(self) -> SessionUser | None:
        user = await self._session_user(Space.AGENCY)
        if user is None or not user.is_admin or user.read_only:
            self._forget()
            return None
        return user

    def _forget(self) -> None:
        self.rows, self.count_label, self.has_newer, self.has_older = [], "", False, False
        self._newest_id = self._oldest_id = None

    async def _show(self, user: SessionUser, cursor: JournalCursor | None) -> None:
        try:
            page = await asyncio.to_thread(_page, user, self._filters, cursor)
        except AccessDenied:
            self._forget()
            return
        self.rows, self.has_newer, self.has_older = page.rows, page.has_newer, page.has_older
        self._newest_id, self._oldest_id = page.newest_id, page.oldest_id

    async def _first_page(self, user: SessionUser) -> None:
        self.page_number = 1
        await self._show(user, None)
        count, more = await asyncio.to_thread(_count, user, self._filters)
        self.count_label = _count_label(count, more)

    @rx.event
    async def load(self):
        """Page load: administrators see the newest events; anyone else goes back to /agence."""
        user = await self._admin()
        if user is None:
            return rx.redirect(Space.AGENCY.path)
        await self._first_page(user)
        return None

    @rx.event
    async def apply_filters(self, form_data: dict):
        """The filter form was submitted."""
        user = await self._admin()
        if user is None:
            return None
        filters = parse_filters(form_data)
        if filters is None:
            return rx.toast.error("Filtres invalides.")
        self._filters = filters
        self.action_filter = filters.action or ALL
        self.actor_search = filters.actor_search
        self.date_from = filters.date_from.isoformat() if filters.date_from else ""
        self.date_to = filters.date_to.isoformat() if filters.date_to else ""
        self.denied_only = filters.denied_only
        await self._first_page(user)
        return None

    @rx.event
    async def clear_filters(self):
        user = await self._admin()
        if user is None:
            return
        self._filters = JournalFilter()
        self.action_filter, self.actor_search, self.date_from, self.date_to = ALL, "", "", ""
        self.denied_only = False
        self.form_version += 1
        await self._first_page(user)

    @rx.event
    async def first_page(self):
        user = await self._admin()
        if user is not None:
            await self._first_page(user)

    @rx.event
    async def older_page(self):
        """The next page, towards older events."""
        user = await self._admin()
        if user is not None and self.has_older and self._oldest_id is not None:
            await self._show(user, JournalCursor(older_than=self._oldest_id))
            self.page_number += 1

    @rx.event
    async def newer_page(self):
        """The previous page, towards newer events."""
        user = await self._admin()
        if user is not None and self.has_newer and self._newest_id is not None:
            await self._show(user, JournalCursor(newer_than=self._newest_id))
            self.page_number = max(1, self.page_number - 1)


# --- Components -------------------------------------------------------------------------------


def _allowed_badge(row: JournalRow) -> rx.Component:
    return rx.cond(
        row.allowed,
        rx.badge("Autorisé", color_scheme="green", variant="soft"),
        rx.badge("Refusé", color_scheme="red", variant="solid", class_name="denied-badge"),
    )


def _actor(row: JournalRow) -> rx.Component:
    return rx.vstack(
        rx.text(row.actor_name, weight="medium"),
        rx.cond(
            row.actor_email != "",
            rx.text(row.actor_email, size="1", color=rx.color("gray", 11)),
        ),
        spacing="0",
    )


def _action(row: JournalRow) -> rx.Component:
    return rx.vstack(
        rx.text(row.action_label),
        rx.cond(row.detail != "", rx.text(row.detail, size="1", color=rx.color("gray", 11))),
        spacing="0",
    )


def _table_row(row: JournalRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.when, white_space="nowrap"),
        rx.table.cell(_actor(row)),
        rx.table.cell(_action(row), max_width="340px"),
        rx.table.cell(row.target, max_width="260px"),
        rx.table.cell(row.ip, white_space="nowrap"),
        rx.table.cell(_allowed_badge(row)),
        class_name="journal-row",
    )


def _table() -> rx.Component:
    headers = ["Date (heure de Paris)", "Qui", "Action", "Cible", "Adresse IP", "Résultat"]
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(rx.foreach(JournalState.rows, _table_row)),
            variant="surface",
            size="2",
            width="100%",
        ),
        display=rx.breakpoints(initial="none", md="block"),
        overflow_x="auto",
        width="100%",
    )


def _card(row: JournalRow) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(row.when, size="2", color=rx.color("gray", 11)),
                _allowed_badge(row),
                justify="between",
                width="100%",
            ),
            _action(row),
            _actor(row),
            rx.cond(row.target != "", rx.text("Cible : ", row.target, size="2")),
            rx.cond(row.ip != "", rx.text("IP : ", row.ip, size="1")),
            spacing="2",
            width="100%",
        ),
        width="100%",
        class_name="journal-card",
    )


def _cards() -> rx.Component:
    return rx.vstack(
        rx.foreach(JournalState.rows, _card),
        display=rx.breakpoints(initial="flex", md="none"),
        spacing="2",
        width="100%",
    )


def _labelled(label: str, control: rx.Component) -> rx.Component:
    return rx.el.label(
        rx.vstack(rx.text(label, size="2", weight="medium"), control, spacing="1"),
        flex="1",
        min_width="160px",
    )


def _filter_fields() -> rx.Component:
    action = rx.select.root(
        rx.select.trigger(width="100%"),
        rx.select.content(*[rx.select.item(label, value=value) for value, label in ACTION_OPTIONS]),
        name="action",
        default_value=JournalState.action_filter,
    )
    actor = rx.input(
        name="actor", default_value=JournalState.actor_search, max_length=MAX_SEARCH_LENGTH
    )
    denied = rx.el.label(
        rx.hstack(
            rx.checkbox(name="denied", default_checked=JournalState.denied_only),
            rx.text("Refus seulement", size="2"),
            align="center",
        ),
        align_self="end",
        padding_bottom="0.4em",
    )
    return rx.flex(
        _labelled("Action", action),
        _labelled("Qui (nom ou e-mail)", actor),
        _labelled("Du", rx.input(type="date", name="from", default_value=JournalState.date_from)),
        _labelled("Au", rx.input(type="date", name="to", default_value=JournalState.date_to)),
        denied,
        wrap="wrap",
        spacing="3",
        width="100%",
    )


def _filters() -> rx.Component:
    # Uncontrolled fields, read once on submit; a new key re-draws them after "Effacer".
    return rx.form(
        _filter_fields(),
        rx.hstack(
            rx.button(rx.icon("filter", size=16), "Filtrer", type="submit", id="apply-filters"),
            rx.button(
                "Effacer", type="button", on_click=JournalState.clear_filters, variant="soft"
            ),
            margin_top="0.75em",
        ),
        on_submit=JournalState.apply_filters,
        key=JournalState.form_version,
        width="100%",
        id="journal-filters",
    )


def _pager() -> rx.Component:
    return rx.hstack(
        rx.button(
            rx.icon("chevrons-left", size=16),
            "Plus récents",
            on_click=JournalState.first_page,
            disabled=~JournalState.has_newer,
            variant="soft",
            aria_label="Première page",
        ),
        rx.button(
            rx.icon("chevron-left", size=16),
            "Précédente",
            on_click=JournalState.newer_page,
            disabled=~JournalState.has_newer,
            variant="soft",
        ),
        rx.text("Page ", JournalState.page_number),
        rx.button(
            "Suivante",
            rx.icon("chevron-right", size=16),
            on_click=JournalState.older_page,
            disabled=~JournalState.has_older,
            variant="soft",
            id="older-page",
        ),
        rx.text(JournalState.count_label, color=rx.color("gray", 11)),
        align="center",
        wrap="wrap",
        spacing="3",
    )


@space_page(
    route="/agence/journal",
    title="Journal",
    guard=SessionState.enter_agency_space,
    items=AGENCY_NAV,
    on_load=JournalState.load,
)
def agency_journal() -> rx.Component:
    return rx.vstack(
        rx.heading("Journal", as_="h1", size="7"),
        rx.text(
            "Qui a fait quoi, quand et d'où : connexions, inscriptions, codes d'accès, aperçus, "
            "envois. Heures de Paris.",
            color=rx.color("gray", 11),
        ),
        _filters(),
        _pager(),
        rx.cond(
            JournalState.rows.length() > 0,
            rx.fragment(_table(), _cards()),
            rx.text("Aucun événement ne correspond.", color=rx.color("gray", 11)),
        ),
        _pager(),
        spacing="4",
        width="100%",
        max_width="1200px",
    )
