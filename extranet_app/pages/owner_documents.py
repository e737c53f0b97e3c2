"""/proprietaire/documents: the owner's Porte-documents (mandate, diagnostics, lot papers)."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from extranet_app.components.document_folder import document_folder
from extranet_app.components.navigation import OWNER_NAV
from extranet_app.components.shell import space_page
from extranet_app.services.auth import Space
from extranet_app.services.sections import OwnerSection, SectionKey
from extranet_app.states.document_folder import DocumentFolderState
from extranet_app.states.session import SessionState


class OwnerDocumentsState(DocumentFolderState, SessionState):
    """The owner's Porte-documents."""

    section: ClassVar[SectionKey] = OwnerSection.DOCUMENTS

    def _space(self) -> Space:
        return Space.OWNER


@space_page(
    route="/proprietaire/documents",
    title="Porte-documents",
    guard=SessionState.enter_owner_space,
    items=OWNER_NAV,
    on_load=OwnerDocumentsState.load,
    section=OwnerSection.DOCUMENTS,
)
def owner_documents() -> rx.Component:
    return document_folder(OwnerDocumentsState, Space.OWNER)
