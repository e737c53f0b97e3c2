"""/proprietaire/documents-a-fournir: what the agency asks the owner for (RIB, PNO…)."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from extranet_app.components.document_requests import document_requests
from extranet_app.components.navigation import OWNER_NAV
from extranet_app.components.shell import space_page
from extranet_app.services.auth import Space
from extranet_app.services.sections import OwnerSection, SectionKey
from extranet_app.states.document_requests import DocumentRequestsState
from extranet_app.states.session import SessionState


class OwnerRequestsState(DocumentRequestsState, SessionState):
    """The owner's Documents à fournir."""

    section: ClassVar[SectionKey] = OwnerSection.DOCUMENT_REQUESTS

    def _space(self) -> Space:
        return Space.OWNER


@space_page(
    route="/proprietaire/documents-a-fournir",
    title="Documents à fournir",
    guard=SessionState.enter_owner_space,
    section=OwnerSection.DOCUMENT_REQUESTS,
    items=OWNER_NAV,
    on_load=OwnerRequestsState.load,
)
def owner_requests() -> rx.Component:
    return document_requests(OwnerRequestsState, Space.OWNER)
