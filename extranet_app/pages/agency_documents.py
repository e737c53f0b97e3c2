"""/agence/documents: the agency publishes documents and sees every document of the extranet.

Upload: find a lease, lot, building or person, then choose the category, title and who may
see the files; the people concerned are told through the centre d'envoi. List: filters, pages
counted in the database, download, delete. The browser knows rows by position only.
"""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from extranet_app.components.document_forms import download_link, form_select, labelled, pager
from extranet_app.components.navigation import AGENCY_NAV
from extranet_app.components.shell import space_page
from extranet_app.components.upload_field import upload_field
from extranet_app.db import session_scope
from extranet_app.services import agency_documents
from extranet_app.services.agency_documents import (
    AUDIENCE_LABELS,
    COMMENT_MAX_LENGTH,
    SEARCH_MAX_LENGTH,
    SOURCE_LABELS,
    TITLE_MAX_LENGTH,
    UPLOAD_CATEGORIES,
    AgencyDocumentLine,
    AgencyDocumentPage,
    DocumentRejected,
    DocumentTarget,
    TargetKind,
    TargetListing,
    TargetMatch,
    UploadOutcome,
    audiences_for,
)
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.documents import CATEGORY_LABELS, category_label
from extranet_app.services.errors import AccessDenied
from extranet_app.services.uploads import CheckedFile, UploadRefused
from extranet_app.states.session import SessionState
from extranet_app.states.uploads import checked_uploads

ROUTE = "/agence/documents"
UPLOAD_ID = "agency-document-files"
STAFF_ONLY = "Action réservée à l'agence."
ALL = "toutes"  # "no filter" (a select item cannot have an empty value)
CATEGORY_OPTIONS = [(category.value, category_label(category)) for category in UPLOAD_CATEGORIES]
FILTER_CATEGORIES = [(ALL, "Toutes les catégories")] + [
    (value, label) for value, label in CATEGORY_LABELS.items()
]
FILTER_SOURCES = [(ALL, "Toutes les origines")] + [
    (value.value, label) for value, label in SOURCE_LABELS.items()
]


# --- Blocking work, run in threads ------------------------------------------------------------


def _search(user: SessionUser, text: str) -> list[TargetMatch]:
    with session_scope() as session:
        return agency_documents.search_targets(session=session, user=user, text=text)


def _upload(
    user: SessionUser,
    target: DocumentTarget,
    form: dict[str, Any],
    files: list[CheckedFile],
    ip: str,
) -> UploadOutcome:
    with session_scope() as session:
        return agency_documents.upload_documents(
            session=session,
            user=user,
            target=target,
            category=form.get("category"),
            title=form.get("title", ""),
            comment=form.get("comment", ""),
            audience=form.get("audience"),
            files=files,
            ip=ip,
        )


def _load(
    user: SessionUser, category: str, source: str, search: str, page: int
) -> AgencyDocumentPage:
    with session_scope() as session:
        return agency_documents.list_agency_documents(
            session=session,
            user=user,
            category=None if category == ALL else category,
            source=None if source == ALL else source,
            search=search,
            page=page,
        )


def _delete(user: SessionUser, document_id: int, ip: str) -> str:
    with session_scope() as session:
        return agency_documents.delete_document(
            session=session, user=user, document_id=document_id, ip=ip
        )


