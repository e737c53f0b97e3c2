"""/agence/demandes (Documents à fournir): ask people for documents, check what they sent.

Rows and search results are chosen by their position; the ids behind them stay in backend-only
vars. Loading the page also renews the yearly requests whose accepted document ends soon.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

import reflex as rx

from extranet_app.components.document_requests import status_badge
from extranet_app.components.downloads import document_href, download_link
from extranet_app.components.navigation import AGENCY_NAV
from extranet_app.components.shell import space_page
from extranet_app.db import session_scope
from extranet_app.models import DocumentCategory, DocumentRequestStatus
from extranet_app.services import request_review
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.document_requests import STATUS_LABELS, RequestError, SentFile
from extranet_app.services.documents import category_label
from extranet_app.services.errors import AccessDenied
from extranet_app.services.request_review import (
    ALL_STATUSES,
    MAX_DESCRIPTION_LENGTH,
    MAX_REASON_LENGTH,
    MAX_SEARCH_LENGTH,
    MAX_TITLE_LENGTH,
    REQUESTABLE_CATEGORIES,
    STATUS_FILTERS,
    AgencyRequestPage,
    AgencyRequestRow,
    RequestForm,
    RequestReview,
    RequestTarget,
    TargetChoice,
    TargetMatch,
)
from extranet_app.services.timekeeping import today_in_france
from extranet_app.states.session import SessionState

ROUTE = "/agence/demandes"
STAFF_ONLY = "Action réservée à l'agence."
STATUS_TABS = [(status.value, STATUS_LABELS[status]) for status in STATUS_FILTERS] + [
    (ALL_STATUSES, "Toutes")
]
CATEGORY_OPTIONS = [
    (category.value, category_label(category)) for category in REQUESTABLE_CATEGORIES
]
DEFAULT_DUE_DAYS = 30


def _load(user: SessionUser, status: str, search: str, page: int) -> AgencyRequestPage:
    with session_scope() as session:
        return request_review.list_agency_requests(
            session=session,
            actor=user,
            today=today_in_france(),
            status=status,
            search=search,
            page=page,
        )


def _renew() -> int:
    with session_scope() as session:
        return request_review.renew_expiring_requests(session=session, today=today_in_france())


def _review(user: SessionUser, request_id: int) -> RequestReview | None:
    with session_scope() as session:
        return request_review.review_request(
            session=session, actor=user, request_id=request_id, today=today_in_france()
        )


def _accept(user: SessionUser, request_id: int, valid_until: date | None) -> None:
    with session_scope() as session:
        request_review.accept_request(
            session=session,
            actor=user,
            request_id=request_id,
            today=today_in_france(),
            valid_until=valid_until,
        )


def _refuse(user: SessionUser, request_id: int, reason: str) -> None:
    with session_scope() as session:
        request_review.refuse_request(
            session=session, actor=user, request_id=request_id, reason=reason
        )


def _search_targets(user: SessionUser, text: str) -> list[TargetMatch]:
    with session_scope() as session:
        return request_review.search_targets(
            session=session, actor=user, text=text, today=today_in_france()
        )


def _create(user: SessionUser, target: RequestTarget, form: RequestForm) -> int:
    with session_scope() as session:
        return request_review.create_requests(
            session=session, actor=user, target=target, form=form, today=today_in_france()
        )


def _parse_date(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def _text(form_data: dict[str, Any], name: str, limit: int) -> str:
    value = form_data.get(name)
    return value[:limit] if isinstance(value, str) else ""


def _request_form(form_data: dict[str, Any]) -> RequestForm:
    return RequestForm(
        category=_text(form_data, "category", 30),
        title=_text(form_data, "title", MAX_TITLE_LENGTH + 1),
        description=_text(form_data, "description", MAX_DESCRIPTION_LENGTH + 1),
        due_date=_parse_date(form_data.get("due_date")),
        renews_yearly=form_data.get("renews_yearly") in ("on", "true", True),
    )


def _position(value: object, size: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 <= value < size else None


class AgencyRequestsState(SessionState):
    """The list by status with its search and pages, the review dialog and the new-request form."""

    status_filter: str = DocumentRequestStatus.SUBMITTED.value
    search: str = ""
    rows: list[AgencyRequestRow] = []
    counts: dict[str, int] = {}
    page: int = 1
    page_count: int = 1
    total: int = 0
    loaded: bool = False
    form_version: int = 0
    review: RequestReview | None = None
    review_open: bool = False
    review_error: str = ""
    create_open: bool = False
    target_text: str = ""
    targets: list[TargetChoice] = []
    target_searched: bool = False
    chosen_target: int = -1
    create_error: str = ""
    today_iso: str = ""
    default_due_iso: str = ""
    default_title: str = ""
    _row_ids: list[int] = []
    _review_id: int | None = None
    _target_list: list[RequestTarget] = []

    async def _staff(self) -> SessionUser | None:
        return await self._session_user(Space.AGENCY)

    async def _refresh(self, user: SessionUser) -> None:
        listed = await asyncio.to_thread(_load, user, self.status_filter, self.search, self.page)
        self._row_ids = [listing.request_id for listing in listed.listings]
        self.rows = [listing.row for listing in listed.listings]
        self.counts = listed.counts
        self.page, self.page_count, self.total = listed.page, listed.page_count, listed.total
        self.loaded = True

    @rx.event
    async def load(self):
        """Renew the yearly requests that are due, then show the documents to check."""
        user = await self._staff()
        if user is None:
            return
        today = today_in_france()
        self.today_iso = today.isoformat()
        self.default_due_iso = (today + timedelta(days=DEFAULT_DUE_DAYS)).isoformat()
        self.default_title = f"Attestation d'assurance habitation {today.year}"
        await asyncio.to_thread(_renew)
        await self._refresh(user)

    async def _apply(self, **changes: Any) -> None:
        user = await self._staff()
        if user is None:
            return
        for name, value in changes.items():
            setattr(self, name, value)
        await self._refresh(user)

    @rx.event
    async def filter_status(self, status: str):
        """Show one status (or all)."""
        if status in {value for value, _ in STATUS_TABS}:
            await self._apply(status_filter=status, page=1)

    @rx.event
    async def apply_search(self, form_data: dict):
        """Search by person, building, lot or title."""
        text = form_data.get("search") if isinstance(form_data, dict) else None
        if isinstance(text, str):
            await self._apply(search=text.strip()[:MAX_SEARCH_LENGTH], page=1)

    @rx.event
    async def clear_search(self):
        self.form_version += 1
        await self._apply(search="", page=1)

    @rx.event
    async def next_page(self):
        await self._apply(page=min(self.page + 1, self.page_count))

    @rx.event
    async def previous_page(self):
        await self._apply(page=max(self.page - 1, 1))

    # --- Review ----------------------------------------------------------------------------

    @rx.event
    async def open_review(self, position: int):
        """Open the request at `position` of the page, with its files."""
        user = await self._staff()
        if user is None:
            return rx.toast.error(STAFF_ONLY)
        index = _position(position, len(self._row_ids))
        if index is None:
            return rx.toast.error("Demande introuvable.")
        self._review_id = self._row_ids[index]
        self.review = await asyncio.to_thread(_review, user, self._review_id)
        self.review_open, self.review_error = self.review is not None, ""
        return None

    @rx.event
    def set_review_open(self, is_open: bool):
        if is_open is not True:
            self._close_review()

    def _close_review(self) -> None:
        self.review_open, self._review_id, self.review, self.review_error = False, None, None, ""

    async def _decide(self, decision, *args) -> Any:
        user = await self._staff()
        if user is None or self._review_id is None:
            return rx.toast.error(STAFF_ONLY)
        try:
            await asyncio.to_thread(decision, user, self._review_id, *args)
        except RequestError as error:
            self.review_error = str(error)
            return None
        except AccessDenied:
            return rx.toast.error(STAFF_ONLY)
        self._close_review()
        await self._refresh(user)
        return rx.toast.success("Décision enregistrée ; la personne est prévenue par e-mail.")

    @rx.event
    async def accept(self, form_data: dict):
        """Accept what was sent (with the certificate's end date when it has one)."""
        valid_until = (
            _parse_date(form_data.get("valid_until")) if isinstance(form_data, dict) else None
        )
        return await self._decide(_accept, valid_until)

    @rx.event
    async def refuse(self, form_data: dict):
        """Refuse what was sent, with the reason the person will read."""
        reason = (
            _text(form_data, "reason", MAX_REASON_LENGTH + 1) if isinstance(form_data, dict) else ""
        )
        return await self._decide(_refuse, reason)

    # --- New request -----------------------------------------------------------------------

    @rx.event
    def set_create_open(self, is_open: bool):
        self.create_open, self.create_error = is_open is True, ""
        if not self.create_open:
            self._forget_targets()

    def _forget_targets(self) -> None:
        self.targets, self._target_list, self.chosen_target = [], [], -1
        self.target_text, self.target_searched = "", False

    @rx.event
    async def search_targets(self, form_data: dict):
        """Find tenants, owners and buildings for the new request."""
        user = await self._staff()
        if user is None:
            return rx.toast.error(STAFF_ONLY)
        text = form_data.get("target") if isinstance(form_data, dict) else None
        if not isinstance(text, str) or len(text) > MAX_SEARCH_LENGTH:
            return rx.toast.error("Recherche invalide.")
        matches = await asyncio.to_thread(_search_targets, user, text)
        self._target_list = [match.target for match in matches]
        self.targets = [match.choice for match in matches]
        self.target_text, self.target_searched, self.chosen_target = text.strip(), True, -1
        return None

    @rx.event
    async def choose_target(self, position: int):
        """Address the new request to the search result at `position`."""
        if await self._staff() is None:
            return rx.toast.error(STAFF_ONLY)
        index = _position(position, len(self._target_list))
        if index is not None:
            self.chosen_target, self.create_error = index, ""
        return None

    @rx.event
    async def create(self, form_data: dict):
        """Make the request(s) for the chosen person or building."""
        user = await self._staff()
        if user is None:
            return rx.toast.error(STAFF_ONLY)
        index = _position(self.chosen_target, len(self._target_list))
        if index is None or not isinstance(form_data, dict):
            self.create_error = "Choisissez d'abord à qui demander le document."
            return None
        try:
            created = await asyncio.to_thread(
                _create, user, self._target_list[index], _request_form(form_data)
            )
        except RequestError as error:
            self.create_error = str(error)
            return None
        except AccessDenied:
            return rx.toast.error(STAFF_ONLY)
        self.create_open, self.create_error = False, ""
        self._forget_targets()
        self.form_version += 1
        await self._apply(status_filter=DocumentRequestStatus.PENDING.value, page=1)
        asked = "1 demande envoyée" if created == 1 else f"{created} demandes envoyées"
        return rx.toast.success(f"{asked} (e-mail aux personnes qui l'acceptent).")


# --- Components --------------------------------------------------------------------------------

_MUTED = rx.color("gray", 11)


def _status_tabs() -> rx.Component:
    return rx.flex(
        *[
            rx.button(
                label,
                rx.badge(AgencyRequestsState.counts[value], variant="surface"),
                on_click=AgencyRequestsState.filter_status(value),
                variant=rx.cond(AgencyRequestsState.status_filter == value, "solid", "outline"),
                size="2",
                class_name="status-tab",
                id=f"tab-{value}",
            )
            for value, label in STATUS_TABS
        ],
        wrap="wrap",
        spacing="2",
        role="group",
        aria_label="Filtrer par statut",
    )


def _search_form() -> rx.Component:
    return rx.form(
        rx.flex(
            rx.input(
                name="search",
                placeholder="Personne, immeuble, lot ou document",
                default_value=AgencyRequestsState.search,
                max_length=MAX_SEARCH_LENGTH,
                aria_label="Rechercher",
                flex="1 1 240px",
            ),
            rx.button(rx.icon("search", size=16), "Rechercher", type="submit"),
            rx.button(
                "Effacer", on_click=AgencyRequestsState.clear_search, variant="ghost", type="button"
            ),
            spacing="2",
            wrap="wrap",
            width="100%",
        ),
        on_submit=AgencyRequestsState.apply_search,
        key=AgencyRequestsState.form_version,
        width="100%",
    )


def _open_button(row: AgencyRequestRow, index: rx.Var) -> rx.Component:
    return rx.button(
        rx.cond(row.status == "envoye", "Vérifier", "Voir"),
        on_click=AgencyRequestsState.open_review(index),
        size="1",
        variant=rx.cond(row.status == "envoye", "solid", "soft"),
        class_name="open-review",
    )


def _person(row: AgencyRequestRow) -> rx.Component:
    return rx.vstack(
        rx.text(row.person, weight="medium"),
        rx.text(row.person_kind, size="1", color=_MUTED),
        spacing="0",
    )


def _table_row(row: AgencyRequestRow, index: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(_person(row)),
        rx.table.cell(rx.text(row.place, size="2")),
        rx.table.cell(rx.text(row.title), rx.text(row.category_label, size="1", color=_MUTED)),
        rx.table.cell(status_badge(row.status, row.status_label)),
        rx.table.cell(row.due_date),
        rx.table.cell(row.submitted),
        rx.table.cell(_open_button(row, index)),
        class_name="request-row",
    )


def _table() -> rx.Component:
    headers = ["Personne", "Lot", "Document", "Statut", "Échéance", "Envoyé le", ""]
    return rx.tablet_and_desktop(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(rx.foreach(AgencyRequestsState.rows, _table_row)),
            width="100%",
        ),
        width="100%",
    )


