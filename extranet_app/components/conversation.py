"""The pieces of the Messagerie shared by the three spaces: conversation list items, messages
(plain text, links clickable, attachments), the status badge and the reply box.

Message text is rendered as text segments (services/message_text.py): React escapes them, so
whatever a person typed, even `<script>`, shows as typed and never runs.
"""

from __future__ import annotations

import reflex as rx
from reflex.vars.base import Var

from extranet_app.components.downloads import document_href, download_link
from extranet_app.components.upload_field import upload_field
from extranet_app.models import ThreadStatus
from extranet_app.services.auth import Space
from extranet_app.services.message_text import MAX_BODY_LENGTH, Segment
from extranet_app.services.messaging import AttachmentLine, MessageLine, ThreadLine
from extranet_app.states.conversation import (
    CATEGORY_OPTIONS,
    LIST,
    NEW,
    NEW_UPLOAD_ID,
    NO_PLACE,
    READ_ONLY,
    REPLY_UPLOAD_ID,
    THREAD,
    ConversationState,
)

STATUS_COLORS = {
    ThreadStatus.NEW.value: "blue",
    ThreadStatus.IN_PROGRESS.value: "amber",
    ThreadStatus.RESOLVED.value: "green",
    ThreadStatus.CLOSED.value: "gray",
}


def dom_value(element_id: str) -> Var[str]:
    """The text typed in a field, read from the page when the event fires.

    The reply boxes are not bound to the state: their text goes with the send event itself,
    which also carries the files (an upload), so the two can never be out of step.
    """
    return Var(_js_expr=f"(document.getElementById({element_id!r})?.value ?? '')").to(str)


def status_badge(status: Var[str], label: Var[str]) -> rx.Component:
    """A thread's status in colour."""
    return rx.badge(
        label,
        color_scheme=rx.match(status, *STATUS_COLORS.items(), "gray"),
        variant="soft",
        white_space="nowrap",
    )


def _segment(segment: Segment) -> rx.Component:
    return rx.cond(
        segment.href != "",
        rx.link(segment.text, href=segment.href, is_external=True, rel="noopener noreferrer"),
        rx.text.span(segment.text),
    )


def message_text(segments: Var[list[Segment]]) -> rx.Component:
    """A message's text: line breaks kept, long words wrapped, web addresses as links."""
    return rx.text(
        rx.foreach(segments, _segment),
        white_space="pre-wrap",
        overflow_wrap="anywhere",
        size="2",
        class_name="message-text",
    )


def _attachment(attachment: AttachmentLine, space: Space) -> rx.Component:
    return download_link(
        rx.hstack(
            rx.icon(rx.cond(attachment.is_image, "image", "file-text"), size=16),
            rx.text(attachment.filename, size="2"),
            rx.text("(", attachment.size, ")", size="1", color=rx.color("gray", 11)),
            spacing="1",
            align="center",
        ),
        href=document_href(attachment.reference, space),
        class_name="attachment",
        aria_label="Télécharger " + attachment.filename,
    )


def message_bubble(line: MessageLine, space: Space) -> rx.Component:
    """One message; the viewer's side on the right, the agency's internal notes in amber."""
    mine = line.from_agency if space == Space.AGENCY else ~line.from_agency
    background = rx.cond(
        line.is_note,
        rx.color("amber", 3),
        rx.cond(mine, rx.color("accent", 3), rx.color("gray", 3)),
    )
    return rx.box(
        rx.vstack(
            rx.hstack(
                rx.text(line.author, weight="bold", size="2"),
                rx.cond(line.is_note, rx.badge("Note interne", color_scheme="amber")),
                rx.text(line.sent, size="1", color=rx.color("gray", 11)),
                wrap="wrap",
                spacing="2",
                align="center",
            ),
            message_text(line.segments),
            rx.foreach(line.attachments, lambda attachment: _attachment(attachment, space)),
            rx.cond(
                line.read_note != "",
                rx.text(line.read_note, size="1", color=rx.color("gray", 11), class_name="read"),
            ),
            spacing="1",
            align="start",
        ),
        background=background,
        border_radius="10px",
        padding="0.6em 0.8em",
        max_width=rx.breakpoints(initial="92%", md="80%"),
        align_self=rx.cond(mine, "flex-end", "flex-start"),
        class_name=rx.cond(line.is_note, "message note", "message"),
    )


def message_list(messages: Var[list[MessageLine]], space: Space, older=None) -> rx.Component:
    """The messages of the open conversation, oldest first, with "messages précédents"."""
    return rx.flex(
        older if older is not None else rx.fragment(),
        rx.foreach(messages, lambda line: message_bubble(line, space)),
        direction="column",
        spacing="2",
        width="100%",
        id="messages",
        aria_live="polite",
    )


