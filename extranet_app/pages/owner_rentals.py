"""/proprietaire/locations (Suivi des locations): each lot, its lease, rent status and dates."""

from __future__ import annotations

import asyncio
from typing import ClassVar

import reflex as rx

from extranet_app.components.navigation import OWNER_NAV
from extranet_app.components.shell import space_page
from extranet_app.db import session_scope
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.rental_tracking import RentalRow, rental_tracking
from extranet_app.services.sections import OwnerSection, SectionKey
from extranet_app.services.timekeeping import today_in_france
from extranet_app.states.session import SessionState

ROUTE = "/proprietaire/locations"
NO_LOT = "Aucun lot en gestion pour le moment."


def _load(user: SessionUser) -> list[RentalRow]:
    with session_scope() as session:
        return rental_tracking(session=session, user=user, today=today_in_france())


class OwnerRentalsState(SessionState):
    """Suivi des locations of the owner's lots."""

    section: ClassVar[SectionKey] = OwnerSection.RENTAL_TRACKING

    loaded: bool = False
    rows: list[RentalRow] = []

    @rx.event
    async def load(self):
        user = await self._session_user(Space.OWNER)
        if user is None:
            self.rows, self.loaded = [], False
            return
        self.rows = await asyncio.to_thread(_load, user)
        self.loaded = True


def _situation_badge(row: RentalRow) -> rx.Component:
    color = rx.match(row.situation, ("Loué", "green"), ("Bail à venir", "blue"), "orange")
    return rx.badge(row.situation, color_scheme=color, variant="soft")


def _status_badge(row: RentalRow) -> rx.Component:
    color = rx.match(
        row.payment_tone, ("green", "green"), ("orange", "orange"), ("red", "red"), "gray"
    )
    return rx.badge(row.payment_status, color_scheme=color, variant="soft")


def _arrears(row: RentalRow) -> rx.Component:
    return rx.text(
        row.arrears,
        color=rx.cond(row.has_arrears, rx.color("red", 11), rx.color("gray", 11)),
        weight=rx.cond(row.has_arrears, "bold", "regular"),
        white_space="nowrap",
    )


def _dated(label: str, value: rx.Var[str], soon: rx.Var[bool]) -> rx.Component:
    return rx.cond(
        value != "",
        rx.hstack(
            rx.text(label, value, size="2"),
            rx.cond(soon, rx.badge("Bientôt", color_scheme="amber", size="1")),
            spacing="1",
            align="center",
        ),
    )


def _dates(row: RentalRow) -> rx.Component:
    return rx.vstack(
        rx.cond(row.lease_dates != "", rx.text("Bail ", row.lease_dates, size="2")),
        _dated("Fin du bail : ", row.lease_end, row.lease_end_soon),
        _dated("Révision du loyer : ", row.next_revision, row.revision_soon),
        rx.cond(row.vacancy != "", rx.text(row.vacancy, size="2", color=rx.color("orange", 11))),
        spacing="1",
    )


def _lot_cell(row: RentalRow) -> rx.Component:
    return rx.vstack(
        rx.text(row.lot_label, weight="medium"),
        rx.text(row.address, size="1", color=rx.color("gray", 11)),
        rx.text("Quote-part : ", row.share, size="1", color=rx.color("gray", 11)),
        spacing="0",
    )


def _table_row(row: RentalRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(_lot_cell(row), min_width="190px"),
        rx.table.cell(_situation_badge(row)),
        rx.table.cell(rx.text(row.tenants), class_name="tenant-names"),
        rx.table.cell(_dates(row)),
        rx.table.cell(row.rent, text_align="right", white_space="nowrap"),
        rx.table.cell(row.charges, text_align="right", white_space="nowrap"),
        rx.table.cell(_status_badge(row)),
        rx.table.cell(_arrears(row), text_align="right"),
    )


def _table() -> rx.Component:
    headers = (
        "Lot",
        "Situation",
        "Locataire(s)",
        "Bail",
        "Loyer",
        "Charges",
        "Ce mois-ci",
        "Impayés",
    )
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(rx.foreach(OwnerRentalsState.rows, _table_row)),
            variant="surface",
            width="100%",
        ),
        overflow_x="auto",
        width="100%",
        id="rentals-table",
    )


def _card(row: RentalRow) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(_lot_cell(row), _situation_badge(row), justify="between", width="100%"),
            rx.cond(row.tenants != "", rx.text("Locataire(s) : ", row.tenants, size="2")),
            rx.cond(
                row.rent != "—",
                rx.text("Loyer ", row.rent, " + charges ", row.charges, size="2"),
            ),
            _status_badge(row),
            rx.hstack(rx.text("Impayés :", size="2"), _arrears(row), spacing="1"),
            _dates(row),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


@space_page(
    route=ROUTE,
    title="Suivi des locations",
    guard=SessionState.enter_owner_space,
    section=OwnerSection.RENTAL_TRACKING,
    items=OWNER_NAV,
    on_load=OwnerRentalsState.load,
)
def owner_rentals() -> rx.Component:
    return rx.vstack(
        rx.heading("Suivi des locations", as_="h1", size="7"),
        rx.cond(
            OwnerRentalsState.loaded,
            rx.cond(
                OwnerRentalsState.rows.length() > 0,
                rx.vstack(
                    rx.box(
                        _table(), display=rx.breakpoints(initial="none", md="block"), width="100%"
                    ),
                    rx.vstack(
                        rx.foreach(OwnerRentalsState.rows, _card),
                        display=rx.breakpoints(initial="flex", md="none"),
                        width="100%",
                    ),
                    rx.text(
                        "Les locataires apparaissent par leur nom seulement ; leurs "
                        "coordonnées restent confidentielles.",
                        size="1",
                        color=rx.color("gray", 11),
                    ),
                    width="100%",
                ),
                rx.callout(NO_LOT, icon="info", id="no-lot"),
            ),
            rx.spinner(),
        ),
        spacing="4",
        width="100%",
        max_width="1200px",
    )