def _position(value: object, size: int) -> int | None:
    """A list position sent by the browser, if it is a real index into a list of `size`."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 <= value < size else None


class AgencyDocumentsState(SessionState):
    """Documents (agency): the target picker, the upload form and the list."""

    target_search: str = ""
    targets: list[TargetListing] = []
    searched: bool = False
    chosen: int = -1
    chosen_label: str = ""
    audience_options: list[dict[str, str]] = []
    form_version: int = 0
    lines: list[AgencyDocumentLine] = []
    category_filter: str = ALL
    source_filter: str = ALL
    search: str = ""
    page: int = 1
    page_count: int = 1
    total: int = 0
    loaded: bool = False
    deleting: int = -1  # the row whose deletion waits for confirmation
    deleting_title: str = ""
    # Database ids stay on the server: (kind, id) of each search result, ids of the page's rows.
    _targets: list[tuple[str, int]] = []
    _chosen_target: tuple[str, int] | None = None
    _page_ids: list[int] = []

    async def _staff(self) -> SessionUser | None:
        return await self._session_user(Space.AGENCY)

    def _forget(self) -> None:
        self.lines, self._page_ids, self.targets, self._targets = [], [], [], []
        self._forget_choice()

    def _forget_choice(self) -> None:
        self.chosen, self.chosen_label, self.audience_options = -1, "", []
        self._chosen_target = None

    async def _refresh(self, user: SessionUser) -> None:
        listing = await asyncio.to_thread(
            _load, user, self.category_filter, self.source_filter, self.search, self.page
        )
        self.page, self.page_count, self.total = listing.page, listing.page_count, listing.total
        self._page_ids = [entry.document_id for entry in listing.entries]
        self.lines = [entry.line for entry in listing.entries]
        self.deleting, self.deleting_title = -1, ""
        self.loaded = True

    @rx.event
    async def load(self):
        """Page load: the list, newest first."""
        user = await self._staff()
        if user is None:
            self._forget()
            return
        await self._refresh(user)

    @rx.event
    async def search_targets(self, form_data: dict[str, Any]):
        """The target search form was submitted."""
        user = await self._staff()
        if user is None:
            self._forget()
            return rx.toast.error(STAFF_ONLY)
        text = form_data.get("text") if isinstance(form_data, dict) else None
        if not isinstance(text, str) or len(text) > SEARCH_MAX_LENGTH:
            return rx.toast.error("Recherche invalide.")
        matches = await asyncio.to_thread(_search, user, text)
        self.target_search = text.strip()
        self._targets = [(m.target.kind.value, m.target.target_id) for m in matches]
        self.targets = [match.listing for match in matches]
        self.searched = True
        self._forget_choice()
        return None

    @rx.event
    async def choose_target(self, position: int):
        """Attach the next upload to the search result at `position`."""
        user = await self._staff()
        if user is None:
            self._forget()
            return rx.toast.error(STAFF_ONLY)
        index = _position(position, len(self._targets))
        if index is None:
            return rx.toast.error("Destinataire introuvable.")
        self._chosen_target = self._targets[index]
        listing = self.targets[index]
        self.chosen = index
        self.chosen_label = f"{listing.kind_label} : {listing.label}"
        kind = TargetKind(self._chosen_target[0])
        self.audience_options = [
            {"value": audience.value, "label": AUDIENCE_LABELS[audience]}
            for audience in audiences_for(kind)
        ]
        self.form_version += 1
        return None

    @rx.event
    async def change_target(self):
        """Forget the chosen target and show the search results again."""
        if await self._staff() is None:
            self._forget()
            return
        self._forget_choice()

    @rx.event
    async def upload(self, files: list[rx.UploadFile], form_data: dict[str, Any]):
        """Check and store the chosen files on the chosen target, with the form's choices."""
        user = await self._staff()
        if user is None:
            self._forget()
            return rx.toast.error(STAFF_ONLY)
        if self._chosen_target is None:
            return rx.toast.error("Choisissez d'abord à quoi rattacher le document.")
        if not isinstance(form_data, dict):
            return rx.toast.error("Formulaire invalide.")
        kind, target_id = self._chosen_target
        target = DocumentTarget(TargetKind(kind), target_id)
        ip = self.router.session.client_ip
        try:
            checked = await checked_uploads(files)
            outcome = await asyncio.to_thread(_upload, user, target, form_data, checked, ip)
        except (UploadRefused, DocumentRejected) as error:
            return rx.toast.error(str(error))
        except AccessDenied:
            return rx.toast.error(STAFF_ONLY)
        self.form_version += 1
        self.page = 1
        await self._refresh(user)
        return [rx.clear_selected_files(UPLOAD_ID), rx.toast.success(outcome.message)]

    async def _apply(self, **changes: Any):
        user = await self._staff()
        if user is None:
            self._forget()
            return
        for name, value in changes.items():
            setattr(self, name, value)
        await self._refresh(user)

    @rx.event
    async def filter_category(self, category: str):
        """Show one category (or all)."""
        if isinstance(category, str) and (category == ALL or category in CATEGORY_LABELS):
            await self._apply(category_filter=category, page=1)

    @rx.event
    async def filter_source(self, source: str):
        """Show one origin (agency, tenant, owner, extranet) or all."""
        if isinstance(source, str) and (source == ALL or source in SOURCE_LABELS):
            await self._apply(source_filter=source, page=1)

    @rx.event
    async def apply_search(self, form_data: dict[str, Any]):
        """Search titles and what documents are attached to."""
        text = form_data.get("search") if isinstance(form_data, dict) else None
        if isinstance(text, str):
            await self._apply(search=text.strip()[:SEARCH_MAX_LENGTH], page=1)

    @rx.event
    async def next_page(self):
        await self._apply(page=min(self.page + 1, self.page_count))

    @rx.event
    async def previous_page(self):
        await self._apply(page=max(self.page - 1, 1))

    @rx.event
    async def ask_delete(self, position: int):
        """Ask for confirmation before deleting the row at `position`."""
        if await self._staff() is None:
            self._forget()
            return
        index = _position(position, len(self._page_ids))
        if index is not None and self.lines[index].can_delete:
            self.deleting, self.deleting_title = index, self.lines[index].title

    @rx.event
    def cancel_delete(self):
        self.deleting, self.deleting_title = -1, ""

    @rx.event
    def delete_dialog_changed(self, is_open: bool):
        """The confirmation closed by itself (Escape, a click outside): nothing is deleted."""
        if is_open is not True:
            self.deleting, self.deleting_title = -1, ""

    @rx.event
    async def confirm_delete(self):
        """Delete the document waiting for confirmation (row and stored file)."""
        user = await self._staff()
        if user is None:
            self._forget()
            return rx.toast.error(STAFF_ONLY)
        index = _position(self.deleting, len(self._page_ids))
        if index is None:
            return rx.toast.error("Document introuvable.")
        ip = self.router.session.client_ip
        try:
            title = await asyncio.to_thread(_delete, user, self._page_ids[index], ip)
        except DocumentRejected as error:
            await self._refresh(user)
            return rx.toast.error(str(error))
        await self._refresh(user)
        return rx.toast.success(f"« {title} » supprimé.")


