"""The frame of every logged-in page: header, navigation (sidebar or phone menu), content."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from extranet_app.components.backend_url import backend_url
from extranet_app.components.unread_badge import is_messaging_entry, unread_badge
from extranet_app.services.agency import LOGO_PATH
from extranet_app.services.auth import ACCOUNT_PATH
from extranet_app.services.sections import SectionKey, space_of
from extranet_app.states.messaging_live import UnreadBadgeState
from extranet_app.states.session import SessionState

BRAND_COLOR = "#1f4e79"
# The section each page of a space belongs to, declared by `space_page(section=...)`: the
# navigation hides a link when the agency turned its section off for the user.
_PAGE_SECTIONS: dict[str, SectionKey] = {}


@dataclass(frozen=True)
class NavItem:
    """A link of a space's navigation; labels are the section names of DOMAIN.md."""

    label: str
    path: str
    icon: str
    group: str = ""  # a heading above the first link of a group, e.g. "Communication"
    admin_only: bool = False  # shown to agency administrators only


class PhoneMenuState(rx.State):
    """Whether the phone navigation drawer is open (pure UI state, nothing private)."""

    is_open: bool = False

    @rx.event
    def set_open(self, is_open: bool):
        self.is_open = bool(is_open) if isinstance(is_open, bool) else False

    @rx.event
    def close(self):
        self.is_open = False


def _nav_link(item: NavItem, on_click=None) -> rx.Component:
    is_current = rx.State.router.page.path == item.path
    return rx.link(
        rx.hstack(
            rx.icon(item.icon, size=18),
            rx.text(item.label),
            unread_badge() if is_messaging_entry(item.path) else rx.fragment(),
            align="center",
            spacing="3",
        ),
        href=item.path,
        on_click=on_click,
        underline="none",
        padding="0.6em 0.8em",
        border_radius="8px",
        weight=rx.cond(is_current, "bold", "regular"),
        background=rx.cond(is_current, rx.color("accent", 4), "transparent"),
        color=rx.color("gray", 12),
        width="100%",
    )


def _nav_entries(items: list[NavItem], on_click) -> list[rx.Component]:
    entries, group = [], ""
    for item in items:
        if item.group and item.group != group:
            heading = rx.text(
                item.group.upper(),
                size="1",
                weight="bold",
                color=rx.color("gray", 10),
                padding="1em 0.8em 0.2em",
            )
            entries.append(heading)
        group = item.group
        link = _nav_link(item, on_click)
        if item.admin_only:
            link = rx.cond(SessionState.is_admin, link)
        if (section := _PAGE_SECTIONS.get(item.path)) is not None:
            link = rx.cond(
                SessionState.hidden_sections.contains(section.value), rx.fragment(), link
            )
        entries.append(link)
    return entries


def _nav(items: list[NavItem], on_click=None) -> rx.Component:
    return rx.vstack(
        *_nav_entries(items, on_click),
        spacing="1",
        width="100%",
        as_="nav",
        aria_label="Navigation principale",
    )


def _sidebar(items: list[NavItem]) -> rx.Component:
    return rx.box(
        _nav(items),
        id="sidebar",
        display=rx.breakpoints(initial="none", sm="block"),
        width="240px",
        min_width="240px",
        padding="1em",
        border_right=f"1px solid {rx.color('gray', 5)}",
        min_height="calc(100vh - 64px)",
    )


def _phone_menu(items: list[NavItem]) -> rx.Component:
    return rx.drawer.root(
        rx.drawer.trigger(
            rx.icon_button(
                rx.icon("menu", color="white"),
                id="menu-button",
                aria_label="Ouvrir le menu",
                variant="ghost",
                display=rx.breakpoints(initial="inline-flex", sm="none"),
            )
        ),
        rx.drawer.overlay(z_index="40"),
        rx.drawer.portal(
            rx.drawer.content(
                rx.vstack(
                    rx.hstack(
                        rx.text(SessionState.space_label, weight="bold"),
                        rx.drawer.close(
                            rx.icon_button(rx.icon("x"), variant="ghost", aria_label="Fermer")
                        ),
                        justify="between",
                        width="100%",
                    ),
                    _nav(items, on_click=PhoneMenuState.close),
                    rx.cond(
                        SessionState.other_space_path != "",
                        rx.link(
                            SessionState.other_space_label,
                            href=SessionState.other_space_path,
                            id="switch-space-menu",
                            on_click=PhoneMenuState.close,
                            padding="0.6em 0.8em",
                        ),
                    ),
                    width="100%",
                ),
                id="phone-menu",
                background=rx.color("gray", 1),
                padding="1em",
                width="80%",
                max_width="320px",
                height="100%",
                top="0",
                left="0",
                z_index="50",
            )
        ),
        open=PhoneMenuState.is_open,
        on_open_change=PhoneMenuState.set_open,
        direction="left",
    )


