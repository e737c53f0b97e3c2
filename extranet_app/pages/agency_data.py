"""/agence/donnees (Données): owners, tenants, buildings, lots, mandates and leases, listed,
created and edited by hand, exported as CSV.

One generic list and one generic form serve the six kinds: both are built from the field
specs of services/data_kinds.py (the same specs as the import), so a field added there shows
up everywhere. The browser sees rows by position and fields by name, never database ids.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import reflex as rx

from extranet_app.api.data_routes import EXPORT_PREFIX
from extranet_app.components.backend_url import backend_url
from extranet_app.components.downloads import download_link
from extranet_app.components.navigation import AGENCY_NAV
from extranet_app.components.pager import pager
from extranet_app.components.shell import space_page
from extranet_app.db import session_scope
from extranet_app.services import agency_data
from extranet_app.services.agency_data import RecordInvalid, RecordPage, RecordRow
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.data_kinds import EDITABLE_KINDS, KINDS, DataKind
from extranet_app.services.errors import AccessDenied
from extranet_app.states.paged_list import PagedListState
from extranet_app.states.session import SessionState

ROUTE = "/agence/donnees"
PAGE_SIZE = 50
MAX_SEARCH_LENGTH = 100
STAFF_ONLY = "Action réservée à l'agence."
KIND_OPTIONS = [(kind.value, KINDS[kind].label) for kind in EDITABLE_KINDS]
KIND_VALUES = frozenset(value for value, _ in KIND_OPTIONS)


@dataclass(frozen=True)
class FormField:
    """A field of the edit form: its input's name, label, current text and problem."""

    name: str
    label: str
    value: str
    required: bool
    hint: str
    error: str
    options: list[str]  # the French labels of a choice ([] for free text)


def _form_fields(
    kind: DataKind, texts: dict[str, str], errors: dict[str, str] | None = None
) -> list[FormField]:
    errors = errors or {}
    return [
        FormField(
            name=field.name,
            label=field.label,
            value=texts.get(field.name, ""),
            required=field.required,
            hint=field.hint,
            error=errors.get(field.name, ""),
            options=list(field.choices.values()) if field.choices else [],
        )
        for field in agency_data.form_fields(kind)
    ]


# --- Plain functions run in threads -------------------------------------------------------------


def _load_page(staff: SessionUser, kind: DataKind, search: str, page: int) -> RecordPage:
    with session_scope() as session:
        return agency_data.list_records(
            session=session, actor=staff, kind=kind, search=search, page=page, page_size=PAGE_SIZE
        )


def _load_record(staff: SessionUser, kind: DataKind, record_id: int) -> dict[str, str]:
    with session_scope() as session:
        return agency_data.record_texts(
            session=session, actor=staff, kind=kind, record_id=record_id
        )


def _save(staff: SessionUser, kind: DataKind, record_id: int | None, values: dict[str, Any]) -> int:
    with session_scope() as session:
        return agency_data.save_record(
            session=session, actor=staff, kind=kind, record_id=record_id, values=values
        )


def _as_position(value: Any, size: int) -> int | None:
    """A row position sent by the browser, if it is a real index into the page."""
    return value if type(value) is int and 0 <= value < size else None


# --- The state ----------------------------------------------------------------------------------


