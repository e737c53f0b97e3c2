"""Pieces of the Quittances de loyers and Facturations pages: lease filter, pager, status."""

from __future__ import annotations

import reflex as rx

from extranet_app.services.tenant_billing import PaymentStatus
from extranet_app.states.tenant_billing import ALL_LEASES, TenantBillingState

STATUS_COLORS = {
    PaymentStatus.PAID.value: "green",
    PaymentStatus.PARTIAL.value: "orange",
    PaymentStatus.UNPAID.value: "red",
}


def status_badge(status: rx.Var, label: rx.Var) -> rx.Component:
    """Payée (green), partiellement payée (orange), impayée (red)."""
    return rx.match(
        status,
        *((value, rx.badge(label, color_scheme=color)) for value, color in STATUS_COLORS.items()),
        rx.badge(label),
    )


def lease_filter(state: type[TenantBillingState]) -> rx.Component:
    """The lease filter, shown only to a tenant with several leases."""
    return rx.cond(
        state.several_leases,
        rx.select.root(
            rx.select.trigger(placeholder="Bail", aria_label="Bail", id="lease-filter"),
            rx.select.content(
                rx.select.item("Tous mes baux", value=ALL_LEASES),
                rx.foreach(
                    state.lease_options,
                    lambda label, index: rx.select.item(label, value=index.to_string()),
                ),
            ),
            value=state.lease,
            on_change=state.set_lease,
        ),
    )


def pager(state: type[TenantBillingState]) -> rx.Component:
    """Previous / next page buttons around "Page 1 sur 3" (hidden when one page is enough)."""
    return rx.cond(
        state.page_count > 1,
        rx.hstack(
            rx.button(
                rx.icon("chevron-left", size=16),
                "Précédente",
                on_click=state.previous_page,
                disabled=state.page <= 1,
                variant="soft",
                id="previous-page",
            ),
            rx.text(state.pager_text, id="pager-text"),
            rx.button(
                "Suivante",
                rx.icon("chevron-right", size=16),
                on_click=state.next_page,
                disabled=state.page >= state.page_count,
                variant="soft",
                id="next-page",
            ),
            align="center",
            justify="center",
            spacing="3",
            width="100%",
        ),
    )


def responsive(table: rx.Component, cards: rx.Component) -> rx.Component:
    """A table on desktop, cards on phones."""
    return rx.box(
        rx.box(table, display=rx.breakpoints(initial="none", md="block"), width="100%"),
        rx.vstack(cards, display=rx.breakpoints(initial="flex", md="none"), width="100%"),
        width="100%",
    )
