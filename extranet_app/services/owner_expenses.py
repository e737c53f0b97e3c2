"""Dépenses propriétaires: the invoices the agency paid for a lot's owners, listed and recorded.

An expense feeds the Rapport de gestion of the period it falls in. Published reports never
change, so an expense in a published period is flagged (a corrected version will be needed)
and can no longer be deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, exists, func, or_
from sqlmodel import Session, col, select

from extranet_app.models import (
    Lot,
    ManagementReport,
    MandateLot,
    Owner,
    OwnerExpense,
    Ownership,
    Property,
)
from extranet_app.services.audit import record_event
from extranet_app.services.auth import SessionUser, require_staff, require_writable
from extranet_app.services.errors import AccessDenied
from extranet_app.services.formatting import format_date, format_euros
from extranet_app.services.import_values import ValueProblem, parse_date
from extranet_app.services.management_reports import (
    MAX_EXPENSE_CENTS,
    ReportRejected,
    record_owner_expense,
)
from extranet_app.services.paging import ListPage, page_count
from extranet_app.services.rent_ledger import parse_euros
from extranet_app.services.report_periods import period_from_key
from extranet_app.services.security import id_from_reference, opaque_reference

PAGE_SIZE = 25
LOT_CHOICES_LIMIT = 20
SEARCH_MAX_LENGTH = 100
TEXT_MAX_LENGTH = 200
EARLIEST_YEAR = 2000
EXPENSE_KIND = "owner_expense"
LOT_KIND = "expense_lot"
PUBLISHED_NOTICE = "Période publiée : une version corrigée du rapport sera nécessaire"
DELETE_ACTION = "owner_expense.deleted"
_FILLER_WORDS = {"lot", "–", "-", "—"}


class ExpenseRejected(ValueError):
    """What is wrong with an expense, one French message per form field ("form" for the rest)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = dict(errors)


@dataclass(frozen=True)
class ExpenseQuery:
    """The list's filters: building or lot text, a report period key ("2026-03") and/or dates."""

    search: str = ""
    period_key: str = ""
    start: date | None = None
    end: date | None = None
    page: int = 1


@dataclass(frozen=True)
class ExpenseRow:
    """One expense as the agency reads it: words and an opaque reference, no id."""

    reference: str
    lot_label: str
    owners: str
    spent_on: str
    label: str
    supplier: str
    amount: str
    published: bool
    published_notice: str


ExpensePage = ListPage[ExpenseRow]


@dataclass(frozen=True)
class LotChoice:
    """A lot the agency may charge an expense to."""

    reference: str
    label: str
    owners: str


def lot_label(lot: Lot, building: Property) -> str:
    """ "Résidence Garibaldi – lot A12"."""
    return f"{building.name} – lot {lot.reference}"


def _published():
    """Whether a published report of one of the lot's mandates covers the expense's date
    (correlated with the OwnerExpense row of the outer query; indexed through mandate_lot)."""
    return exists(
        select(ManagementReport.id)
        .join(MandateLot, MandateLot.mandate_id == ManagementReport.mandate_id)
        .where(MandateLot.lot_id == OwnerExpense.lot_id)
        .where(ManagementReport.period_start <= OwnerExpense.spent_on)
        .where(ManagementReport.period_end >= OwnerExpense.spent_on)
    )


def _owner_names(session: Session, lot_ids: list[int]) -> dict[int, str]:
    """The owners of each lot, largest share first, as one line of names."""
    if not lot_ids:
        return {}
    rows = session.exec(
        select(Ownership.lot_id, Owner)
        .join(Owner, Owner.id == Ownership.owner_id)
        .where(col(Ownership.lot_id).in_(lot_ids))
        .order_by(Ownership.lot_id, col(Ownership.share_bp).desc(), Owner.sort_name, Owner.id)
    ).all()
    names: dict[int, list[str]] = {}
    for lot_id, owner in rows:
        names.setdefault(lot_id, []).append(owner.full_name)
    return {lot_id: ", ".join(parts) for lot_id, parts in names.items()}


def _search_condition(text: object):
    """Every word of `text` in the building name or the lot reference ("Tilleuls lot A12");
    None when there is nothing to search."""
    words = text[:SEARCH_MAX_LENGTH].split() if isinstance(text, str) else []
    words = [word for word in words if word.casefold() not in _FILLER_WORDS]
    if not words:
        return None
    return and_(
        *[or_(Property.name.ilike(f"%{word}%"), Lot.reference.ilike(f"%{word}%")) for word in words]
    )


