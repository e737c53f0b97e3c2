"""An agency of any size, written straight into a fresh database, for the benchmarks.

The demo builder goes through the services (right for 120 lots, far too slow for 12 000), so this
module bulk-inserts rows of the same shape: buildings of 8 lots, owners of 3 lots each with their
mandate, one current lease per lot (every 4th with a co-tenant), a rent call per month with its
payment (every 10th lease two months behind, every 7th with a partly paid last month), documents,
document requests, conversations and news. `demo_size()` is the demo's shape (120 lots, 2 years);
`hundred_times()` is 12 000 lots with 200 months of ledger each (2.4 million rent calls).

    from benchmarks.scale_data import ScaledAgency, build_agency, hundred_times
    agency = build_agency(folder, hundred_times())   # prepares REFLEX_DB_URL and migrates
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

LOTS_PER_BUILDING = 8
LOTS_PER_OWNER = 3
RENT_CENTS = 65_000
CHARGES_CENTS = 8_000
DOCUMENTS_PER_LEASE = 5
_CHUNK = 10_000


@dataclass(frozen=True)
class Scale:
    """How big the agency is."""

    lots: int
    months: int  # rent calls per lease

    @property
    def label(self) -> str:
        return f"{self.lots} lots × {self.months} mois"


def demo_size() -> Scale:
    """The demo's shape: 120 lots, two years of ledger."""
    return Scale(lots=120, months=24)


def hundred_times() -> Scale:
    """100 times the demo: 12 000 lots, 200 months each (2.4 million rent calls)."""
    return Scale(lots=12_000, months=200)


@dataclass(frozen=True)
class ScaledAgency:
    """Who to act as in a built database (user ids of typical people)."""

    database_url: str
    scale: Scale
    staff_user_id: int
    tenant_user_id: int  # a tenant with a co-tenant and the whole ledger history
    owner_user_id: int  # an owner of LOTS_PER_OWNER let lots
    today: date


def prepare_database(folder: Path) -> str:
    """Point the app at a fresh SQLite database in `folder`, migrated to head."""
    os.environ["REFLEX_DB_URL"] = f"sqlite:///{folder / 'scaled.db'}"
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
    return os.environ["REFLEX_DB_URL"]


def build_agency(folder: Path, scale: Scale, *, today: date | None = None) -> ScaledAgency:
    """A fresh database in `folder` holding an agency of `scale` (prints how long it took)."""
    database_url = prepare_database(folder)
    today = today or date.today()
    started = time.perf_counter()
    _Builder(scale, today).write()
    print(f"  base de {scale.label} écrite en {time.perf_counter() - started:.1f} s")
    return ScaledAgency(
        database_url=database_url,
        scale=scale,
        staff_user_id=1,
        tenant_user_id=_tenant_user_id(0),
        owner_user_id=_owner_user_id(scale, 0),
        today=today,
    )


# User ids: staff first (1..3), then one per owner, then one per enrolled (even) lease's tenant.
_STAFF = 3


def _owner_user_id(scale: Scale, owner_index: int) -> int:
    return _STAFF + 1 + owner_index


def _tenant_user_id(lease_index: int) -> int:
    # Filled in by _Builder: owners come before tenants, so this is an offset set at build time.
    return _TENANT_USER_BASE[0] + lease_index // 2


_TENANT_USER_BASE = [0]


def _month_start(day: date, months_back: int) -> date:
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def _month_end(start: date) -> date:
    following = _month_start(start, -1)
    return following - timedelta(days=1)


