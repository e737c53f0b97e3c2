"""/agence/documents-recus (Documents reçus): what owners and tenants sent, to file.

Documents to file come first. "Classer" opens a dialog: category, one of the sender's lots or
leases, and who else may see the document. Rows and choices are known to the browser by
position only; the ids stay in backend-only vars.
"""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from extranet_app.components.document_forms import download_link, form_select, labelled, pager
from extranet_app.components.navigation import AGENCY_NAV
from extranet_app.components.shell import space_page
from extranet_app.db import session_scope
from extranet_app.services import received_documents
from extranet_app.services.agency_documents import AUDIENCE_LABELS, DocumentRejected
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.documents import category_label
from extranet_app.services.errors import AccessDenied
from extranet_app.services.received_documents import (
    FILING_CATEGORIES,
    INBOX_FILTER_LABELS,
    FilingForm,
    InboxFilter,
    ReceivedLine,
    ReceivedPage,
)
from extranet_app.states.session import SessionState

ROUTE = "/agence/documents-recus"
STAFF_ONLY = "Action réservée à l'agence."
NO_ATTACHMENT = "aucun"
CATEGORY_OPTIONS = [(category.value, category_label(category)) for category in FILING_CATEGORIES]


def _load(user: SessionUser, status: str, page: int) -> ReceivedPage:
    with session_scope() as session:
        return received_documents.list_received(
            session=session, user=user, status=InboxFilter(status), page=page
        )


def _filing_form(user: SessionUser, document_id: int) -> FilingForm:
    with session_scope() as session:
        return received_documents.filing_form(session=session, user=user, document_id=document_id)


def _file(
    user: SessionUser,
    document_id: int,
    form: dict[str, Any],
    attachment: tuple[str, int] | None,
    ip: str,
) -> None:
    with session_scope() as session:
        received_documents.file_document(
            session=session,
            user=user,
            document_id=document_id,
            category=form.get("category"),
            attachment=attachment,
            audience=form.get("audience"),
            ip=ip,
        )


