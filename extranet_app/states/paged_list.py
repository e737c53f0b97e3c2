"""The page number of an agency list paged by the database, and the handlers components/pager
calls; the page's state says who may see it (`_staff`) and how to reload it (`_reload`)."""

from __future__ import annotations

import reflex as rx

from extranet_app.services.auth import SessionUser
from extranet_app.states.session import SessionState


class PagedListState(SessionState, mixin=True):
    """First / previous / next / last page of one list, clamped to the pages that exist."""

    page: int = 1
    page_count: int = 1

    async def _staff(self) -> SessionUser | None:
        raise NotImplementedError

    async def _reload(self, staff: SessionUser) -> None:
        raise NotImplementedError

    @rx.event
    async def go_to_page(self, page: int):
        """Show another page of the same list (a page number the browser sends)."""
        if type(page) is int:
            await self._go_to(page)

    async def _go_to(self, page: int) -> None:
        staff = await self._staff()
        if staff is None:
            return
        self.page = min(max(1, page), self.page_count)
        await self._reload(staff)

    @rx.event
    async def next_page(self):
        await self._go_to(self.page + 1)

    @rx.event
    async def previous_page(self):
        await self._go_to(self.page - 1)
