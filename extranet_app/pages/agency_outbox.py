"""/agence/envois: the centre d'envoi, where the agency reviews, sends, retries or cancels e-mails.

Rows are chosen by their position in the current page; the ids behind them stay in a
backend-only var, so the browser never sees a database id.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import reflex as rx

from extranet_app.components.navigation import AGENCY_NAV
from extranet_app.components.shell import space_page
from extranet_app.db import session_scope
from extranet_app.email.sender import transport_from_settings
from extranet_app.models import OutboxStatus
from extranet_app.services import outbox
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.errors import AccessDenied
from extranet_app.services.outbox import (
    KIND_LABELS,
    STATUS_LABELS,
    MessageView,
    OutboxLine,
    OutboxScreen,
    SendReport,
)
from extranet_app.states.session import SessionState

PAGE_SIZE = 50
# Rows per thread call: one SMTP connection each, and one step of the progress bar.
SEND_BATCH_SIZE = 100
ALL = "tous"  # "no filter" (a select item cannot have an empty value)
MAX_SEARCH_LENGTH = 200
STATUS_TABS = [(ALL, "Tous")] + [(status.value, label) for status, label in STATUS_LABELS.items()]
KIND_OPTIONS = [(ALL, "Tous les types")] + [
    (kind.value, label) for kind, label in KIND_LABELS.items()
]
STATUS_COLORS = {
    OutboxStatus.PENDING.value: "blue",
    OutboxStatus.SENDING.value: "amber",
    OutboxStatus.SENT.value: "green",
    OutboxStatus.FAILED.value: "red",
    OutboxStatus.CANCELLED.value: "gray",
}


def sending_summary(report: SendReport, requested: int) -> str:
    """The French summary shown when a sending ends."""
    parts = [
        f"{report.sent} envoyé(s)",
        f"{report.retry_scheduled} reporté(s)",
        f"{report.failed} en échec",
    ]
    if report.cancelled:
        parts.append(f"{report.cancelled} annulé(s) (code remplacé entre-temps)")
    if untouched := requested - report.claimed:
        parts.append(f"{untouched} déjà pris en charge par ailleurs")
    return " · ".join(parts)


def _add(total: SendReport, part: SendReport) -> None:
    for name in ("claimed", "sent", "retry_scheduled", "failed", "cancelled", "batches"):
        setattr(total, name, getattr(total, name) + getattr(part, name))


# --- Blocking work, run in threads ------------------------------------------------------------


def _load(user: SessionUser, status: str, kind: str, search: str, page: int) -> OutboxScreen:
    with session_scope() as session:
        return outbox.load_screen(
            session=session,
            actor=user,
            status=None if status == ALL else status,
            kind=None if kind == ALL else kind,
            search=search,
            page=page,
            page_size=PAGE_SIZE,
        )


def _preview(user: SessionUser, email_id: int) -> MessageView | None:
    with session_scope() as session:
        preview = outbox.get_preview(session=session, actor=user, email_id=email_id)
    return outbox.message_view(preview) if preview else None


def _waiting_ids(user: SessionUser, among: list[int] | None) -> list[int]:
    with session_scope() as session:
        return outbox.waiting_ids(session=session, actor=user, email_ids=among)


def _send_chunk(user: SessionUser, ids: list[int]) -> SendReport:
    return outbox.send_chosen(
        session_factory=session_scope,
        actor=user,
        email_ids=ids,
        transport=transport_from_settings(),
        batch_size=SEND_BATCH_SIZE,
    )


def _record_sending(user: SessionUser, requested: int, report: SendReport) -> None:
    with session_scope() as session:
        outbox.record_sending(session=session, actor=user, requested=requested, report=report)


def _retry(user: SessionUser, ids: list[int]) -> int:
    with session_scope() as session:
        return outbox.retry(session=session, actor=user, email_ids=ids)


def _cancel(user: SessionUser, ids: list[int]) -> int:
    with session_scope() as session:
        return outbox.cancel(session=session, actor=user, email_ids=ids)


def _set_auto_send(user: SessionUser, enabled: bool) -> bool:
    with session_scope() as session:
        return outbox.set_auto_send(session=session, actor=user, enabled=enabled)


# --- State ------------------------------------------------------------------------------------


class OutboxState(SessionState):
    """The centre d'envoi: list, filters, selection, preview, sending with progress, mode."""

    lines: list[OutboxLine] = []
    selected: list[bool] = []
    status_filter: str = ALL
    kind_filter: str = ALL
    search: str = ""
    page: int = 1
    page_count: int = 1
    total: int = 0
    counts: dict[str, int] = {}
    awaiting_review: int = 0
    waiting: int = 0
    auto_send: bool = False
    can_change_mode: bool = False
    preview_open: bool = False
    preview: MessageView | None = None
    sending: bool = False
    progress_done: int = 0
    progress_total: int = 0
    summary: str = ""
    form_version: int = 0  # changed to re-draw the search form with its new default value
    _page_ids: list[int] = []

    @rx.var
    def selected_count(self) -> int:
        return sum(1 for chosen in self.selected if chosen)

    @rx.var
    def progress_percent(self) -> int:
        return round(100 * self.progress_done / self.progress_total) if self.progress_total else 0

    async def _staff(self) -> SessionUser | None:
        user = await self._session_user(Space.AGENCY)
        return user if user is not None and user.is_agency else None

    async def _refresh(self, user: SessionUser) -> None:
        screen = await asyncio.to_thread(
            _load, user, self.status_filter, self.kind_filter, self.search, self.page
        )
        self.page, self.page_count = screen.page.page, screen.page.page_count
        self.total = screen.page.total
        self._page_ids = [row.id for row in screen.page.rows]
        self.lines = [outbox.to_line(row) for row in screen.page.rows]
        self.selected = [False] * len(self.lines)
        self.counts = {status.value: count for status, count in screen.counts.items()}
        self.counts[ALL] = sum(screen.counts.values())
        self.awaiting_review, self.waiting = screen.awaiting_review, screen.waiting
        self.auto_send = screen.auto_send
        self.can_change_mode = user.is_admin and not user.read_only

    def _forget(self) -> None:
        self.lines, self.selected, self._page_ids, self.counts = [], [], [], {}
        self.preview, self.preview_open = None, False

    def _chosen_ids(self) -> list[int]:
        return [
            email_id
            for email_id, chosen in zip(self._page_ids, self.selected, strict=False)
            if chosen
        ]

    @rx.event
    async def load(self):
        """Page load: the list with the current filters."""
        user = await self._staff()
        if user is None:
            self._forget()
            return
        await self._refresh(user)

    async def _apply(self, **changes: Any):
        user = await self._staff()
        if user is None:
            self._forget()
            return
        for name, value in changes.items():
            setattr(self, name, value)
        await self._refresh(user)

    @rx.event
    async def filter_status(self, status: str):
        """Show one status (or all)."""
        if isinstance(status, str) and (status == ALL or status in STATUS_COLORS):
            await self._apply(status_filter=status, page=1)

    @rx.event
    async def filter_kind(self, kind: str):
        """Show one kind of e-mail (or all)."""
        if isinstance(kind, str) and (kind == ALL or kind in KIND_LABELS):
            await self._apply(kind_filter=kind, page=1)

    @rx.event
    async def apply_search(self, form_data: dict):
        """Search the recipient and the subject (the search form was submitted)."""
        text = form_data.get("search") if isinstance(form_data, dict) else None
        if isinstance(text, str):
            await self._apply(search=text.strip()[:MAX_SEARCH_LENGTH], page=1)

    @rx.event
    async def clear_filters(self):
        await self._apply(
            status_filter=ALL,
            kind_filter=ALL,
            search="",
            page=1,
            form_version=self.form_version + 1,
        )

    @rx.event
    async def next_page(self):
        await self._apply(page=min(self.page + 1, self.page_count))

    @rx.event
    async def previous_page(self):
        await self._apply(page=max(self.page - 1, 1))

    @rx.event
    def toggle_row(self, position: int, chosen: bool):
        """Select or unselect the row at `position` of the current page."""
        if type(position) is int and type(chosen) is bool and 0 <= position < len(self.selected):
            self.selected[position] = chosen

    @rx.event
    def toggle_page(self, chosen: bool):
        """Select or unselect every row of the current page."""
        if type(chosen) is bool:
            self.selected = [chosen] * len(self.lines)

    @rx.event
    async def open_preview(self, position: int):
        """Show the exact message of the row at `position`."""
        user = await self._staff()
        if user is None or type(position) is not int or not 0 <= position < len(self._page_ids):
            return
        self.preview = await asyncio.to_thread(_preview, user, self._page_ids[position])
        self.preview_open = self.preview is not None

    @rx.event
    def set_preview_open(self, is_open: bool):
        self.preview_open = is_open is True
        if not self.preview_open:
            self.preview = None

    @rx.event
    async def retry_selected(self):
        """Put the selected failed e-mails back to send."""
        user = await self._staff()
        ids = self._chosen_ids()
        if user is None or not ids:
            return None
        count = await asyncio.to_thread(_retry, user, ids)
        await self._refresh(user)
        return rx.toast.success(f"{count} e-mail(s) remis à envoyer.")

    @rx.event
    async def cancel_selected(self):
        """Cancel the selected e-mails that are not sent yet."""
        user = await self._staff()
        ids = self._chosen_ids()
        if user is None or not ids:
            return None
        count = await asyncio.to_thread(_cancel, user, ids)
        await self._refresh(user)
        return rx.toast.success(f"{count} e-mail(s) annulé(s).")

    @rx.event
    async def choose_mode(self, mode: str):
        """Automatic sending or manual review (administrators only)."""
        user = await self._staff()
        if user is None or mode not in ("auto", "manuel"):
            return None
        try:
            self.auto_send = await asyncio.to_thread(_set_auto_send, user, mode == "auto")
        except AccessDenied:
            return rx.toast.error("Seul un administrateur peut changer le mode d'envoi.")
        if self.auto_send:
            return rx.toast.success("Envoi automatique : les e-mails partiront sans relecture.")
        return rx.toast.success("Relecture manuelle : les e-mails attendent votre envoi.")

    @rx.event(background=True)
    async def send_selected(self):
        """Send the selected e-mails "à envoyer", batch by batch, with a progress bar."""
        async with self:
            user = await self._staff()
            chosen = self._chosen_ids() if user is not None and not self.sending else []
        if chosen:
            return await self._send(user, chosen)
        return None

    @rx.event(background=True)
    async def send_all_waiting(self):
        """Send every e-mail "à envoyer", batch by batch, with a progress bar."""
        async with self:
            user = await self._staff()
            allowed = user is not None and not self.sending
        if allowed:
            return await self._send(user, None)
        return None

    async def _send(self, user: SessionUser, among: list[int] | None):
        """Send the rows "à envoyer" (all, or among `among`); the state lock is held only to
        update the progress, so the tab stays usable and other users are never blocked."""
        ids = await asyncio.to_thread(_waiting_ids, user, among)
        if not ids:
            return rx.toast.info("Aucun e-mail à envoyer.")
        async with self:
            if self.sending:  # another click of this tab got there first
                return None
            self.sending, self.summary = True, ""
            self.progress_done, self.progress_total = 0, len(ids)
        total = SendReport()
        try:
            await self._send_batches(user, ids, total)
            await asyncio.to_thread(_record_sending, user, len(ids), total)
        finally:
            summary = sending_summary(total, len(ids))
            async with self:
                self.sending, self.summary = False, summary
                await self._refresh(user)
        return rx.toast.success(f"Envoi terminé : {summary}")

    async def _send_batches(self, user: SessionUser, ids: Sequence[int], total: SendReport):
        for start in range(0, len(ids), SEND_BATCH_SIZE):
            chunk = list(ids[start : start + SEND_BATCH_SIZE])
            _add(total, await asyncio.to_thread(_send_chunk, user, chunk))
            async with self:
                self.progress_done = start + len(chunk)


