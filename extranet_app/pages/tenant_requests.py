"""/locataire/documents-a-fournir: what the agency asks the tenant for, sent from here."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from extranet_app.components.document_requests import document_requests
from extranet_app.components.navigation import TENANT_NAV
from extranet_app.components.shell import space_page
from extranet_app.services.auth import Space
from extranet_app.services.sections import SectionKey, TenantSection
from extranet_app.states.document_requests import DocumentRequestsState
from extranet_app.states.session import SessionState


class TenantRequestsState(DocumentRequestsState, SessionState):
    """The tenant's Documents à fournir."""

    section: ClassVar[SectionKey] = TenantSection.DOCUMENT_REQUESTS

    def _space(self) -> Space:
        return Space.TENANT


@space_page(
    route="/locataire/documents-a-fournir",
    title="Documents à fournir",
    guard=SessionState.enter_tenant_space,
    section=TenantSection.DOCUMENT_REQUESTS,
    items=TENANT_NAV,
    on_load=TenantRequestsState.load,
)
def tenant_requests() -> rx.Component:
    return document_requests(TenantRequestsState, Space.TENANT)