def _card(row: AgencyRequestRow, index: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.text(row.title, weight="bold"),
                status_badge(row.status, row.status_label),
                justify="between",
                spacing="2",
                width="100%",
            ),
            _person(row),
            rx.cond(row.place != "", rx.text(row.place, size="2")),
            rx.cond(
                row.due_date != "",
                rx.text("Échéance : ", row.due_date, size="2", color=_MUTED),
            ),
            _open_button(row, index),
            spacing="2",
        ),
        width="100%",
        class_name="request-card",
    )


def _pager() -> rx.Component:
    return rx.hstack(
        rx.button(
            rx.icon("chevron-left", size=16),
            "Précédente",
            on_click=AgencyRequestsState.previous_page,
            disabled=AgencyRequestsState.page <= 1,
            variant="soft",
        ),
        rx.text("Page ", AgencyRequestsState.page, " / ", AgencyRequestsState.page_count),
        rx.button(
            "Suivante",
            rx.icon("chevron-right", size=16),
            on_click=AgencyRequestsState.next_page,
            disabled=AgencyRequestsState.page >= AgencyRequestsState.page_count,
            variant="soft",
        ),
        rx.text(AgencyRequestsState.total, " demande(s)", color=_MUTED),
        align="center",
        wrap="wrap",
        spacing="3",
    )


