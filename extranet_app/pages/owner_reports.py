"""/proprietaire/rapports (Rapport de gestion): the owner's reports, charts and yearly summaries."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, ClassVar

import reflex as rx

from extranet_app.components.downloads import document_href, download_link
from extranet_app.components.navigation import OWNER_NAV
from extranet_app.components.shell import space_page
from extranet_app.db import session_scope
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.owner_charts import MonthPoint, owner_months, short_month
from extranet_app.services.owner_reports import (
    LineView,
    OwnerReport,
    ReportDetail,
    ReportListing,
    list_owner_reports,
    report_detail,
)
from extranet_app.services.sections import OwnerSection, SectionKey
from extranet_app.services.timekeeping import today_in_france
from extranet_app.states.session import SessionState

ROUTE = "/proprietaire/rapports"
NO_REPORT = "Aucun rapport de gestion publié pour le moment."
COLLECTED_COLOR = "#1f4e79"
CALLED_COLOR = "#9fb8d3"
OCCUPANCY_COLOR = "#2e7d32"


@dataclass(frozen=True)
class _PageData:
    reports: list[OwnerReport]
    months: list[MonthPoint]
    detail: ReportDetail | None


def _load(user: SessionUser) -> _PageData:
    with session_scope() as session:
        reports = list_owner_reports(session=session, user=user)
        months = owner_months(session=session, user=user, today=today_in_france())
        first = next((entry for entry in reports if not entry.listing.is_yearly), None)
        detail = (
            report_detail(session=session, user=user, report_id=first.report_id) if first else None
        )
        return _PageData(reports, months, detail)


def _detail(user: SessionUser, report_id: int, ip: str) -> ReportDetail | None:
    with session_scope() as session:
        return report_detail(session=session, user=user, report_id=report_id, ip=ip)


def _euros(cents: int) -> float:
    return round(cents / 100, 2)


def collections_data(months: list[MonthPoint]) -> list[dict[str, Any]]:
    """Chart points: the month, euros called and collected (the owner's part)."""
    return [
        {
            "mois": short_month(point.month),
            "appele": _euros(point.called_cents),
            "encaisse": _euros(point.collected_cents),
        }
        for point in months
    ]


def occupancy_data(months: list[MonthPoint]) -> list[dict[str, Any]]:
    """Chart points: the month and the share of the owner's lots let, in percent."""
    return [
        {"mois": short_month(point.month), "occupation": point.occupancy_percent}
        for point in months
    ]


def _position(value: object, size: int) -> int | None:
    """A list position sent by the browser (as the select's text value), if it is a real one."""
    if isinstance(value, str) and value.isdigit() and len(value) < 6:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 <= value < size else None


class OwnerReportsState(SessionState):
    """The owner's reports: the list, the report on screen, the charts."""

    section: ClassVar[SectionKey] = OwnerSection.REPORTS

    loaded: bool = False
    periods: list[ReportListing] = []
    yearly: list[ReportListing] = []
    period_options: list[dict[str, str]] = []
    selected: str = ""
    title: str = ""
    period_dates: str = ""
    mandate_number: str = ""
    version_note: str = ""
    fee_terms: str = ""
    transfer_note: str = ""
    pdf_reference: str = ""
    lines: list[LineView] = []
    totals: list[LineView] = []  # zero or one line
    collections: list[dict[str, Any]] = []
    occupancy: list[dict[str, Any]] = []
    # Report ids stay on the server; the browser only knows positions in `periods`.
    _period_ids: list[int] = []

    def _clear(self) -> None:
        self.loaded = False
        self.periods, self.yearly, self.period_options = [], [], []
        self.collections, self.occupancy, self._period_ids = [], [], []
        self._show(None)

    def _show(self, detail: ReportDetail | None) -> None:
        self.title = detail.title if detail else ""
        self.period_dates = detail.period_dates if detail else ""
        self.mandate_number = detail.mandate_number if detail else ""
        self.version_note = detail.version_note if detail else ""
        self.fee_terms = detail.fee_terms if detail else ""
        self.transfer_note = detail.transfer_note if detail else ""
        self.pdf_reference = detail.document_reference if detail else ""
        self.lines = detail.lines if detail else []
        self.totals = [detail.totals] if detail else []

    @rx.event
    async def load(self):
        user = await self._session_user(Space.OWNER)
        if user is None:
            self._clear()
            return
        data = await asyncio.to_thread(_load, user)
        periods = [entry for entry in data.reports if not entry.listing.is_yearly]
        self._period_ids = [entry.report_id for entry in periods]
        self.periods = [entry.listing for entry in periods]
        self.yearly = [entry.listing for entry in data.reports if entry.listing.is_yearly]
        self.period_options = [
            {"value": str(index), "label": _option_label(entry.listing)}
            for index, entry in enumerate(periods)
        ]
        self.selected = "0" if periods else ""
        self._show(data.detail)
        self.collections = collections_data(data.months)
        self.occupancy = occupancy_data(data.months)
        self.loaded = True

    @rx.event
    async def select_report(self, position: str):
        """Show the report at `position` of the list."""
        user = await self._session_user(Space.OWNER)
        if user is None:
            self._clear()
            return None
        index = _position(position, len(self._period_ids))
        if index is None:
            return rx.toast.error("Rapport introuvable.")
        ip = self.router.session.client_ip
        detail = await asyncio.to_thread(_detail, user, self._period_ids[index], ip)
        if detail is None:
            return rx.toast.error("Rapport introuvable.")
        self.selected = str(index)
        self._show(detail)
        return None


def _option_label(listing: ReportListing) -> str:
    corrected = " (corrigé)" if listing.version_note else ""
    return f"{listing.period_label}{corrected}"


# --- Components -------------------------------------------------------------------------------


def _download_href(reference: rx.Var[str]) -> rx.Var[str]:
    return document_href(reference, Space.OWNER)


def _chart_card(title: str, chart: rx.Component, element_id: str) -> rx.Component:
    return rx.card(
        rx.vstack(rx.heading(title, as_="h3", size="3"), chart, spacing="2", width="100%"),
        id=element_id,
        width="100%",
    )


def _collections_chart() -> rx.Component:
    return rx.recharts.bar_chart(
        rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False),
        rx.recharts.x_axis(data_key="mois", interval="preserveStartEnd"),
        rx.recharts.y_axis(unit=" €", width=80),
        rx.recharts.graphing_tooltip(),
        rx.recharts.legend(),
        rx.recharts.bar(data_key="appele", name="Appelé", fill=CALLED_COLOR),
        rx.recharts.bar(data_key="encaisse", name="Encaissé", fill=COLLECTED_COLOR),
        data=OwnerReportsState.collections,
        width="100%",
        height=260,
    )


