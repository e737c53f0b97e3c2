"""Tiles of the Tableau de bord (tenant and owner): a figure that links to its section."""

from __future__ import annotations

import reflex as rx

from extranet_app.components.personal_data_export import export_my_data_button
from extranet_app.services.sections import SectionKey


def _when_shown(section: SectionKey, shown: rx.Var, component: rx.Component) -> rx.Component:
    # A section the agency turned off has no tile (the service sent no figure for it either).
    return rx.cond(shown.contains(section.value), component, rx.fragment())


def dashboard_tile(
    section: SectionKey,
    shown: rx.Var,
    *,
    title: str,
    value: rx.Var | str,
    detail: rx.Var | str,
    href: str,
    element_id: str,
    alert: rx.Var | bool = False,
) -> rx.Component:
    """One figure of the dashboard; the whole card links to the section it comes from."""
    card = rx.link(
        rx.card(
            rx.vstack(
                rx.text(title, size="2", color=rx.color("gray", 11)),
                rx.text(
                    value,
                    size="6",
                    weight="bold",
                    color=rx.cond(alert, rx.color("red", 11), rx.color("gray", 12)),
                    class_name="tile-value",
                ),
                rx.text(detail, size="2", color=rx.color("gray", 11)),
                spacing="1",
            ),
            width="100%",
            height="100%",
        ),
        href=href,
        underline="none",
        id=element_id,
        width="100%",
    )
    return _when_shown(section, shown, card)


def news_headlines(section: SectionKey, shown: rx.Var, headlines: rx.Var, space_root: str):
    """The latest news items, with the unread marker, linking to Actualités."""
    page = f"{space_root}/actualites"
    block = rx.vstack(
        rx.hstack(
            rx.heading("Actualités", as_="h2", size="5"),
            rx.link("Tout voir", href=page, size="2"),
            align="baseline",
            justify="between",
            width="100%",
        ),
        rx.cond(
            headlines.length() > 0,
            rx.foreach(
                headlines,
                lambda item: rx.link(
                    rx.card(
                        rx.hstack(
                            rx.cond(item.unread, rx.badge("Nouveau", color_scheme="blue")),
                            rx.text(item.title, weight="medium"),
                            rx.spacer(),
                            rx.text(item.date, size="2", color=rx.color("gray", 11)),
                            align="center",
                            wrap="wrap",
                            width="100%",
                        ),
                        width="100%",
                    ),
                    href=page,
                    underline="none",
                    width="100%",
                ),
            ),
            rx.text("Aucune actualité pour le moment.", color=rx.color("gray", 11)),
        ),
        id="dashboard-news",
        width="100%",
        spacing="2",
    )
    return _when_shown(section, shown, block)


def personal_data_card() -> rx.Component:
    """Where a person downloads a copy of everything the extranet holds about them (RGPD)."""
    return rx.card(
        rx.flex(
            rx.vstack(
                rx.text("Vos données personnelles", weight="bold"),
                rx.text(
                    "Une copie de ce que l'extranet conserve à votre sujet (fichier ZIP).",
                    size="2",
                    color=rx.color("gray", 11),
                ),
                spacing="1",
            ),
            rx.spacer(),
            export_my_data_button(),
            align="center",
            spacing="3",
            wrap="wrap",
        ),
        width="100%",
    )