class AgencyDataState(PagedListState, SessionState):
    """The Données page: the chosen kind's list, its search and pages, and the edit form."""

    kind: str = DataKind.OWNERS.value
    search: str = ""
    total: int = 0
    columns: list[str] = []
    rows: list[RecordRow] = []
    editing: bool = False
    form_title: str = ""
    form_fields: list[FormField] = []
    form_version: int = 0
    # Backend only: the ids behind the rows, and the record in the form (None: a new one).
    _page_ids: list[int] = []
    _editing_id: int | None = None

    @rx.var
    def pager_text(self) -> str:
        count = f"{self.total:,}".replace(",", "\u202f")
        words = "fiche" if self.total <= 1 else "fiches"
        return f"{count} {words} — page {self.page} sur {self.page_count}"

    async def _staff(self) -> SessionUser | None:
        return await self._session_user(Space.AGENCY)

    def _chosen_kind(self) -> DataKind:
        return DataKind(self.kind)

    async def _reload(self, staff: SessionUser) -> None:
        listing = await asyncio.to_thread(
            _load_page, staff, self._chosen_kind(), self.search, self.page
        )
        spec = KINDS[self._chosen_kind()]
        self.columns = [field.label for field in spec.listed if field.name != "external_ref"]
        self.rows = list(listing.rows)
        self._page_ids = list(listing.ids)
        self.page, self.page_count, self.total = listing.page, listing.page_count, listing.total

    def _close_form(self) -> None:
        self.editing, self.form_title, self.form_fields = False, "", []
        self._editing_id = None

    @rx.event
    async def load(self):
        """On page load: the first page of the chosen kind."""
        staff = await self._staff()
        if staff is None:
            return
        self._close_form()
        self.page = 1
        await self._reload(staff)

    @rx.event
    async def choose_kind(self, kind: str | list[str]):
        """Propriétaires, Locataires, Immeubles, Lots, Mandats or Baux."""
        staff = await self._staff()
        if staff is None or not isinstance(kind, str) or kind not in KIND_VALUES:
            return
        self.kind, self.search, self.page = kind, "", 1
        self._close_form()
        await self._reload(staff)

    @rx.event
    async def set_search(self, search: str):
        """Search by reference or name (as typed, debounced)."""
        staff = await self._staff()
        if staff is None or not isinstance(search, str):
            return
        self.search, self.page = search[:MAX_SEARCH_LENGTH], 1
        await self._reload(staff)

    @rx.event
    async def new_record(self):
        """Open an empty form for a new record of the chosen kind."""
        if await self._staff() is None:
            return
        kind = self._chosen_kind()
        defaults = {f.name: f.format(f.empty) for f in agency_data.form_fields(kind) if f.choices}
        self._open_form(None, f"Nouvelle fiche — {KINDS[kind].label}", defaults)

    @rx.event
    async def edit(self, position: int):
        """Open the form of the record at `position` in the page."""
        staff = await self._staff()
        index = _as_position(position, len(self._page_ids))
        if staff is None or index is None:
            return None
        record_id = self._page_ids[index]
        try:
            texts = await asyncio.to_thread(_load_record, staff, self._chosen_kind(), record_id)
        except AccessDenied:
            return rx.toast.error("Cette fiche n'existe plus.")
        self._open_form(record_id, f"Fiche {texts['external_ref']}", texts)
        return None

    def _open_form(self, record_id: int | None, title: str, texts: dict[str, str]) -> None:
        self._editing_id, self.editing, self.form_title = record_id, True, title
        self.form_fields = _form_fields(self._chosen_kind(), texts)
        self.form_version += 1

    @rx.event
    def cancel(self):
        self._close_form()

    @rx.event
    async def save(self, form_data: dict[str, Any]):
        """Save the form: checked like an imported row; problems are shown by field."""
        staff = await self._staff()
        if staff is None:
            return rx.toast.error(STAFF_ONLY)
        if not self.editing or not isinstance(form_data, dict):
            return None
        kind, creating = self._chosen_kind(), self._editing_id is None
        try:
            await asyncio.to_thread(_save, staff, kind, self._editing_id, form_data)
        except RecordInvalid as invalid:
            texts = {k: v for k, v in form_data.items() if isinstance(v, str)}
            self.form_fields = _form_fields(kind, texts, invalid.problems)
            self.form_version += 1
            return rx.toast.error("La fiche n'a pas été enregistrée : voyez les champs en rouge.")
        except AccessDenied:
            self._close_form()
            return rx.toast.error("Cette fiche n'existe plus.")
        self._close_form()
        await self._reload(staff)
        return rx.toast.success("Fiche créée." if creating else "Fiche enregistrée.")


# --- Components ---------------------------------------------------------------------------------


def _toolbar() -> rx.Component:
    return rx.flex(
        rx.input(
            value=AgencyDataState.search,
            on_change=AgencyDataState.set_search,
            debounce_timeout=400,
            placeholder="Référence, nom…",
            aria_label="Rechercher",
            id="data-search",
            width=rx.breakpoints(initial="100%", sm="20em"),
        ),
        rx.spacer(display=rx.breakpoints(initial="none", sm="block")),
        rx.button(
            rx.icon("plus", size=16),
            "Nouvelle fiche",
            on_click=AgencyDataState.new_record,
            id="data-new",
        ),
        download_link(
            rx.button(rx.icon("download", size=16), "Exporter en CSV", variant="soft"),
            href=backend_url(EXPORT_PREFIX) + AgencyDataState.kind,
            id="data-export",
        ),
        spacing="2",
        wrap="wrap",
        align="center",
        width="100%",
    )


def _edit_button(row: RecordRow) -> rx.Component:
    return rx.button(
        rx.icon("pencil", size=14),
        "Modifier",
        on_click=AgencyDataState.edit(row.position),
        variant="soft",
        size="1",
        aria_label="Modifier " + row.title,
    )


