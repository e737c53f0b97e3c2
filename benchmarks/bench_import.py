"""Benchmark of the Import (a script that prints figures, not a test).

Builds, in a temporary SQLite database, an agency with 4 200 leases (some with payments not
settled yet), writes a 50 000-row rent-call file as French Excel does (';', Windows-1252,
decimal comma, dd/mm/yyyy), then times its import through the service the page and the command
line use: the whole file checked, then written in one transaction (target: < 30 s, peak memory
< 500 MB). While it runs, another "user" writes a row every 50 ms: the longest wait shows how
long the import held SQLite's write lock. Then the same file again (nothing changes).

    .venv/bin/python benchmarks/bench_import.py [--rows 50000] [--leases 4200]
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import resource
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

BUILDINGS = 100


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


def _insert(connection: Any, model: Any, rows: list[dict[str, Any]]) -> None:
    from sqlalchemy import insert

    for start in range(0, len(rows), 5_000):
        connection.execute(insert(model), rows[start : start + 5_000])


def _seed(leases: int) -> None:
    """Buildings, lots, tenants, leases, and a payment waiting on one lease in ten."""
    from extranet_app import db
    from extranet_app.models import Lease, LeaseTenant, Lot, Payment, Property, Tenant

    now = datetime.now(UTC)
    with db.session_scope() as session:
        connection = session.connection()
        _insert(
            connection,
            Property,
            [
                {"name": f"Résidence {i}", "external_ref": f"IMM-{i}", "created_at": now}
                for i in range(BUILDINGS)
            ],
        )
        _insert(
            connection,
            Lot,
            [
                {
                    "property_id": i % BUILDINGS + 1,
                    "reference": f"A{i}",
                    "external_ref": f"LOT-{i}",
                    "created_at": now,
                }
                for i in range(leases)
            ],
        )
        _insert(
            connection,
            Tenant,
            [
                {"last_name": f"Locataire {i}", "external_ref": f"LOC-{i}", "created_at": now}
                for i in range(leases)
            ],
        )
        _insert(
            connection,
            Lease,
            [
                {
                    "lot_id": i + 1,
                    "external_ref": f"BAIL-{i}",
                    "start_date": date(2020, 1, 1),
                    "rent_cents": 65_000,
                    "charges_cents": 8_000,
                    "created_at": now,
                }
                for i in range(leases)
            ],
        )
        _insert(
            connection,
            LeaseTenant,
            [{"lease_id": i + 1, "tenant_id": i + 1} for i in range(leases)],
        )
        _insert(
            connection,
            Payment,
            [
                {
                    "lease_id": i + 1,
                    "paid_on": date(2024, 1, 10),
                    "amount_cents": 100_000,
                    "created_at": now,
                }
                for i in range(0, leases, 10)
            ],
        )
        session.commit()


def _rent_call_file(rows: int, leases: int) -> bytes:
    """rows rent calls, month after month on each lease in turn, as French Excel writes them."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            "Référence",
            "Bail",
            "Type",
            "Début de période",
            "Fin de période",
            "Date d'échéance",
            "Loyer",
            "Charges",
        ]
    )
    for index in range(rows):
        lease, month = index % leases, index // leases
        year, month = 2024 + month // 12, month % 12 + 1
        writer.writerow(
            [
                f"ÉCH-{index:06d}",
                f"BAIL-{lease}",
                "Loyer",
                f"01/{month:02d}/{year}",
                f"28/{month:02d}/{year}",
                f"05/{month:02d}/{year}",
                "650,00",
                "80,00",
            ]
        )
    return buffer.getvalue().encode("cp1252")


class _OtherUser(threading.Thread):
    """Someone else working meanwhile: a small write every 50 ms; keeps the longest wait."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.longest = 0.0
        self.writes = 0
        self.failures = 0

    def run(self) -> None:
        from extranet_app import db
        from extranet_app.services.audit import record_event

        while not self.stop.is_set():
            started = time.perf_counter()
            try:
                with db.session_scope() as session:
                    record_event(session=session, action="bench.other_user")
                    session.commit()
                self.writes += 1
            except Exception:
                self.failures += 1
            self.longest = max(self.longest, time.perf_counter() - started)
            time.sleep(0.05)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _import(data: bytes) -> tuple[Any, float, float]:
    """Import the file; returns the report, the total time and the time of the write step."""
    from extranet_app import db
    from extranet_app.services.data_import import import_file_as_system
    from extranet_app.services.data_kinds import DataKind

    marks: dict[str, float] = {}

    def progress(fraction: float) -> None:
        if fraction >= 0.9 and "checked" not in marks:
            marks["checked"] = time.perf_counter()

    started = time.perf_counter()
    with db.session_scope() as session:
        report = import_file_as_system(
            session=session, kind=DataKind.RENT_CALLS, data=data, dry_run=False, progress=progress
        )
    ended = time.perf_counter()
    return report, ended - started, ended - marks.get("checked", ended)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--leases", type=int, default=4_200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        _prepare_database(Path(folder))
        _seed(args.leases)
        data = _rent_call_file(args.rows, args.leases)
        size = len(data) / 1e6
        print(f"File: {args.rows} rent calls on {args.leases} leases, {size:.1f} MB (;, cp1252)")
        print(f"Peak RSS before the import: {_peak_rss_mb():.0f} MB")
        other = _OtherUser()
        other.start()
        report, total, write = _import(data)
        other.stop.set()
        other.join()
        print(f"Import: {report.conclusion}")
        print(f"  total {total:.1f} s (target < 30 s), of which the write step {write:.2f} s")
        print(f"  peak RSS {_peak_rss_mb():.0f} MB (target < 500 MB)")
        wait = other.longest * 1000
        print(f"  another user meanwhile: {other.writes} writes, longest wait {wait:.0f} ms,")
        print(f"  {other.failures} failed (SQLite busy_timeout: 5 s)")
        _print_settlement()
        report, total, _ = _import(data)
        print(f"Same file again: {report.conclusion} in {total:.1f} s")
        print(f"Peak RSS at the end: {_peak_rss_mb():.0f} MB")


def _print_settlement() -> None:
    from sqlmodel import func, select

    from extranet_app import db
    from extranet_app.models import PaymentAllocation

    with db.session_scope() as session:
        count = session.exec(select(func.count()).select_from(PaymentAllocation)).one()
    print(f"  waiting payments settled oldest periods first: {count} allocations")


if __name__ == "__main__":
    main()
