"""Benchmark of Gestion des accès (a script that prints figures, not a test).

Builds an agency with 50 000 tenants (a lease and a lot each, in 500 buildings, with every access
status represented) in a temporary SQLite database, then times, server-side, what the page asks
for: page 1, a deep page, a search, a status filter, a sort by status and the status counts
(target: < 50 ms each); then enrolling 10 000 people and queuing their access code e-mails in
chunks, as the page's background action does (target: < 10 s).

    .venv/bin/python benchmarks/bench_access_management.py [--tenants 50000] [--enrol 10000]
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
from typing import TYPE_CHECKING, Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

if TYPE_CHECKING:
    from extranet_app.services.auth import SessionUser

LAST_NAMES = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand"]
FIRST_NAMES = ["Camille", "Léa", "Hugo", "Louis", "Chloé", "Emma", "Jules", "Inès", "Paul"]
BUILDINGS = 500
REPEAT = 7


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


def _seed(count: int) -> None:
    """The portfolio and the people, with a spread of access statuses (not timed)."""
    from extranet_app import db
    from extranet_app.models import Lease, LeaseTenant, Lot, Property, Tenant

    now = datetime.now(UTC)
    with db.session_scope() as session:
        connection = session.connection()
        _insert(connection, Property, [_building(index, now) for index in range(BUILDINGS)])
        _insert(connection, Lot, [_lot(index, now) for index in range(count)])
        _insert(connection, Tenant, [_tenant(index, now) for index in range(count)])
        _insert(connection, Lease, [_lease(index, now) for index in range(count)])
        _insert(
            connection,
            LeaseTenant,
            [{"lease_id": index + 1, "tenant_id": index + 1} for index in range(count)],
        )
        session.commit()
    _seed_logins(count, now)


def _building(index: int, now: datetime) -> dict[str, Any]:
    return {
        "id": index + 1,
        "name": f"Résidence {index + 1}",
        "address_line1": f"{index + 1} rue Garibaldi",
        "address_line2": "",
        "postal_code": "69006",
        "city": "Lyon",
        "created_at": now,
    }


def _lot(index: int, now: datetime) -> dict[str, Any]:
    return {
        "id": index + 1,
        "property_id": index % BUILDINGS + 1,
        "reference": f"A{index // BUILDINGS + 1}",
        "kind": "appartement",
        "floor": "",
        "description": "",
        "created_at": now,
    }


def _tenant(index: int, now: datetime) -> dict[str, Any]:
    company = index % 97 == 0
    return {
        "id": index + 1,
        "external_ref": f"LOC-{index + 1:06d}",
        "civility": "" if company else "Mme",
        "first_name": "" if company else FIRST_NAMES[index % len(FIRST_NAMES)],
        "last_name": "" if company else f"{LAST_NAMES[index % len(LAST_NAMES)]} {index}",
        "company_name": f"SCI Locataire {index}" if company else "",
        "email": None if index % 50 == 7 else f"locataire{index}@example.test",
        "phone": "",
        "address_line1": "",
        "address_line2": "",
        "postal_code": "",
        "city": "",
        "created_at": now,
    }


def _lease(index: int, now: datetime) -> dict[str, Any]:
    ended = index % 10 == 3
    return {
        "id": index + 1,
        "lot_id": index + 1,
        "kind": "habitation_vide",
        "start_date": date(2020, 1, 1),
        "end_date": date(2024, 12, 31) if ended else None,
        "rent_cents": 65_000,
        "charges_cents": 8_000,
        "deposit_cents": 65_000,
        "due_day": 1,
        "payment_reference": "",
        "created_at": now,
    }


def _seed_logins(count: int, now: datetime) -> None:
    """40 % of the tenants enrolled: activated, deactivated, code sent, code to send."""
    from sqlalchemy import bindparam

    from extranet_app import db
    from extranet_app.models import OutboxEmail, Tenant, User

    enrolled = [index for index in range(count) if index % 5 in (1, 2) and index % 50 != 7]
    users, emails = [], []
    for number, index in enumerate(enrolled):
        state = number % 4  # 0 activated, 1 deactivated, 2 code sent, 3 code to send
        users.append(
            {
                "id": number + 1,
                "email": f"locataire{index}@example.test",
                "display_name": f"Locataire {index}",
                "is_agency": False,
                "is_admin": False,
                "is_active": state != 1,
                "email_notifications": True,
                "created_at": now,
                "activated_at": now - timedelta(days=30) if state in (0, 1) else None,
                "last_login_at": now - timedelta(days=2) if state in (0, 1) else None,
            }
        )
        if state == 2:
            emails.append(_sent_code(number + 1, index, now))
    with db.session_scope() as session:
        connection = session.connection()
        _insert(connection, User, users)
        _insert(connection, OutboxEmail, emails)
        table = Tenant.__table__
        connection.execute(
            table.update().where(table.c.id == bindparam("tid")).values(user_id=bindparam("uid")),
            [{"tid": index + 1, "uid": number + 1} for number, index in enumerate(enrolled)],
        )
        session.commit()


def _sent_code(user_id: int, index: int, now: datetime) -> dict[str, Any]:
    return {
        "kind": "access_code",
        "to_address": f"locataire{index}@example.test",
        "to_name": "",
        "subject": "Votre accès à l'extranet",
        "body_text": "…",
        "body_html": "",
        "message_id": f"<bench-{user_id}@example.test>",
        "status": "envoye",
        "attempts": 1,
        "last_error": "",
        "claimed_by": "",
        "user_id": user_id,
        "created_at": now - timedelta(days=3),
        "sent_at": now - timedelta(days=3),
    }


def _staff() -> SessionUser:
    from extranet_app import db
    from extranet_app.models import User
    from extranet_app.services.auth import SessionUser

    with db.session_scope() as session:
        staff = User(email="gestion@agence.test", display_name="Gestion", is_agency=True)
        session.add(staff)
        session.commit()
        return SessionUser(staff.id, 0, staff.email, staff.display_name, True, False, (), ())


def _timed(label: str, call: Callable[[], Any], describe: Callable[[Any], str]) -> None:
    """Run `call` REPEAT times, each in its own session as a page event does; print the times."""
    seconds = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        result = call()
        seconds.append(time.perf_counter() - started)
    median, best = statistics.median(seconds) * 1000, min(seconds) * 1000
    verdict = "ok" if median < 50 else "SLOW"
    print(
        f"{label:<44} {median:7.1f} ms median, {best:6.1f} ms best  [{verdict}]  {describe(result)}"
    )


def _listing(staff: SessionUser, page: int = 1, **query: Any) -> Callable[[], Any]:
    from extranet_app import db
    from extranet_app.services import access_management as access

    def call() -> Any:
        with db.session_scope() as session:
            return access.list_people(
                session=session, actor=staff, query=access.AccessQuery(**query), page=page
            )

    return call


def _last_page(staff: SessionUser, **query: Any) -> int:
    """The number of the last page (found beforehand, as the pager knows it)."""
    return _listing(staff, **query)().page_count


def _page_figures(page: Any) -> str:
    first = page.rows[0] if page.rows else None
    head = f"{first.name} | {first.status_label} | {first.places}" if first else "(empty)"
    return f"{page.total} matching, page {page.page}/{page.page_count}: {head}"


def _time_listing(staff: SessionUser, count: int) -> None:
    from extranet_app import db
    from extranet_app.services import access_management as access

    deep = max(1, count // 50 - 1)
    status = access.AccessStatus.CODE_SENT
    _timed("page 1, by name", _listing(staff), _page_figures)
    _timed(f"page {deep} (deep), by name", _listing(staff, deep), _page_figures)
    _timed(
        f"page {deep} (deep), by e-mail, descending",
        _listing(staff, deep, sort=access.SortKey.EMAIL, descending=True),
        _page_figures,
    )
    _timed("search a name: 'durand 4242'", _listing(staff, search="durand 4242"), _page_figures)
    _timed(
        "search a building: 'résidence 417'", _listing(staff, search="résidence 417"), _page_figures
    )
    _timed(
        "search an e-mail: 'locataire4999'", _listing(staff, search="locataire4999"), _page_figures
    )
    _timed("filter 'code envoyé', page 1", _listing(staff, status=status), _page_figures)
    _timed(
        "filter 'code envoyé', last page",
        _listing(staff, _last_page(staff, status=status), status=status),
        _page_figures,
    )
    _timed(
        "filter 'inscrit – code à envoyer', page 1",
        _listing(staff, status=access.AccessStatus.CODE_TO_SEND),
        _page_figures,
    )
    _timed(
        "sort by status, page 300", _listing(staff, 300, sort=access.SortKey.STATUS), _page_figures
    )

    def counts() -> Any:
        with db.session_scope() as session:
            return access.count_statuses(
                session=session, actor=staff, kind=access.PersonKind.TENANT
            )

    _timed("counts per status (the filter's numbers)", counts, lambda c: f"{c.total} people")


def _time_enrolment(staff: SessionUser, how_many: int) -> None:
    """Enrol then queue `how_many` people, 500 per transaction, as the page's background job."""
    from extranet_app import db
    from extranet_app.services import access_management as access

    query = access.AccessQuery(status=access.AccessStatus.NOT_ENROLLED)
    with db.session_scope() as session:
        chosen = access.matching_person_ids(session=session, actor=staff, query=query)[:how_many]
    started = time.perf_counter()
    enrolled = access.EnrolmentResult()
    for start in range(0, len(chosen), access.CHUNK_SIZE):
        with db.session_scope() as session:
            part = chosen[start : start + access.CHUNK_SIZE]
            result = access.enrol_people(
                session=session, actor=staff, kind=access.PersonKind.TENANT, person_ids=part
            )
        enrolled = access.merge_results(enrolled, result)
    enrol_seconds = time.perf_counter() - started
    queued = access.TransferResult()
    for start in range(0, len(chosen), access.CHUNK_SIZE):
        with db.session_scope() as session:
            part = chosen[start : start + access.CHUNK_SIZE]
            result = access.transfer_access_codes(
                session=session, actor=staff, kind=access.PersonKind.TENANT, person_ids=part
            )
        queued = access.merge_results(queued, result)
    total = time.perf_counter() - started
    print(
        f"Enrol {len(chosen)} people: {enrol_seconds:.2f} s ({enrolled.enrolled} enrolled, "
        f"{enrolled.missing_email} without e-mail); queue their access codes: "
        f"{total - enrol_seconds:.2f} s ({queued.queued} queued); total {total:.2f} s "
        f"[{'ok' if total < 10 else 'SLOW'}, target < 10 s]"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--tenants", type=int, default=50_000)
    parser.add_argument("--enrol", type=int, default=10_000)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        _prepare_database(Path(folder))
        started = time.perf_counter()
        _seed(options.tenants)
        print(f"Seeded {options.tenants} tenants in {time.perf_counter() - started:.1f} s")
        staff = _staff()
        print("\nListing (server side: session, queries and rows of one page):")
        _time_listing(staff, options.tenants)
        print()
        _time_enrolment(staff, options.enrol)
        print("\nListing again, with those access code e-mails now in the outbox:")
        _time_listing(staff, options.tenants)


if __name__ == "__main__":
    main()