def thread_item(line: ThreadLine, on_click, *, selected: Var[bool], staff: bool) -> rx.Component:
    """A conversation in the list: unread ones in bold with a dot."""
    weight = rx.cond(line.unread, "bold", "regular")
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.cond(
                    line.unread,
                    rx.box(
                        width="8px",
                        height="8px",
                        border_radius="50%",
                        background=rx.color("accent", 9),
                        flex_shrink="0",
                        aria_label="non lu",
                    ),
                ),
                rx.text(line.subject, weight=weight, size="2", trim="both"),
                rx.spacer(),
                rx.text(line.last_activity, size="1", color=rx.color("gray", 11)),
                width="100%",
                align="center",
                spacing="2",
            ),
            rx.cond(
                staff,
                rx.text(line.person, " · ", line.role_label, size="1", weight=weight),
            ),
            rx.hstack(
                status_badge(line.status, line.status_label),
                rx.badge(line.category_label, variant="outline", color_scheme="gray"),
                rx.cond(line.place != "", rx.text(line.place, size="1", trim="both")),
                wrap="wrap",
                spacing="2",
                align="center",
            ),
            rx.cond(
                staff & (line.assignee != ""),
                rx.text("Suivi par ", line.assignee, size="1", color=rx.color("gray", 11)),
            ),
            spacing="1",
            width="100%",
        ),
        on_click=on_click,
        role="button",
        tab_index=0,
        cursor="pointer",
        width="100%",
        class_name=rx.cond(line.unread, "thread-item unread", "thread-item"),
        background=rx.cond(selected, rx.color("accent", 3), "transparent"),
        aria_label=line.subject,
    )


def reply_box(
    *, text_id: str, upload_id: str, on_send, placeholder: str, button_label: str = "Envoyer"
) -> rx.Component:
    """A text area, the file picker (the camera on phones) and the send button."""
    return rx.vstack(
        rx.text_area(
            id=text_id,
            placeholder=placeholder,
            max_length=MAX_BODY_LENGTH,
            rows="4",
            width="100%",
            aria_label=placeholder,
        ),
        upload_field(upload_id),
        rx.button(rx.icon("send", size=16), button_label, on_click=on_send, id=f"{text_id}-send"),
        width="100%",
        spacing="2",
        align="end",
    )


def pane(*children: rx.Component, shown_on_phone: Var[bool], **props) -> rx.Component:
    """A column of the two-column layout; on a phone only the current one is shown."""
    return rx.box(
        *children,
        display=rx.breakpoints(initial=rx.cond(shown_on_phone, "block", "none"), md="block"),
        width="100%",
        min_width="0",
        **props,
    )


def error_text(message: Var[str]) -> rx.Component:
    """The reason a message was refused, read out to screen readers."""
    return rx.cond(
        message != "",
        rx.callout(message, icon="triangle-alert", color_scheme="red", role="alert", width="100%"),
    )


# --- The Messagerie of a tenant or an owner -------------------------------------------------------


def _person_list(state: type[ConversationState]) -> rx.Component:
    return rx.vstack(
        rx.foreach(
            state.threads,
            lambda line: thread_item(
                line,
                state.open_thread(line.position),
                selected=(state.open_position == line.position) & (state.view == THREAD),
                staff=False,
            ),
        ),
        rx.cond(
            state.loaded & (state.threads.length() == 0),
            rx.text(
                "Aucune conversation pour le moment. Écrivez à votre agence avec « Nouveau "
                "message ».",
                color=rx.color("gray", 11),
            ),
        ),
        spacing="2",
        width="100%",
        id="thread-list",
    )


def _person_header(state: type[ConversationState]) -> rx.Component:
    header = state.header
    return rx.vstack(
        rx.button(
            rx.icon("arrow-left", size=16),
            "Toutes les conversations",
            on_click=state.show_list,
            variant="ghost",
            display=rx.breakpoints(initial="inline-flex", md="none"),
            id="back-to-list",
        ),
        rx.heading(header.subject, as_="h2", size="5", id="conversation-subject"),
        rx.hstack(
            status_badge(header.status, header.status_label),
            rx.badge(header.category_label, variant="outline", color_scheme="gray"),
            rx.cond(header.place != "", rx.text(header.place, size="2")),
            wrap="wrap",
            spacing="2",
            align="center",
        ),
        spacing="2",
        width="100%",
    )


