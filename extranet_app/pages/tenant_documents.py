"""/locataire/documents: the tenant's Porte-documents."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from extranet_app.components.document_folder import document_folder
from extranet_app.components.navigation import TENANT_NAV
from extranet_app.components.shell import space_page
from extranet_app.services.auth import Space
from extranet_app.services.sections import SectionKey, TenantSection
from extranet_app.states.document_folder import DocumentFolderState
from extranet_app.states.session import SessionState


class TenantDocumentsState(DocumentFolderState, SessionState):
    """The tenant's Porte-documents."""

    section: ClassVar[SectionKey] = TenantSection.DOCUMENTS

    def _space(self) -> Space:
        return Space.TENANT


@space_page(
    route="/locataire/documents",
    title="Porte-documents",
    guard=SessionState.enter_tenant_space,
    items=TENANT_NAV,
    on_load=TenantDocumentsState.load,
    section=TenantSection.DOCUMENTS,
)
def tenant_documents() -> rx.Component:
    return document_folder(TenantDocumentsState, Space.TENANT)
