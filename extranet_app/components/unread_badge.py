"""The unread-messages badge beside "Messagerie" / "Messages" in each space's navigation."""

from __future__ import annotations

import reflex as rx

from extranet_app.states.messaging_live import MESSAGING_PATHS, UnreadBadgeState


def unread_badge() -> rx.Component:
    """A small count of unread conversations, hidden when there are none."""
    return rx.cond(
        UnreadBadgeState.unread > 0,
        rx.badge(
            UnreadBadgeState.text,
            color_scheme="red",
            variant="solid",
            radius="full",
            class_name="unread-badge",
            aria_label=UnreadBadgeState.text + " conversation(s) non lue(s)",
        ),
    )


def is_messaging_entry(path: str) -> bool:
    """Whether a navigation entry is the Messagerie of its space (it gets the badge)."""
    return path in MESSAGING_PATHS
