"""Documents à fournir (request cards with their upload field) and Documents envoyés (a table on
desktop, cards on phones), for the tenant and owner spaces."""

from __future__ import annotations

import reflex as rx

from extranet_app.components.downloads import document_href, download_link
from extranet_app.components.upload_field import upload_field
from extranet_app.services.auth import Space
from extranet_app.services.document_requests import RequestCard, SentDocument
from extranet_app.states.document_requests import (
    UPLOAD_ID,
    DocumentRequestsState,
    SentDocumentsState,
)
from extranet_app.states.session import SessionState

STATUS_COLORS = {
    "a_fournir": "orange",
    "envoye": "blue",
    "accepte": "green",
    "refuse": "red",
    "expire": "gray",
    "classe": "green",
}
_MUTED = rx.color("gray", 11)


def status_badge(status: rx.Var, label: rx.Var) -> rx.Component:
    """A request's status as a coloured badge."""
    color = rx.match(status, *STATUS_COLORS.items(), "gray")
    return rx.badge(label, color_scheme=color, size="2", class_name="status-badge")


def file_link(reference: rx.Var, filename: rx.Var, space: Space) -> rx.Component:
    """A download link through the one authenticated route."""
    return download_link(
        rx.hstack(rx.icon("download", size=14), rx.text(filename, size="2"), spacing="1"),
        href=document_href(reference, space),
        aria_label="Télécharger " + filename,
    )


def pager(state: type[DocumentRequestsState] | type[SentDocumentsState]) -> rx.Component:
    """Previous and next page buttons, shown when there is more than one page."""
    return rx.cond(
        state.page_count > 1,
        rx.hstack(
            rx.button(
                rx.icon("chevron-left", size=16),
                "Précédente",
                on_click=state.previous_page,
                disabled=state.page <= 1,
                variant="soft",
            ),
            rx.text("Page ", state.page, " / ", state.page_count),
            rx.button(
                "Suivante",
                rx.icon("chevron-right", size=16),
                on_click=state.next_page,
                disabled=state.page >= state.page_count,
                variant="soft",
            ),
            align="center",
            spacing="3",
        ),
    )


# --- Documents à fournir -----------------------------------------------------------------------


def _due(card: RequestCard) -> rx.Component:
    # Once sent, the due date no longer concerns the person.
    return rx.cond(
        card.can_submit & (card.due_date != ""),
        rx.text(
            rx.cond(card.overdue, "Date limite dépassée (", "À envoyer avant le "),
            card.due_date,
            rx.cond(card.overdue, ") : envoyez-le dès que possible.", ""),
            size="2",
            weight=rx.cond(card.overdue, "bold", "regular"),
        ),
    )


def _sent_files(card: RequestCard, space: Space) -> rx.Component:
    return rx.cond(
        card.files.length() > 0,
        rx.vstack(
            rx.text("Envoyé le ", card.submitted, " :", size="2", color=_MUTED),
            rx.foreach(
                card.files,
                lambda file: file_link(file.reference, file.filename, space),
            ),
            spacing="1",
        ),
    )


def _upload_panel(state: type[DocumentRequestsState]) -> rx.Component:
    return rx.vstack(
        upload_field(UPLOAD_ID),
        rx.cond(
            state.upload_error != "",
            rx.callout(
                state.upload_error,
                icon="triangle-alert",
                color_scheme="red",
                id="upload-error",
                width="100%",
            ),
        ),
        rx.hstack(
            rx.button(
                rx.icon("send", size=16),
                "Envoyer",
                on_click=state.submit(rx.upload_files(upload_id=UPLOAD_ID)),
                disabled=rx.selected_files(UPLOAD_ID).length() == 0,
                id="send-files",
            ),
            rx.button("Annuler", on_click=state.cancel, variant="soft", color_scheme="gray"),
            spacing="2",
        ),
        width="100%",
        spacing="2",
    )


def _answer(card: RequestCard, index: rx.Var, state: type[DocumentRequestsState]) -> rx.Component:
    return rx.cond(
        card.can_submit,
        rx.cond(
            state.chosen == index,
            _upload_panel(state),
            rx.button(
                rx.icon("upload", size=16),
                rx.cond(
                    card.status == "refuse", "Envoyer un nouveau document", "Envoyer le document"
                ),
                on_click=state.choose(index),
                disabled=SessionState.preview_name != "",
                class_name="open-upload",
            ),
        ),
    )


