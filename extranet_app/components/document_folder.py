"""The Porte-documents layout: filters, then a table on desktop and cards on phones."""

from __future__ import annotations

import reflex as rx

from extranet_app.components.downloads import document_href, download_link
from extranet_app.components.pager import pager
from extranet_app.services.auth import Space
from extranet_app.services.documents import DocumentSummary
from extranet_app.states.document_folder import (
    ALL_CATEGORIES,
    MAX_SEARCH_LENGTH,
    DocumentFolderState,
)


def _download_link(row: DocumentSummary, space: Space) -> rx.Component:
    return download_link(
        rx.hstack(rx.icon("download", size=16), rx.text("Télécharger"), spacing="1"),
        href=document_href(row.reference, space),
        aria_label="Télécharger " + row.title,
    )


def _row(row: DocumentSummary, space: Space) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row.title, weight="medium"), rx.text(row.filename, size="1")),
        rx.table.cell(rx.badge(row.category_label)),
        rx.table.cell(row.date),
        rx.table.cell(row.size),
        rx.table.cell(_download_link(row, space)),
    )


def _card(row: DocumentSummary, space: Space) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(row.title, weight="bold"),
            rx.hstack(rx.badge(row.category_label), rx.text(row.date, size="2"), wrap="wrap"),
            rx.text(row.filename, " · ", row.size, size="1", color=rx.color("gray", 11)),
            _download_link(row, space),
            spacing="2",
        ),
        width="100%",
    )


def _filters(state: type[DocumentFolderState]) -> rx.Component:
    return rx.flex(
        rx.select.root(
            rx.select.trigger(placeholder="Catégorie", aria_label="Catégorie"),
            rx.select.content(
                rx.select.item("Toutes les catégories", value=ALL_CATEGORIES),
                rx.foreach(
                    state.categories,
                    lambda c: rx.select.item(c["label"], value=c["value"]),
                ),
            ),
            value=state.category,
            on_change=state.set_category,
        ),
        rx.input(
            placeholder="Rechercher par titre",
            value=state.search,
            on_change=state.set_search,
            aria_label="Rechercher par titre",
            max_length=MAX_SEARCH_LENGTH,
            width=["100%", "100%", "20em"],
        ),
        spacing="3",
        direction=rx.breakpoints(initial="column", sm="row"),
        width="100%",
    )


def document_folder(state: type[DocumentFolderState], space: Space) -> rx.Component:
    """The Porte-documents of `space`: filters, then a table (cards on phones)."""
    table = rx.table.root(
        rx.table.header(
            rx.table.row(
                *(
                    rx.table.column_header_cell(label)
                    for label in ("Document", "Catégorie", "Date", "Taille", "")
                )
            )
        ),
        rx.table.body(rx.foreach(state.documents, lambda row: _row(row, space))),
        width="100%",
    )
    cards = rx.vstack(
        rx.foreach(state.documents, lambda row: _card(row, space)),
        width="100%",
    )
    return rx.vstack(
        rx.heading("Porte-documents", as_="h1", size="7"),
        _filters(state),
        rx.cond(
            state.documents.length() > 0,
            rx.box(
                rx.tablet_and_desktop(table),
                rx.mobile_only(cards),
                rx.cond(
                    state.page_count > 1,
                    pager(
                        text=state.total.to_string() + " document(s)",
                        page=state.page,
                        page_count=state.page_count,
                        go_to_page=state.go_to_page,
                        previous_page=state.previous_page,
                        next_page=state.next_page,
                        element_id="folder-pager",
                    ),
                ),
                width="100%",
            ),
            rx.cond(
                state.loaded,
                rx.text("Aucun document.", color=rx.color("gray", 11)),
            ),
        ),
        spacing="4",
        width="100%",
        max_width="1000px",
    )
