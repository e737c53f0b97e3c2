"""The Actualités state shared by the tenant and owner spaces (each page gets its own copy)."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import reflex as rx

from extranet_app.db import session_scope
from extranet_app.services import news
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.news import NewsCard, NewsView
from extranet_app.states.session import SessionState


def _list(user: SessionUser, space: Space) -> list[NewsCard]:
    with session_scope() as session:
        return news.list_news(session=session, user=user, space=space)


def _open(user: SessionUser, space: Space, reference: str) -> NewsView | None:
    with session_scope() as session:
        return news.open_news(session=session, user=user, space=space, reference=reference)


class NewsFeedState(SessionState, mixin=True):
    """A person's news: the cards shown (no ids, opaque references) and the item opened."""

    items: list[NewsCard] = []
    opened: NewsView | None = None
    reader_open: bool = False
    loaded: bool = False

    def _space(self) -> Space:
        raise NotImplementedError

    @rx.var
    def unread_count(self) -> int:
        return sum(1 for item in self.items if item.unread)

    def _forget(self) -> None:
        self.items, self.opened, self.reader_open = [], None, False

    @rx.event
    async def load(self):
        """Show the news addressed to the person, pinned first, then newest."""
        user = await self._session_user(self._space())
        if user is None:
            self._forget()
            return
        self.items = await asyncio.to_thread(_list, user, self._space())
        self.loaded = True

    @rx.event
    async def open_item(self, reference: str):
        """Open one item (by its reference) and mark it read."""
        user = await self._session_user(self._space())
        if user is None:
            self._forget()
            return None
        view = None
        if isinstance(reference, str):
            view = await asyncio.to_thread(_open, user, self._space(), reference)
        if view is None:
            return rx.toast.error("Cette actualité n'est pas disponible.")
        self.opened, self.reader_open = view, True
        if not user.read_only:  # an Aperçu by the agency marks nothing read
            self.items = [
                replace(card, unread=False) if card.reference == view.reference else card
                for card in self.items
            ]
        return None

    @rx.event
    def set_reader_open(self, is_open: bool):
        """Close the reader (the dialog's own close button and the Escape key)."""
        self.reader_open = is_open is True
        if not self.reader_open:
            self.opened = None
