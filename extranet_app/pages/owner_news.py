"""/proprietaire/actualites: the news the agency addresses to the owner."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from extranet_app.components.navigation import OWNER_NAV
from extranet_app.components.news_feed import news_feed
from extranet_app.components.shell import space_page
from extranet_app.services.auth import Space
from extranet_app.services.sections import OwnerSection, SectionKey
from extranet_app.states.news_feed import NewsFeedState
from extranet_app.states.session import SessionState


class OwnerNewsState(NewsFeedState, SessionState):
    """The owner's Actualités."""

    section: ClassVar[SectionKey] = OwnerSection.NEWS

    def _space(self) -> Space:
        return Space.OWNER


@space_page(
    route="/proprietaire/actualites",
    title="Actualités",
    guard=SessionState.enter_owner_space,
    section=OwnerSection.NEWS,
    items=OWNER_NAV,
    on_load=OwnerNewsState.load,
)
def owner_news() -> rx.Component:
    return news_feed(OwnerNewsState, Space.OWNER)