# --- Components -------------------------------------------------------------------------------


def _status_badge(line: OutboxLine) -> rx.Component:
    color = rx.match(
        line.status,
        *[(status, scheme) for status, scheme in STATUS_COLORS.items()],
        "gray",
    )
    return rx.badge(line.status_label, color_scheme=color, variant="soft", size="2")


def _status_cell(line: OutboxLine) -> rx.Component:
    return rx.vstack(
        _status_badge(line),
        rx.cond(line.note != "", rx.text(line.note, size="1", color=rx.color("gray", 11))),
        rx.cond(
            line.error != "",
            rx.text(line.error, size="1", color=rx.color("red", 11), class_name="smtp-error"),
        ),
        spacing="1",
        align="start",
    )


def _row_checkbox(index: rx.Var) -> rx.Component:
    return rx.checkbox(
        checked=OutboxState.selected[index],
        on_change=lambda chosen: OutboxState.toggle_row(index, chosen),
        aria_label="Sélectionner",
    )


def _preview_button(index: rx.Var) -> rx.Component:
    return rx.button(
        rx.icon("eye", size=16),
        "Voir",
        on_click=OutboxState.open_preview(index),
        variant="soft",
        size="1",
        class_name="preview-button",
    )


def _recipient(line: OutboxLine) -> rx.Component:
    return rx.vstack(
        rx.text(line.to_name, weight="medium"),
        rx.text(line.to_address, size="1", color=rx.color("gray", 11)),
        spacing="0",
    )