def _filters(query: ExpenseQuery) -> list:
    conditions = []
    if (searched := _search_condition(query.search)) is not None:
        conditions.append(searched)
    if period := period_from_key(query.period_key):
        conditions += [OwnerExpense.spent_on >= period.start, OwnerExpense.spent_on <= period.end]
    if isinstance(query.start, date):
        conditions.append(OwnerExpense.spent_on >= query.start)
    if isinstance(query.end, date):
        conditions.append(OwnerExpense.spent_on <= query.end)
    return conditions


def _row(
    expense: OwnerExpense, lot: Lot, building: Property, published: bool, owners
) -> ExpenseRow:
    return ExpenseRow(
        reference=opaque_reference(EXPENSE_KIND, expense.id),
        lot_label=lot_label(lot, building),
        owners=owners.get(lot.id, ""),
        spent_on=format_date(expense.spent_on),
        label=expense.label,
        supplier=expense.supplier,
        amount=format_euros(expense.amount_cents),
        published=bool(published),
        published_notice=PUBLISHED_NOTICE if published else "",
    )


def list_expenses(*, session: Session, actor: SessionUser, query: ExpenseQuery) -> ExpensePage:
    """One page of the owners' expenses, newest first, by building/lot text and dates."""
    require_staff(actor, session=session)
    conditions = _filters(query)
    base = (
        select(OwnerExpense.id)
        .join(Lot, Lot.id == OwnerExpense.lot_id)
        .join(Property, Property.id == Lot.property_id)
        .where(*conditions)
    )
    total = session.exec(select(func.count()).select_from(base.subquery())).one()
    page = query.page if type(query.page) is int and query.page > 0 else 1
    page = min(page, page_count(total, PAGE_SIZE))
    rows = session.exec(
        select(OwnerExpense, Lot, Property, _published())
        .join(Lot, Lot.id == OwnerExpense.lot_id)
        .join(Property, Property.id == Lot.property_id)
        .where(*conditions)
        .order_by(col(OwnerExpense.spent_on).desc(), col(OwnerExpense.id).desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    owners = _owner_names(session, list({lot.id for _, lot, _, _ in rows}))
    return ExpensePage(
        [_row(expense, lot, building, flag, owners) for expense, lot, building, flag in rows],
        total,
        page,
        PAGE_SIZE,
    )


def lot_choices(*, session: Session, actor: SessionUser, search: str) -> list[LotChoice]:
    """Lots whose building name or lot reference contains `search` (20 at most)."""
    require_staff(actor, session=session)
    searched = _search_condition(search)
    if searched is None:
        return []
    rows = session.exec(
        select(Lot, Property)
        .join(Property, Property.id == Lot.property_id)
        .where(searched)
        .order_by(Property.name, Lot.reference, Lot.id)
        .limit(LOT_CHOICES_LIMIT)
    ).all()
    owners = _owner_names(session, [lot.id for lot, _ in rows])
    return [
        LotChoice(
            opaque_reference(LOT_KIND, lot.id), lot_label(lot, building), owners.get(lot.id, "")
        )
        for lot, building in rows
    ]


# --- Recording ----------------------------------------------------------------------------------


def _refuse_forged(session: Session, actor: SessionUser, action: str, what: str) -> None:
    """A reference the server never made: journaled (committed at once), then AccessDenied."""
    record_event(
        session=session,
        action=action,
        actor_user_id=actor.user_id,
        allowed=False,
        detail={"reason": f"référence {what} invalide"},
    )
    session.commit()
    raise AccessDenied("Référence invalide.")


def _lot_error(session: Session, actor: SessionUser, reference: object) -> tuple[int | None, str]:
    if not isinstance(reference, str) or not reference:
        return None, "Choisissez le lot concerné."
    lot_id = id_from_reference(LOT_KIND, reference)
    if lot_id is None:
        _refuse_forged(session, actor, "owner_expense.recorded", "de lot")
    if session.get(Lot, lot_id) is None:
        return None, "Lot introuvable."
    return lot_id, ""


def _date_error(text: object, today: date) -> tuple[date | None, str]:
    if not isinstance(text, str) or not text.strip():
        return None, "Saisissez la date de la dépense (jj/mm/aaaa)."
    try:
        spent_on = parse_date(text.strip())
    except ValueProblem:
        return None, "Date invalide : saisissez-la sous la forme jj/mm/aaaa."
    if spent_on > today:
        return None, "La date ne peut pas être dans le futur."
    if spent_on.year < EARLIEST_YEAR:
        return None, f"Date trop ancienne (avant {EARLIEST_YEAR})."
    return spent_on, ""


def _amount_error(text: object) -> tuple[int | None, str]:
    cents = parse_euros(text)
    if cents is None:
        return None, "Montant invalide : saisissez par exemple 1 234,56."
    if cents <= 0:
        return None, "Le montant doit être supérieur à zéro."
    if cents > MAX_EXPENSE_CENTS:
        return None, "Montant trop élevé."
    return cents, ""


def _text_error(value: object, *, required: bool, what: str) -> tuple[str, str]:
    if not isinstance(value, str):
        return "", f"{what} invalide."
    text = value.strip()
    if required and not text:
        return "", f"{what} est obligatoire."
    if len(text) > TEXT_MAX_LENGTH:
        return "", f"{what} : {TEXT_MAX_LENGTH} caractères au plus."
    return text, ""


def add_expense(
    *,
    session: Session,
    actor: SessionUser,
    lot_reference: object,
    spent_on_text: object,
    label: object,
    supplier: object,
    amount_text: object,
    today: date,
) -> str:
    """Record an expense typed in the agency's form (French date and amount); the French
    confirmation, or ExpenseRejected with one message per wrong field (commits)."""
    require_staff(actor, session=session)
    require_writable(actor, session=session)
    lot_id, lot_problem = _lot_error(session, actor, lot_reference)
    spent_on, date_problem = _date_error(spent_on_text, today)
    label_text, label_problem = _text_error(label, required=True, what="Le libellé")
    supplier_text, supplier_problem = _text_error(supplier, required=False, what="Le fournisseur")
    cents, amount_problem = _amount_error(amount_text)
    problems = {
        "lot": lot_problem,
        "spent_on": date_problem,
        "label": label_problem,
        "supplier": supplier_problem,
        "amount": amount_problem,
    }
    if any(problems.values()):
        raise ExpenseRejected({field: text for field, text in problems.items() if text})
    try:
        expense = record_owner_expense(
            session=session,
            user=actor,
            lot_id=lot_id,
            spent_on=spent_on,
            label=label_text,
            amount_cents=cents,
            supplier=supplier_text,
        )
    except ReportRejected as error:
        raise ExpenseRejected({"form": str(error)}) from None
    message = f"Dépense de {format_euros(cents)} enregistrée."
    if _is_published(session, expense.id):
        message += f" {PUBLISHED_NOTICE}."
    return message


# --- Deleting -----------------------------------------------------------------------------------


def _is_published(session: Session, expense_id: int) -> bool:
    return bool(
        session.exec(select(_published()).where(OwnerExpense.id == expense_id)).one_or_none()
    )


def delete_expense(*, session: Session, actor: SessionUser, reference: object) -> str:
    """Delete an expense no published report covers yet (journaled); the French confirmation.

    Once a report of its period is published the expense is part of an immutable document:
    it stays, and a correction goes through a new expense and a corrected version.
    """
    require_staff(actor, session=session)
    require_writable(actor, session=session)
    expense_id = id_from_reference(EXPENSE_KIND, reference)
    if expense_id is None:
        _refuse_forged(session, actor, DELETE_ACTION, "de dépense")
    expense = session.get(OwnerExpense, expense_id)
    if expense is None:
        raise ExpenseRejected({"form": "Dépense introuvable (déjà supprimée ?)."})
    if _is_published(session, expense_id):
        raise ExpenseRejected(
            {
                "form": "Cette dépense figure dans un rapport de gestion publié : elle ne peut "
                "plus être supprimée."
            }
        )
    detail = {
        "expense_id": expense.id,
        "amount_cents": expense.amount_cents,
        "label": expense.label,
    }
    lot_id, amount = expense.lot_id, expense.amount_cents
    session.delete(expense)
    record_event(
        session=session,
        action=DELETE_ACTION,
        actor_user_id=actor.user_id,
        target_type="lot",
        target_id=lot_id,
        detail=detail,
    )
    session.commit()
    return f"Dépense de {format_euros(amount)} supprimée."
