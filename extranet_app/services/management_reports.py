"""Rapport de gestion: publishing the reports of a period in batches, and the owner's reports.

A published report never changes. Publishing a period again publishes what is missing, leaves
alone every report whose figures are the same, and publishes a new version (naming the one it
replaces) for a report whose figures have changed since: a correction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from extranet_app.email.reports import build_report_published_email
from extranet_app.models import (
    AgencySettings,
    Document,
    DocumentCategory,
    DocumentSource,
    Lot,
    ManagementMandate,
    ManagementReport,
    ManagementReportLine,
    Owner,
    OwnerExpense,
    ReportingPeriod,
    ReportKind,
    User,
)
from extranet_app.models.base import utcnow
from extranet_app.pdf.base import Letterhead, letterhead_from
from extranet_app.pdf.management_report import (
    ReportHeader,
    render_management_report,
    render_yearly_summary,
)
from extranet_app.services.agency import AGENCY_SETTINGS_ID, AgencyIdentity, get_agency_identity
from extranet_app.services.audit import record_event
from extranet_app.services.auth import SessionUser, require_staff, require_writable
from extranet_app.services.outbox import EmailKind, EmailToQueue, queue_emails
from extranet_app.services.report_figures import (
    ReportFigures,
    active_mandates,
    compute_period,
    compute_yearly,
)
from extranet_app.services.report_periods import (
    ReportPeriod,
    period_ending_with,
)
from extranet_app.services.storage import StoredFile, delete_stored, store_bytes
from extranet_app.services.timekeeping import today_in_france
from extranet_app.settings import get_settings

REPORTS_PATH = "/proprietaire/rapports"
EMAIL_KIND = EmailKind.REPORT_PUBLISHED
CHUNK_SIZE = 50  # mandates per transaction: one step of the agency's progress bar
PDF_MIME = "application/pdf"
MAX_EXPENSE_CENTS = 100_000_000


class ReportRejected(ValueError):
    """A request the reports cannot honour; the message is French, for the agency user."""


@dataclass(frozen=True)
class Batch:
    """The mandates to report on for one concrete period (ids stay on the server)."""

    period: ReportPeriod
    mandate_ids: tuple[int, ...]


@dataclass
class PublicationResult:
    """What a publication did: new reports, corrections, reports left as they were."""

    published: int = 0
    corrected: int = 0
    unchanged: int = 0
    notified: int = 0

    def add(self, other: PublicationResult) -> None:
        """Add the counts of `other` to these."""
        self.published += other.published
        self.corrected += other.corrected
        self.unchanged += other.unchanged
        self.notified += other.notified

    @property
    def message(self) -> str:
        """The French summary shown to the agency user."""
        return (
            f"{self.published} rapport(s) publié(s), {self.corrected} corrigé(s) "
            f"(nouvelle version), {self.unchanged} déjà à jour ; "
            f"{self.notified} propriétaire(s) prévenu(s) par e-mail."
        )


Changed = list[tuple[ReportFigures, ManagementReport | None]]  # new figures, previous version


# --- Planning and publishing (agency) ----------------------------------------------------------


def plan_publication(*, session: Session, user: SessionUser, choice: ReportPeriod) -> list[Batch]:
    """What publishing `choice` covers: for a month, the monthly mandates' month and, when it
    closes a quarter, the quarterly mandates' quarter; for a year, every mandate's summary."""
    require_staff(user)
    if choice.end >= today_in_france():
        raise ReportRejected("Cette période n'est pas terminée : son rapport viendra ensuite.")
    if choice.kind == ReportKind.YEARLY:
        return [Batch(choice, _mandate_ids(session, choice, None))]
    batches = []
    for cadence in (ReportingPeriod.MONTHLY, ReportingPeriod.QUARTERLY):
        period = period_ending_with(choice, cadence)
        if period is not None:
            batches.append(Batch(period, _mandate_ids(session, period, cadence)))
    return [batch for batch in batches if batch.mandate_ids]


@dataclass(frozen=True)
class PeriodStatus:
    """How many owners' mandates a choice covers, and how many have their report already."""

    mandates: int
    published: int


