"""The charts of the owner's Rapport de gestion: rents collected per month, and occupancy."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from babel.dates import format_date as babel_format_date
from sqlalchemy import Select
from sqlmodel import Session, col, select

from extranet_app.models import Lease, Ownership
from extranet_app.services.auth import SessionUser
from extranet_app.services.formatting import LOCALE
from extranet_app.services.report_figures import Amounts, load_ledger_facts, load_shares, owner_part
from extranet_app.services.report_periods import month_after

CHART_MONTHS = 24


@dataclass(frozen=True)
class MonthPoint:
    """One month of the charts: euros called and collected (owner's part), lots let."""

    month: date
    called_cents: int
    collected_cents: int
    let_lots: int
    lots: int

    @property
    def occupancy_percent(self) -> int:
        """The share of the owner's lots let during the month, in whole percent."""
        return round(100 * self.let_lots / self.lots) if self.lots else 0


def chart_months(today: date, count: int = CHART_MONTHS) -> list[date]:
    """The first days of the last `count` months, the current month last."""
    index = today.year * 12 + today.month - 1
    return [date(i // 12, i % 12 + 1, 1) for i in range(index - count + 1, index + 1)]


def _owned_lots(user: SessionUser) -> Select:
    return select(Ownership.lot_id).where(col(Ownership.owner_id).in_(user.owner_ids))


def owner_months(
    *, session: Session, user: SessionUser, today: date, count: int = CHART_MONTHS
) -> list[MonthPoint]:
    """The user's own lots month by month: called and collected (their share), occupancy."""
    months = chart_months(today, count)
    if not user.owner_ids:
        return [MonthPoint(month, 0, 0, 0, 0) for month in months]
    lots = _owned_lots(user)
    facts = load_ledger_facts(
        session=session, lot_ids=lots, start=months[0], end=today, with_arrears=False
    )
    shares = load_shares(session=session, lot_ids=lots)
    money = _owner_money(facts.months, shares, set(user.owner_ids))
    let_by_month = _let_lots(session, lots, months)
    return [
        MonthPoint(
            month=month,
            called_cents=money[month].rents_called + money[month].charges_called,
            collected_cents=money[month].received,
            let_lots=let_by_month.get(month, 0),
            lots=len(shares),
        )
        for month in months
    ]


def _owner_money(lot_months, shares, owner_ids: set[int]) -> dict[date, Amounts]:
    money: dict[date, Amounts] = defaultdict(Amounts)
    for lot_id, by_month in lot_months.items():
        for month, amounts in by_month.items():
            for owner_id in owner_ids:
                money[month].add(owner_part(amounts, owner_id, shares.get(lot_id, [])))
    return money


def _let_lots(session: Session, lots: Select, months: list[date]) -> dict[date, int]:
    leases = session.exec(
        select(Lease.lot_id, Lease.start_date, Lease.end_date).where(col(Lease.lot_id).in_(lots))
    ).all()
    let: dict[date, set[int]] = defaultdict(set)
    for month in months:
        month_end = month_after(month)
        for lot_id, start, end in leases:
            if start < month_end and (end is None or end >= month):
                let[month].add(lot_id)
    return {month: len(lot_ids) for month, lot_ids in let.items()}


def short_month(month: date) -> str:
    """A month as a chart axis shows it: "mars 26"."""
    return babel_format_date(month, "MMM yy", locale=LOCALE).replace(".", "")