def _table_row(line: OutboxLine, index: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(_row_checkbox(index)),
        rx.table.cell(_recipient(line)),
        rx.table.cell(rx.text(line.subject), max_width="320px"),
        rx.table.cell(line.kind_label),
        rx.table.cell(_status_cell(line), max_width="280px"),
        rx.table.cell(line.created, white_space="nowrap"),
        rx.table.cell(line.sent, white_space="nowrap"),
        rx.table.cell(_preview_button(index)),
        class_name="outbox-row",
    )


def _table() -> rx.Component:
    headers = ["Destinataire", "Objet", "Type", "Statut", "Créé le", "Envoyé le", ""]
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell(
                        rx.checkbox(
                            checked=(OutboxState.selected_count == OutboxState.lines.length())
                            & (OutboxState.lines.length() > 0),
                            on_change=OutboxState.toggle_page,
                            aria_label="Sélectionner toute la page",
                        )
                    ),
                    *[rx.table.column_header_cell(h, white_space="nowrap") for h in headers],
                )
            ),
            rx.table.body(rx.foreach(OutboxState.lines, _table_row)),
            variant="surface",
            size="2",
            width="100%",
        ),
        display=rx.breakpoints(initial="none", md="block"),
        overflow_x="auto",
        width="100%",
    )