# --- The target picker and the upload form ----------------------------------------------------


def _target_search_form() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(
                name="text",
                placeholder="Locataire, propriétaire, lot, immeuble ou référence de bail",
                default_value=AgencyDocumentsState.target_search,
                max_length=SEARCH_MAX_LENGTH,
                flex="1",
                id="target-search",
                aria_label="Rechercher à quoi rattacher le document",
            ),
            rx.button(rx.icon("search", size=16), "Rechercher", type="submit"),
            width="100%",
        ),
        on_submit=AgencyDocumentsState.search_targets,
        width="100%",
    )


def _target_result(listing: TargetListing, index: rx.Var) -> rx.Component:
    return rx.card(
        rx.flex(
            rx.vstack(
                rx.hstack(rx.badge(listing.kind_label), rx.text(listing.label, weight="bold")),
                rx.text(listing.detail, size="2", color=rx.color("gray", 11)),
                spacing="1",
            ),
            rx.button(
                "Choisir",
                on_click=AgencyDocumentsState.choose_target(index),
                variant="soft",
                class_name="choose-target",
            ),
            justify="between",
            align="center",
            spacing="2",
            wrap="wrap",
            width="100%",
        ),
        width="100%",
        flex_shrink="0",  # in the scrolling list, a card keeps its height
        class_name="target-result",
    )


def _target_results() -> rx.Component:
    # Once a target is chosen the results make way for the form ("Changer" brings them back).
    return rx.cond(
        AgencyDocumentsState.chosen >= 0,
        rx.fragment(),
        rx.cond(
            AgencyDocumentsState.targets.length() > 0,
            rx.vstack(
                rx.foreach(AgencyDocumentsState.targets, _target_result),
                width="100%",
                max_height="22em",
                overflow_y="auto",
                id="target-results",
            ),
            rx.cond(AgencyDocumentsState.searched, rx.text("Aucun résultat.")),
        ),
    )


