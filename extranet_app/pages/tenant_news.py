"""/locataire/actualites: the news the agency addresses to the tenant."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from extranet_app.components.navigation import TENANT_NAV
from extranet_app.components.news_feed import news_feed
from extranet_app.components.shell import space_page
from extranet_app.services.auth import Space
from extranet_app.services.sections import SectionKey, TenantSection
from extranet_app.states.news_feed import NewsFeedState
from extranet_app.states.session import SessionState


class TenantNewsState(NewsFeedState, SessionState):
    """The tenant's Actualités."""

    section: ClassVar[SectionKey] = TenantSection.NEWS

    def _space(self) -> Space:
        return Space.TENANT


@space_page(
    route="/locataire/actualites",
    title="Actualités",
    guard=SessionState.enter_tenant_space,
    section=TenantSection.NEWS,
    items=TENANT_NAV,
    on_load=TenantNewsState.load,
)
def tenant_news() -> rx.Component:
    return news_feed(TenantNewsState, Space.TENANT)