def period_status(*, session: Session, user: SessionUser, choice: ReportPeriod) -> PeriodStatus:
    """The agency's view of a period before publishing it (staff only)."""
    batches = plan_publication(session=session, user=user, choice=choice)
    published = 0
    for batch in batches:
        published += session.exec(
            select(func.count(func.distinct(ManagementReport.mandate_id)))
            .where(col(ManagementReport.mandate_id).in_(batch.mandate_ids))
            .where(ManagementReport.kind == batch.period.kind)
            .where(ManagementReport.period_start == batch.period.start)
        ).one()
    return PeriodStatus(sum(len(batch.mandate_ids) for batch in batches), published)


def _mandate_ids(session: Session, period: ReportPeriod, cadence: str | None) -> tuple[int, ...]:
    ids = session.exec(
        select(ManagementMandate.id)
        .where(active_mandates(period, cadence))
        .order_by(ManagementMandate.id)
    ).all()
    return tuple(ids)


def publish_chunk(
    *,
    session: Session,
    user: SessionUser,
    period: ReportPeriod,
    mandate_ids: Sequence[int],
    now: datetime | None = None,
) -> PublicationResult:
    """Publish the reports of `period` for these mandates in one transaction (commits).

    Another publication of the same period committing first makes this one retry once: it then
    finds the reports already there instead of duplicating them.
    """
    require_staff(user)
    require_writable(user, session=session)
    try:
        return _publish_once(session, user, period, list(mandate_ids), now or utcnow())
    except IntegrityError:
        session.rollback()
        return _publish_once(session, user, period, list(mandate_ids), now or utcnow())


def publish(
    *, session: Session, user: SessionUser, choice: ReportPeriod, now: datetime | None = None
) -> PublicationResult:
    """Publish everything `choice` covers, chunk after chunk (for scripts and tests)."""
    total = PublicationResult()
    for batch in plan_publication(session=session, user=user, choice=choice):
        for start in range(0, len(batch.mandate_ids), CHUNK_SIZE):
            chunk = batch.mandate_ids[start : start + CHUNK_SIZE]
            total.add(
                publish_chunk(
                    session=session, user=user, period=batch.period, mandate_ids=chunk, now=now
                )
            )
    return total


def _figures(session: Session, period: ReportPeriod, mandate_ids: list[int]) -> list[ReportFigures]:
    if period.kind == ReportKind.YEARLY:
        return compute_yearly(session=session, mandate_ids=mandate_ids, year=period.start.year)
    return compute_period(session=session, mandate_ids=mandate_ids, period=period)


def _latest_versions(
    session: Session, period: ReportPeriod, mandate_ids: list[int]
) -> dict[int, ManagementReport]:
    reports = session.exec(
        select(ManagementReport)
        .where(col(ManagementReport.mandate_id).in_(mandate_ids))
        .where(ManagementReport.kind == period.kind, ManagementReport.period_start == period.start)
        .order_by(ManagementReport.version)
    ).all()
    return {report.mandate_id: report for report in reports}  # the highest version wins


def _publish_once(
    session: Session,
    user: SessionUser,
    period: ReportPeriod,
    mandate_ids: list[int],
    now: datetime,
) -> PublicationResult:
    stored: list[str] = []
    try:
        result = stage_reports(
            session=session,
            user=user,
            period=period,
            mandate_ids=mandate_ids,
            now=now,
            stored=stored,
        )
        record_event(
            session=session,
            action="management_reports.published",
            actor_user_id=user.user_id,
            target_type="report_period",
            target_id=period.key,
            detail={
                "published": result.published,
                "corrected": result.corrected,
                "unchanged": result.unchanged,
            },
        )
        session.commit()
    except BaseException:
        session.rollback()
        for key in stored:  # files of reports that were never published
            delete_stored(key)
        raise
    return result


def stage_reports(
    *,
    session: Session,
    user: SessionUser,
    period: ReportPeriod,
    mandate_ids: Sequence[int],
    now: datetime,
    notify: bool = True,
    stored: list[str] | None = None,
) -> PublicationResult:
    """Add to the session (without committing) the reports of `period` that are missing or
    whose figures changed; their PDFs are stored at once, their keys appended to `stored`."""
    require_staff(user)
    mandate_ids = list(mandate_ids)
    latest = _latest_versions(session, period, mandate_ids)
    result = PublicationResult()
    changed: Changed = []
    for figures in _figures(session, period, mandate_ids):
        previous = latest.get(figures.mandate_id)
        if previous is not None and previous.fingerprint == figures.fingerprint():
            result.unchanged += 1
        else:
            changed.append((figures, previous))
    if changed:
        _write_reports(session, user, changed, now, [] if stored is None else stored)
        if notify:
            result.notified = _notify_owners(session, user, changed)
    result.corrected = sum(previous is not None for _, previous in changed)
    result.published = len(changed) - result.corrected
    return result