def _table() -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("Référence"),
                    rx.foreach(AgencyDataState.columns, rx.table.column_header_cell),
                    rx.table.column_header_cell(""),
                )
            ),
            rx.table.body(
                rx.foreach(
                    AgencyDataState.rows,
                    lambda row: rx.table.row(
                        rx.table.row_header_cell(row.title, white_space="nowrap"),
                        rx.foreach(row.cells, lambda cell: rx.table.cell(cell.value)),
                        rx.table.cell(_edit_button(row)),
                    ),
                )
            ),
            variant="surface",
            size="1",
            width="100%",
        ),
        display=rx.breakpoints(initial="none", md="block"),
        overflow_x="auto",
        width="100%",
        id="data-table",
    )


def _card(row: RecordRow) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(row.title, weight="bold"),
                rx.spacer(),
                _edit_button(row),
                width="100%",
                align="center",
            ),
            rx.foreach(
                row.cells,
                lambda cell: rx.cond(
                    cell.value != "",
                    rx.text(
                        rx.text.span(cell.label, " : ", color=rx.color("gray", 11)),
                        cell.value,
                        size="2",
                    ),
                ),
            ),
            spacing="1",
            width="100%",
        ),
        width="100%",
    )


def _cards() -> rx.Component:
    return rx.vstack(
        rx.foreach(AgencyDataState.rows, _card),
        display=rx.breakpoints(initial="flex", md="none"),
        spacing="2",
        width="100%",
        id="data-cards",
    )


def _form_input(field: FormField) -> rx.Component:
    input_id = "field-" + field.name
    return rx.vstack(
        rx.el.label(
            field.label, rx.cond(field.required, " *", ""), html_for=input_id, font_weight="500"
        ),
        rx.cond(
            field.options.length() > 0,
            rx.select(field.options, name=field.name, default_value=field.value, id=input_id),
            rx.input(name=field.name, default_value=field.value, id=input_id, width="100%"),
        ),
        rx.cond(
            field.error != "",
            rx.text(field.error, size="1", color_scheme="red", role="alert"),
            rx.cond(field.hint != "", rx.text(field.hint, size="1", color=rx.color("gray", 11))),
        ),
        spacing="1",
        width=rx.breakpoints(initial="100%", sm="calc(50% - 0.5em)"),
    )


def _form() -> rx.Component:
    return rx.cond(
        AgencyDataState.editing,
        rx.card(
            rx.form(
                rx.vstack(
                    rx.heading(AgencyDataState.form_title, as_="h2", size="4"),
                    rx.flex(
                        rx.foreach(AgencyDataState.form_fields, _form_input),
                        wrap="wrap",
                        spacing="3",
                        width="100%",
                    ),
                    rx.hstack(
                        rx.button("Enregistrer", type="submit", id="data-save"),
                        rx.button(
                            "Annuler",
                            type="button",
                            variant="soft",
                            on_click=AgencyDataState.cancel,
                        ),
                        spacing="3",
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=AgencyDataState.save,
                key=AgencyDataState.form_version,
                width="100%",
            ),
            width="100%",
            id="data-form",
        ),
    )


@space_page(
    route=ROUTE,
    title="Données",
    guard=SessionState.enter_agency_space,
    items=AGENCY_NAV,
    on_load=AgencyDataState.load,
)
def agency_data_page() -> rx.Component:
    return rx.vstack(
        rx.heading("Données", as_="h1", size="7"),
        rx.text(
            "Consultez, créez et modifiez les fiches ; exportez chaque liste en CSV pour Excel. "
            "Les références sont celles de votre logiciel de gestion.",
            color=rx.color("gray", 11),
        ),
        rx.box(
            rx.segmented_control.root(
                *[rx.segmented_control.item(label, value=value) for value, label in KIND_OPTIONS],
                value=AgencyDataState.kind,
                on_change=AgencyDataState.choose_kind,
                id="data-kind",
            ),
            overflow_x="auto",
            max_width="100%",
        ),
        _toolbar(),
        _form(),
        _table(),
        _cards(),
        rx.cond(AgencyDataState.total == 0, rx.text("Aucune fiche.", color=rx.color("gray", 11))),
        pager(
            text=AgencyDataState.pager_text,
            page=AgencyDataState.page,
            page_count=AgencyDataState.page_count,
            go_to_page=AgencyDataState.go_to_page,
            previous_page=AgencyDataState.previous_page,
            next_page=AgencyDataState.next_page,
            element_id="data-pager",
        ),
        spacing="4",
        width="100%",
        max_width="1200px",
    )