def _upload_fields() -> rx.Component:
    return rx.flex(
        labelled(
            "Catégorie",
            form_select(
                "category",
                CATEGORY_OPTIONS,
                label="Catégorie",
                default_value=CATEGORY_OPTIONS[0][0],
                element_id="upload-category",
            ),
        ),
        labelled(
            "Visible par",
            form_select(
                "audience",
                AgencyDocumentsState.audience_options,
                label="Visible par",
                default_value=AgencyDocumentsState.audience_options[0]["value"],
                element_id="upload-audience",
            ),
        ),
        labelled(
            "Titre (sinon le nom du fichier)",
            rx.input(name="title", max_length=TITLE_MAX_LENGTH, id="upload-title", width="100%"),
            html_for="upload-title",
        ),
        direction=rx.breakpoints(initial="column", md="row"),
        spacing="3",
        width="100%",
    )


def _upload_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            _upload_fields(),
            labelled(
                "Commentaire",
                rx.text_area(
                    name="comment", max_length=COMMENT_MAX_LENGTH, id="upload-comment", width="100%"
                ),
                html_for="upload-comment",
            ),
            upload_field(UPLOAD_ID),
            rx.button(rx.icon("upload", size=16), "Déposer", type="submit", id="upload-submit"),
            spacing="3",
            width="100%",
        ),
        on_submit=lambda form_data: AgencyDocumentsState.upload(
            rx.upload_files(upload_id=UPLOAD_ID), form_data
        ),
        key=AgencyDocumentsState.form_version,
        width="100%",
        id="upload-form",
    )


def _upload_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Déposer un document", as_="h2", size="5"),
            rx.text(
                "Rattachez-le à un bail, un lot, un immeuble ou une personne ; les personnes "
                "concernées qui ont un accès sont prévenues par e-mail (centre d'envoi).",
                size="2",
                color=rx.color("gray", 11),
            ),
            _target_search_form(),
            _target_results(),
            rx.cond(
                AgencyDocumentsState.chosen >= 0,
                rx.vstack(
                    rx.flex(
                        rx.callout(
                            AgencyDocumentsState.chosen_label,
                            icon="paperclip",
                            id="chosen-target",
                            flex="1",
                        ),
                        rx.button(
                            "Changer",
                            on_click=AgencyDocumentsState.change_target,
                            variant="soft",
                            color_scheme="gray",
                        ),
                        align="center",
                        spacing="2",
                        width="100%",
                    ),
                    _upload_form(),
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


# --- The list ---------------------------------------------------------------------------------


def _filters() -> rx.Component:
    return rx.flex(
        rx.select.root(
            rx.select.trigger(aria_label="Catégorie"),
            rx.select.content(*[rx.select.item(t, value=v) for v, t in FILTER_CATEGORIES]),
            value=AgencyDocumentsState.category_filter,
            on_change=AgencyDocumentsState.filter_category,
        ),
        rx.select.root(
            rx.select.trigger(aria_label="Origine"),
            rx.select.content(*[rx.select.item(t, value=v) for v, t in FILTER_SOURCES]),
            value=AgencyDocumentsState.source_filter,
            on_change=AgencyDocumentsState.filter_source,
        ),
        rx.form(
            rx.hstack(
                rx.input(
                    name="search",
                    placeholder="Titre, personne, lot ou immeuble",
                    max_length=SEARCH_MAX_LENGTH,
                    aria_label="Rechercher dans les documents",
                    id="document-search",
                    flex="1",
                ),
                rx.button(rx.icon("search", size=16), "Filtrer", type="submit", variant="soft"),
                width="100%",
            ),
            on_submit=AgencyDocumentsState.apply_search,
            flex="1 1 320px",
        ),
        wrap="wrap",
        spacing="2",
        align="center",
        width="100%",
    )


def _delete_button(line: AgencyDocumentLine, index: rx.Var) -> rx.Component:
    return rx.cond(
        line.can_delete,
        rx.icon_button(
            rx.icon("trash-2", size=16),
            on_click=AgencyDocumentsState.ask_delete(index),
            variant="ghost",
            color_scheme="red",
            aria_label="Supprimer " + line.title,
        ),
    )


def _row(line: AgencyDocumentLine, index: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.text(line.title, weight="medium"),
            rx.text(line.filename, size="1", color=rx.color("gray", 11)),
        ),
        rx.table.cell(rx.badge(line.category_label)),
        rx.table.cell(line.attached_to),
        rx.table.cell(line.audience_label),
        rx.table.cell(line.source_label),
        rx.table.cell(line.date, white_space="nowrap"),
        rx.table.cell(
            rx.hstack(
                download_link(line.reference, line.title, Space.AGENCY),
                _delete_button(line, index),
                align="center",
            )
        ),
        class_name="document-row",
    )


def _card(line: AgencyDocumentLine, index: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(line.title, weight="bold"),
            rx.hstack(rx.badge(line.category_label), rx.text(line.date, size="2"), wrap="wrap"),
            rx.text(line.attached_to, size="2"),
            rx.text(line.audience_label, " · ", line.source_label, size="2"),
            rx.text(line.filename, " · ", line.size, size="1", color=rx.color("gray", 11)),
            rx.hstack(
                download_link(line.reference, line.title, Space.AGENCY),
                _delete_button(line, index),
                align="center",
            ),
            spacing="2",
        ),
        width="100%",
    )