def _letterhead(session: Session) -> Letterhead:
    row = session.get(AgencySettings, AGENCY_SETTINGS_ID)
    if row is not None:
        return letterhead_from(row)
    identity = get_agency_identity(session=session)
    return Letterhead(identity.name, (identity.address,), identity.phone, identity.email)


def _owner_address(owner: Owner) -> str:
    city = f"{owner.postal_code} {owner.city}".strip()
    return "\n".join(part for part in (owner.address_line1, owner.address_line2, city) if part)


def _write_reports(
    session: Session, user: SessionUser, changed: Changed, now: datetime, stored: list[str]
) -> None:
    """Render and store each PDF, then add its Document, report and lines rows."""
    owners = _owners(session, [figures.owner_id for figures, _ in changed])
    letterhead = _letterhead(session)
    documents, reports = [], []
    for figures, previous in changed:
        owner = owners[figures.owner_id]
        version = previous.version + 1 if previous else 1
        header = ReportHeader(
            owner_name=owner.full_name,
            owner_address=_owner_address(owner),
            published_on=now.date(),
            version=version,
            replaced_published_on=previous.published_at.date() if previous else None,
        )
        render = (
            render_yearly_summary
            if figures.period.kind == ReportKind.YEARLY
            else render_management_report
        )
        data = render(letterhead=letterhead, figures=figures, header=header)
        file = store_bytes(data=data, extension="pdf")
        stored.append(file.storage_key)
        documents.append(_document_row(figures, version, file, user, now))
        reports.append(_report_row(figures, version, previous, user, now))
    session.add_all(documents)
    session.flush()
    for report, document in zip(reports, documents, strict=True):
        report.document_id = document.id
    session.add_all(reports)
    session.flush()
    _insert_lines(session, reports, [figures for figures, _ in changed])


def _owners(session: Session, owner_ids: list[int]) -> dict[int, Owner]:
    rows = session.exec(select(Owner).where(col(Owner.id).in_(owner_ids))).all()
    return {owner.id: owner for owner in rows}


def document_title(period: ReportPeriod, version: int) -> str:
    """The title of a report in the Porte-documents."""
    base = (
        f"Récapitulatif annuel {period.start.year}"
        if period.kind == ReportKind.YEARLY
        else f"Rapport de gestion — {period.label}"
    )
    return base if version == 1 else f"{base} (version {version})"


def _filename(period: ReportPeriod, version: int) -> str:
    stem = (
        f"recapitulatif-annuel-{period.key}"
        if period.kind == ReportKind.YEARLY
        else f"rapport-gestion-{period.key}"
    )
    return f"{stem}.pdf" if version == 1 else f"{stem}-v{version}.pdf"


def _document_row(
    figures: ReportFigures, version: int, file: StoredFile, user: SessionUser, now: datetime
) -> Document:
    return Document(
        owner_id=figures.owner_id,
        category=DocumentCategory.MANAGEMENT_REPORT,
        source=DocumentSource.GENERATED,
        title=document_title(figures.period, version),
        visible_to_owners=True,
        visible_to_tenants=False,
        storage_key=file.storage_key,
        original_filename=_filename(figures.period, version),
        mime_type=PDF_MIME,
        size_bytes=file.size_bytes,
        sha256=file.sha256,
        uploaded_by_id=user.user_id,
        created_at=now,
    )


def _report_row(
    figures: ReportFigures,
    version: int,
    previous: ManagementReport | None,
    user: SessionUser,
    now: datetime,
) -> ManagementReport:
    totals = figures.totals
    return ManagementReport(
        owner_id=figures.owner_id,
        mandate_id=figures.mandate_id,
        kind=figures.period.kind,
        period_start=figures.period.start,
        period_end=figures.period.end,
        version=version,
        replaces_id=previous.id if previous else None,
        document_id=0,
        published_at=now,
        published_by_id=user.user_id,
        fee_rate_bp=figures.fee_rate_bp,
        vat_rate_bp=figures.vat_rate_bp,
        rents_called_cents=totals.rents_called,
        charges_called_cents=totals.charges_called,
        received_cents=totals.received,
        rents_received_cents=totals.rents_received,
        arrears_cents=totals.arrears,
        expenses_cents=totals.expenses,
        fees_cents=totals.fees,
        fees_vat_cents=totals.fees_vat,
        net_cents=totals.net,
        transfer_date=figures.period.transfer_date() if totals.net > 0 else None,
        fingerprint=figures.fingerprint(),
    )