def _card(line: OutboxLine, index: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                _row_checkbox(index),
                _recipient(line),
                align="start",
                spacing="3",
            ),
            rx.text(line.subject, weight="medium"),
            rx.hstack(rx.text(line.kind_label, size="1"), rx.text(line.created, size="1")),
            _status_cell(line),
            _preview_button(index),
            spacing="2",
            width="100%",
        ),
        width="100%",
        class_name="outbox-card",
    )


def _cards() -> rx.Component:
    return rx.vstack(
        rx.foreach(OutboxState.lines, _card),
        display=rx.breakpoints(initial="flex", md="none"),
        spacing="2",
        width="100%",
    )


def _status_tabs() -> rx.Component:
    return rx.flex(
        *[
            rx.button(
                label,
                rx.badge(OutboxState.counts[value], variant="surface"),
                on_click=OutboxState.filter_status(value),
                variant=rx.cond(OutboxState.status_filter == value, "solid", "outline"),
                size="2",
                class_name="status-tab",
            )
            for value, label in STATUS_TABS
        ],
        wrap="wrap",
        spacing="2",
        role="group",
        aria_label="Filtrer par statut",
    )


def _filters() -> rx.Component:
    return rx.flex(
        rx.select.root(
            rx.select.trigger(aria_label="Type d'e-mail"),
            rx.select.content(
                *[rx.select.item(label, value=value) for value, label in KIND_OPTIONS]
            ),
            value=OutboxState.kind_filter,
            on_change=OutboxState.filter_kind,
        ),
        rx.form(
            rx.hstack(
                rx.input(
                    name="search",
                    placeholder="Destinataire ou objet",
                    default_value=OutboxState.search,
                    max_length=MAX_SEARCH_LENGTH,
                    aria_label="Rechercher",
                    width="100%",
                ),
                rx.button(rx.icon("search", size=16), "Rechercher", type="submit"),
                width="100%",
            ),
            on_submit=OutboxState.apply_search,
            key=OutboxState.form_version,
            flex="1 1 320px",  # on a phone it takes a line of its own
        ),
        rx.button("Effacer les filtres", on_click=OutboxState.clear_filters, variant="ghost"),
        wrap="wrap",
        spacing="2",
        align="center",
        width="100%",
    )