def _list() -> rx.Component:
    headers = ["Document", "Catégorie", "Rattaché à", "Visible par", "Origine", "Date", ""]
    table = rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
        rx.table.body(rx.foreach(AgencyDocumentsState.lines, _row)),
        width="100%",
        id="documents-table",
    )
    cards = rx.vstack(rx.foreach(AgencyDocumentsState.lines, _card), width="100%")
    return rx.cond(
        AgencyDocumentsState.lines.length() > 0,
        rx.box(rx.tablet_and_desktop(table), rx.mobile_only(cards), width="100%"),
        rx.cond(AgencyDocumentsState.loaded, rx.text("Aucun document.")),
    )


def _delete_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Supprimer le document ?"),
            rx.alert_dialog.description(
                "« ",
                AgencyDocumentsState.deleting_title,
                " » sera supprimé, ainsi que son fichier. Cette action est définitive.",
            ),
            rx.flex(
                rx.alert_dialog.cancel(
                    rx.button(
                        "Annuler",
                        variant="soft",
                        color_scheme="gray",
                        on_click=AgencyDocumentsState.cancel_delete,
                    )
                ),
                rx.alert_dialog.action(
                    rx.button(
                        "Supprimer",
                        color_scheme="red",
                        on_click=AgencyDocumentsState.confirm_delete,
                        id="confirm-delete",
                    )
                ),
                spacing="3",
                justify="end",
                margin_top="1em",
            ),
            max_width="440px",
        ),
        open=AgencyDocumentsState.deleting >= 0,
        on_open_change=AgencyDocumentsState.delete_dialog_changed,
    )


@space_page(
    route=ROUTE,
    title="Documents",
    guard=SessionState.enter_agency_space,
    items=AGENCY_NAV,
    on_load=AgencyDocumentsState.load,
)
def agency_documents_page() -> rx.Component:
    return rx.vstack(
        rx.heading("Documents", as_="h1", size="7"),
        _upload_card(),
        rx.heading("Tous les documents", as_="h2", size="5"),
        _filters(),
        _list(),
        pager(
            page=AgencyDocumentsState.page,
            count=AgencyDocumentsState.page_count,
            total=AgencyDocumentsState.total,
            noun="document(s)",
            previous=AgencyDocumentsState.previous_page,
            following=AgencyDocumentsState.next_page,
        ),
        _delete_dialog(),
        spacing="4",
        width="100%",
        max_width="1100px",
    )