class _Builder:
    """Writes every table in dependency order, in chunks, inside one transaction."""

    def __init__(self, scale: Scale, today: date) -> None:
        self.scale = scale
        self.today = today
        self.now = datetime.now(UTC)
        self.owners = (scale.lots + LOTS_PER_OWNER - 1) // LOTS_PER_OWNER
        self.buildings = (scale.lots + LOTS_PER_BUILDING - 1) // LOTS_PER_BUILDING
        self.first_month = _month_start(today, scale.months - 1)
        _TENANT_USER_BASE[0] = _STAFF + self.owners + 1

    def write(self) -> None:
        from extranet_app import db
        from extranet_app import models as m

        with db.session_scope() as session:
            connection = session.connection()
            steps: list[tuple[Any, Iterable[dict[str, Any]]]] = [
                (m.User, self._users()),
                (m.Property, self._buildings()),
                (m.Lot, self._lots()),
                (m.Owner, self._owners()),
                (m.Ownership, self._ownerships()),
                (m.ManagementMandate, self._mandates()),
                (m.MandateLot, self._mandate_lots()),
                (m.Tenant, self._tenants()),
                (m.Lease, self._leases()),
                (m.LeaseTenant, self._lease_tenants()),
                (m.RentCall, self._rent_calls()),
                (m.Payment, self._payments()),
                (m.PaymentAllocation, self._allocations()),
                (m.Document, self._documents()),
                (m.DocumentRequest, self._document_requests()),
                (m.Thread, self._threads()),
                (m.Message, self._messages()),
                (m.NewsItem, self._news()),
            ]
            for model, rows in steps:
                _insert_all(connection, model, rows)
            session.commit()

    # People and logins -------------------------------------------------------------------

    def _users(self) -> Iterator[dict[str, Any]]:
        for index in range(_STAFF):
            yield self._user(f"agent{index}@agence.test", agency=True, admin=index == 0)
        for index in range(self.owners):
            yield self._user(f"proprietaire{index}@example.test")
        for lease in range(0, self.scale.lots, 2):
            yield self._user(f"locataire{lease}@example.test")

    def _user(self, email: str, *, agency: bool = False, admin: bool = False) -> dict[str, Any]:
        return {
            "email": email,
            "display_name": email.split("@")[0],
            "password_hash": "x",
            "is_agency": agency,
            "is_admin": admin,
            "activated_at": self.now,
            "created_at": self.now,
        }

    def _owners(self) -> Iterator[dict[str, Any]]:
        for index in range(self.owners):
            yield {
                "id": index + 1,
                "external_ref": f"PRO-{index + 1:06d}",
                "civility": "M.",
                "first_name": "Paul",
                "last_name": f"Propriétaire {index}",
                "email": f"proprietaire{index}@example.test",
                "user_id": _owner_user_id(self.scale, index),
                "created_at": self.now,
            }

    def _tenants(self) -> Iterator[dict[str, Any]]:
        # Tenant ids: lease index + 1 for the main tenant, then the co-tenants after them.
        for lease in range(self.scale.lots):
            yield self._tenant(lease + 1, f"locataire{lease}", lease)
        for number, lease in enumerate(range(0, self.scale.lots, 4)):
            yield self._tenant(self.scale.lots + number + 1, f"colocataire{lease}", None)

    def _tenant(self, tenant_id: int, name: str, lease: int | None) -> dict[str, Any]:
        enrolled = lease is not None and lease % 2 == 0
        return {
            "id": tenant_id,
            "external_ref": f"LOC-{tenant_id:07d}",
            "civility": "Mme",
            "first_name": "Léa",
            "last_name": name,
            "email": f"{name}@example.test",
            "user_id": _tenant_user_id(lease) if enrolled else None,
            "created_at": self.now,
        }

    # Portfolio ---------------------------------------------------------------------------

    def _buildings(self) -> Iterator[dict[str, Any]]:
        for index in range(self.buildings):
            yield {
                "id": index + 1,
                "name": f"Résidence {index + 1}",
                "address_line1": f"{index + 1} rue Garibaldi",
                "postal_code": "69006",
                "city": "Lyon",
                "created_at": self.now,
            }

    def _lots(self) -> Iterator[dict[str, Any]]:
        for index in range(self.scale.lots):
            yield {
                "id": index + 1,
                "property_id": index // LOTS_PER_BUILDING + 1,
                "reference": f"A{index % LOTS_PER_BUILDING + 1}",
                "surface_m2": 48.0,
                "rooms": 2,
                "created_at": self.now,
            }

    def _ownerships(self) -> Iterator[dict[str, Any]]:
        for index in range(self.scale.lots):
            yield {"owner_id": index // LOTS_PER_OWNER + 1, "lot_id": index + 1}

    def _mandates(self) -> Iterator[dict[str, Any]]:
        for index in range(self.owners):
            yield {
                "id": index + 1,
                "owner_id": index + 1,
                "number": f"M-{index + 1:06d}",
                "start_date": self.first_month,
                "created_at": self.now,
            }

    def _mandate_lots(self) -> Iterator[dict[str, Any]]:
        for index in range(self.scale.lots):
            yield {"mandate_id": index // LOTS_PER_OWNER + 1, "lot_id": index + 1}

    # Leases and ledger -------------------------------------------------------------------

    def _leases(self) -> Iterator[dict[str, Any]]:
        for index in range(self.scale.lots):
            yield {
                "id": index + 1,
                "lot_id": index + 1,
                "start_date": self.first_month,
                "rent_cents": RENT_CENTS,
                "charges_cents": CHARGES_CENTS,
                "deposit_cents": RENT_CENTS,
                "payment_reference": f"BAIL-{index + 1}",
                "next_revision_date": date(self.today.year + 1, self.first_month.month, 1),
                "created_at": self.now,
            }

    def _lease_tenants(self) -> Iterator[dict[str, Any]]:
        for index in range(self.scale.lots):
            yield {"lease_id": index + 1, "tenant_id": index + 1}
        for number, lease in enumerate(range(0, self.scale.lots, 4)):
            yield {"lease_id": lease + 1, "tenant_id": self.scale.lots + number + 1}

    def _rent_call_id(self, lease: int, month: int) -> int:
        return lease * self.scale.months + month + 1

    def _paid_cents(self, lease: int, month: int) -> int:
        """What was paid on a month's call: late leases owe their last two months."""
        last = self.scale.months - 1
        if lease % 10 == 3 and month >= last - 1:
            return 0
        if lease % 7 == 5 and month == last:
            return (RENT_CENTS + CHARGES_CENTS) // 2
        return RENT_CENTS + CHARGES_CENTS

    def _rent_calls(self) -> Iterator[dict[str, Any]]:
        for lease in range(self.scale.lots):
            for month in range(self.scale.months):
                start = _month_start(self.first_month, -month)
                yield {
                    "id": self._rent_call_id(lease, month),
                    "lease_id": lease + 1,
                    "period_start": start,
                    "period_end": _month_end(start),
                    "due_date": start,
                    "rent_cents": RENT_CENTS,
                    "charges_cents": CHARGES_CENTS,
                    "total_cents": RENT_CENTS + CHARGES_CENTS,
                    "created_at": self.now,
                }

    def _payments(self) -> Iterator[dict[str, Any]]:
        for lease in range(self.scale.lots):
            for month in range(self.scale.months):
                paid = self._paid_cents(lease, month)
                if paid:
                    start = _month_start(self.first_month, -month)
                    yield {
                        "id": self._rent_call_id(lease, month),
                        "lease_id": lease + 1,
                        "paid_on": start + timedelta(days=3),
                        "amount_cents": paid,
                        "created_at": self.now,
                    }

    def _allocations(self) -> Iterator[dict[str, Any]]:
        for lease in range(self.scale.lots):
            for month in range(self.scale.months):
                paid = self._paid_cents(lease, month)
                if paid:
                    call = self._rent_call_id(lease, month)
                    yield {"payment_id": call, "rent_call_id": call, "amount_cents": paid}

    # Documents, requests, conversations, news --------------------------------------------

    def _documents(self) -> Iterator[dict[str, Any]]:
        categories = ["bail", "etat_des_lieux", "attestation", "reglement_copropriete", "autre"]
        for lease in range(self.scale.lots):
            for number in range(DOCUMENTS_PER_LEASE):
                key = f"{lease:06d}{number}"
                yield {
                    "lease_id": lease + 1,
                    "category": categories[number],
                    "title": f"Document {number + 1} du bail {lease + 1}",
                    "visible_to_tenants": True,
                    "visible_to_owners": number < 2,
                    "storage_key": f"ab/cd/{key}.pdf",
                    "original_filename": f"document-{key}.pdf",
                    "mime_type": "application/pdf",
                    "size_bytes": 120_000,
                    "sha256": "0" * 64,
                    "created_at": self.now,
                }

    def _document_requests(self) -> Iterator[dict[str, Any]]:
        for lease in range(0, self.scale.lots, 2):
            yield {
                "tenant_id": lease + 1,
                "lease_id": lease + 1,
                "category": "assurance",
                "title": "Attestation d'assurance habitation",
                "due_date": self.today + timedelta(days=15),
                "renews_yearly": True,
                "created_at": self.now,
            }

    def _threads(self) -> Iterator[dict[str, Any]]:
        for number, lease in enumerate(range(0, self.scale.lots, 4)):
            yield {
                "id": number + 1,
                "person_user_id": _tenant_user_id(lease),
                "person_role": "tenant",
                "subject": f"Question sur le bail {lease + 1}",
                "lease_id": lease + 1,
                "lot_id": lease + 1,
                "property_id": lease // LOTS_PER_BUILDING + 1,
                "created_by_id": _tenant_user_id(lease),
                "created_at": self.now,
                "last_message_at": self.now,
            }

    def _messages(self) -> Iterator[dict[str, Any]]:
        for number, lease in enumerate(range(0, self.scale.lots, 4)):
            for reply in range(5):
                yield {
                    "thread_id": number + 1,
                    "author_id": _tenant_user_id(lease) if reply % 2 == 0 else 1,
                    "body": f"Message {reply + 1}",
                    "created_at": self.now - timedelta(minutes=10 * (5 - reply)),
                }

    def _news(self) -> Iterator[dict[str, Any]]:
        audiences = ["tous", "locataires", "proprietaires"]
        for index in range(50):
            yield {
                "title": f"Actualité {index + 1}",
                "body": "Travaux de ravalement au printemps.",
                "audience": audiences[index % 3],
                "publish_at": self.now - timedelta(days=index),
                "created_at": self.now,
                "updated_at": self.now,
            }


def _defaults(model: Any) -> dict[str, Any]:
    """Every column's model default, so rows only name what differs (computed ones skipped)."""
    from pydantic_core import PydanticUndefined

    columns = {column.name for column in model.__table__.columns if column.computed is None}
    defaults = {}
    for name, field in model.model_fields.items():
        if name not in columns or name == "id":
            continue
        if field.default_factory is not None:
            defaults[name] = field.default_factory()
        elif field.default is not PydanticUndefined:
            defaults[name] = field.default
    return defaults


def _insert_all(connection: Any, model: Any, rows: Iterable[dict[str, Any]]) -> None:
    from sqlalchemy import insert

    defaults = _defaults(model)
    statement = insert(model)
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append({**defaults, **row})
        if len(chunk) == _CHUNK:
            connection.execute(statement, chunk)
            chunk = []
    if chunk:
        connection.execute(statement, chunk)
