"""Benchmark of Quittances de loyers and Facturations (a script that prints figures, not a test).

1. Quittance PDFs rendered per second on one core (this process, one thread; target: >= 100/s),
   with varied tenants, amounts and other sums; then quittances issued end to end (rendered,
   stored in private storage, filed and audited in the database) per second.
2. The data load of both pages for the demo tenant, server-side, as the page's handler asks for
   it (median and slowest of the runs, and the number of SQL queries): at the demo size, and
   with `--scale N` also after adding N-1 times the demo's rent ledger for other tenants, to
   show that neither the time nor the number of queries grows with the database.

    .venv/bin/python benchmarks/bench_receipts.py [--pdfs 500] [--scale 100]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

TODAY = date(2026, 3, 18)
REPEAT = 30
MONTHS = 24


def _prepare_database(folder: Path) -> None:
    os.environ["REFLEX_DB_URL"] = f"sqlite:///{folder / 'bench.db'}"
    os.environ["DOCUMENTS_DIR"] = str(folder / "documents")
    from alembic import command
    from alembic.config import Config

    from extranet_app import db
    from extranet_app.settings import get_settings

    get_settings.cache_clear()
    db.get_engine.cache_clear()
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = os.environ["REFLEX_DB_URL"]
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


# --- 1. PDFs ----------------------------------------------------------------------------------


def _statements(count: int) -> list[tuple[Any, Any, Any]]:
    """Varied quittance data: names, amounts, one or two payments, sometimes another sum."""
    from extranet_app.pdf.receipts import LeaseParties, PaymentLine, PeriodAmounts

    names = ["Chloé Lefèvre", "Jean-Éric Dupré", "Inès Nguyễn", "Hugo Martin", "Zoë Ødegaard"]
    items = []
    for index in range(count):
        start = date(2025, index % 12 + 1, 1)
        other = (("Taxe d'enlèvement des ordures ménagères", 1_200 + index),) if index % 3 else ()
        amounts = PeriodAmounts(start, start + timedelta(days=27), 60_000 + index * 7, 8_500, other)
        first = amounts.total_cents // (1 + index % 2)
        payments = [PaymentLine(start.replace(day=5), first)]
        if first < amounts.total_cents:
            payments.append(PaymentLine(start.replace(day=20), amounts.total_cents - first))
        parties = LeaseParties(
            landlords=(f"M. Philippe Garnier {index % 40}",),
            tenants=(f"Mme {names[index % 5]}", f"M. {names[(index + 2) % 5]}")[: 1 + index % 2],
            premises=f"Appartement A{index % 120}, étage : {index % 6}, 48,5 m²",
            address=f"{index % 90 + 1} rue Vendôme\n69006 Lyon",
            lease_reference=f"BAIL-{index:05d}",
        )
        items.append((parties, amounts, payments))
    return items


def bench_pdfs(count: int) -> None:
    from extranet_app.pdf.base import Letterhead
    from extranet_app.pdf.receipts import Issue, render_rent_receipt

    letterhead = Letterhead(
        name="Agence Démo Immobilier",
        address_lines=("12 rue de la République", "69002 Lyon"),
        phone="04 78 42 17 30",
        email="contact@demo.extranet.fr",
        siret="812 345 678 00021",
        professional_card="CPI 6901 2018 000 012 345",
        professional_card_issuer="CCI Lyon Métropole Saint-Étienne Roanne",
        financial_guarantee="GALIAN Assurances — 120 000 €",
    )
    issue = Issue(letterhead=letterhead, place="Lyon", issued_on=TODAY)
    items = _statements(count)
    parties, amounts, payments = items[0]
    first = time.perf_counter()
    render_rent_receipt(issue=issue, parties=parties, amounts=amounts, payments=payments)
    first = time.perf_counter() - first
    sizes = []
    started, cpu = time.perf_counter(), time.process_time()
    for parties, amounts, payments in items:
        data = render_rent_receipt(issue=issue, parties=parties, amounts=amounts, payments=payments)
        sizes.append(len(data))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"Quittance PDFs: {count} rendered in {seconds:.2f} s = {count / seconds:,.0f}/s "
        f"({count / cpu:,.0f}/s of CPU time; target: >= 100/s on one core); "
        f"{statistics.mean(sizes) / 1024:.0f} KB each; the first one, fonts not yet loaded: "
        f"{first * 1000:.0f} ms"
    )


# --- 2. The demo and more ----------------------------------------------------------------------


def _build_demo() -> None:
    from extranet_app import db
    from extranet_app.demo import build_demo_data

    with db.session_scope() as session:
        summary = build_demo_data(session=session, today=TODAY)
    print(
        f"Demo: {summary.lots} lots, {summary.leases} leases, {summary.rent_calls} rent calls, "
        f"{summary.allocations} allocations"
    )


def _demo_tenant():
    from sqlmodel import select

    from extranet_app import db
    from extranet_app.demo.catalog import TENANT_LOGIN
    from extranet_app.models import Tenant, User
    from extranet_app.services.auth import SessionUser

    with db.session_scope() as session:
        user = session.exec(select(User).where(User.email == TENANT_LOGIN)).one()
        tenant_ids = session.exec(select(Tenant.id).where(Tenant.user_id == user.id)).all()
        return SessionUser(user.id, 0, user.email, "", False, False, tuple(tenant_ids), ())


def _insert(connection: Any, model: Any, rows: list[dict[str, Any]]) -> None:
    from sqlalchemy import insert

    for start in range(0, len(rows), 5_000):
        connection.execute(insert(model), rows[start : start + 5_000])


def _max_ids(session: Any) -> dict[str, int]:
    from sqlalchemy import func
    from sqlmodel import select

    from extranet_app.models import Lease, Lot, Payment, Property, RentCall, Tenant

    models = {"property": Property, "lot": Lot, "tenant": Tenant, "lease": Lease}
    models |= {"rent_call": RentCall, "payment": Payment}
    return {
        name: session.exec(select(func.coalesce(func.max(model.id), 0))).one()
        for name, model in models.items()
    }


def _month(start: date, offset: int) -> date:
    index = start.year * 12 + start.month - 1 + offset
    return date(index // 12, index % 12 + 1, 1)


def _copy_rows(ids: dict[str, int], lots: int, copy: int) -> dict[str, list[dict[str, Any]]]:
    """Another agency's worth of lots, each let to its own tenant since MONTHS ago, every
    period called and paid (one payment, one allocation)."""
    now, start, address = datetime.now(UTC), date(2024, 4, 1), {"postal_code": "69001"}
    rows: dict[str, list[dict[str, Any]]] = {
        "property": [
            {"id": ids["property"] + b + 1, "name": f"Copie {copy}-{b}", "created_at": now}
            | address
            for b in range(lots // 8 + 1)
        ],
        "lot": [],
        "tenant": [],
        "lease": [],
        "lease_tenant": [],
        "rent_call": [],
        "payment": [],
        "allocation": [],
    }
    for n in range(lots):
        lot_id, lease_id, tenant_id = (ids[key] + n + 1 for key in ("lot", "lease", "tenant"))
        rows["lot"].append(
            {"id": lot_id, "property_id": ids["property"] + n // 8 + 1, "reference": f"L{n}"}
            | {"created_at": now}
        )
        rows["tenant"].append({"id": tenant_id, "last_name": f"Copie {n}", "created_at": now})
        rows["lease"].append(
            {"id": lease_id, "lot_id": lot_id, "start_date": start, "rent_cents": 70_000}
            | {"charges_cents": 9_000, "payment_reference": f"C{copy}-{n}", "created_at": now}
        )
        rows["lease_tenant"].append({"lease_id": lease_id, "tenant_id": tenant_id})
        for offset in range(MONTHS):
            _add_paid_period(rows, ids, lease_id, _month(start, offset), now)
    return rows


def _add_paid_period(rows: dict, ids: dict[str, int], lease_id: int, period: date, now) -> None:
    call_id = ids["rent_call"] + len(rows["rent_call"]) + 1
    payment_id = ids["payment"] + len(rows["payment"]) + 1
    due = period.replace(day=5)
    rows["rent_call"].append(
        {"id": call_id, "lease_id": lease_id, "period_start": period, "due_date": due}
        | {"period_end": period + timedelta(days=27), "rent_cents": 70_000}
        | {"charges_cents": 9_000, "total_cents": 79_000, "created_at": now}
    )
    rows["payment"].append(
        {"id": payment_id, "lease_id": lease_id, "paid_on": due, "amount_cents": 79_000}
        | {"created_at": now}
    )
    rows["allocation"].append(
        {"payment_id": payment_id, "rent_call_id": call_id, "amount_cents": 79_000}
    )


def _add_copy(session: Any, lots: int, copy: int) -> None:
    from extranet_app.models import (
        Lease,
        LeaseTenant,
        Lot,
        Payment,
        PaymentAllocation,
        Property,
        RentCall,
        Tenant,
    )

    rows = _copy_rows(_max_ids(session), lots, copy)
    connection = session.connection()
    tables = {"property": Property, "lot": Lot, "tenant": Tenant, "lease": Lease}
    tables |= {"lease_tenant": LeaseTenant, "rent_call": RentCall, "payment": Payment}
    tables |= {"allocation": PaymentAllocation}
    for name, model in tables.items():
        _insert(connection, model, rows[name])
    session.commit()


def _scale_up(scale: int) -> None:
    from sqlalchemy import func
    from sqlmodel import select

    from extranet_app import db
    from extranet_app.models import Lot, RentCall

    started = time.perf_counter()
    with db.session_scope() as session:
        lots = session.exec(select(func.count()).select_from(Lot)).one()
        for copy in range(1, scale):
            _add_copy(session, lots, copy)
        session.exec(select(func.count()).select_from(RentCall)).one()
        total_lots = session.exec(select(func.count()).select_from(Lot)).one()
        total_calls = session.exec(select(func.count()).select_from(RentCall)).one()
    with db.get_engine().connect() as connection:
        connection.exec_driver_sql("ANALYZE")
    print(
        f"Scaled up x{scale}: {total_lots:,} lots, {total_calls:,} rent calls "
        f"(added in {time.perf_counter() - started:.0f} s)"
    )


def _timed(load: Callable[[], Any]) -> tuple[float, float, int]:
    """Median and slowest milliseconds of REPEAT runs, and SQL statements per run."""
    from sqlalchemy import event

    from extranet_app import db

    engine, statements = db.get_engine(), []

    def count(*_args: Any) -> None:
        statements.append(1)

    load()  # warm the caches and the connection
    times = []
    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(REPEAT):
            started = time.perf_counter()
            load()
            times.append((time.perf_counter() - started) * 1000)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return statistics.median(times), max(times), len(statements) // REPEAT


def _page_loads(user: Any) -> dict[str, tuple[float, float, int]]:
    from extranet_app import db
    from extranet_app.services.invoices import invoices_page
    from extranet_app.services.receipts import ReceiptsQuery, receipts_page

    def receipts(query: ReceiptsQuery) -> Callable[[], Any]:
        def load() -> Any:
            with db.session_scope() as session:
                return receipts_page(session=session, user=user, query=query)

        return load

    def invoices(page: int) -> Callable[[], Any]:
        def load() -> Any:
            with db.session_scope() as session:
                return invoices_page(session=session, user=user, page=page)

        return load

    return {
        "Quittances de loyers, page 1": _timed(receipts(ReceiptsQuery())),
        "Quittances de loyers, 2025, page 2": _timed(receipts(ReceiptsQuery(year=2025, page=2))),
        "Facturations, page 1": _timed(invoices(1)),
        "Facturations, page 2": _timed(invoices(2)),
    }


def _print_loads(title: str, loads: dict[str, tuple[float, float, int]]) -> None:
    print(title)
    for name, (median, slowest, queries) in loads.items():
        print(f"  {name:<36} median {median:6.2f} ms, slowest {slowest:6.2f} ms, {queries} queries")


def bench_pages(scale: int) -> None:
    _build_demo()
    user = _demo_tenant()
    demo = _page_loads(user)
    _print_loads("Page data load at the demo size (target: < 50 ms):", demo)
    if scale <= 1:
        return
    _scale_up(scale)
    big = _page_loads(user)
    _print_loads(f"Page data load at {scale} times the demo size:", big)
    for name in demo:
        ratio = big[name][0] / demo[name][0]
        same = "same" if big[name][2] == demo[name][2] else "DIFFERENT"
        print(f"  {name:<36} ratio x{ratio:.2f}, {same} number of queries")


def bench_issue(count: int) -> None:
    """Quittances issued end to end for the demo's fully paid periods (render + store + file)."""
    from sqlmodel import select

    from extranet_app import db
    from extranet_app.models import LeaseTenant, Tenant, User
    from extranet_app.services.auth import SessionUser
    from extranet_app.services.receipts import ReceiptsQuery, issue_receipt, receipts_page

    with db.session_scope() as session:
        rows = session.exec(
            select(User, LeaseTenant.tenant_id)
            .join(Tenant, Tenant.user_id == User.id)
            .join(LeaseTenant, LeaseTenant.tenant_id == Tenant.id)
        ).all()
    work = []
    for user, tenant_id in rows:
        person = SessionUser(user.id, 0, user.email, "", False, False, (tenant_id,), ())
        with db.session_scope() as session:
            page = receipts_page(session=session, user=person, query=ReceiptsQuery())
        work += [
            (person, call_id)
            for row, call_id in zip(page.rows, page.call_ids, strict=True)
            if row.document_label == "Quittance"
        ]
    work = work[:count]
    started = time.perf_counter()
    for person, call_id in work:
        with db.session_scope() as session:
            issue_receipt(session=session, user=person, rent_call_id=call_id, today=TODAY)
    seconds = time.perf_counter() - started
    print(
        f"Quittances issued end to end (rendered, stored, filed, audited): {len(work)} in "
        f"{seconds:.2f} s = {len(work) / seconds:,.0f}/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--pdfs", type=int, default=500)
    parser.add_argument("--scale", type=int, default=1)
    options = parser.parse_args()
    bench_pdfs(options.pdfs)
    with tempfile.TemporaryDirectory() as folder:
        _prepare_database(Path(folder))
        bench_pages(options.scale)
        bench_issue(200)


if __name__ == "__main__":
    main()
