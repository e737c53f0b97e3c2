"""The Porte-documents state shared by the tenant and owner spaces (each gets its own copy)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import reflex as rx

from extranet_app.db import session_scope
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.documents import (
    CATEGORY_LABELS,
    DocumentSummary,
    category_label,
    count_documents,
    folder_categories,
    list_documents,
)
from extranet_app.services.paging import page_count
from extranet_app.services.timekeeping import today_in_france
from extranet_app.states.session import SessionState

ALL_CATEGORIES = "toutes"
MAX_SEARCH_LENGTH = 100
PAGE_SIZE = 25


@dataclass(frozen=True)
class _FolderPage:
    documents: list[DocumentSummary]
    total: int
    categories: list[str] | None  # only when asked for (the page's first load)


def _load(
    user: SessionUser, space: Space, category: str, search: str, page: int, with_categories: bool
) -> _FolderPage:
    today = today_in_france()
    chosen = {
        "category": None if category == ALL_CATEGORIES else category,
        "search": search,
    }
    with session_scope() as session:
        scope = {"session": session, "user": user, "space": space, "today": today}
        return _FolderPage(
            documents=list_documents(**scope, **chosen, page=page, page_size=PAGE_SIZE),
            total=count_documents(**scope, **chosen),
            categories=folder_categories(**scope) if with_categories else None,
        )


class DocumentFolderState(SessionState, mixin=True):
    """A Porte-documents: the rows shown (no ids), the category filter and the title search.

    A mixin: each space's state gets its own copy of these vars and handlers.
    """

    documents: list[DocumentSummary] = []
    categories: list[dict[str, str]] = []  # the categories present, for the filter
    category: str = ALL_CATEGORIES
    search: str = ""
    page: int = 1
    page_count: int = 1
    total: int = 0
    loaded: bool = False

    def _space(self) -> Space:
        raise NotImplementedError

    async def _refresh(self, *, all_categories: bool = False) -> None:
        user = await self._session_user(self._space())
        if user is None:
            self.documents, self.categories, self.total = [], [], 0
            return
        loaded = await asyncio.to_thread(
            _load, user, self._space(), self.category, self.search, self.page, all_categories
        )
        if loaded.categories is not None:
            self.categories = [
                {"value": key, "label": category_label(key)} for key in sorted(loaded.categories)
            ]
        self.documents, self.total = loaded.documents, loaded.total
        self.page_count = page_count(loaded.total, PAGE_SIZE)
        self.loaded = True

    @rx.event
    async def load(self):
        """Show every document of the folder, filters cleared."""
        self.category, self.search, self.page = ALL_CATEGORIES, "", 1
        await self._refresh(all_categories=True)

    @rx.event
    async def set_category(self, category: str):
        """Show one category only (or all of them)."""
        valid = isinstance(category, str) and category in {ALL_CATEGORIES, *CATEGORY_LABELS}
        self.category = category if valid else ALL_CATEGORIES
        self.page = 1
        await self._refresh()

    @rx.event
    async def set_search(self, search: str):
        """Keep only the documents whose title contains the words typed."""
        self.search = search[:MAX_SEARCH_LENGTH] if isinstance(search, str) else ""
        self.page = 1
        await self._refresh()

    @rx.event
    async def go_to_page(self, page: int):
        """Show another page of the folder (a page number from the browser, checked)."""
        if type(page) is int:
            self.page = min(max(page, 1), self.page_count)
            await self._refresh()

    @rx.event
    async def previous_page(self):
        """The page before."""
        self.page = max(self.page - 1, 1)
        await self._refresh()

    @rx.event
    async def next_page(self):
        """The page after."""
        self.page = min(self.page + 1, self.page_count)
        await self._refresh()