def _person_reply(state: type[ConversationState]) -> rx.Component:
    return rx.cond(
        state.is_closed,
        rx.callout(
            "Cette conversation est fermée. Pour une nouvelle demande, écrivez un nouveau message.",
            icon="lock",
            color_scheme="gray",
        ),
        rx.cond(
            state.can_write,
            reply_box(
                text_id="reply-text",
                upload_id=REPLY_UPLOAD_ID,
                on_send=state.send_reply(
                    rx.upload_files(upload_id=REPLY_UPLOAD_ID), dom_value("reply-text")
                ),
                placeholder="Votre réponse",
            ),
            rx.callout(READ_ONLY, icon="eye", color_scheme="amber"),
        ),
    )


def _person_conversation(state: type[ConversationState], space: Space) -> rx.Component:
    older = rx.cond(
        state.has_older,
        rx.button("Messages précédents", on_click=state.load_older, variant="soft", size="1"),
    )
    return rx.vstack(
        _person_header(state),
        message_list(state.messages, space, older),
        error_text(state.error),
        _person_reply(state),
        spacing="4",
        width="100%",
        id="conversation",
    )


def _new_form(state: type[ConversationState]) -> rx.Component:
    send = state.send_new(
        rx.upload_files(upload_id=NEW_UPLOAD_ID), dom_value("new-subject"), dom_value("new-text")
    )
    return rx.vstack(
        rx.button(
            rx.icon("arrow-left", size=16),
            "Toutes les conversations",
            on_click=state.show_list,
            variant="ghost",
        ),
        rx.heading("Nouveau message à l'agence", as_="h2", size="5"),
        rx.text("Objet", as_="label", html_for="new-subject", weight="medium", size="2"),
        rx.input(id="new-subject", max_length=200, width="100%"),
        rx.text("Catégorie", weight="medium", size="2"),
        rx.select.root(
            rx.select.trigger(placeholder="Choisissez…", id="new-category", aria_label="Catégorie"),
            rx.select.content(
                *(rx.select.item(o["label"], value=o["value"]) for o in CATEGORY_OPTIONS)
            ),
            value=state.new_category,
            on_change=state.set_new_category,
        ),
        rx.cond(
            state.place_labels.length() > 0,
            rx.vstack(
                rx.text("Logement concerné", weight="medium", size="2"),
                rx.select.root(
                    rx.select.trigger(id="new-place", aria_label="Logement concerné"),
                    rx.select.content(
                        rx.select.item("Aucun en particulier", value=NO_PLACE),
                        rx.foreach(
                            state.place_labels,
                            lambda label, index: rx.select.item(label, value=index.to_string()),
                        ),
                    ),
                    value=state.new_place,
                    on_change=state.set_new_place,
                ),
                spacing="1",
                width="100%",
            ),
        ),
        rx.cond(
            state.new_category == "intervention",
            rx.text(
                "Décrivez le problème et ajoutez des photos (sur un téléphone, vous pouvez les "
                "prendre directement).",
                size="2",
                color=rx.color("gray", 11),
            ),
        ),
        error_text(state.error),
        reply_box(
            text_id="new-text",
            upload_id=NEW_UPLOAD_ID,
            on_send=send,
            placeholder="Votre message",
        ),
        spacing="2",
        width="100%",
        id="new-message-form",
    )


def person_messaging(state: type[ConversationState], space: Space) -> rx.Component:
    """The Messagerie page of a tenant or an owner: the list, then the open conversation (side
    by side on a desktop, one after the other on a phone)."""
    right = rx.cond(
        state.view == NEW,
        _new_form(state),
        rx.cond(
            state.view == THREAD,
            _person_conversation(state, space),
            rx.text(
                "Choisissez une conversation.",
                color=rx.color("gray", 11),
                display=rx.breakpoints(initial="none", md="block"),
            ),
        ),
    )
    return rx.vstack(
        rx.flex(
            rx.heading("Messagerie", as_="h1", size="7"),
            rx.spacer(),
            rx.button(
                rx.icon("pencil", size=16),
                "Nouveau message",
                on_click=state.start_new,
                disabled=~state.can_write,
                id="new-message",
            ),
            width="100%",
            align="center",
            wrap="wrap",
            spacing="3",
        ),
        rx.checkbox(
            "Me prévenir par e-mail quand l'agence m'écrit",
            checked=state.wants_email,
            on_change=state.set_wants_email,
            disabled=~state.can_write,
            id="wants-email",
        ),
        rx.grid(
            pane(_person_list(state), shown_on_phone=state.view == LIST),
            pane(right, shown_on_phone=state.view != LIST),
            columns=rx.breakpoints(initial="1", md="minmax(16em, 2fr) 3fr"),
            spacing="5",
            width="100%",
        ),
        spacing="4",
        width="100%",
        max_width="1200px",
    )
