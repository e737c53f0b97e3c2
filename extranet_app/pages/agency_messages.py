"""/agence/messages: the agency's shared inbox (Messages): filters, conversations, answers and
internal notes, assignment and status; and "Nouveau message" to one person or a building.

Rows are named by their position in the page; thread, person, colleague and building ids stay
in backend-only vars, and every handler checks the staff session and its arguments again.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import reflex as rx

from extranet_app.components.conversation import (
    dom_value,
    error_text,
    message_list,
    pane,
    reply_box,
    status_badge,
    thread_item,
)
from extranet_app.components.navigation import AGENCY_NAV
from extranet_app.components.shell import space_page
from extranet_app.db import session_scope
from extranet_app.services import messaging
from extranet_app.services import messaging_inbox as inbox
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.errors import AccessDenied
from extranet_app.services.message_text import InvalidMessage
from extranet_app.services.messaging import (
    EMPTY_HEADER,
    Conversation,
    ConversationHeader,
    MessageLine,
    Place,
    StaffMember,
    ThreadLine,
)
from extranet_app.services.messaging_inbox import (
    BroadcastResult,
    Building,
    FirstMessage,
    InboxPage,
    InboxQuery,
    Recipient,
)
from extranet_app.services.timekeeping import today_in_france
from extranet_app.services.uploads import UploadRefused
from extranet_app.states.conversation import (
    CATEGORY_OPTIONS,
    LIST,
    NEW,
    NO_PLACE,
    THREAD,
    as_position,
    files_of,
)
from extranet_app.states.messaging_live import LiveMessagesMixin
from extranet_app.states.session import SessionState

ALL = "tous"
NOBODY = "personne"
TO_PERSON, TO_BUILDING = "personne", "immeuble"
REPLY, NOTE = "reponse", "note"
UPLOAD_ID = "agency-reply-files"
NEW_UPLOAD_ID = "agency-new-files"
STATUS_OPTIONS = [
    {"value": s.value, "label": label} for s, label in messaging.STATUS_LABELS.items()
]
STAFF_ONLY = "Action réservée à l'agence."
GONE = "Cette conversation n'existe plus."


@dataclass(frozen=True)
class RecipientLine:
    """A person found by the "Nouveau message" search (no id)."""

    position: int
    name: str
    role_label: str
    detail: str
    enrolled: bool


# --- Blocking work, run in threads ---------------------------------------------------------------


def _load_inbox(staff: SessionUser, query: InboxQuery, page: int) -> InboxPage:
    with session_scope() as session:
        return inbox.list_inbox(session=session, actor=staff, query=query, page=page)


def _choices(staff: SessionUser) -> tuple[list[Building], list[StaffMember]]:
    with session_scope() as session:
        return (
            inbox.buildings(session=session, actor=staff),
            messaging.staff_members(session=session, actor=staff),
        )


def _open(staff: SessionUser, thread_id: int, before: int | None) -> Conversation:
    with session_scope() as session:
        return messaging.open_for_staff(
            session=session, actor=staff, thread_id=thread_id, before_id=before
        )


def _reply(staff: SessionUser, thread_id: int, text: str, files: list, note: bool) -> None:
    with session_scope() as session:
        messaging.staff_reply(
            session=session, actor=staff, thread_id=thread_id, text=text, files=files, internal=note
        )


def _set_status(staff: SessionUser, thread_id: int, status: str) -> None:
    with session_scope() as session:
        messaging.set_status(session=session, actor=staff, thread_id=thread_id, status=status)


def _assign(staff: SessionUser, thread_id: int, assignee_id: int | None) -> None:
    with session_scope() as session:
        messaging.assign(session=session, actor=staff, thread_id=thread_id, assignee_id=assignee_id)


def _find(staff: SessionUser, search: str) -> list[Recipient]:
    with session_scope() as session:
        return inbox.find_recipients(session=session, actor=staff, search=search)


def _places_of(staff: SessionUser, recipient: Recipient) -> list[Place]:
    with session_scope() as session:
        return inbox.recipient_places(
            session=session, actor=staff, recipient=recipient, today=today_in_france()
        )


def _audience(staff: SessionUser, property_id: int) -> inbox.BuildingAudience:
    with session_scope() as session:
        return inbox.building_audience(
            session=session, actor=staff, property_id=property_id, today=today_in_france()
        )


def _write_person(staff, recipient: Recipient, message: FirstMessage, place) -> int:
    with session_scope() as session:
        return inbox.start_with_person(
            session=session,
            actor=staff,
            recipient=recipient,
            message=message,
            place=place,
            today=today_in_france(),
        )


def _write_building(staff, property_id: int, message: FirstMessage) -> BroadcastResult:
    with session_scope() as session:
        return inbox.start_with_building(
            session=session,
            actor=staff,
            property_id=property_id,
            message=message,
            today=today_in_france(),
        )


def _choice(value: Any, allowed: set[str], fallback: str) -> str:
    return value if isinstance(value, str) and value in allowed else fallback


def _people(count: int) -> str:
    return f"{count} locataire" + ("s" if count > 1 else "")


def _audience_text(reached: int, missing: int) -> str:
    """Who a message to a building reaches, in French."""
    if reached == 0:
        text = "Aucun locataire de cet immeuble n'est encore inscrit à l'extranet."
    elif reached == 1:
        text = "1 locataire inscrit recevra ce message."
    else:
        text = f"{reached} locataires inscrits recevront ce message (une conversation chacun)."
    if missing:
        verb = "recevra" if missing == 1 else "recevront"
        text += f" {_people(missing)} sans accès à l'extranet ne le {verb} pas."
    return text


# --- The state -------------------------------------------------------------------------------


class AgencyMessagesState(LiveMessagesMixin, SessionState):
    """The shared inbox, the open conversation and the "Nouveau message" form."""

    lines: list[ThreadLine] = []
    total: int = 0
    more: bool = False
    page: int = 1
    page_count: int = 1
    loaded: bool = False
    unread_only: bool = False
    mine_only: bool = False
    category: str = ALL
    status: str = ALL
    building: str = ALL
    search: str = ""
    building_labels: list[str] = []
    staff_labels: list[str] = []
    view: str = LIST
    header: ConversationHeader = EMPTY_HEADER
    messages: list[MessageLine] = []
    has_older: bool = False
    open_position: int = -1
    assignee: str = NOBODY
    mode: str = REPLY
    error: str = ""
    # "Nouveau message"
    target: str = TO_PERSON
    recipients: list[RecipientLine] = []
    chosen: int = -1
    chosen_name: str = ""
    place_labels: list[str] = []
    new_place: str = NO_PLACE
    new_category: str = ""
    new_building: str = ""
    audience_text: str = ""
    _ids: list[int] = []
    _open_id: int | None = None
    _oldest_id: int | None = None
    _buildings: list[Building] = []
    _staff: list[StaffMember] = []
    _recipients: list[Recipient] = []
    _places: list[Place] = []

    def _space(self) -> Space:
        return Space.AGENCY

    @rx.var
    def pager_text(self) -> str:
        threads = f"{self.total:,}".replace(",", "\u202f") + " conversation"
        threads = ("plus de " if self.more else "") + threads + ("s" if self.total > 1 else "")
        return f"{threads} — page {self.page} sur {self.page_count}"

    async def _staff_user(self) -> SessionUser | None:
        return await self._session_user(Space.AGENCY)

    def _query(self) -> InboxQuery:
        building = int(self.building) if self.building.isdigit() else None
        property_id = None
        if building is not None and building < len(self._buildings):
            property_id = self._buildings[building].property_id
        return InboxQuery(
            unread_only=self.unread_only,
            assigned_to_me=self.mine_only,
            category=None if self.category == ALL else self.category,
            status=None if self.status == ALL else self.status,
            property_id=property_id,
            search=self.search,
        )

    async def _reload(self, staff: SessionUser) -> None:
        listing = await asyncio.to_thread(_load_inbox, staff, self._query(), self.page)
        self.lines, self._ids = listing.lines, listing.ids
        self.total, self.page, self.page_count = listing.total, listing.page, listing.page_count
        self.more = listing.more
        in_page = self._open_id is not None and self._open_id in self._ids
        self.open_position = self._ids.index(self._open_id) if in_page else -1

    async def _show(self, staff: SessionUser, thread_id: int, *, older: bool = False) -> bool:
        before = self._oldest_id if older else None
        try:
            conversation = await asyncio.to_thread(_open, staff, thread_id, before)
        except AccessDenied:
            self._close_conversation()
            return False
        self.header, self.has_older = conversation.header, conversation.has_older
        self.messages = conversation.messages + (self.messages if older else [])
        self._open_id, self._oldest_id = thread_id, conversation.oldest_id
        ids = [member.user_id for member in self._staff]
        assigned = conversation.assignee_id
        self.assignee = str(ids.index(assigned)) if assigned in ids else NOBODY
        return True

    def _close_conversation(self) -> None:
        self._open_id, self._oldest_id, self.open_position = None, None, -1
        self.header, self.messages, self.has_older = EMPTY_HEADER, [], False

    async def _live_refresh(self, user: SessionUser) -> None:
        if self._open_id is not None and not await self._show(user, self._open_id):
            self.view = LIST
        await self._reload(user)

    # --- Loading and filtering ---

    @rx.event
    async def load(self):
        """On page load: the first page of the inbox, then live updates while it stays open."""
        staff = await self._staff_user()
        if staff is None:
            return None
        self._close_conversation()
        self.view, self.error, self.page, self.mode = LIST, "", 1, REPLY
        self._buildings, self._staff = await asyncio.to_thread(_choices, staff)
        self.building_labels = [building.name for building in self._buildings]
        self.staff_labels = [member.name for member in self._staff]
        if self.building != ALL and not self.building.isdigit():
            self.building = ALL
        await self._reload(staff)
        await self._remember_activity(staff)
        self.loaded = True
        return AgencyMessagesState.watch

    async def _refilter(self) -> None:
        staff = await self._staff_user()
        if staff is None:
            return
        self.page = 1
        await self._reload(staff)

    @rx.event
    async def set_unread_only(self, value: bool):
        self.unread_only = value is True
        await self._refilter()

    @rx.event
    async def set_mine_only(self, value: bool):
        self.mine_only = value is True
        await self._refilter()

    @rx.event
    async def set_category(self, value: str):
        self.category = _choice(value, {ALL, *messaging.CATEGORY_LABELS}, ALL)
        await self._refilter()

    @rx.event
    async def set_status(self, value: str):
        self.status = _choice(value, {ALL, *messaging.STATUS_LABELS}, ALL)
        await self._refilter()

    @rx.event
    async def set_building(self, value: str):
        positions = {str(index) for index in range(len(self._buildings))}
        self.building = _choice(value, positions | {ALL}, ALL)
        await self._refilter()

    @rx.event
    async def set_search(self, value: str):
        self.search = value[: inbox.MAX_SEARCH_LENGTH] if isinstance(value, str) else ""
        await self._refilter()

    @rx.event
    async def go_to_page(self, page: int):
        staff = await self._staff_user()
        if staff is None or type(page) is not int:
            return
        self.page = min(max(1, page), self.page_count)
        await self._reload(staff)

    # --- The open conversation ---

    @rx.event
    async def open_thread(self, position: int):
        """Open the conversation at `position` of the page (marks it read)."""
        index = as_position(position, len(self._ids))
        staff = await self._staff_user()
        if index is None or staff is None:
            return None
        if not await self._show(staff, self._ids[index]):
            return rx.toast.error(GONE)
        self.view, self.error, self.mode = THREAD, "", REPLY
        await self._reload(staff)
        return None

    @rx.event
    async def load_older(self):
        staff = await self._staff_user()
        if staff is not None and self._open_id is not None and self.has_older:
            await self._show(staff, self._open_id, older=True)

    @rx.event
    def show_list(self):
        self.view, self.error = LIST, ""

    @rx.event
    def set_mode(self, value: str | list[str]):
        """Answer the person, or write an internal note."""
        self.mode = _choice(value, {REPLY, NOTE}, REPLY)

    @rx.event
    async def send(self, files: list[rx.UploadFile], text: str):
        """Send the answer (or the internal note) with its attachments."""
        staff = await self._staff_user()
        if staff is None or self._open_id is None:
            return rx.toast.error(STAFF_ONLY) if staff is None else None
        try:
            checked = await files_of(files)
            note = self.mode == NOTE
            await asyncio.to_thread(_reply, staff, self._open_id, text, checked, note)
        except (InvalidMessage, UploadRefused) as problem:
            self.error = str(problem)
            return None
        except AccessDenied:
            self.error = GONE
            return None
        self.error = ""
        await self._show(staff, self._open_id)
        await self._reload(staff)
        return [rx.set_value("agency-reply", ""), rx.clear_selected_files(UPLOAD_ID)]

    async def _change(self, work, *args) -> Any:
        staff = await self._staff_user()
        if staff is None or self._open_id is None:
            return rx.toast.error(STAFF_ONLY) if staff is None else None
        try:
            await asyncio.to_thread(work, staff, self._open_id, *args)
        except (AccessDenied, InvalidMessage):
            return rx.toast.error(GONE)
        await self._show(staff, self._open_id)
        await self._reload(staff)
        return None

    @rx.event
    async def change_status(self, value: str):
        """Nouvelle, en cours, résolue or fermée."""
        if not isinstance(value, str) or value not in messaging.STATUS_LABELS:
            return None
        return await self._change(_set_status, value)

    @rx.event
    async def close_thread(self):
        return await self._change(_set_status, messaging.ThreadStatus.CLOSED.value)

    @rx.event
    async def reopen_thread(self):
        return await self._change(_set_status, messaging.ThreadStatus.IN_PROGRESS.value)

    @rx.event
    async def assign_to(self, value: str):
        """Give the conversation to a colleague (by position in the list), or to nobody."""
        index = int(value) if isinstance(value, str) and value.isdigit() else None
        if value != NOBODY and (index is None or index >= len(self._staff)):
            return None
        assignee = None if index is None else self._staff[index].user_id
        return await self._change(_assign, assignee)

    # --- "Nouveau message" ---

    @rx.event
    async def start_new(self):
        if await self._staff_user() is None:
            return
        self.view, self.error, self.target = NEW, "", TO_PERSON
        self._forget_recipient()
        self.recipients, self._recipients = [], []
        self.new_category, self.new_building, self.audience_text = "", "", ""

    def _forget_recipient(self) -> None:
        self.chosen, self.chosen_name, self._places = -1, "", []
        self.place_labels, self.new_place = [], NO_PLACE

    @rx.event
    def set_target(self, value: str | list[str]):
        self.target = _choice(value, {TO_PERSON, TO_BUILDING}, TO_PERSON)
        self.error = ""

    @rx.event
    async def find_people(self, search: str):
        """Look for tenants and owners by name or e-mail."""
        staff = await self._staff_user()
        if staff is None or not isinstance(search, str):
            return
        found = await asyncio.to_thread(_find, staff, search[: inbox.MAX_SEARCH_LENGTH])
        self._recipients = found
        self.recipients = [
            RecipientLine(position, r.name, messaging.ROLE_LABELS[r.kind], r.detail, r.enrolled)
            for position, r in enumerate(found)
        ]
        self._forget_recipient()

    @rx.event
    async def choose_recipient(self, position: int):
        """Write to the person at `position` of the results (enrolled people only)."""
        index = as_position(position, len(self._recipients))
        staff = await self._staff_user()
        if index is None or staff is None or not self._recipients[index].enrolled:
            return
        recipient = self._recipients[index]
        self._places = await asyncio.to_thread(_places_of, staff, recipient)
        self.place_labels = [place.label for place in self._places]
        self.chosen, self.chosen_name = (
            index,
            f"{recipient.name} ({messaging.ROLE_LABELS[recipient.kind]})",
        )
        self.new_place = "0" if len(self._places) == 1 else NO_PLACE

    @rx.event
    def set_new_place(self, value: str):
        positions = {str(index) for index in range(len(self._places))}
        self.new_place = _choice(value, positions, NO_PLACE)

    @rx.event
    def set_new_category(self, value: str):
        self.new_category = _choice(value, set(messaging.CATEGORY_LABELS), "")

    @rx.event
    async def set_new_building(self, value: str):
        """Choose the building; says how many tenants the message reaches."""
        staff = await self._staff_user()
        positions = {str(index) for index in range(len(self._buildings))}
        if staff is None or not isinstance(value, str) or value not in positions:
            return
        self.new_building = value
        audience = await asyncio.to_thread(
            _audience, staff, self._buildings[int(value)].property_id
        )
        self.audience_text = _audience_text(len(audience.recipients), audience.not_enrolled)

    @rx.event
    async def send_new(self, files: list[rx.UploadFile], subject: str, text: str):
        """Start the conversation(s)."""
        staff = await self._staff_user()
        if staff is None:
            return rx.toast.error(STAFF_ONLY)
        try:
            checked = await files_of(files)
            message = FirstMessage(subject, self.new_category, text, tuple(checked))
            if self.target == TO_BUILDING:
                return await self._send_to_building(staff, message)
            return await self._send_to_person(staff, message)
        except (InvalidMessage, UploadRefused) as problem:
            self.error = str(problem)
        except AccessDenied:
            self.error = "Ce destinataire n'est plus disponible."
        return None

    async def _send_to_person(self, staff: SessionUser, message: FirstMessage):
        if not 0 <= self.chosen < len(self._recipients):
            raise InvalidMessage("Choisissez le destinataire.")
        index = int(self.new_place) if self.new_place.isdigit() else None
        place = self._places[index] if index is not None and index < len(self._places) else None
        recipient = self._recipients[self.chosen]
        thread_id = await asyncio.to_thread(_write_person, staff, recipient, message, place)
        self.error = ""
        await self._reload(staff)
        await self._show(staff, thread_id)
        self.view = THREAD
        return [rx.clear_selected_files(NEW_UPLOAD_ID), rx.toast.success("Message envoyé.")]

    async def _send_to_building(self, staff: SessionUser, message: FirstMessage):
        if not self.new_building.isdigit() or int(self.new_building) >= len(self._buildings):
            raise InvalidMessage("Choisissez l'immeuble.")
        if message.files:
            raise InvalidMessage(
                "Pas de pièce jointe pour un immeuble : déposez le document dans le "
                "porte-documents de l'immeuble et annoncez-le ici."
            )
        building = self._buildings[int(self.new_building)]
        result = await asyncio.to_thread(_write_building, staff, building.property_id, message)
        self.error, self.view = "", LIST
        await self._reload(staff)
        text = f"Message envoyé à {_people(result.started)} de {building.name}."
        if result.not_enrolled:
            text += f" {_people(result.not_enrolled)} sans accès ne l'ont pas reçu."
        return rx.toast.success(text)


# --- Components ------------------------------------------------------------------------------

S = AgencyMessagesState


def _select(
    value, on_change, options: list, *, label: str, element_id: str, placeholder: str = ""
) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(aria_label=label, id=element_id, placeholder=placeholder),
        rx.select.content(*options),
        value=value,
        on_change=on_change,
    )


def _filters() -> rx.Component:
    categories = [rx.select.item("Toutes catégories", value=ALL)] + [
        rx.select.item(option["label"], value=option["value"]) for option in CATEGORY_OPTIONS
    ]
    statuses = [rx.select.item("Tous statuts", value=ALL)] + [
        rx.select.item(option["label"], value=option["value"]) for option in STATUS_OPTIONS
    ]
    buildings = [
        rx.select.item("Tous immeubles", value=ALL),
        rx.foreach(S.building_labels, lambda name, i: rx.select.item(name, value=i.to_string())),
    ]
    return rx.flex(
        rx.input(
            value=S.search,
            on_change=S.set_search,
            debounce_timeout=400,
            placeholder="Objet, nom ou e-mail…",
            aria_label="Rechercher",
            id="inbox-search",
            width=rx.breakpoints(initial="100%", sm="16em"),
        ),
        rx.checkbox(
            "Non lus", checked=S.unread_only, on_change=S.set_unread_only, id="unread-only"
        ),
        rx.checkbox(
            "Suivis par moi", checked=S.mine_only, on_change=S.set_mine_only, id="mine-only"
        ),
        _select(S.category, S.set_category, categories, label="Catégorie", element_id="category"),
        _select(S.status, S.set_status, statuses, label="Statut", element_id="status"),
        _select(S.building, S.set_building, buildings, label="Immeuble", element_id="building"),
        spacing="3",
        wrap="wrap",
        align="center",
        width="100%",
    )


def _pager() -> rx.Component:
    return rx.flex(
        rx.text(S.pager_text, size="1", id="pager-status"),
        rx.spacer(),
        rx.icon_button(
            rx.icon("chevron-left", size=16),
            on_click=S.go_to_page(S.page - 1),
            disabled=S.page <= 1,
            variant="soft",
            aria_label="Page précédente",
        ),
        rx.icon_button(
            rx.icon("chevron-right", size=16),
            on_click=S.go_to_page(S.page + 1),
            disabled=S.page >= S.page_count,
            variant="soft",
            aria_label="Page suivante",
            id="next-page",
        ),
        spacing="2",
        align="center",
        width="100%",
    )


def _inbox() -> rx.Component:
    return rx.vstack(
        rx.foreach(
            S.lines,
            lambda line: thread_item(
                line,
                S.open_thread(line.position),
                selected=(S.open_position == line.position) & (S.view == THREAD),
                staff=True,
            ),
        ),
        rx.cond(
            S.loaded & (S.total == 0),
            rx.text("Aucune conversation ne correspond.", color=rx.color("gray", 11)),
        ),
        _pager(),
        spacing="2",
        width="100%",
        id="thread-list",
    )


def _thread_tools() -> rx.Component:
    header = S.header
    staff = [
        rx.select.item("Personne", value=NOBODY),
        rx.foreach(S.staff_labels, lambda name, i: rx.select.item(name, value=i.to_string())),
    ]
    statuses = [rx.select.item(o["label"], value=o["value"]) for o in STATUS_OPTIONS]
    return rx.flex(
        rx.hstack(
            rx.text("Statut", size="2"),
            _select(
                header.status, S.change_status, statuses, label="Statut", element_id="thread-status"
            ),
            align="center",
        ),
        rx.hstack(
            rx.text("Suivi par", size="2"),
            _select(S.assignee, S.assign_to, staff, label="Suivi par", element_id="assignee"),
            align="center",
        ),
        rx.cond(
            header.closed,
            rx.button("Rouvrir", on_click=S.reopen_thread, variant="soft", id="reopen"),
            rx.button(
                "Fermer", on_click=S.close_thread, variant="soft", color_scheme="gray", id="close"
            ),
        ),
        spacing="3",
        wrap="wrap",
        align="center",
    )


def _conversation() -> rx.Component:
    header = S.header
    older = rx.cond(
        S.has_older,
        rx.button("Messages précédents", on_click=S.load_older, variant="soft", size="1"),
    )
    send = S.send(rx.upload_files(upload_id=UPLOAD_ID), dom_value("agency-reply"))
    return rx.vstack(
        rx.button(
            rx.icon("arrow-left", size=16),
            "Boîte de réception",
            on_click=S.show_list,
            variant="ghost",
            display=rx.breakpoints(initial="inline-flex", md="none"),
        ),
        rx.heading(header.subject, as_="h2", size="5", id="conversation-subject"),
        rx.text(
            header.person,
            " · ",
            header.role_label,
            rx.cond(header.place != "", " · " + header.place, ""),
            size="2",
        ),
        rx.hstack(
            status_badge(header.status, header.status_label),
            rx.badge(header.category_label, variant="outline", color_scheme="gray"),
            rx.text("depuis le ", header.started, size="1", color=rx.color("gray", 11)),
            wrap="wrap",
            align="center",
        ),
        _thread_tools(),
        message_list(S.messages, Space.AGENCY, older),
        error_text(S.error),
        rx.segmented_control.root(
            rx.segmented_control.item("Réponse", value=REPLY),
            rx.segmented_control.item("Note interne", value=NOTE),
            value=S.mode,
            on_change=S.set_mode,
            id="reply-mode",
        ),
        rx.cond(
            S.mode == NOTE,
            rx.text(
                "La note interne reste dans l'agence : la personne ne la voit jamais.",
                size="1",
                color=rx.color("amber", 11),
            ),
        ),
        reply_box(
            text_id="agency-reply",
            upload_id=UPLOAD_ID,
            on_send=send,
            placeholder="Votre réponse ou note",
        ),
        spacing="3",
        width="100%",
        id="conversation",
    )


def _recipient(line: RecipientLine) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.text(line.name, " · ", line.role_label, weight="bold", size="2"),
                rx.text(line.detail, size="1", color=rx.color("gray", 11)),
                spacing="0",
            ),
            rx.spacer(),
            rx.button(
                "Choisir",
                on_click=S.choose_recipient(line.position),
                disabled=~line.enrolled,
                size="1",
                title=rx.cond(line.enrolled, "", "Pas encore inscrit à l'extranet"),
            ),
            align="center",
            width="100%",
        ),
        width="100%",
        class_name="recipient",
    )


def _to_person() -> rx.Component:
    return rx.vstack(
        rx.input(
            placeholder="Nom ou e-mail du locataire ou du propriétaire",
            on_change=S.find_people,
            debounce_timeout=400,
            aria_label="Rechercher un destinataire",
            id="recipient-search",
            width="100%",
        ),
        rx.cond(
            S.chosen >= 0,
            rx.callout(rx.text("À : ", rx.text.strong(S.chosen_name)), icon="user", id="recipient"),
            rx.vstack(rx.foreach(S.recipients, _recipient), width="100%", spacing="1"),
        ),
        rx.cond(
            (S.chosen >= 0) & (S.place_labels.length() > 0),
            _select(
                S.new_place,
                S.set_new_place,
                [
                    rx.select.item("Aucun logement en particulier", value=NO_PLACE),
                    rx.foreach(
                        S.place_labels, lambda label, i: rx.select.item(label, value=i.to_string())
                    ),
                ],
                label="Logement concerné",
                element_id="agency-new-place",
            ),
        ),
        rx.text(
            "Seules les personnes inscrites à l'extranet peuvent recevoir un message : "
            "inscrivez les autres depuis « Gestion des accès ».",
            size="1",
            color=rx.color("gray", 11),
        ),
        width="100%",
        spacing="2",
    )


def _to_building() -> rx.Component:
    return rx.vstack(
        _select(
            S.new_building,
            S.set_new_building,
            [
                rx.foreach(
                    S.building_labels, lambda name, i: rx.select.item(name, value=i.to_string())
                )
            ],
            label="Immeuble",
            element_id="agency-new-building",
            placeholder="Choisissez l'immeuble…",
        ),
        rx.cond(S.audience_text != "", rx.text(S.audience_text, size="2", id="audience")),
        rx.text(
            "Chaque locataire inscrit reçoit sa propre conversation et répond en privé.",
            size="1",
            color=rx.color("gray", 11),
        ),
        width="100%",
        spacing="2",
    )


def _new_form() -> rx.Component:
    categories = [rx.select.item(o["label"], value=o["value"]) for o in CATEGORY_OPTIONS]
    send = S.send_new(
        rx.upload_files(upload_id=NEW_UPLOAD_ID),
        dom_value("agency-new-subject"),
        dom_value("agency-new-text"),
    )
    return rx.vstack(
        rx.button(
            rx.icon("arrow-left", size=16),
            "Boîte de réception",
            on_click=S.show_list,
            variant="ghost",
        ),
        rx.heading("Nouveau message", as_="h2", size="5"),
        rx.segmented_control.root(
            rx.segmented_control.item("À une personne", value=TO_PERSON),
            rx.segmented_control.item("À un immeuble", value=TO_BUILDING),
            value=S.target,
            on_change=S.set_target,
            id="target",
        ),
        rx.cond(S.target == TO_PERSON, _to_person(), _to_building()),
        rx.text("Objet", as_="label", html_for="agency-new-subject", weight="medium", size="2"),
        rx.input(id="agency-new-subject", max_length=200, width="100%"),
        rx.text("Catégorie", weight="medium", size="2"),
        _select(
            S.new_category,
            S.set_new_category,
            categories,
            label="Catégorie",
            element_id="agency-new-category",
            placeholder="Choisissez…",
        ),
        error_text(S.error),
        reply_box(
            text_id="agency-new-text",
            upload_id=NEW_UPLOAD_ID,
            on_send=send,
            placeholder="Votre message",
        ),
        width="100%",
        spacing="3",
        id="new-message-form",
    )


@space_page(
    route="/agence/messages",
    title="Messages",
    guard=SessionState.enter_agency_space,
    items=AGENCY_NAV,
    on_load=AgencyMessagesState.load,
)
def agency_messages() -> rx.Component:
    right = rx.cond(
        S.view == NEW,
        _new_form(),
        rx.cond(
            S.view == THREAD,
            _conversation(),
            rx.text(
                "Choisissez une conversation.",
                color=rx.color("gray", 11),
                display=rx.breakpoints(initial="none", md="block"),
            ),
        ),
    )
    return rx.vstack(
        rx.flex(
            rx.heading("Messages", as_="h1", size="7"),
            rx.spacer(),
            rx.button(
                rx.icon("pencil", size=16),
                "Nouveau message",
                on_click=S.start_new,
                id="new-message",
            ),
            width="100%",
            align="center",
            spacing="3",
        ),
        pane(_filters(), shown_on_phone=S.view == LIST),
        rx.grid(
            pane(_inbox(), shown_on_phone=S.view == LIST),
            pane(right, shown_on_phone=S.view != LIST),
            columns=rx.breakpoints(initial="1", md="minmax(18em, 2fr) 3fr"),
            spacing="5",
            width="100%",
        ),
        spacing="4",
        width="100%",
        max_width="1400px",
    )