def _insert_lines(
    session: Session, reports: list[ManagementReport], all_figures: list[ReportFigures]
) -> None:
    rows = [
        {
            "report_id": report.id,
            "lot_id": line.lot_id,
            "position": position,
            "lot_label": line.lot_label[:300],
            "share_bp": line.share_bp,
            "rents_called_cents": line.rents_called,
            "charges_called_cents": line.charges_called,
            "received_cents": line.received,
            "rents_received_cents": line.rents_received,
            "arrears_cents": line.arrears,
            "expenses_cents": line.expenses,
            "fees_cents": line.fees,
            "fees_vat_cents": line.fees_vat,
            "net_cents": line.net,
        }
        for report, figures in zip(reports, all_figures, strict=True)
        for position, line in enumerate(figures.lines)
    ]
    if rows:
        session.connection().execute(insert(ManagementReportLine), rows)


def _notify_owners(session: Session, user: SessionUser, changed: Changed) -> int:
    """One e-mail per owner with a live login who wants notifications, through the outbox."""
    owner_ids = {figures.owner_id for figures, _ in changed}
    rows = session.exec(
        select(Owner.id, User)
        .join(User, User.id == Owner.user_id)
        .where(col(Owner.id).in_(owner_ids))
        .where(col(User.is_active).is_(True), col(User.email_notifications).is_(True))
        .where(col(User.activated_at).is_not(None))
    ).all()
    users = dict(rows)
    agency = get_agency_identity(session=session)
    url = get_settings().public_url.rstrip("/") + REPORTS_PATH
    emails, seen = [], set()
    for figures, previous in changed:
        person = users.get(figures.owner_id)
        if person is None or (person.id, figures.period.key) in seen:
            continue
        seen.add((person.id, figures.period.key))
        emails.append(_email(agency, person, figures, previous is not None, url, user))
    return queue_emails(session=session, emails=emails)


def _email(
    agency: AgencyIdentity,
    person: User,
    figures: ReportFigures,
    corrected: bool,
    url: str,
    user: SessionUser,
) -> EmailToQueue:
    message = build_report_published_email(
        agency=agency,
        to_name=person.display_name,
        period_label=figures.period.label,
        reports_url=url,
        is_correction=corrected,
        is_yearly=figures.period.kind == ReportKind.YEARLY,
    )
    return EmailToQueue(
        kind=EMAIL_KIND,
        to_address=person.email,
        to_name=person.display_name,
        message=message,
        user_id=person.id,
        created_by_id=user.user_id,
        # Publishing is the agency's review: the notice goes out with the next sending round.
        send_without_review=True,
    )


def record_owner_expense(
    *,
    session: Session,
    user: SessionUser,
    lot_id: int,
    spent_on: date,
    label: str,
    amount_cents: int,
    supplier: str = "",
    invoice_document_id: int | None = None,
) -> OwnerExpense:
    """Record an invoice the agency paid for a lot's owners (staff only; commits)."""
    require_staff(user)
    require_writable(user, session=session)
    if not isinstance(amount_cents, int) or not 0 < amount_cents <= MAX_EXPENSE_CENTS:
        raise ReportRejected("Montant de dépense invalide.")
    if not isinstance(label, str) or not label.strip() or len(label) > 200:
        raise ReportRejected("Le libellé de la dépense est obligatoire (200 caractères au plus).")
    if session.get(Lot, lot_id) is None:
        raise ReportRejected("Lot introuvable.")
    expense = OwnerExpense(
        lot_id=lot_id,
        spent_on=spent_on,
        label=label.strip(),
        supplier=supplier.strip()[:200],
        amount_cents=amount_cents,
        invoice_document_id=invoice_document_id,
        created_by_id=user.user_id,
    )
    session.add(expense)
    session.flush()
    record_event(
        session=session,
        action="owner_expense.recorded",
        actor_user_id=user.user_id,
        target_type="lot",
        target_id=lot_id,
        detail={"expense_id": expense.id, "amount_cents": amount_cents},
    )
    session.commit()
    return expense
