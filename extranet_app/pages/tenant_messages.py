"""/locataire/messages: the tenant's Messagerie."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from extranet_app.components.conversation import person_messaging
from extranet_app.components.navigation import TENANT_NAV
from extranet_app.components.shell import space_page
from extranet_app.services.auth import Space
from extranet_app.services.sections import SectionKey, TenantSection
from extranet_app.states.conversation import ConversationState
from extranet_app.states.session import SessionState


class TenantMessagesState(ConversationState, SessionState):
    """The tenant's conversations with the agency."""

    section: ClassVar[SectionKey] = TenantSection.MESSAGES

    def _space(self) -> Space:
        return Space.TENANT


@space_page(
    route="/locataire/messages",
    title="Messagerie",
    guard=SessionState.enter_tenant_space,
    items=TENANT_NAV,
    section=TenantSection.MESSAGES,
    on_load=TenantMessagesState.load,
)
def tenant_messages() -> rx.Component:
    return person_messaging(TenantMessagesState, Space.TENANT)