# --- Review dialog -----------------------------------------------------------------------------


def _file_link(file: SentFile) -> rx.Component:
    return download_link(
        rx.hstack(
            rx.icon("download", size=14),
            rx.text(file.filename),
            rx.text(file.size, size="1", color=_MUTED),
            spacing="2",
            align="center",
        ),
        href=document_href(file.reference, Space.AGENCY),
        class_name="review-file",
    )


def _labelled(label: str, field: rx.Component) -> rx.Component:
    return rx.vstack(rx.text(label, size="2", weight="bold"), field, spacing="1", width="100%")


def _accept_form(review: Any) -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.cond(
                review.needs_valid_until,
                _labelled(
                    "Fin de validité de l'attestation",
                    rx.input(
                        type="date",
                        name="valid_until",
                        min=AgencyRequestsState.today_iso,
                        required=True,
                        id="valid-until",
                    ),
                ),
            ),
            rx.button(
                rx.icon("check", size=16),
                "Accepter",
                type="submit",
                color_scheme="green",
                id="accept",
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=AgencyRequestsState.accept,
        width="100%",
        id="accept-form",
    )


def _refuse_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            _labelled(
                "Motif du refus (la personne le lira)",
                rx.text_area(
                    name="reason",
                    max_length=MAX_REASON_LENGTH,
                    required=True,
                    placeholder="Par exemple : l'attestation ne couvre pas l'adresse du logement.",
                    id="refusal-reason",
                    width="100%",
                ),
            ),
            rx.button(
                rx.icon("x", size=16), "Refuser", type="submit", color_scheme="red", id="refuse"
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=AgencyRequestsState.refuse,
        width="100%",
        id="refuse-form",
    )


