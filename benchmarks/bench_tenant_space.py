"""Benchmark of the tenant space (a script that prints figures, not a test).

Builds two agencies in temporary SQLite databases, the demo's size (120 lots, 2 years of
ledger) and 100 times it (12 000 lots, 200 months each: 2.4 million rent calls), then times,
server-side, the data load of every section of /locataire for a typical tenant (a co-tenant
with the whole history) and counts its SQL queries. Targets: under 50 ms at both sizes, and
the same number of queries at both sizes (no query per row).

    .venv/bin/python benchmarks/bench_tenant_space.py [--small-only]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from benchmarks.scale_data import ScaledAgency, build_agency, demo_size, hundred_times  # noqa: E402

REPEAT = 9
TARGET_MS = 50.0


@dataclass(frozen=True)
class Measure:
    """One section's figures at one size."""

    median_ms: float
    worst_ms: float
    queries: int


def _sections() -> dict[str, Callable[[Any, Any, Any], object]]:
    """Each section's data load, as its page calls it: (session, user, today) -> data."""
    from extranet_app.services import (
        dashboards,
        document_requests,
        documents,
        invoices,
        messaging,
        news,
        receipts,
        rent_ledger,
    )
    from extranet_app.services.auth import Space

    tenant = Space.TENANT
    return {
        "Tableau de bord": lambda s, u, t: dashboards.tenant_dashboard(session=s, user=u, today=t),
        "Loyers impayés": lambda s, u, t: rent_ledger.unpaid_periods(session=s, user=u, today=t),
        "Quittances de loyers": lambda s, u, t: receipts.receipts_page(
            session=s, user=u, query=receipts.ReceiptsQuery()
        ),
        "Facturations": lambda s, u, t: invoices.invoices_page(session=s, user=u),
        "Porte-documents": lambda s, u, t: documents.list_documents(
            session=s, user=u, space=tenant, today=t
        ),
        "Documents à fournir": lambda s, u, t: document_requests.list_requests(
            session=s, user=u, space=tenant, today=t
        ),
        "Documents envoyés": lambda s, u, t: document_requests.list_sent_documents(
            session=s, user=u, space=tenant, today=t
        ),
        "Messagerie": lambda s, u, t: messaging.list_person_threads(
            session=s, user=u, space=tenant
        ),
        "Actualités": lambda s, u, t: news.list_news(session=s, user=u, space=tenant),
    }


def _session_user(user_id: int):
    from extranet_app import db
    from extranet_app.models import User
    from extranet_app.services import auth

    with db.session_scope() as session:
        return auth._session_user(session=session, user=session.get(User, user_id), session_id=0)


def _measure(load: Callable[[Any, Any, Any], object], agency: ScaledAgency) -> Measure:
    from sqlalchemy import event

    from extranet_app import db

    user = _session_user(agency.tenant_user_id)
    counted = [0]

    def count(*_args: object) -> None:
        counted[0] += 1

    engine = db.get_engine()
    timings = []
    for run in range(REPEAT + 1):
        with db.session_scope() as session:
            if run == REPEAT:
                event.listen(engine, "before_cursor_execute", count)
            started = time.perf_counter()
            load(session, user, agency.today)
            elapsed = (time.perf_counter() - started) * 1000
            if run == REPEAT:
                event.remove(engine, "before_cursor_execute", count)
            elif run > 0:  # the first run warms the caches
                timings.append(elapsed)
    return Measure(statistics.median(timings), max(timings), counted[0])


def _run_size(scale_factory, folder: Path) -> dict[str, Measure]:
    agency = build_agency(folder, scale_factory())
    return {name: _measure(load, agency) for name, load in _sections().items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small-only", action="store_true", help="only the demo size")
    args = parser.parse_args()
    results: dict[str, dict[str, Measure]] = {}
    with tempfile.TemporaryDirectory() as small, tempfile.TemporaryDirectory() as large:
        print("Taille démo :")
        results["demo"] = _run_size(demo_size, Path(small))
        if not args.small_only:
            print("100 × la démo :")
            results["x100"] = _run_size(hundred_times, Path(large))
    _report(results)
    return 0


def _report(results: dict[str, dict[str, Measure]]) -> None:
    print()
    print(f"{'Rubrique':<22} {'démo ms':>9} {'req.':>5} {'×100 ms':>9} {'req.':>5} {'ratio':>6}")
    failed = False
    for name, small in results["demo"].items():
        large = results.get("x100", {}).get(name)
        line = f"{name:<22} {small.median_ms:>9.2f} {small.queries:>5}"
        if large:
            ratio = large.median_ms / small.median_ms if small.median_ms else float("nan")
            line += f" {large.median_ms:>9.2f} {large.queries:>5} {ratio:>6.1f}"
            failed |= large.median_ms > TARGET_MS or large.queries != small.queries
        failed |= small.median_ms > TARGET_MS
        print(line)
    print()
    print(f"Cible : < {TARGET_MS:.0f} ms (médiane de {REPEAT} chargements) et autant de requêtes")
    print("SQL aux deux tailles. " + ("ÉCHEC" if failed else "Atteinte."))


if __name__ == "__main__":
    raise SystemExit(main())