def _header(items: list[NavItem]) -> rx.Component:
    return rx.hstack(
        rx.hstack(
            _phone_menu(items),
            agency_logo(height="36px"),
            rx.text(
                SessionState.agency_name,
                weight="bold",
                color="white",
                size=rx.breakpoints(initial="2", sm="4"),
            ),
            rx.text(
                SessionState.space_label,
                color="white",
                opacity="0.85",
                display=rx.breakpoints(initial="none", sm="block"),
            ),
            align="center",
            spacing="3",
        ),
        rx.hstack(
            rx.cond(
                SessionState.other_space_path != "",
                rx.link(
                    SessionState.other_space_label,
                    href=SessionState.other_space_path,
                    id="switch-space",
                    color="white",
                    underline="always",
                    display=rx.breakpoints(initial="none", sm="block"),
                ),
            ),
            rx.text(
                SessionState.user_name,
                id="user-name",
                color="white",
                trim="both",
                max_width=rx.breakpoints(initial="28vw", sm="none"),
                overflow="hidden",
                white_space="nowrap",
                text_overflow="ellipsis",
            ),
            rx.cond(SessionState.preview_name == "", _account_link()),
            rx.cond(SessionState.preview_name == "", _logout_button()),
            align="center",
            spacing="3",
        ),
        justify="between",
        align="center",
        padding="0 1em",
        height="64px",
        background=brand_color(),
        width="100%",
        position="sticky",
        top="0",
        z_index="10",
    )


def brand_color() -> rx.Var:
    """The agency's main colour (checked "#rrggbb" by the settings), or the default one."""
    return rx.cond(SessionState.brand_color != "", SessionState.brand_color, BRAND_COLOR)


def agency_logo(*, height: str) -> rx.Component:
    """The agency's logo from its public route, when it has one (decorative: the name is
    written beside it)."""
    return rx.cond(
        SessionState.logo_version != "",
        rx.image(
            src=backend_url(LOGO_PATH) + "?v=" + SessionState.logo_version,
            alt="",
            id="agency-logo",
            height=height,
            width="auto",
            max_width="160px",
            object_fit="contain",
            background="white",
            border_radius="4px",
            padding="2px",
        ),
    )


def _account_link() -> rx.Component:
    """Mon compte: password, two-factor authentication and open sessions (every space)."""
    return rx.link(
        rx.icon("circle-user", size=18),
        rx.text("Mon compte", display=rx.breakpoints(initial="none", md="inline")),
        href=ACCOUNT_PATH,
        id="account-link",
        aria_label="Mon compte",
        color="white",
        display="flex",
        align_items="center",
        gap="0.35em",
    )


def _logout_button() -> rx.Component:
    return rx.button(
        rx.icon("log-out", size=16),
        rx.text("Se déconnecter", display=rx.breakpoints(initial="none", sm="inline")),
        id="logout",
        aria_label="Se déconnecter",
        on_click=SessionState.logout,
        variant="outline",
        color="white",
        box_shadow="inset 0 0 0 1px rgba(255, 255, 255, 0.6)",
        size="2",
    )


def _preview_banner() -> rx.Component:
    """Shown while agency staff look at a person's space: it is read-only and can be left."""
    return rx.cond(
        SessionState.preview_name != "",
        rx.hstack(
            rx.icon("eye", size=18),
            rx.text(
                "Aperçu de l'espace de ",
                rx.text.strong(SessionState.preview_name),
                " — lecture seule : rien ne peut être modifié ni envoyé.",
            ),
            rx.button(
                "Quitter l'aperçu",
                id="exit-preview",
                on_click=SessionState.exit_preview,
                size="1",
                color_scheme="amber",
                variant="solid",
            ),
            id="preview-banner",
            role="status",
            align="center",
            wrap="wrap",
            spacing="3",
            padding="0.5em 1em",
            background=rx.color("amber", 4),
            width="100%",
        ),
    )


def space_shell(*content: rx.Component, items: list[NavItem]) -> rx.Component:
    """A page of a logged-in space: header, navigation and the page's own content."""
    return rx.box(
        _header(items),
        _preview_banner(),
        rx.hstack(
            _sidebar(items),
            rx.box(*content, padding=rx.breakpoints(initial="1em", sm="2em"), width="100%"),
            spacing="0",
            align="start",
            width="100%",
        ),
        min_height="100vh",
    )


def space_page(
    *,
    route: str,
    title: str,
    guard,
    items: list[NavItem],
    on_load=None,
    section: SectionKey | None = None,
):
    """Register a page of a space: `guard` (a SessionState.enter_* handler) runs first on load.

    A page of a section the agency may turn off names it (`section=TenantSection.X`): its link
    is hidden and the page sends the person home when it is off. The guards only redirect; the
    page's state declares the same section so that its handlers refuse too (states/session.py).
    """

    def decorator(content):
        loads = [guard, UnreadBadgeState.watch_unread]
        if section is not None:
            _PAGE_SECTIONS[route] = section
            loads.append(SessionState.enter_section(space_of(section).value, section.value))
        if on_load is not None:
            loads.append(on_load)

        @rx.page(route=route, title=f"{title} · Extranet", on_load=loads)
        def page() -> rx.Component:
            return space_shell(content(), items=items)

        return page

    return decorator