def _review_details(review: Any) -> rx.Component:
    return rx.vstack(
        rx.dialog.title(review.title),
        rx.hstack(
            status_badge(review.status, review.status_label),
            rx.badge(review.category_label, variant="surface", color_scheme="gray"),
            wrap="wrap",
        ),
        rx.text(review.person, " · ", review.person_kind),
        rx.cond(review.place != "", rx.text(review.place, size="2", color=_MUTED)),
        rx.cond(review.due_date != "", rx.text("Échéance : ", review.due_date, size="2")),
        rx.cond(review.description != "", rx.text(review.description, size="2", color=_MUTED)),
        rx.cond(
            review.valid_until != "", rx.text("Valable jusqu'au ", review.valid_until, size="2")
        ),
        rx.cond(
            review.refusal_reason != "",
            rx.callout(
                rx.cond(review.can_review, "Refus précédent : ", "Motif du refus : ")
                + review.refusal_reason,
                icon="info",
                color_scheme="gray",
                width="100%",
            ),
        ),
        rx.cond(
            review.files.length() > 0,
            rx.vstack(
                rx.text("Envoyé le ", review.submitted, " :", size="2", weight="bold"),
                rx.foreach(review.files, _file_link),
                spacing="1",
            ),
            rx.text("Aucun fichier reçu.", size="2", color=_MUTED),
        ),
        spacing="2",
        width="100%",
    )


