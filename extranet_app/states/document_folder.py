"""The Porte-documents state shared by the tenant and owner spaces (each gets its own copy)."""

from __future__ import annotations

import asyncio

import reflex as rx

from extranet_app.db import session_scope
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.documents import CATEGORY_LABELS, DocumentSummary, list_documents
from extranet_app.services.timekeeping import today_in_france
from extranet_app.states.session import SessionState

ALL_CATEGORIES = "toutes"
MAX_SEARCH_LENGTH = 100


def _load(user: SessionUser, space: Space, category: str, search: str) -> list[DocumentSummary]:
    with session_scope() as session:
        return list_documents(
            session=session,
            user=user,
            space=space,
            today=today_in_france(),
            category=None if category == ALL_CATEGORIES else category,
            search=search,
        )


class DocumentFolderState(SessionState, mixin=True):
    """A Porte-documents: the rows shown (no ids), the category filter and the title search.

    A mixin: each space's state gets its own copy of these vars and handlers.
    """

    documents: list[DocumentSummary] = []
    categories: list[dict[str, str]] = []  # the categories present, for the filter
    category: str = ALL_CATEGORIES
    search: str = ""
    loaded: bool = False

    def _space(self) -> Space:
        raise NotImplementedError

    async def _refresh(self, *, all_categories: bool = False) -> None:
        user = await self._session_user(self._space())
        if user is None:
            self.documents, self.categories = [], []
            return
        if all_categories:
            everything = await asyncio.to_thread(_load, user, self._space(), ALL_CATEGORIES, "")
            present = {row.category: row.category_label for row in everything}
            self.categories = [
                {"value": key, "label": label} for key, label in sorted(present.items())
            ]
        self.documents = await asyncio.to_thread(
            _load, user, self._space(), self.category, self.search
        )
        self.loaded = True

    @rx.event
    async def load(self):
        """Show every document of the folder, filters cleared."""
        self.category, self.search = ALL_CATEGORIES, ""
        await self._refresh(all_categories=True)

    @rx.event
    async def set_category(self, category: str):
        """Show one category only (or all of them)."""
        valid = isinstance(category, str) and category in {ALL_CATEGORIES, *CATEGORY_LABELS}
        self.category = category if valid else ALL_CATEGORIES
        await self._refresh()

    @rx.event
    async def set_search(self, search: str):
        """Keep only the documents whose title contains the words typed."""
        self.search = search[:MAX_SEARCH_LENGTH] if isinstance(search, str) else ""
        await self._refresh()
