"""The owner's Rapport de gestion: their published reports, as listed and read on screen.

Every query filters by the session user's own owner profiles: an owner never reaches another
owner's report, even by guessing its id (the refusal is written to the journal).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from extranet_app.models import (
    ManagementMandate,
    ManagementReport,
    ManagementReportLine,
    ReportingPeriod,
    ReportKind,
)
from extranet_app.services.audit import record_event
from extranet_app.services.auth import SessionUser
from extranet_app.services.documents import document_reference
from extranet_app.services.formatting import format_date, format_euros, format_rate_bp
from extranet_app.services.report_periods import TRANSFER_DAY, ReportPeriod, year_period

KIND_LABELS = {ReportKind.PERIOD: "Rapport de gestion", ReportKind.YEARLY: "Récapitulatif annuel"}
# Made once: building an alias costs more than the owner's whole query at the demo's size.
_NEWER = aliased(ManagementReport, name="newer_report")
_REPLACED = aliased(ManagementReport, name="replaced_report")


@dataclass(frozen=True)
class ReportListing:
    """A report as the owner's list shows it: no database id, the PDF by opaque reference."""

    period_label: str
    kind_label: str
    is_yearly: bool
    published_on: str
    version_note: str
    net: str
    document_reference: str


@dataclass(frozen=True)
class OwnerReport:
    """A listed report: the id stays on the server, the listing goes to the page."""

    report_id: int
    listing: ReportListing


@dataclass(frozen=True)
class LineView:
    """One line (a lot, or the totals) of a report on screen, amounts formatted."""

    lot_label: str
    share: str
    rents_called: str
    charges_called: str
    received: str
    arrears: str
    expenses: str
    fees: str
    fees_vat: str
    net: str


@dataclass(frozen=True)
class ReportDetail:
    """A published report as the owner reads it on screen."""

    title: str
    period_dates: str
    mandate_number: str
    version_note: str
    lines: list[LineView]
    totals: LineView
    fee_terms: str
    transfer_note: str
    document_reference: str
    is_yearly: bool


def _period_of(report: ManagementReport) -> ReportPeriod:
    if report.kind == ReportKind.YEARLY:
        return year_period(report.period_start.year)
    quarterly = report.period_start.month != report.period_end.month
    cadence = ReportingPeriod.QUARTERLY if quarterly else ReportingPeriod.MONTHLY
    return ReportPeriod(report.period_start, report.period_end, cadence)


def _version_note(report: ManagementReport, replaced_at: datetime | None) -> str:
    if report.version == 1:
        return ""
    when = f" publiée le {format_date(replaced_at.date())}" if replaced_at else ""
    return f"Version {report.version} : corrige la version {report.version - 1}{when}."


def list_owner_reports(*, session: Session, user: SessionUser) -> list[OwnerReport]:
    """The latest version of each of the user's own reports, newest period first."""
    if not user.owner_ids:
        return []
    newer, replaced = _NEWER, _REPLACED
    rows = session.exec(
        select(ManagementReport, replaced.published_at)
        .outerjoin(newer, newer.replaces_id == ManagementReport.id)
        .outerjoin(replaced, replaced.id == ManagementReport.replaces_id)
        .where(col(ManagementReport.owner_id).in_(user.owner_ids))
        .where(newer.id.is_(None))
        .order_by(
            col(ManagementReport.period_end).desc(),
            ManagementReport.kind,
            ManagementReport.mandate_id,
        )
    ).all()
    return [OwnerReport(report.id, _listing(report, replaced_at)) for report, replaced_at in rows]


def _listing(report: ManagementReport, replaced_at: datetime | None) -> ReportListing:
    period = _period_of(report)
    return ReportListing(
        period_label=period.label,
        kind_label=KIND_LABELS.get(ReportKind(report.kind), "Rapport de gestion"),
        is_yearly=report.kind == ReportKind.YEARLY,
        published_on=format_date(report.published_at.date()),
        version_note=_version_note(report, replaced_at),
        net=format_euros(report.net_cents),
        document_reference=document_reference(report.document_id),
    )


def report_detail(
    *, session: Session, user: SessionUser, report_id: int, ip: str = ""
) -> ReportDetail | None:
    """One of the user's own reports with its lines; None (and a refused access in the journal)
    for anything else."""
    replaced = _REPLACED
    row = session.exec(
        select(ManagementReport, ManagementMandate.number, replaced.published_at)
        .join(ManagementMandate, ManagementMandate.id == ManagementReport.mandate_id)
        .outerjoin(replaced, replaced.id == ManagementReport.replaces_id)
        .where(ManagementReport.id == report_id)
        .where(col(ManagementReport.owner_id).in_(user.owner_ids or (-1,)))
    ).first()
    if row is None:
        record_event(
            session=session,
            action="management_report.view",
            actor_user_id=user.previewed_by_user_id or user.user_id,
            target_type="management_report",
            target_id=report_id,
            allowed=False,
            ip=ip,
        )
        session.commit()
        return None
    report, number, replaced_at = row
    lines = session.exec(
        select(ManagementReportLine)
        .where(ManagementReportLine.report_id == report.id)
        .order_by(ManagementReportLine.position)
    ).all()
    return _detail(report, number, replaced_at, lines)


def _line_view(label: str, share: str, item) -> LineView:
    return LineView(
        lot_label=label,
        share=share,
        rents_called=format_euros(item.rents_called_cents),
        charges_called=format_euros(item.charges_called_cents),
        received=format_euros(item.received_cents),
        arrears=format_euros(item.arrears_cents),
        expenses=format_euros(item.expenses_cents),
        fees=format_euros(item.fees_cents),
        fees_vat=format_euros(item.fees_vat_cents),
        net=format_euros(item.net_cents),
    )


def _detail(
    report: ManagementReport,
    number: str,
    replaced_at: datetime | None,
    lines: Sequence[ManagementReportLine],
) -> ReportDetail:
    period = _period_of(report)
    kind = KIND_LABELS.get(ReportKind(report.kind), "Rapport de gestion")
    return ReportDetail(
        title=f"{kind} — {period.label}",
        period_dates=period.dates,
        mandate_number=number,
        version_note=_version_note(report, replaced_at),
        lines=[
            _line_view(line.lot_label, f"{line.share_bp / 100:g} %".replace(".", ","), line)
            for line in lines
        ],
        totals=_line_view("Total", "", report),
        fee_terms=(
            f"Honoraires : {format_rate_bp(report.fee_rate_bp)} HT des loyers encaissés, "
            f"TVA {format_rate_bp(report.vat_rate_bp)}."
        ),
        transfer_note=transfer_note(report.net_cents, report.transfer_date, period),
        document_reference=document_reference(report.document_id),
        is_yearly=report.kind == ReportKind.YEARLY,
    )


def transfer_note(net_cents: int, transfer_date: date | None, period: ReportPeriod) -> str:
    """The sentence about the net amount's transfer, as the PDF prints it."""
    if period.kind == ReportKind.YEARLY:
        return "Les virements de l'année figurent dans les rapports de chaque période."
    if net_cents > 0 and transfer_date is not None:
        return (
            f"Net de {format_euros(net_cents)} viré le {format_date(transfer_date)} "
            f"(le {TRANSFER_DAY} du mois qui suit la période)."
        )
    if net_cents < 0:
        return f"Solde en faveur de l'agence : {format_euros(-net_cents)}, aucun virement."
    return "Aucun solde à virer pour cette période."