def _occupancy_chart() -> rx.Component:
    return rx.recharts.area_chart(
        rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False),
        rx.recharts.x_axis(data_key="mois", interval="preserveStartEnd"),
        rx.recharts.y_axis(domain=[0, 100], unit=" %", width=60),
        rx.recharts.graphing_tooltip(),
        rx.recharts.area(
            data_key="occupation",
            name="Lots loués",
            stroke=OCCUPANCY_COLOR,
            fill=OCCUPANCY_COLOR,
            fill_opacity=0.25,
            unit=" %",
        ),
        data=OwnerReportsState.occupancy,
        width="100%",
        height=260,
    )


def _charts() -> rx.Component:
    return rx.grid(
        _chart_card(
            "Loyers et charges encaissés (24 mois)", _collections_chart(), "collections-chart"
        ),
        _chart_card(
            "Taux d'occupation de vos lots (24 mois)", _occupancy_chart(), "occupancy-chart"
        ),
        columns=rx.breakpoints(initial="1", lg="2"),
        spacing="4",
        width="100%",
    )


LINE_HEADERS = (
    "Lot",
    "Part",
    "Loyers appelés",
    "Charges appelées",
    "Encaissé",
    "Impayés",
    "Dépenses",
    "Honoraires HT",
    "TVA",
    "Net",
)


def _amount_cells(line: LineView, weight: str) -> list[rx.Component]:
    amounts = (
        line.rents_called,
        line.charges_called,
        line.received,
        line.arrears,
        line.expenses,
        line.fees,
        line.fees_vat,
        line.net,
    )
    return [
        rx.table.cell(rx.text(amount, weight=weight), text_align="right", white_space="nowrap")
        for amount in amounts
    ]


def _line_row(line: LineView) -> rx.Component:
    return rx.table.row(
        rx.table.cell(line.lot_label, min_width="160px"),
        rx.table.cell(line.share, white_space="nowrap"),
        *_amount_cells(line, "regular"),
    )


def _total_row(line: LineView) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell("Total consolidé"),
        rx.table.cell(""),
        *_amount_cells(line, "bold"),
        id="report-totals",
    )


def _lines_table() -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(*[rx.table.column_header_cell(header) for header in LINE_HEADERS])
            ),
            rx.table.body(
                rx.foreach(OwnerReportsState.lines, _line_row),
                rx.foreach(OwnerReportsState.totals, _total_row),
            ),
            variant="surface",
            size="1",
            width="100%",
        ),
        overflow_x="auto",
        width="100%",
        id="report-lines",
    )


