"""The pager under the agency's long lists: "N fiches — page p sur n", first/previous/next/last."""

from __future__ import annotations

import reflex as rx
from reflex.event import EventType


def pager(
    *,
    text: rx.Var[str],
    page: rx.Var[int],
    page_count: rx.Var[int],
    go_to_page: EventType,
    previous_page: EventType,
    next_page: EventType,
    element_id: str,
) -> rx.Component:
    """A pager; `go_to_page` takes the page number, the others no argument."""
    return rx.flex(
        rx.text(text, size="2", id=f"{element_id}-status"),
        rx.spacer(),
        rx.hstack(
            rx.icon_button(
                rx.icon("chevrons-left", size=16),
                on_click=go_to_page(1),
                disabled=page <= 1,
                variant="soft",
                aria_label="Première page",
            ),
            rx.button(
                rx.icon("chevron-left", size=16),
                "Précédente",
                on_click=previous_page,
                disabled=page <= 1,
                variant="soft",
                id=f"{element_id}-previous",
            ),
            rx.button(
                "Suivante",
                rx.icon("chevron-right", size=16),
                on_click=next_page,
                disabled=page >= page_count,
                variant="soft",
                id=f"{element_id}-next",
            ),
            rx.icon_button(
                rx.icon("chevrons-right", size=16),
                on_click=go_to_page(page_count),
                disabled=page >= page_count,
                variant="soft",
                aria_label="Dernière page",
            ),
            spacing="2",
        ),
        spacing="2",
        wrap="wrap",
        align="center",
        width="100%",
    )