def _confirm(trigger: rx.Component, title: str, text: Any, action: rx.Component) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(trigger),
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(text),
            rx.flex(
                rx.alert_dialog.cancel(rx.button("Retour", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(action),
                spacing="3",
                justify="end",
                margin_top="1em",
            ),
            max_width="440px",
        ),
    )


def _send_buttons(busy: rx.Var) -> list[rx.Component]:
    return [
        rx.button(
            rx.icon("send", size=16),
            "Envoyer la sélection (",
            OutboxState.selected_count,
            ")",
            on_click=OutboxState.send_selected,
            disabled=(OutboxState.selected_count == 0) | busy,
            id="send-selected",
        ),
        _confirm(
            rx.button(
                rx.icon("send-horizontal", size=16),
                "Envoyer tout ce qui attend (",
                OutboxState.waiting,
                ")",
                disabled=(OutboxState.waiting == 0) | busy,
                variant="outline",
                id="send-all",
            ),
            "Envoyer tous les e-mails en attente ?",
            OutboxState.waiting.to_string() + " e-mail(s) « à envoyer » vont partir maintenant.",
            rx.button("Envoyer", on_click=OutboxState.send_all_waiting, id="confirm-send-all"),
        ),
    ]


def _selection_buttons(busy: rx.Var) -> list[rx.Component]:
    nothing_selected = OutboxState.selected_count == 0
    return [
        rx.button(
            rx.icon("rotate-ccw", size=16),
            "Réessayer",
            on_click=OutboxState.retry_selected,
            disabled=nothing_selected | busy,
            variant="outline",
            id="retry-selected",
        ),
        _confirm(
            rx.button(
                rx.icon("ban", size=16),
                "Annuler",
                disabled=nothing_selected | busy,
                variant="outline",
                color_scheme="red",
                id="cancel-selected",
            ),
            "Annuler les e-mails sélectionnés ?",
            "Les e-mails pas encore envoyés ne partiront pas. Cette action est définitive.",
            rx.button(
                "Annuler ces e-mails",
                on_click=OutboxState.cancel_selected,
                color_scheme="red",
                id="confirm-cancel",
            ),
        ),
    ]


def _actions() -> rx.Component:
    busy = OutboxState.sending
    return rx.flex(*_send_buttons(busy), *_selection_buttons(busy), wrap="wrap", spacing="2")


def _progress() -> rx.Component:
    return rx.cond(
        OutboxState.sending,
        rx.card(
            rx.vstack(
                rx.text(
                    "Envoi en cours : ",
                    OutboxState.progress_done,
                    " / ",
                    OutboxState.progress_total,
                ),
                rx.progress(value=OutboxState.progress_percent, width="100%"),
                spacing="2",
                width="100%",
            ),
            width="100%",
            id="sending-progress",
        ),
        rx.cond(
            OutboxState.summary != "",
            rx.callout(
                "Dernier envoi : " + OutboxState.summary,
                icon="circle-check",
                color_scheme="green",
                width="100%",
                id="sending-summary",
            ),
        ),
    )


def _mode() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text("Mode d'envoi", weight="bold"),
            rx.radio_group.root(
                rx.radio_group.item("Relecture manuelle (recommandé)", value="manuel"),
                rx.radio_group.item("Envoi automatique", value="auto"),
                value=rx.cond(OutboxState.auto_send, "auto", "manuel"),
                on_change=OutboxState.choose_mode,
                disabled=~OutboxState.can_change_mode,
                direction="row",
                spacing="4",
                aria_label="Mode d'envoi",
            ),
            rx.text(
                rx.cond(
                    OutboxState.auto_send,
                    "Chaque e-mail part dès qu'il est créé, sans relecture.",
                    "Les e-mails attendent ici que vous les relisiez et les envoyiez.",
                ),
                rx.cond(
                    OutboxState.can_change_mode,
                    "",
                    " Seul un administrateur peut changer ce réglage.",
                ),
                size="2",
                color=rx.color("gray", 11),
            ),
            spacing="2",
        ),
        width="100%",
        id="sending-mode",
    )