def _request_card(
    card: RequestCard, index: rx.Var, state: type[DocumentRequestsState], space: Space
) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.heading(card.title, as_="h2", size="4"),
                status_badge(card.status, card.status_label),
                justify="between",
                align="start",
                spacing="2",
                wrap="wrap",
                width="100%",
            ),
            rx.flex(
                rx.badge(card.category_label, variant="surface", color_scheme="gray"),
                rx.cond(card.place != "", rx.text(card.place, size="2", color=_MUTED)),
                spacing="2",
                wrap="wrap",
                align="center",
            ),
            _due(card),
            rx.cond(card.description != "", rx.text(card.description, size="2")),
            rx.cond(
                card.refusal_reason != "",
                rx.callout(
                    "Motif du refus : " + card.refusal_reason,
                    icon="circle-x",
                    color_scheme="red",
                    class_name="refusal-reason",
                    width="100%",
                ),
            ),
            rx.cond(
                card.valid_until != "",
                rx.text("Valable jusqu'au ", card.valid_until, size="2", color=_MUTED),
            ),
            _sent_files(card, space),
            _answer(card, index, state),
            spacing="3",
            width="100%",
        ),
        width="100%",
        class_name="request-card",
    )


def document_requests(state: type[DocumentRequestsState], space: Space) -> rx.Component:
    """The Documents à fournir section of `space`."""
    return rx.vstack(
        rx.heading("Documents à fournir", as_="h1", size="7"),
        rx.text(
            "Les documents que votre agence vous demande. Envoyez-les ici : PDF, JPEG ou PNG "
            "(une photo prise avec votre téléphone convient).",
            color=_MUTED,
        ),
        rx.cond(
            state.cards.length() > 0,
            rx.vstack(
                rx.foreach(
                    state.cards,
                    lambda card, index: _request_card(card, index, state, space),
                ),
                width="100%",
                spacing="3",
                id="requests",
            ),
            rx.cond(
                state.loaded,
                rx.text("Aucun document à fournir pour le moment.", color=_MUTED, id="no-request"),
            ),
        ),
        pager(state),
        spacing="4",
        width="100%",
        max_width="800px",
    )


# --- Documents envoyés -------------------------------------------------------------------------


def _status_cell(document: SentDocument) -> rx.Component:
    return rx.vstack(
        status_badge(document.status, document.status_label),
        rx.cond(
            document.refusal_reason != "",
            rx.text(document.refusal_reason, size="1", color=rx.color("red", 11)),
        ),
        spacing="1",
    )


def _row(document: SentDocument, space: Space) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.text(document.title, weight="medium"),
            file_link(document.reference, document.filename, space),
        ),
        rx.table.cell(document.date),
        rx.table.cell(document.size),
        rx.table.cell(_status_cell(document)),
        class_name="sent-row",
    )


def _card(document: SentDocument, space: Space) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.text(document.title, weight="bold"),
                _status_cell(document),
                justify="between",
                spacing="2",
                width="100%",
            ),
            rx.text(document.date, " · ", document.size, size="1", color=_MUTED),
            file_link(document.reference, document.filename, space),
            spacing="2",
        ),
        width="100%",
        class_name="sent-card",
    )


def sent_documents(state: type[SentDocumentsState], space: Space) -> rx.Component:
    """The Documents envoyés section of `space`."""
    table = rx.table.root(
        rx.table.header(
            rx.table.row(
                *(
                    rx.table.column_header_cell(label)
                    for label in ("Document", "Envoyé le", "Taille", "Statut")
                )
            )
        ),
        rx.table.body(rx.foreach(state.documents, lambda row: _row(row, space))),
        width="100%",
    )
    cards = rx.vstack(rx.foreach(state.documents, lambda row: _card(row, space)), width="100%")
    return rx.vstack(
        rx.heading("Documents envoyés", as_="h1", size="7"),
        rx.text("Tout ce que vous avez envoyé à votre agence, avec son statut.", color=_MUTED),
        rx.cond(
            state.documents.length() > 0,
            rx.box(rx.tablet_and_desktop(table), rx.mobile_only(cards), width="100%", id="sent"),
            rx.cond(state.loaded, rx.text("Aucun document envoyé.", color=_MUTED, id="no-sent")),
        ),
        pager(state),
        spacing="4",
        width="100%",
        max_width="1000px",
    )
