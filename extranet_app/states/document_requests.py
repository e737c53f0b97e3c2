"""Documents à fournir and Documents envoyés, shared by the tenant and owner spaces (mixins: each
space's page state gets its own copy of the vars and handlers)."""

from __future__ import annotations

import asyncio

import reflex as rx

from extranet_app.db import session_scope
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.document_requests import (
    RequestCard,
    RequestError,
    RequestPage,
    SentDocument,
    SentPage,
    list_requests,
    list_sent_documents,
    submit_files,
)
from extranet_app.services.errors import AccessDenied
from extranet_app.services.timekeeping import today_in_france
from extranet_app.services.uploads import CheckedFile, UploadRefused
from extranet_app.states.session import SessionState
from extranet_app.states.uploads import checked_uploads

UPLOAD_ID = "request-files"
NOT_ALLOWED = "Session expirée : reconnectez-vous."
READ_ONLY = "Aperçu en lecture seule : rien ne peut être envoyé."


def _load_requests(user: SessionUser, space: Space, page: int) -> RequestPage:
    with session_scope() as session:
        return list_requests(
            session=session, user=user, space=space, today=today_in_france(), page=page
        )


def _submit(
    user: SessionUser, space: Space, request_id: int, files: list[CheckedFile], ip: str
) -> int:
    with session_scope() as session:
        return submit_files(
            session=session,
            user=user,
            space=space,
            request_id=request_id,
            files=files,
            today=today_in_france(),
            ip=ip,
        )


def _load_sent(user: SessionUser, space: Space, page: int) -> SentPage:
    with session_scope() as session:
        return list_sent_documents(
            session=session, user=user, space=space, today=today_in_france(), page=page
        )


def _position(value: object, size: int) -> int | None:
    """A list position sent by the browser, if it is a real index into a list of `size`."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 <= value < size else None


class DocumentRequestsState(SessionState, mixin=True):
    """Documents à fournir: the cards (no ids), the one open upload field, the pager."""

    cards: list[RequestCard] = []
    page: int = 1
    page_count: int = 1
    total: int = 0
    loaded: bool = False
    chosen: int = -1  # the card whose upload field is open
    upload_error: str = ""
    # Request ids stay on the server; the browser only knows card positions.
    _request_ids: list[int] = []

    def _space(self) -> Space:
        raise NotImplementedError

    async def _refresh(self, user: SessionUser) -> None:
        listed = await asyncio.to_thread(_load_requests, user, self._space(), self.page)
        self.page, self.page_count, self.total = listed.page, listed.page_count, listed.total
        self._request_ids = [listing.request_id for listing in listed.listings]
        self.cards = [listing.card for listing in listed.listings]
        self.loaded = True

    def _forget(self) -> None:
        self.cards, self._request_ids, self.chosen, self.upload_error = [], [], -1, ""

    async def _show_page(self, page: int) -> None:
        user = await self._session_user(self._space())
        if user is None:
            self._forget()
            return
        self.page, self.chosen, self.upload_error = page, -1, ""
        await self._refresh(user)

    @rx.event
    async def load(self):
        """Show the first page of requests."""
        await self._show_page(1)

    @rx.event
    async def next_page(self):
        await self._show_page(min(self.page + 1, self.page_count))

    @rx.event
    async def previous_page(self):
        await self._show_page(max(self.page - 1, 1))

    @rx.event
    async def choose(self, position: int):
        """Open the upload field of the card at `position`."""
        user = await self._session_user(self._space())
        if user is None:
            return rx.toast.error(NOT_ALLOWED)
        index = _position(position, len(self._request_ids))
        if index is None or not self.cards[index].can_submit:
            return rx.toast.error("Demande introuvable.")
        self.chosen, self.upload_error = index, ""
        return rx.clear_selected_files(UPLOAD_ID)

    @rx.event
    def cancel(self):
        """Close the upload field without sending."""
        self.chosen, self.upload_error = -1, ""
        return rx.clear_selected_files(UPLOAD_ID)

    @rx.event
    async def submit(self, files: list[rx.UploadFile]):
        """Check the chosen files and send them as the answer to the open card's request."""
        user = await self._session_user(self._space())
        if user is None:
            return rx.toast.error(NOT_ALLOWED)
        index = _position(self.chosen, len(self._request_ids))
        if index is None:
            return rx.toast.error("Choisissez d'abord le document à envoyer.")
        try:
            checked = await checked_uploads(files)
            await asyncio.to_thread(
                _submit,
                user,
                self._space(),
                self._request_ids[index],
                checked,
                self.router.session.client_ip,
            )
        except (UploadRefused, RequestError) as refused:
            self.upload_error = str(refused)
            return [rx.toast.error(str(refused)), rx.clear_selected_files(UPLOAD_ID)]
        except AccessDenied:
            self.upload_error = READ_ONLY if user.read_only else "Envoi refusé."
            return rx.toast.error(self.upload_error)
        self.chosen, self.upload_error = -1, ""
        await self._refresh(user)
        sent = "Document envoyé" if len(checked) == 1 else f"{len(checked)} fichiers envoyés"
        return [
            rx.toast.success(f"{sent} à l'agence, qui va le vérifier."),
            rx.clear_selected_files(UPLOAD_ID),
        ]


class SentDocumentsState(SessionState, mixin=True):
    """Documents envoyés: everything the person sent, with its status, page by page."""

    documents: list[SentDocument] = []
    page: int = 1
    page_count: int = 1
    total: int = 0
    loaded: bool = False

    def _space(self) -> Space:
        raise NotImplementedError

    async def _show_page(self, page: int) -> None:
        user = await self._session_user(self._space())
        if user is None:
            self.documents = []
            return
        listed = await asyncio.to_thread(_load_sent, user, self._space(), page)
        self.documents = listed.documents
        self.page, self.page_count, self.total = listed.page, listed.page_count, listed.total
        self.loaded = True

    @rx.event
    async def load(self):
        """Show the newest documents sent."""
        await self._show_page(1)

    @rx.event
    async def next_page(self):
        await self._show_page(min(self.page + 1, self.page_count))

    @rx.event
    async def previous_page(self):
        await self._show_page(max(self.page - 1, 1))
