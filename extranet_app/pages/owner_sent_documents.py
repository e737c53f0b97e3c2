"""/proprietaire/documents-envoyes: everything the owner sent, with its status."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from extranet_app.components.document_requests import sent_documents
from extranet_app.components.navigation import OWNER_NAV
from extranet_app.components.shell import space_page
from extranet_app.services.auth import Space
from extranet_app.services.sections import OwnerSection, SectionKey
from extranet_app.states.document_requests import SentDocumentsState
from extranet_app.states.session import SessionState


class OwnerSentDocumentsState(SentDocumentsState, SessionState):
    """The owner's Documents envoyés."""

    section: ClassVar[SectionKey] = OwnerSection.SENT_DOCUMENTS

    def _space(self) -> Space:
        return Space.OWNER


@space_page(
    route="/proprietaire/documents-envoyes",
    title="Documents envoyés",
    guard=SessionState.enter_owner_space,
    section=OwnerSection.SENT_DOCUMENTS,
    items=OWNER_NAV,
    on_load=OwnerSentDocumentsState.load,
)
def owner_sent_documents() -> rx.Component:
    return sent_documents(OwnerSentDocumentsState, Space.OWNER)
