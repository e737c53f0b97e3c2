"""/locataire/documents-envoyes: everything the tenant sent, with its status."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from extranet_app.components.document_requests import sent_documents
from extranet_app.components.navigation import TENANT_NAV
from extranet_app.components.shell import space_page
from extranet_app.services.auth import Space
from extranet_app.services.sections import SectionKey, TenantSection
from extranet_app.states.document_requests import SentDocumentsState
from extranet_app.states.session import SessionState


class TenantSentDocumentsState(SentDocumentsState, SessionState):
    """The tenant's Documents envoyés."""

    section: ClassVar[SectionKey] = TenantSection.SENT_DOCUMENTS

    def _space(self) -> Space:
        return Space.TENANT


@space_page(
    route="/locataire/documents-envoyes",
    title="Documents envoyés",
    guard=SessionState.enter_tenant_space,
    section=TenantSection.SENT_DOCUMENTS,
    items=TENANT_NAV,
    on_load=TenantSentDocumentsState.load,
)
def tenant_sent_documents() -> rx.Component:
    return sent_documents(TenantSentDocumentsState, Space.TENANT)