def _review_dialog() -> rx.Component:
    review = AgencyRequestsState.review
    return rx.dialog.root(
        rx.dialog.content(
            rx.cond(
                review,
                rx.vstack(
                    _review_details(review),
                    rx.cond(
                        AgencyRequestsState.review_error != "",
                        rx.callout(
                            AgencyRequestsState.review_error,
                            icon="triangle-alert",
                            color_scheme="red",
                            width="100%",
                            id="review-error",
                        ),
                    ),
                    rx.cond(
                        review.can_review,
                        rx.flex(
                            rx.card(_accept_form(review), flex="1 1 240px"),
                            rx.card(_refuse_form(), flex="1 1 240px"),
                            spacing="3",
                            wrap="wrap",
                            width="100%",
                        ),
                    ),
                    spacing="3",
                    width="100%",
                ),
            ),
            rx.flex(
                rx.dialog.close(rx.button("Fermer", variant="soft")),
                justify="end",
                margin_top="1em",
            ),
            max_width="min(720px, 96vw)",
            id="review-dialog",
        ),
        open=AgencyRequestsState.review_open,
        on_open_change=AgencyRequestsState.set_review_open,
    )


# --- New request dialog ------------------------------------------------------------------------


def _target_result(choice: TargetChoice, index: rx.Var) -> rx.Component:
    chosen = AgencyRequestsState.chosen_target == index
    return rx.button(
        rx.vstack(
            rx.hstack(
                rx.badge(choice.kind_label), rx.text(choice.name, weight="bold"), align="center"
            ),
            rx.text(choice.detail, size="1"),
            spacing="1",
            align="start",
        ),
        on_click=AgencyRequestsState.choose_target(index),
        variant=rx.cond(chosen, "solid", "outline"),
        type="button",
        height="auto",
        padding="0.5em 0.75em",
        width="100%",
        justify_content="flex-start",
        text_align="left",
        class_name="target-result",
    )


def _target_search() -> rx.Component:
    return rx.vstack(
        rx.form(
            rx.hstack(
                rx.input(
                    name="target",
                    placeholder="Nom du locataire ou du propriétaire, ou immeuble",
                    max_length=MAX_SEARCH_LENGTH,
                    flex="1",
                    id="target-search",
                ),
                rx.button(rx.icon("search", size=16), "Chercher", type="submit"),
                width="100%",
            ),
            on_submit=AgencyRequestsState.search_targets,
            width="100%",
        ),
        rx.cond(
            AgencyRequestsState.targets.length() > 0,
            rx.vstack(
                rx.foreach(AgencyRequestsState.targets, _target_result),
                spacing="1",
                width="100%",
                max_height="30vh",
                overflow_y="auto",
            ),
            rx.cond(
                AgencyRequestsState.target_searched,
                rx.text("Personne ni immeuble trouvé.", size="2"),
            ),
        ),
        rx.text(
            "Un immeuble : chaque locataire en place reçoit sa propre demande.",
            size="1",
            color=_MUTED,
        ),
        spacing="2",
        width="100%",
    )