def _pair(label: str, value: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.text(label, color=rx.color("gray", 11)),
        rx.text(value, weight="medium"),
        justify="between",
        width="100%",
    )


def _line_card(line: LineView) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(line.lot_label, weight="bold"),
            rx.cond(line.share != "", rx.text("Quote-part : ", line.share, size="2")),
            _pair("Loyers appelés", line.rents_called),
            _pair("Charges appelées", line.charges_called),
            _pair("Encaissé", line.received),
            _pair("Impayés", line.arrears),
            _pair("Dépenses", line.expenses),
            _pair("Honoraires HT", line.fees),
            _pair("TVA", line.fees_vat),
            _pair("Net", line.net),
            spacing="1",
            width="100%",
        ),
        width="100%",
    )


def _period_picker() -> rx.Component:
    return rx.select.root(
        rx.select.trigger(aria_label="Période", id="report-period"),
        rx.select.content(
            rx.foreach(
                OwnerReportsState.period_options,
                lambda option: rx.select.item(option["label"], value=option["value"]),
            )
        ),
        value=OwnerReportsState.selected,
        on_change=OwnerReportsState.select_report,
    )


def _download_button(reference: rx.Var[str], label: str, element_id: str) -> rx.Component:
    return download_link(
        rx.button(rx.icon("download", size=16), label, variant="soft"),
        href=_download_href(reference),
        id=element_id,
        aria_label=label,
    )


def _report() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.vstack(
                    rx.heading(OwnerReportsState.title, as_="h2", size="5", id="report-title"),
                    rx.text(
                        OwnerReportsState.period_dates,
                        " · mandat n° ",
                        OwnerReportsState.mandate_number,
                        size="2",
                        color=rx.color("gray", 11),
                    ),
                    spacing="1",
                ),
                rx.flex(
                    _period_picker(),
                    _download_button(OwnerReportsState.pdf_reference, "PDF", "report-pdf"),
                    spacing="2",
                    align="center",
                ),
                justify="between",
                spacing="3",
                wrap="wrap",
                width="100%",
            ),
            rx.cond(
                OwnerReportsState.version_note != "",
                rx.callout(OwnerReportsState.version_note, icon="info", size="1"),
            ),
            rx.box(
                _lines_table(), display=rx.breakpoints(initial="none", md="block"), width="100%"
            ),
            rx.vstack(
                rx.foreach(OwnerReportsState.lines, _line_card),
                rx.foreach(OwnerReportsState.totals, _line_card),
                display=rx.breakpoints(initial="flex", md="none"),
                width="100%",
            ),
            rx.text(OwnerReportsState.fee_terms, size="2"),
            rx.text(OwnerReportsState.transfer_note, weight="medium", id="transfer-note"),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _yearly_item(listing: ReportListing) -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.text(listing.kind_label, " — ", listing.period_label, weight="medium"),
            rx.text("Publié le ", listing.published_on, size="1", color=rx.color("gray", 11)),
            spacing="0",
        ),
        download_link(
            rx.hstack(rx.icon("download", size=16), rx.text("Télécharger"), spacing="1"),
            href=_download_href(listing.document_reference),
            aria_label="Télécharger " + listing.kind_label + " " + listing.period_label,
        ),
        justify="between",
        align="center",
        wrap="wrap",
        spacing="2",
        width="100%",
    )


def _yearly() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Récapitulatif annuel (revenus fonciers)", as_="h2", size="4"),
            rx.cond(
                OwnerReportsState.yearly.length() > 0,
                rx.vstack(rx.foreach(OwnerReportsState.yearly, _yearly_item), width="100%"),
                rx.text(
                    "Le récapitulatif de l'année est publié en début d'année suivante.",
                    color=rx.color("gray", 11),
                ),
            ),
            spacing="2",
            width="100%",
        ),
        id="yearly-summaries",
        width="100%",
    )


@space_page(
    route=ROUTE,
    title="Rapport de gestion",
    guard=SessionState.enter_owner_space,
    section=OwnerSection.REPORTS,
    items=OWNER_NAV,
    on_load=OwnerReportsState.load,
)
def owner_reports() -> rx.Component:
    return rx.vstack(
        rx.heading("Rapport de gestion", as_="h1", size="7"),
        rx.cond(
            OwnerReportsState.loaded,
            rx.vstack(
                rx.cond(
                    OwnerReportsState.periods.length() > 0,
                    _report(),
                    rx.callout(NO_REPORT, icon="info", id="no-report"),
                ),
                _charts(),
                _yearly(),
                spacing="4",
                width="100%",
            ),
            rx.spinner(),
        ),
        spacing="4",
        width="100%",
        max_width="1200px",
    )
