"""Benchmark of the Messagerie (a script that prints figures, not a test).

Builds, in a temporary SQLite database, an agency inbox of 100 000 conversations (20 000
enrolled tenants in 500 buildings, 4 staff members) and one conversation of 5 000 messages, then
times server-side what the pages ask for, each in its own database session as a page event
does, and counts the SQL statements:
- opening the long conversation on its last 50 messages (person and staff side), then the 50
  before them (target: < 50 ms);
- inbox pages and filters: page 1, a deep page, unread, assigned to me, category, status,
  building, a search by subject or by name, combined filters (target: < 50 ms);
- the live-update poll every open page runs every 2 seconds (session check + activity query),
  and the unread count of the navigation badge.

    .venv/bin/python benchmarks/bench_messaging.py [--threads 100000] [--messages 5000]
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

BUILDINGS = 500
TENANTS = 20_000
STAFF = 4
REPEAT = 9
CATEGORIES = ("intervention", "paiement", "documents", "autre")
STATUSES = ("nouvelle", "en_cours", "resolue", "fermee")
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


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
    command.upgrade(config, "heads")


def _insert(connection: Any, model: Any, rows: list[dict[str, Any]]) -> None:
    from sqlalchemy import insert

    for start in range(0, len(rows), 5_000):
        connection.execute(insert(model), rows[start : start + 5_000])


def _people(now: datetime) -> dict[str, list[dict[str, Any]]]:
    buildings = [
        {"id": b + 1, "name": f"Résidence {b + 1}", "address_line1": f"{b + 1} rue Garibaldi",
         "address_line2": "", "postal_code": "69006", "city": "Lyon", "created_at": now}
        for b in range(BUILDINGS)
    ]  # fmt: skip
    lots = [
        {"id": t + 1, "property_id": t % BUILDINGS + 1, "reference": f"A{t // BUILDINGS + 1}",
         "kind": "appartement", "floor": "", "description": "", "created_at": now}
        for t in range(TENANTS)
    ]  # fmt: skip
    staff = [
        {"id": s + 1, "email": f"gestion{s + 1}@agence.test", "display_name": f"Gestion {s + 1}",
         "is_agency": True, "is_admin": s == 0, "is_active": True, "email_notifications": True,
         "created_at": now, "activated_at": now}
        for s in range(STAFF)
    ]  # fmt: skip
    users = [
        {"id": STAFF + t + 1, "email": f"locataire{t}@example.test",
         "display_name": f"Camille Durand {t}", "is_agency": False, "is_admin": False,
         "is_active": True, "email_notifications": True, "created_at": now, "activated_at": now}
        for t in range(TENANTS)
    ]  # fmt: skip
    tenants = [
        {"id": t + 1, "user_id": STAFF + t + 1, "civility": "Mme", "first_name": "Camille",
         "last_name": f"Durand {t}", "company_name": "", "email": f"locataire{t}@example.test",
         "phone": "", "address_line1": "", "address_line2": "", "postal_code": "", "city": "",
         "created_at": now}
        for t in range(TENANTS)
    ]  # fmt: skip
    leases = [
        {"id": t + 1, "lot_id": t + 1, "kind": "habitation_vide", "start_date": date(2020, 1, 1),
         "end_date": None, "rent_cents": 65_000, "charges_cents": 8_000, "deposit_cents": 65_000,
         "due_day": 1, "payment_reference": "", "created_at": now}
        for t in range(TENANTS)
    ]  # fmt: skip
    links = [{"lease_id": t + 1, "tenant_id": t + 1} for t in range(TENANTS)]
    return {"property": buildings, "lot": lots, "users": staff + users, "tenant": tenants,
            "lease": leases, "lease_tenant": links}  # fmt: skip


def _thread(index: int, now: datetime) -> dict[str, Any]:
    tenant = index % TENANTS
    last = now - timedelta(minutes=index * 3)
    unread = index % 25 == 0  # 4 % wait for the agency
    return {
        "id": index + 1,
        "person_user_id": STAFF + tenant + 1,
        "person_role": "tenant",
        "subject": f"Demande {index} : {('fuite', 'loyer', 'attestation', 'bruit')[index % 4]}",
        "category": CATEGORIES[index % 4],
        "status": STATUSES[(index // 4) % 4],
        "lease_id": tenant + 1,
        "lot_id": tenant + 1,
        "property_id": tenant % BUILDINGS + 1,
        "assigned_to_id": (index % (STAFF + 1)) or None,
        "created_by_id": STAFF + tenant + 1,
        "created_at": last - timedelta(days=2),
        "last_message_at": last,
        "updated_at": last,
        "agency_unread": unread,
        "person_last_read_at": last,
        "agency_last_read_at": None if unread else last,
    }


def _messages(thread_id: int, person_id: int, count: int, now: datetime) -> list[dict]:
    start = now - timedelta(minutes=count)
    return [
        {
            "thread_id": thread_id,
            "author_id": person_id if number % 2 else 1 + number % STAFF,
            "body": f"Message {number} : le plombier passe jeudi, voir https://exemple.fr/{number}",
            "is_internal_note": number % 10 == 5,
            "created_at": start + timedelta(minutes=number),
        }
        for number in range(count)
    ]


def _seed(threads: int, long_messages: int) -> None:
    from extranet_app import db
    from extranet_app.models import (
        Lease,
        LeaseTenant,
        Lot,
        Message,
        Property,
        Tenant,
        Thread,
        User,
    )

    models = {"property": Property, "lot": Lot, "users": User, "tenant": Tenant, "lease": Lease,
              "lease_tenant": LeaseTenant}  # fmt: skip
    with db.session_scope() as session:
        connection = session.connection()
        for name, rows in _people(NOW).items():
            _insert(connection, models[name], rows)
        _insert(connection, Thread, [_thread(index, NOW) for index in range(threads)])
        # Two messages in every thread, and the long one (thread 1, the newest).
        short = []
        for index in range(1, threads):
            short += _messages(index + 1, STAFF + index % TENANTS + 1, 2, NOW)
        _insert(connection, Message, short)
        _insert(connection, Message, _messages(1, STAFF + 1, long_messages, NOW))
        session.commit()
        connection = session.connection()
        connection.exec_driver_sql("ANALYZE")


class QueryCounter:
    """Counts the SQL statements the engine runs."""

    def __init__(self) -> None:
        from sqlalchemy import event

        from extranet_app import db

        self.count = 0
        event.listen(db.get_engine(), "before_cursor_execute", self._seen)

    def _seen(self, *_args: Any) -> None:
        self.count += 1


def _timed(label: str, call: Callable[[], Any], counter: QueryCounter, target_ms: float = 50):
    """Run `call` REPEAT times, each as a page event would; print median time and queries."""
    seconds, queries = [], []
    result = None
    for _ in range(REPEAT):
        before = counter.count
        started = time.perf_counter()
        result = call()
        seconds.append(time.perf_counter() - started)
        queries.append(counter.count - before)
    median, best = statistics.median(seconds) * 1000, min(seconds) * 1000
    verdict = "ok" if median < target_ms else "SLOW"
    print(
        f"{label:<48} {median:7.2f} ms median {best:6.2f} best  {queries[-1]:2d} SQL  "
        f"[{verdict}]  {_describe(result)}"
    )
    return result


def _describe(result: Any) -> str:
    if hasattr(result, "lines"):
        first = result.lines[0].subject if result.lines else "(vide)"
        found = f"more than {result.total}" if result.more else str(result.total)
        return f"{found} found, page {result.page}/{result.page_count}: {first}"
    if hasattr(result, "messages"):
        return f"{len(result.messages)} messages shown, older: {result.has_older}"
    return str(result)


def _users():
    from extranet_app.services.auth import SessionUser

    staff = SessionUser(1, 0, "gestion1@agence.test", "Gestion 1", True, True, (), ())
    tenant = SessionUser(STAFF + 1, 0, "locataire0@example.test", "Camille", False, False, (1,), ())
    return staff, tenant


def _time_conversation(counter: QueryCounter) -> None:
    from extranet_app import db
    from extranet_app.services import messaging
    from extranet_app.services.auth import Space

    staff, tenant = _users()

    def staff_open(before: int | None = None):
        def call():
            with db.session_scope() as session:
                return messaging.open_for_staff(
                    session=session, actor=staff, thread_id=1, before_id=before
                )

        return call

    def person_open():
        with db.session_scope() as session:
            return messaging.open_for_person(
                session=session, user=tenant, space=Space.TENANT, thread_id=1
            )

    print("\nA conversation of 5 000 messages (server side, one session each):")
    last = _timed("staff opens it: last 50 messages", staff_open(), counter)
    _timed("tenant opens it: last 50 (no internal notes)", person_open, counter)
    _timed("staff: the 50 messages before those", staff_open(last.oldest_id), counter)


def _time_inbox(counter: QueryCounter, threads: int) -> None:
    from extranet_app import db
    from extranet_app.services import messaging_inbox as inbox
    from extranet_app.services.messaging_inbox import InboxQuery

    staff, _ = _users()

    def listing(page: int = 1, **query: Any):
        def call():
            with db.session_scope() as session:
                return inbox.list_inbox(
                    session=session, actor=staff, query=InboxQuery(**query), page=page
                )

        return call

    print(f"\nThe shared inbox of {threads} conversations (50 per page):")
    deep = min(threads, inbox.MAX_COUNTED) // 50  # the last page the pager offers
    _timed("page 1, newest first", listing(), counter)
    _timed(f"page {deep} (deep)", listing(deep), counter)
    _timed("unread only", listing(unread_only=True), counter)
    _timed("assigned to me", listing(assigned_to_me=True), counter)
    _timed("category 'paiement'", listing(category="paiement"), counter)
    _timed("status 'nouvelle'", listing(status="nouvelle"), counter)
    _timed("building 417", listing(property_id=417), counter)
    _timed("building 417 + status 'en cours'", listing(property_id=417, status="en_cours"), counter)
    _timed(
        "unread + category 'intervention'",
        listing(unread_only=True, category="intervention"),
        counter,
    )
    _timed("search a subject: 'demande 4242 '", listing(search="demande 4242 "), counter)
    _timed("search a name: 'durand 1234'", listing(search="durand 1234"), counter)
    _timed("search a common word: 'fuite'", listing(search="fuite"), counter)


def _time_polls(counter: QueryCounter) -> None:
    from extranet_app import db
    from extranet_app.models import AuthSession
    from extranet_app.services import messaging
    from extranet_app.services.auth import Space
    from extranet_app.services.security import hash_token
    from extranet_app.states.messaging_live import poll_activity

    staff, tenant = _users()
    with db.session_scope() as session:
        for user_id, token in ((1, "staff-token"), (STAFF + 1, "tenant-token")):
            session.add(
                AuthSession(user_id=user_id, token_hash=hash_token(token), created_at=NOW,
                            last_seen_at=NOW, idle_expires_at=NOW + timedelta(days=400),
                            expires_at=NOW + timedelta(days=400))
            )  # fmt: skip
        session.commit()

    def badge(user, space):
        def call():
            with db.session_scope() as session:
                return messaging.unread_count(session=session, user=user, space=space)

        return call

    print("\nLive updates (every open page, every 2 s) and the navigation badge:")
    _timed(
        "poll of a staff page (session + activity)",
        lambda: poll_activity("staff-token", None, Space.AGENCY),
        counter,
        5,
    )
    _timed(
        "poll of a tenant page (session + activity)",
        lambda: poll_activity("tenant-token", None, Space.TENANT),
        counter,
        5,
    )
    _timed("agency unread count (badge)", badge(staff, Space.AGENCY), counter, 5)
    _timed("tenant unread count (badge)", badge(tenant, Space.TENANT), counter, 5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--threads", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=5_000)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        _prepare_database(Path(folder))
        started = time.perf_counter()
        _seed(options.threads, options.messages)
        print(
            f"Seeded {options.threads} conversations ({TENANTS} tenants, {BUILDINGS} buildings) "
            f"and one of {options.messages} messages in {time.perf_counter() - started:.1f} s"
        )
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        print(f"Load average of the machine (1, 5, 15 min): {load} — figures grow with it")
        counter = QueryCounter()
        _time_conversation(counter)
        _time_inbox(counter, options.threads)
        _time_polls(counter)


if __name__ == "__main__":
    main()