def _position(value: object, size: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 <= value < size else None


class AgencyInboxState(SessionState):
    """Documents reçus: the list, its filter and pages, and the filing dialog."""

    lines: list[ReceivedLine] = []
    status_filter: str = InboxFilter.UNFILED.value
    page: int = 1
    page_count: int = 1
    total: int = 0
    loaded: bool = False
    filing_open: bool = False
    filing_title: str = ""
    filing_sender: str = ""
    filing_category: str = ""
    filing_attachment: str = NO_ATTACHMENT
    filing_audience: str = ""
    filing_attachments: list[dict[str, str]] = []
    filing_audiences: list[dict[str, str]] = []
    form_version: int = 0
    _page_ids: list[int] = []
    _filing_id: int | None = None
    _filing_targets: list[tuple[str, int]] = []

    async def _staff(self) -> SessionUser | None:
        return await self._session_user(Space.AGENCY)

    def _forget(self) -> None:
        self.lines, self._page_ids = [], []
        self._close_filing()

    def _close_filing(self) -> None:
        self.filing_open, self._filing_id, self._filing_targets = False, None, []
        self.filing_attachments, self.filing_audiences = [], []

    async def _refresh(self, user: SessionUser) -> None:
        listing = await asyncio.to_thread(_load, user, self.status_filter, self.page)
        self.page, self.page_count, self.total = listing.page, listing.page_count, listing.total
        self._page_ids = [entry.document_id for entry in listing.entries]
        self.lines = [entry.line for entry in listing.entries]
        self.loaded = True

    @rx.event
    async def load(self):
        """Page load: documents to file first."""
        user = await self._staff()
        if user is None:
            self._forget()
            return
        self._close_filing()
        await self._refresh(user)

    @rx.event
    async def filter_status(self, status: str):
        """Show the documents to file, the filed ones, or all."""
        user = await self._staff()
        if user is None:
            self._forget()
            return
        if isinstance(status, str) and status in {f.value for f in InboxFilter}:
            self.status_filter, self.page = status, 1
            await self._refresh(user)

    async def _turn(self, page: int) -> None:
        user = await self._staff()
        if user is None:
            self._forget()
            return
        self.page = page
        await self._refresh(user)

    @rx.event
    async def next_page(self):
        await self._turn(min(self.page + 1, self.page_count))

    @rx.event
    async def previous_page(self):
        await self._turn(max(self.page - 1, 1))

    @rx.event
    async def open_filing(self, position: int):
        """Open the filing dialog for the row at `position`."""
        user = await self._staff()
        if user is None:
            self._forget()
            return rx.toast.error(STAFF_ONLY)
        index = _position(position, len(self._page_ids))
        if index is None:
            return rx.toast.error("Document introuvable.")
        try:
            form = await asyncio.to_thread(_filing_form, user, self._page_ids[index])
        except (DocumentRejected, AccessDenied):
            return rx.toast.error("Document introuvable.")
        self._show_filing(self._page_ids[index], form)
        return None

    def _show_filing(self, document_id: int, form: FilingForm) -> None:
        self._filing_id = document_id
        self._filing_targets = [(option.kind.value, option.target_id) for option in form.options]
        self.filing_title, self.filing_sender = form.title, form.sender
        self.filing_category = form.category if form.category in FILING_CATEGORIES else "autre"
        self.filing_attachments = [{"value": NO_ATTACHMENT, "label": "Aucun (la personne seule)"}]
        self.filing_attachments += [
            {"value": str(position), "label": option.label}
            for position, option in enumerate(form.options)
        ]
        current = form.current_option
        self.filing_attachment = str(current) if current >= 0 else NO_ATTACHMENT
        self.filing_audiences = [
            {"value": audience.value, "label": AUDIENCE_LABELS[audience]}
            for audience in form.audiences
        ]
        self.filing_audience = form.audience.value
        self.form_version += 1
        self.filing_open = True

    @rx.event
    def filing_dialog_changed(self, is_open: bool):
        """The dialog was closed (button, Escape, a click outside)."""
        if is_open is not True:
            self._close_filing()

    def _attachment(self, value: object) -> tuple[str, int] | None:
        if value == NO_ATTACHMENT:
            return None
        position = int(value) if isinstance(value, str) and value.isdigit() else None
        index = _position(position, len(self._filing_targets))
        if index is None:
            raise DocumentRejected("Choisissez un lot ou un bail de la liste.")
        return self._filing_targets[index]

    @rx.event
    async def file(self, form_data: dict[str, Any]):
        """The filing form was submitted."""
        user = await self._staff()
        if user is None:
            self._forget()
            return rx.toast.error(STAFF_ONLY)
        if self._filing_id is None or not isinstance(form_data, dict):
            return rx.toast.error("Choisissez d'abord un document à classer.")
        ip = self.router.session.client_ip
        try:
            attachment = self._attachment(form_data.get("attachment"))
            await asyncio.to_thread(_file, user, self._filing_id, form_data, attachment, ip)
        except DocumentRejected as error:
            return rx.toast.error(str(error))
        except AccessDenied:
            return rx.toast.error(STAFF_ONLY)
        title = self.filing_title
        self._close_filing()
        await self._refresh(user)
        return rx.toast.success(f"« {title} » classé.")


def _status_filter() -> rx.Component:
    return rx.select.root(
        rx.select.trigger(aria_label="Afficher"),
        rx.select.content(
            *[
                rx.select.item(label, value=value.value)
                for value, label in INBOX_FILTER_LABELS.items()
            ]
        ),
        value=AgencyInboxState.status_filter,
        on_change=AgencyInboxState.filter_status,
    )


def _status_badge(line: ReceivedLine) -> rx.Component:
    return rx.badge(line.status_label, color_scheme=rx.cond(line.filed, "green", "amber"))


def _file_button(index: rx.Var) -> rx.Component:
    return rx.button(
        rx.icon("folder-input", size=16),
        "Classer",
        on_click=AgencyInboxState.open_filing(index),
        variant="soft",
        size="1",
        class_name="file-document",
    )


def _row(line: ReceivedLine, index: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.text(line.title, weight="medium"),
            rx.text(line.filename, " · ", line.size, size="1", color=rx.color("gray", 11)),
            rx.cond(line.comment != "", rx.text("« ", line.comment, " »", size="1")),
        ),
        rx.table.cell(line.sender),
        rx.table.cell(rx.badge(line.category_label)),
        rx.table.cell(line.attached_to),
        rx.table.cell(line.date, white_space="nowrap"),
        rx.table.cell(_status_badge(line), rx.text(line.audience_label, size="1")),
        rx.table.cell(
            rx.hstack(
                download_link(line.reference, line.title, Space.AGENCY),
                _file_button(index),
                align="center",
            )
        ),
        class_name="received-row",
    )