def _request_fields() -> rx.Component:
    return rx.vstack(
        _labelled(
            "Type de document",
            rx.select.root(
                rx.select.trigger(width="100%", aria_label="Type de document"),
                rx.select.content(
                    *[rx.select.item(label, value=value) for value, label in CATEGORY_OPTIONS]
                ),
                name="category",
                default_value=DocumentCategory.INSURANCE.value,
            ),
        ),
        _labelled(
            "Titre",
            rx.input(
                name="title",
                default_value=AgencyRequestsState.default_title,
                max_length=MAX_TITLE_LENGTH,
                required=True,
                id="request-title",
                width="100%",
            ),
        ),
        _labelled(
            "Précisions (facultatif)",
            rx.text_area(name="description", max_length=MAX_DESCRIPTION_LENGTH, width="100%"),
        ),
        _labelled(
            "À envoyer avant le",
            rx.input(
                type="date",
                name="due_date",
                default_value=AgencyRequestsState.default_due_iso,
                min=AgencyRequestsState.today_iso,
                required=True,
                id="request-due",
            ),
        ),
        rx.checkbox(
            "Redemander chaque année, 30 jours avant la fin de validité",
            name="renews_yearly",
            default_checked=True,
            id="request-yearly",
        ),
        spacing="3",
        width="100%",
    )


def _create_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(
            rx.button(rx.icon("plus", size=16), "Nouvelle demande", id="new-request")
        ),
        rx.dialog.content(
            rx.dialog.title("Nouvelle demande de document"),
            rx.vstack(
                _labelled("Destinataire", _target_search()),
                rx.form(
                    _request_fields(),
                    rx.cond(
                        AgencyRequestsState.create_error != "",
                        rx.callout(
                            AgencyRequestsState.create_error,
                            icon="triangle-alert",
                            color_scheme="red",
                            width="100%",
                            margin_top="0.75em",
                        ),
                    ),
                    rx.flex(
                        rx.dialog.close(
                            rx.button("Annuler", variant="soft", color_scheme="gray", type="button")
                        ),
                        rx.button(
                            "Demander le document",
                            type="submit",
                            id="create-request",
                            disabled=AgencyRequestsState.chosen_target < 0,
                        ),
                        spacing="3",
                        justify="end",
                        margin_top="1em",
                    ),
                    on_submit=AgencyRequestsState.create,
                    key=AgencyRequestsState.form_version,
                    width="100%",
                ),
                spacing="4",
                width="100%",
            ),
            max_width="min(640px, 96vw)",
            id="create-dialog",
        ),
        open=AgencyRequestsState.create_open,
        on_open_change=AgencyRequestsState.set_create_open,
    )


@space_page(
    route=ROUTE,
    title="Documents à fournir",
    guard=SessionState.enter_agency_space,
    items=AGENCY_NAV,
    on_load=AgencyRequestsState.load,
)
def agency_requests() -> rx.Component:
    return rx.vstack(
        rx.flex(
            rx.heading("Documents à fournir", as_="h1", size="7"),
            _create_dialog(),
            justify="between",
            align="center",
            spacing="3",
            wrap="wrap",
            width="100%",
        ),
        rx.text(
            "Les documents demandés aux locataires et aux propriétaires. Ceux qu'ils ont envoyés "
            "attendent votre vérification ; accepter ou refuser les prévient par e-mail.",
            color=_MUTED,
        ),
        _status_tabs(),
        _search_form(),
        rx.cond(
            AgencyRequestsState.rows.length() > 0,
            rx.fragment(
                _table(),
                rx.mobile_only(
                    rx.vstack(rx.foreach(AgencyRequestsState.rows, _card), width="100%"),
                    width="100%",
                ),
            ),
            rx.cond(
                AgencyRequestsState.loaded,
                rx.text("Aucune demande ne correspond.", color=_MUTED, id="no-request"),
            ),
        ),
        _pager(),
        _review_dialog(),
        spacing="4",
        width="100%",
        max_width="1100px",
    )
