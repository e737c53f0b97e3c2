"""Build the whole demo agency in one transaction, deterministically from a seed and a date."""

from __future__ import annotations

import random
from dataclasses import dataclass, fields
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, SQLModel, select

from extranet_app.demo.accounts import create_accounts
from extranet_app.demo.agency import create_agency
from extranet_app.demo.catalog import DEMO_PASSWORD
from extranet_app.demo.communication import create_communication
from extranet_app.demo.documents import create_documents
from extranet_app.demo.ledger import create_ledger
from extranet_app.demo.messaging import create_messaging
from extranet_app.demo.names import IdentityPool
from extranet_app.demo.portfolio import create_portfolio
from extranet_app.demo.received_documents import create_received_documents
from extranet_app.demo.reports import create_reports
from extranet_app.demo.requests import create_document_requests
from extranet_app.demo.tenancies import create_tenancies
from extranet_app.demo.world import DemoWorld
from extranet_app.models import (
    Document,
    DocumentRequest,
    Lease,
    Lot,
    Message,
    NewsItem,
    Owner,
    Payment,
    PaymentAllocation,
    Property,
    RentCall,
    Tenant,
    Thread,
    User,
)
from extranet_app.services.formatting import format_euros
from extranet_app.services.security import hash_password

SEED = 20_260_101


@dataclass(frozen=True)
class DemoSummary:
    """How much the demo build created, and the money it moved (cents)."""

    users: int
    owners: int
    tenants: int
    properties: int
    lots: int
    leases: int
    rent_calls: int
    payments: int
    allocations: int
    documents: int
    document_requests: int
    news_items: int
    threads: int
    messages: int
    called_cents: int
    paid_cents: int

    def lines(self) -> list[str]:
        """The summary in French, one "label : value" line per figure."""
        return [f"{LABELS[item.name]} : {self._value(item.name)}" for item in fields(self)]

    def _value(self, name: str) -> str:
        value = getattr(self, name)
        return format_euros(value) if name.endswith("_cents") else str(value)


LABELS = {
    "users": "Comptes utilisateurs",
    "owners": "Propriétaires",
    "tenants": "Locataires",
    "properties": "Immeubles",
    "lots": "Lots",
    "leases": "Baux",
    "rent_calls": "Appels de loyer",
    "payments": "Paiements",
    "allocations": "Imputations",
    "documents": "Documents",
    "document_requests": "Documents à fournir",
    "news_items": "Actualités",
    "threads": "Conversations",
    "messages": "Messages",
    "called_cents": "Total appelé",
    "paid_cents": "Total encaissé",
}


def build_demo_data(*, session: Session, today: date) -> DemoSummary:
    """Create the demo agency (expects an empty, migrated database) and commit it."""
    world = DemoWorld(
        session=session,
        today=today,
        rng=random.Random(SEED),
        password_hash=hash_password(DEMO_PASSWORD),  # once: bcrypt is slow on purpose
    )
    pool = IdentityPool(rng=world.rng)
    create_agency(world)
    create_portfolio(world, pool)
    create_tenancies(world, pool)
    create_ledger(world)
    create_accounts(world)
    create_documents(world)
    create_received_documents(world)
    create_document_requests(world)
    create_communication(world)
    create_messaging(world)
    create_reports(world)
    session.commit()
    return summarize(session=session)


def summarize(*, session: Session) -> DemoSummary:
    """Count what the database holds, as a DemoSummary."""
    counted: dict[str, type[SQLModel]] = {
        "users": User,
        "owners": Owner,
        "tenants": Tenant,
        "properties": Property,
        "lots": Lot,
        "leases": Lease,
        "rent_calls": RentCall,
        "payments": Payment,
        "allocations": PaymentAllocation,
        "documents": Document,
        "document_requests": DocumentRequest,
        "news_items": NewsItem,
        "threads": Thread,
        "messages": Message,
    }
    counts = {
        name: session.exec(select(func.count()).select_from(model)).one()
        for name, model in counted.items()
    }
    called = session.exec(select(func.coalesce(func.sum(RentCall.total_cents), 0))).one()
    paid = session.exec(select(func.coalesce(func.sum(Payment.amount_cents), 0))).one()
    return DemoSummary(**counts, called_cents=called, paid_cents=paid)