def _pager() -> rx.Component:
    return rx.hstack(
        rx.button(
            rx.icon("chevron-left", size=16),
            "Précédente",
            on_click=OutboxState.previous_page,
            disabled=OutboxState.page <= 1,
            variant="soft",
        ),
        rx.text("Page ", OutboxState.page, " / ", OutboxState.page_count),
        rx.button(
            "Suivante",
            rx.icon("chevron-right", size=16),
            on_click=OutboxState.next_page,
            disabled=OutboxState.page >= OutboxState.page_count,
            variant="soft",
        ),
        rx.text(OutboxState.total, " e-mail(s)", color=rx.color("gray", 11)),
        align="center",
        wrap="wrap",
        spacing="3",
    )


def _preview_dialog() -> rx.Component:
    preview = OutboxState.preview
    return rx.dialog.root(
        rx.dialog.content(
            rx.cond(
                preview,
                rx.vstack(
                    rx.dialog.title(preview.subject),
                    rx.text("À : ", preview.to_name, " <", preview.to_address, ">"),
                    rx.text("Statut : ", preview.status_label, size="2"),
                    rx.text("Message-ID : ", preview.message_id, size="1", color="gray"),
                    rx.cond(
                        preview.error != "",
                        rx.callout(preview.error, color_scheme="red", icon="triangle-alert"),
                    ),
                    _preview_bodies(preview),
                    width="100%",
                ),
            ),
            rx.flex(
                rx.dialog.close(rx.button("Fermer", variant="soft")),
                justify="end",
                margin_top="1em",
            ),
            max_width="min(800px, 96vw)",
            id="preview-dialog",
        ),
        open=OutboxState.preview_open,
        on_open_change=OutboxState.set_preview_open,
    )


def _preview_bodies(preview: Any) -> rx.Component:
    text = rx.el.pre(
        preview.text,
        white_space="pre-wrap",
        font_family="inherit",
        font_size="14px",
        class_name="preview-text",
    )
    # The stored HTML never enters the page: a sandboxed frame without scripts shows it.
    html = rx.el.iframe(
        src_doc=preview.html,
        custom_attrs={"sandbox": ""},
        referrer_policy="no-referrer",
        title="Version HTML du message",
        width="100%",
        height="55vh",
        style={"border": f"1px solid {rx.color('gray', 6)}", "borderRadius": "6px"},
        class_name="preview-html",
    )
    return rx.tabs.root(
        rx.tabs.list(
            rx.tabs.trigger("Version HTML", value="html"),
            rx.tabs.trigger("Version texte", value="text"),
        ),
        rx.tabs.content(html, value="html", padding_top="0.5em"),
        rx.tabs.content(text, value="text", padding_top="0.5em"),
        default_value=rx.cond(preview.html != "", "html", "text"),
        width="100%",
    )


@space_page(
    route="/agence/envois",
    title="Centre d'envoi",
    guard=SessionState.enter_agency_space,
    items=AGENCY_NAV,
    on_load=OutboxState.load,
)
def agency_outbox() -> rx.Component:
    return rx.vstack(
        rx.heading("Centre d'envoi", as_="h1", size="7"),
        rx.text(
            OutboxState.awaiting_review,
            " e-mail(s) à relire avant envoi.",
            color=rx.color("gray", 11),
        ),
        _mode(),
        _status_tabs(),
        _filters(),
        _actions(),
        _progress(),
        rx.cond(
            OutboxState.lines.length() > 0,
            rx.fragment(_table(), _cards()),
            rx.text("Aucun e-mail ne correspond.", color=rx.color("gray", 11)),
        ),
        _pager(),
        _preview_dialog(),
        spacing="4",
        width="100%",
        max_width="1200px",
    )
