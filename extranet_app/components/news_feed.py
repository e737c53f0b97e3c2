"""The Actualités of a tenant or an owner: cards (pinned first, unread marked) and a reader."""

from __future__ import annotations

import reflex as rx

from extranet_app.api.news_routes import NEWS_IMAGE_PREFIX, NEWS_IMAGE_SUFFIX, SPACE_QUERY
from extranet_app.components.backend_url import backend_url
from extranet_app.services.auth import Space
from extranet_app.services.news import NewsCard
from extranet_app.states.news_feed import NewsFeedState

# The sanitized HTML only has paragraphs, lists, bold, italic and links: give them room to read.
NEWS_BODY_STYLE = {
    "line_height": "1.6",
    "& p": {"margin": "0 0 0.8em"},
    "& ul, & ol": {"margin": "0 0 0.8em", "padding_left": "1.4em"},
    "& a": {"color": rx.color("accent", 11), "text_decoration": "underline"},
}


def news_image_url(reference: rx.Var, space: Space) -> rx.Var[str]:
    """The authenticated address of an item's picture, as the browser must ask for it."""
    suffix = f"{NEWS_IMAGE_SUFFIX}?{SPACE_QUERY}={space.value}"
    return backend_url(NEWS_IMAGE_PREFIX) + reference + suffix


def _badges(card: NewsCard) -> rx.Component:
    return rx.hstack(
        rx.cond(
            card.unread,
            rx.badge("Nouveau", color_scheme="blue", variant="solid", class_name="unread-marker"),
        ),
        rx.cond(
            card.pinned,
            rx.badge(rx.icon("pin", size=12), "Épinglée", color_scheme="amber", variant="soft"),
        ),
        rx.cond(card.has_image, rx.icon("image", size=14, color=rx.color("gray", 10))),
        rx.text(card.date, size="2", color=rx.color("gray", 11)),
        align="center",
        spacing="2",
        wrap="wrap",
    )


def _card(card: NewsCard, state: type[NewsFeedState]) -> rx.Component:
    return rx.card(
        rx.vstack(
            _badges(card),
            rx.heading(
                card.title,
                as_="h2",
                size="4",
                weight=rx.cond(card.unread, "bold", "medium"),
                class_name="news-title",
            ),
            rx.text(card.excerpt, size="2", color=rx.color("gray", 11)),
            rx.button(
                rx.icon("book-open", size=16),
                "Lire",
                on_click=state.open_item(card.reference),
                variant="soft",
                size="2",
                aria_label="Lire " + card.title,
                class_name="news-open",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        class_name=rx.cond(card.unread, "news-card news-unread", "news-card"),
    )


def _reader(state: type[NewsFeedState], space: Space) -> rx.Component:
    opened = state.opened
    return rx.dialog.root(
        rx.dialog.content(
            rx.cond(
                opened,
                rx.vstack(
                    rx.dialog.title(opened.title, id="news-reader-title"),
                    rx.text("Publiée le ", opened.date, size="2", color=rx.color("gray", 11)),
                    rx.cond(
                        opened.has_image,
                        rx.image(
                            src=news_image_url(opened.reference, space),
                            alt=opened.title,
                            width="100%",
                            max_height="50vh",
                            object_fit="contain",
                            border_radius="6px",
                            id="news-reader-image",
                        ),
                    ),
                    rx.html(opened.html, id="news-reader-body", style=NEWS_BODY_STYLE),
                    spacing="3",
                    width="100%",
                ),
            ),
            rx.flex(
                rx.dialog.close(rx.button("Fermer", variant="soft", id="news-reader-close")),
                justify="end",
                margin_top="1em",
            ),
            max_width="min(720px, 96vw)",
            id="news-reader",
        ),
        open=state.reader_open,
        on_open_change=state.set_reader_open,
    )


def news_feed(state: type[NewsFeedState], space: Space) -> rx.Component:
    """The Actualités page of `space`: the cards, then the reader of the opened item."""
    return rx.vstack(
        rx.heading("Actualités", as_="h1", size="7"),
        rx.cond(
            state.unread_count > 0,
            rx.text(
                state.unread_count,
                " actualité(s) non lue(s).",
                color=rx.color("gray", 11),
                id="news-unread-count",
            ),
        ),
        rx.cond(
            state.items.length() > 0,
            rx.vstack(
                rx.foreach(state.items, lambda card: _card(card, state)),
                spacing="3",
                width="100%",
                id="news-list",
            ),
            rx.cond(
                state.loaded,
                rx.text("Aucune actualité pour le moment.", color=rx.color("gray", 11)),
            ),
        ),
        _reader(state, space),
        spacing="4",
        width="100%",
        max_width="800px",
    )
