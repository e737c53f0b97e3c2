"""/proprietaire/messages: the owner's Messagerie."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from extranet_app.components.conversation import person_messaging
from extranet_app.components.navigation import OWNER_NAV
from extranet_app.components.shell import space_page
from extranet_app.services.auth import Space
from extranet_app.services.sections import OwnerSection, SectionKey
from extranet_app.states.conversation import ConversationState
from extranet_app.states.session import SessionState


class OwnerMessagesState(ConversationState, SessionState):
    """The owner's conversations with the agency."""

    section: ClassVar[SectionKey] = OwnerSection.MESSAGES

    def _space(self) -> Space:
        return Space.OWNER


@space_page(
    route="/proprietaire/messages",
    title="Messagerie",
    guard=SessionState.enter_owner_space,
    items=OWNER_NAV,
    section=OwnerSection.MESSAGES,
    on_load=OwnerMessagesState.load,
)
def owner_messages() -> rx.Component:
    return person_messaging(OwnerMessagesState, Space.OWNER)