def _card(line: ReceivedLine, index: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(_status_badge(line), rx.badge(line.category_label), wrap="wrap"),
            rx.text(line.title, weight="bold"),
            rx.text(line.sender, " · ", line.date, size="2"),
            rx.text(line.attached_to, size="2"),
            rx.cond(line.comment != "", rx.text("« ", line.comment, " »", size="2")),
            rx.hstack(
                download_link(line.reference, line.title, Space.AGENCY),
                _file_button(index),
                align="center",
            ),
            spacing="2",
        ),
        width="100%",
    )


def _list() -> rx.Component:
    headers = ["Document", "Expéditeur", "Catégorie", "Rattaché à", "Reçu le", "Statut", ""]
    table = rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
        rx.table.body(rx.foreach(AgencyInboxState.lines, _row)),
        width="100%",
        id="received-table",
    )
    cards = rx.vstack(rx.foreach(AgencyInboxState.lines, _card), width="100%")
    return rx.cond(
        AgencyInboxState.lines.length() > 0,
        rx.box(rx.tablet_and_desktop(table), rx.mobile_only(cards), width="100%"),
        rx.cond(AgencyInboxState.loaded, rx.text("Aucun document reçu ici.")),
    )


def _filing_dialog() -> rx.Component:
    form = rx.form(
        rx.vstack(
            labelled(
                "Catégorie",
                form_select(
                    "category",
                    CATEGORY_OPTIONS,
                    label="Catégorie",
                    default_value=AgencyInboxState.filing_category,
                ),
            ),
            labelled(
                "Rattacher à",
                form_select(
                    "attachment",
                    AgencyInboxState.filing_attachments,
                    label="Rattacher à",
                    default_value=AgencyInboxState.filing_attachment,
                ),
            ),
            labelled(
                "Visible par",
                form_select(
                    "audience",
                    AgencyInboxState.filing_audiences,
                    label="Visible par",
                    default_value=AgencyInboxState.filing_audience,
                ),
            ),
            rx.text(
                "L'expéditeur garde toujours son document dans « Documents envoyés » ; un "
                "document de propriétaire n'est montré aux locataires que rattaché à un bail.",
                size="1",
                color=rx.color("gray", 11),
            ),
            rx.flex(
                rx.dialog.close(rx.button("Annuler", variant="soft", color_scheme="gray")),
                rx.button("Classer", type="submit", id="file-submit"),
                spacing="3",
                justify="end",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=AgencyInboxState.file,
        key=AgencyInboxState.form_version,
        width="100%",
    )
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Classer « ", AgencyInboxState.filing_title, " »"),
            rx.dialog.description(
                "Envoyé par ", AgencyInboxState.filing_sender, size="2", margin_bottom="1em"
            ),
            form,
            max_width="min(560px, 96vw)",
            id="filing-dialog",
        ),
        open=AgencyInboxState.filing_open,
        on_open_change=AgencyInboxState.filing_dialog_changed,
    )


@space_page(
    route=ROUTE,
    title="Documents reçus",
    guard=SessionState.enter_agency_space,
    items=AGENCY_NAV,
    on_load=AgencyInboxState.load,
)
def agency_inbox() -> rx.Component:
    return rx.vstack(
        rx.heading("Documents reçus", as_="h1", size="7"),
        rx.text(
            "Les documents envoyés par les propriétaires et les locataires de leur propre "
            "initiative. Classez-les : catégorie, lot ou bail, et qui peut les voir.",
            color=rx.color("gray", 11),
        ),
        _status_filter(),
        _list(),
        pager(
            page=AgencyInboxState.page,
            count=AgencyInboxState.page_count,
            total=AgencyInboxState.total,
            noun="document(s)",
            previous=AgencyInboxState.previous_page,
            following=AgencyInboxState.next_page,
        ),
        _filing_dialog(),
        spacing="4",
        width="100%",
        max_width="1100px",
    )
