"""Pieces shared by the document pages of the agency and of owners: labelled fields, selects
that post with their form, the agency's download link and a pager."""

from __future__ import annotations

import reflex as rx

from extranet_app.components.downloads import document_href
from extranet_app.components.downloads import download_link as shared_download_link
from extranet_app.services.auth import Space


def labelled(label: str, field: rx.Component, *, html_for: str = "") -> rx.Component:
    """A form field under its visible label."""
    caption = rx.el.label(label, html_for=html_for, font_weight="500", font_size="14px")
    return rx.vstack(caption, field, spacing="1", width="100%")


def form_select(
    name: str,
    options: list[tuple[str, str]] | rx.Var,
    *,
    label: str,
    default_value: str | rx.Var = "",
    element_id: str = "",
) -> rx.Component:
    """A select whose value goes with the form under `name`; options are (value, label)."""
    if isinstance(options, rx.Var):
        items = rx.foreach(options, lambda o: rx.select.item(o["label"], value=o["value"]))
    else:
        items = [rx.select.item(text, value=value) for value, text in options]
    return rx.select.root(
        rx.select.trigger(width="100%", aria_label=label, id=element_id or None),
        rx.select.content(items),
        name=name,
        default_value=default_value,
        required=True,
    )


def download_link(reference: rx.Var, title: rx.Var, space: Space) -> rx.Component:
    """The authenticated download of a document, named by its opaque reference."""
    return shared_download_link(
        rx.hstack(rx.icon("download", size=16), rx.text("Télécharger"), spacing="1"),
        href=document_href(reference, space),
        aria_label="Télécharger " + title,
    )


def pager(
    *, page: rx.Var, count: rx.Var, total: rx.Var, noun: str, previous, following
) -> rx.Component:
    """Previous / next buttons around "Page n / m" and the number of rows."""
    return rx.hstack(
        rx.button(
            rx.icon("chevron-left", size=16),
            "Précédente",
            on_click=previous,
            disabled=page <= 1,
            variant="soft",
        ),
        rx.text("Page ", page, " / ", count),
        rx.button(
            "Suivante",
            rx.icon("chevron-right", size=16),
            on_click=following,
            disabled=page >= count,
            variant="soft",
        ),
        rx.text(total, f" {noun}", color=rx.color("gray", 11)),
        align="center",
        wrap="wrap",
        spacing="3",
    )
