"""Rapport de gestion of the demo owner: expenses paid for them, and the reports of the past
months (one of them corrected by a second version), plus last year's yearly summary.

Uses no random numbers, so that adding this step changes nothing else in the demo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from extranet_app.demo.documents import DocumentSpec, store_document
from extranet_app.demo.world import DemoWorld, LotPlan
from extranet_app.models import DocumentCategory, OwnerExpense
from extranet_app.pdf import letterhead_from, render_simple_document
from extranet_app.services.auth import SessionUser
from extranet_app.services.formatting import format_date, format_euros
from extranet_app.services.management_reports import stage_reports
from extranet_app.services.report_periods import (
    ReportPeriod,
    month_period,
    period_ending_with,
    year_period,
)

REPORTED_MONTHS = 6  # the finished months whose reports are published
PUBLISHED_AFTER = timedelta(days=5)  # the agency publishes a period's report five days after it
CORRECTED_AFTER = timedelta(days=20)  # a late invoice makes a second version of the oldest one


@dataclass(frozen=True)
class ExpenseSpec:
    """An invoice paid for the demo owner: which lot, how many days before today, how much."""

    lot_key: str
    days_ago: int
    label: str
    supplier: str
    amount_cents: int
    with_invoice: bool = True


EXPENSES = (
    ExpenseSpec(
        "owner_let_flat", 75, "Remplacement du chauffe-eau", "Plomberie Saint-Jean", 68_900
    ),
    ExpenseSpec(
        "owner_vacant_flat", 40, "Remise en peinture avant relocation", "Déco Rhône", 124_000
    ),
    ExpenseSpec(
        "tenant_flat", 120, "Assurance propriétaire non occupant", "MAAF Pro", 18_600, False
    ),
)


def create_reports(world: DemoWorld) -> None:
    """Expenses on the demo owner's lots, their published reports and last year's summary."""
    mandate = world.mandates[0]  # the demo owner's (one mandate per owner, in the same order)
    staff = _staff(world)
    for spec in EXPENSES:
        _add_expense(world, spec)
    world.session.flush()
    periods = _reported_periods(world, mandate.reporting_period)
    for period in periods:
        _publish(world, staff, mandate.id, period, min(period.end + PUBLISHED_AFTER, world.today))
    if periods:
        _correct_oldest(world, staff, mandate.id, periods[0])
    last_year = year_period(world.today.year - 1)
    _publish(world, staff, mandate.id, last_year, min(date(world.today.year, 1, 20), world.today))


def _staff(world: DemoWorld) -> SessionUser:
    admin = world.admin
    return SessionUser(admin.id, 0, admin.email, admin.display_name, True, True, (), ())


def _lot(world: DemoWorld, key: str) -> LotPlan:
    return world.special_lots[key]


def _add_expense(world: DemoWorld, spec: ExpenseSpec, *, spent_on: date | None = None) -> None:
    plan = _lot(world, spec.lot_key)
    day = spent_on or world.today - timedelta(days=spec.days_ago)
    invoice_id = _invoice(world, plan, spec, day) if spec.with_invoice else None
    world.session.add(
        OwnerExpense(
            lot_id=plan.lot.id,
            spent_on=day,
            label=spec.label,
            supplier=spec.supplier,
            amount_cents=spec.amount_cents,
            invoice_document_id=invoice_id,
            created_by_id=world.admin.id,
            created_at=world.at(day, hour=11),
        )
    )


def _invoice(world: DemoWorld, plan: LotPlan, spec: ExpenseSpec, day: date) -> int:
    """The supplier's invoice, filed with the lot (visible to its owners, never to tenants)."""
    number = f"F{day:%Y%m%d}-{plan.lot.id:03d}"
    text = [
        f"Facture n° {number} du {format_date(day)} — {spec.supplier}.",
        f"Objet : {spec.label.lower()}, {plan.building.name}, lot {plan.lot.reference}.",
        f"Montant TTC : {format_euros(spec.amount_cents)}, réglé par l'agence pour le compte "
        "du propriétaire.",
    ]
    letterhead = letterhead_from(world.agency)
    document = store_document(
        world,
        DocumentSpec(
            render=lambda: render_simple_document(
                letterhead=letterhead, title=f"Facture {spec.supplier}", paragraphs=text
            ),
            title=f"Facture — {spec.label}",
            filename=f"facture-{number}.pdf",
            category=DocumentCategory.INVOICE,
            created_at=world.at(day, hour=10),
            links={"lot_id": plan.lot.id},
            visible_to_tenants=False,
        ),
    )
    world.session.add(document)
    world.session.flush()
    return document.id


def _reported_periods(world: DemoWorld, cadence: str) -> list[ReportPeriod]:
    """The periods of the mandate's cadence that end in the last finished months, oldest first."""
    periods = []
    month = world.today.replace(day=1)
    for _ in range(REPORTED_MONTHS):
        month = (month - timedelta(days=1)).replace(day=1)
        period = period_ending_with(month_period(month.year, month.month), cadence)
        if period is not None:
            periods.append(period)
    return sorted(periods, key=lambda period: period.start)


def _publish(world: DemoWorld, staff: SessionUser, mandate_id: int, period, day: date) -> None:
    stage_reports(
        session=world.session,
        user=staff,
        period=period,
        mandate_ids=[mandate_id],
        now=world.at(day, hour=9),
        notify=False,  # past publications: their e-mails would be old news
    )
    world.session.flush()


def _correct_oldest(world, staff: SessionUser, mandate_id: int, period: ReportPeriod) -> None:
    """A repair invoice of the period arrives late: the period's report gets a version 2."""
    late = ExpenseSpec(
        "tenant_parking", 0, "Réparation de la porte du parking", "Serrurerie Lumière", 9_500
    )
    _add_expense(world, late, spent_on=period.end - timedelta(days=3))
    world.session.flush()
    day = min(period.end + CORRECTED_AFTER, world.today)
    _publish(world, staff, mandate_id, period, day)
