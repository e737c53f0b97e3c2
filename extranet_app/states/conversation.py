"""The Messagerie of a tenant or an owner: their conversations with the agency (a mixin: each
space's page state gets its own copy).

The browser names a conversation by its row in the list and a lease or lot by its row in the
form; the ids behind them stay in backend-only vars. Every handler re-resolves the session; the
services check again that each thread, lease or lot is the user's own.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import reflex as rx

from extranet_app.db import session_scope
from extranet_app.services import messaging
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.errors import AccessDenied
from extranet_app.services.message_text import InvalidMessage
from extranet_app.services.messaging import (
    EMPTY_HEADER,
    Conversation,
    ConversationHeader,
    MessageLine,
    Place,
    ThreadLine,
    ThreadListing,
)
from extranet_app.services.timekeeping import today_in_france
from extranet_app.services.uploads import UploadRefused
from extranet_app.states.messaging_live import LiveMessagesMixin
from extranet_app.states.uploads import checked_uploads

REPLY_UPLOAD_ID = "reply-files"
NEW_UPLOAD_ID = "new-files"
NO_PLACE = "aucun"
LIST, THREAD, NEW = "liste", "conversation", "nouveau"
READ_ONLY = "Aperçu : lecture seule, rien ne peut être envoyé."
GONE = "Cette conversation n'est plus disponible."
CATEGORY_OPTIONS = [
    {"value": value.value, "label": label} for value, label in messaging.CATEGORY_LABELS.items()
]


def as_position(value: Any, size: int) -> int | None:
    """A row position from the browser, or None (bool, float, str… and out of range refused)."""
    return value if type(value) is int and 0 <= value < size else None


async def files_of(files: Any) -> list:
    """The checked files of an upload event; none is fine (a message without attachment)."""
    if not isinstance(files, list) or not files:
        return []
    return await checked_uploads(files)


# --- Blocking work, run in threads ---------------------------------------------------------------


def _load_threads(user: SessionUser, space: Space) -> ThreadListing:
    with session_scope() as session:
        return messaging.list_person_threads(session=session, user=user, space=space)


def _open(user: SessionUser, space: Space, thread_id: int, before: int | None) -> Conversation:
    with session_scope() as session:
        return messaging.open_for_person(
            session=session, user=user, space=space, thread_id=thread_id, before_id=before
        )


def _form_data(user: SessionUser, space: Space, today: date) -> tuple[list[Place], bool]:
    with session_scope() as session:
        places = messaging.person_places(session=session, user=user, space=space, today=today)
        wants_email = messaging.email_notifications_enabled(session=session, user=user)
        return places, wants_email


def _reply(user: SessionUser, space: Space, thread_id: int, text: str, files: list) -> None:
    with session_scope() as session:
        messaging.person_reply(
            session=session, user=user, space=space, thread_id=thread_id, text=text, files=files
        )


def _start(user: SessionUser, space: Space, fields: dict, place: Place | None, files) -> int:
    with session_scope() as session:
        return messaging.start_conversation(
            session=session,
            user=user,
            space=space,
            subject=fields["subject"],
            category=fields["category"],
            text=fields["text"],
            place=place,
            files=files,
            today=today_in_france(),
        )


def _set_email(user: SessionUser, enabled: bool) -> None:
    with session_scope() as session:
        messaging.set_email_notifications(session=session, user=user, enabled=enabled)


class ConversationState(LiveMessagesMixin, mixin=True):
    """The conversations of one person in one space, one of them open, and the forms."""

    threads: list[ThreadLine] = []
    loaded: bool = False
    view: str = LIST  # on a phone: the list, a conversation, or the new message form
    header: ConversationHeader = EMPTY_HEADER
    messages: list[MessageLine] = []
    has_older: bool = False
    open_position: int = -1
    can_write: bool = False  # False during an Aperçu
    wants_email: bool = True
    place_labels: list[str] = []
    new_category: str = ""
    new_place: str = NO_PLACE
    error: str = ""
    _thread_ids: list[int] = []
    _open_id: int | None = None
    _oldest_id: int | None = None
    _places: list[Place] = []

    @rx.var
    def is_closed(self) -> bool:
        return self.header.closed

    async def _user(self) -> SessionUser | None:
        return await self._session_user(self._space())

    async def _load_list(self, user: SessionUser) -> None:
        listing = await asyncio.to_thread(_load_threads, user, self._space())
        self.threads, self._thread_ids = listing.lines, listing.ids
        if self._open_id is not None and self._open_id in self._thread_ids:
            self.open_position = self._thread_ids.index(self._open_id)

    async def _show(self, user: SessionUser, thread_id: int, *, older: bool = False) -> bool:
        """Open (or extend with older messages) a conversation; False when it is not allowed."""
        before = self._oldest_id if older else None
        try:
            conversation = await asyncio.to_thread(_open, user, self._space(), thread_id, before)
        except AccessDenied:
            self._close_conversation()
            return False
        self.header, self.has_older = conversation.header, conversation.has_older
        self.messages = conversation.messages + (self.messages if older else [])
        self._open_id, self._oldest_id = thread_id, conversation.oldest_id
        return True

    def _close_conversation(self) -> None:
        self._open_id, self._oldest_id, self.open_position = None, None, -1
        self.header, self.messages, self.has_older = EMPTY_HEADER, [], False

    async def _live_refresh(self, user: SessionUser) -> None:
        # The open conversation comes back on its last page (older messages shown are folded).
        if self._open_id is not None and not await self._show(user, self._open_id):
            self.view = LIST
        await self._load_list(user)

    @rx.event
    async def load(self):
        """On page load: the list of conversations, then live updates while the page is open."""
        user = await self._user()
        if user is None:
            return None
        self._close_conversation()
        self.view, self.error, self.can_write = LIST, "", not user.read_only
        self.new_category, self.new_place = "", NO_PLACE
        places, self.wants_email = await asyncio.to_thread(
            _form_data, user, self._space(), today_in_france()
        )
        self._places, self.place_labels = places, [place.label for place in places]
        await self._load_list(user)
        await self._remember_activity(user)
        self.loaded = True
        return type(self).watch

    @rx.event
    async def open_thread(self, position: int):
        """Open the conversation at `position` of the list."""
        index = as_position(position, len(self._thread_ids))
        user = await self._user()
        if index is None or user is None:
            return None
        if not await self._show(user, self._thread_ids[index]):
            return rx.toast.error(GONE)
        self.open_position, self.view, self.error = index, THREAD, ""
        await self._load_list(user)  # its unread mark is gone
        return None

    @rx.event
    async def load_older(self):
        """Show the 50 messages before the first one shown."""
        user = await self._user()
        if user is None or self._open_id is None or not self.has_older:
            return
        await self._show(user, self._open_id, older=True)

    @rx.event
    def show_list(self):
        """Back to the list (phones)."""
        self.view, self.error = LIST, ""

    @rx.event
    async def start_new(self):
        """Open the new message form."""
        if await self._user() is None:
            return
        self.view, self.error = NEW, ""
        self.new_category = ""
        self.new_place = "0" if len(self._places) == 1 else NO_PLACE

    @rx.event
    def set_new_category(self, value: str):
        valid = isinstance(value, str) and value in messaging.CATEGORY_LABELS
        self.new_category = value if valid else ""

    @rx.event
    def set_new_place(self, value: str):
        positions = {str(index) for index in range(len(self._places))}
        self.new_place = value if isinstance(value, str) and value in positions else NO_PLACE

    @rx.event
    async def set_wants_email(self, enabled: bool):
        """The person turns the e-mails about new messages on or off."""
        user = await self._user()
        if user is None or not isinstance(enabled, bool):
            return None
        try:
            await asyncio.to_thread(_set_email, user, enabled)
        except AccessDenied:
            return rx.toast.error(READ_ONLY)
        self.wants_email = enabled
        return rx.toast.success(
            "Vous serez prévenu par e-mail." if enabled else "Plus d'e-mail pour les messages."
        )

    @rx.event
    async def send_reply(self, files: list[rx.UploadFile], text: str):
        """Answer in the open conversation, with optional attachments."""
        user = await self._user()
        if user is None or self._open_id is None:
            return None
        try:
            checked = await files_of(files)
            await asyncio.to_thread(_reply, user, self._space(), self._open_id, text, checked)
        except (InvalidMessage, UploadRefused) as problem:
            self.error = str(problem)
            return None
        except AccessDenied:
            self.error = READ_ONLY if user.read_only else GONE
            return None
        self.error = ""
        await self._show(user, self._open_id)
        await self._load_list(user)
        return [rx.set_value("reply-text", ""), rx.clear_selected_files(REPLY_UPLOAD_ID)]

    @rx.event
    async def send_new(self, files: list[rx.UploadFile], subject: str, text: str):
        """Start a conversation with the agency."""
        user = await self._user()
        if user is None:
            return None
        index = int(self.new_place) if self.new_place.isdigit() else None
        place = self._places[index] if index is not None and index < len(self._places) else None
        fields = {"subject": subject, "category": self.new_category, "text": text}
        try:
            checked = await files_of(files)
            thread_id = await asyncio.to_thread(_start, user, self._space(), fields, place, checked)
        except (InvalidMessage, UploadRefused) as problem:
            self.error = str(problem)
            return None
        except AccessDenied:
            self.error = READ_ONLY
            return None
        self.error = ""
        await self._load_list(user)
        await self._show(user, thread_id)
        self.open_position, self.view = self._thread_ids.index(thread_id), THREAD
        return [rx.clear_selected_files(NEW_UPLOAD_ID), rx.toast.success("Message envoyé.")]
