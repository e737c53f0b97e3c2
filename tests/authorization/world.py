"""The one small agency every authorization case runs against, built once per test module.

Tenant A (Camille) shares lease A with a co-tenant (Sacha) and with a co-tenant whose login was
deactivated; tenant B (Bob) has lease B. Owner A owns lot A, owner B lot B. Staff and an admin
work at the agency. Every private object (rent call, document, request, upload, thread, report,
news, e-mail) belongs to person A's side, so each case asks: can this role reach A's object?
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlmodel import Session

from extranet_app import db
from extranet_app.models import DocumentRequest, NewsItem, OutboxEmail
from extranet_app.models.documents import DocumentSource
from extranet_app.models.news import NewsAudience
from extranet_app.models.users import User
from extranet_app.services import auth, invoices, management_reports, messaging, receipts
from extranet_app.services.auth import Space
from extranet_app.services.documents import document_reference
from extranet_app.services.news import news_reference
from extranet_app.services.security import id_from_reference
from extranet_app.services.storage import store_bytes
from extranet_app.settings import get_settings
from tests.billing_support import add_agency, add_call, pay
from tests.factories import PASSWORD, make_lease, make_lot, make_owner, make_tenant, make_user
from tests.messaging_support import tiny_png
from tests.reports_support import MARCH, _mandate
from tests.test_documents import make_document

TODAY = date(2026, 4, 15)


@dataclass(frozen=True)
class World:
    """Ids of person A's objects (forged by the cases), and each role's login token."""

    tokens: dict[str, str]
    user_ids: dict[str, int]
    lease_a: int
    lot_a: int
    lot_b: int
    call_a: int
    document_a: int
    mandate_document_a: int
    upload_a: int
    request_a: int
    thread_a: int
    report_a: int
    news_a: int
    email_a: int
    receipt_a: int
    invoice_a: int

    @property
    def document_a_ref(self) -> str:
        return document_reference(self.document_a)

    @property
    def mandate_ref(self) -> str:
        return document_reference(self.mandate_document_a)

    @property
    def upload_ref(self) -> str:
        return document_reference(self.upload_a)

    @property
    def receipt_ref(self) -> str:
        return document_reference(self.receipt_a)

    @property
    def invoice_ref(self) -> str:
        return document_reference(self.invoice_a)

    @property
    def news_ref(self) -> str:
        return news_reference(self.news_a)


def _login(session: Session, email: str) -> str:
    opened = auth.login(session=session, email=email, password=PASSWORD)
    assert opened is not None, email
    return opened.token


def _people(session: Session) -> dict[str, User]:
    users = {
        "staff": make_user(session, email="agent@agence.test", is_agency=True),
        "admin": make_user(session, email="admin@agence.test", is_agency=True, is_admin=True),
    }
    for role in ("tenant_a", "co_tenant", "deactivated", "tenant_b", "owner_a", "owner_b"):
        users[role] = make_user(session, email=f"{role}@example.test", display_name=role)
    return users


def _thread(session: Session, tenant_a: User) -> int:
    user = auth._session_user(session=session, user=tenant_a, session_id=0)
    return messaging.start_conversation(
        session=session,
        user=user,
        space=Space.TENANT,
        subject="Fuite sous l'évier",
        category="intervention",
        text="Bonjour, une fuite.",
        today=TODAY,
    )


def _report(session: Session, staff: User) -> int:
    from sqlmodel import select

    from extranet_app.models import ManagementReport

    actor = auth._session_user(session=session, user=staff, session_id=0)
    management_reports.publish(session=session, user=actor, choice=MARCH)
    return session.exec(select(ManagementReport.id)).first()


def _billing_documents(session: Session, tenant_a: User, call_id: int) -> tuple[int, int]:
    """Tenant A's quittance and avis d'échéance of March, issued as the tenant space does."""
    user = auth._session_user(session=session, user=tenant_a, session_id=0)
    receipt = receipts.issue_receipt(session=session, user=user, rent_call_id=call_id, today=TODAY)
    notice = invoices.issue_invoice_document(session=session, user=user, rent_call_id=call_id)
    return (
        id_from_reference("document", receipt.reference),
        id_from_reference("document", notice.reference),
    )


def build_world(session: Session) -> World:
    """Create the agency of the module docstring, log every role in, and commit."""
    add_agency(session)
    users = _people(session)
    tenant_a = make_tenant(session, user=users["tenant_a"], last_name="Lefèvre")
    co_tenant = make_tenant(session, user=users["co_tenant"], last_name="Nguyen")
    deactivated = make_tenant(session, user=users["deactivated"], last_name="Parti")
    tenant_b = make_tenant(session, user=users["tenant_b"], last_name="Bernard")
    owner_a = make_owner(session, user=users["owner_a"], last_name="Martin")
    owner_b = make_owner(session, user=users["owner_b"], last_name="Garnier")
    lot_a = make_lot(session, owner=owner_a, reference="A12")
    lot_b = make_lot(session, owner=owner_b, reference="B3")
    lease_a = make_lease(session, lot=lot_a, tenants=[tenant_a, co_tenant, deactivated])
    lease_b = make_lease(session, lot=lot_b, tenants=[tenant_b])
    _mandate(session, owner_a.id, 700, [lot_a])
    _mandate(session, owner_b.id, 800, [lot_b])
    call_a = add_call(session, lease=lease_a, start=date(2026, 3, 1))
    pay(session, call=call_a, paid_on=date(2026, 3, 4), amount_cents=call_a.total_cents)
    add_call(session, lease=lease_a, start=date(2026, 4, 1))  # April, unpaid
    call_b = add_call(session, lease=lease_b, start=date(2026, 3, 1))
    pay(session, call=call_b, paid_on=date(2026, 3, 4), amount_cents=call_b.total_cents)
    document_a = make_document(session, title="Bail A", lease_id=lease_a.id)
    mandate = make_document(
        session, title="Mandat A", owner_id=owner_a.id, visible_to_tenants=False
    )
    upload = make_document(
        session,
        title="Attestation envoyée",
        tenant_id=tenant_a.id,
        source=DocumentSource.TENANT,
        visible_to_tenants=False,
        visible_to_owners=False,
    )
    request = DocumentRequest(
        tenant_id=tenant_a.id, lease_id=lease_a.id, title="Attestation d'assurance"
    )
    image = store_bytes(data=tiny_png(), extension="png")
    news = NewsItem(
        title="Travaux dans l'immeuble A",
        body="<p>Ascenseur</p>",
        audience=NewsAudience.PROPERTY,
        property_id=lot_a.property_id,
        image_key=image.storage_key,
        publish_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    email = OutboxEmail(
        kind="access_code",
        to_address=users["tenant_a"].email,
        subject="Vos codes d'accès",
        body_text="Bonjour",
        message_id="<matrix-a@agence.test>",
        user_id=users["tenant_a"].id,
    )
    session.add_all([request, news, email])
    session.commit()
    thread_a = _thread(session, users["tenant_a"])
    report_a = _report(session, users["staff"])
    receipt_a, invoice_a = _billing_documents(session, users["tenant_a"], call_a.id)
    tokens = {role: _login(session, user.email) for role, user in users.items()}
    users["deactivated"].is_active = False
    session.commit()
    return World(
        tokens=tokens,
        user_ids={role: user.id for role, user in users.items()},
        lease_a=lease_a.id,
        lot_a=lot_a.id,
        lot_b=lot_b.id,
        call_a=call_a.id,
        document_a=document_a.id,
        mandate_document_a=mandate.id,
        upload_a=upload.id,
        request_a=request.id,
        thread_a=thread_a,
        report_a=report_a,
        news_a=news.id,
        email_a=email.id,
        receipt_a=receipt_a,
        invoice_a=invoice_a,
    )


def point_app_at(database_url: str, documents: Path, monkeypatch) -> None:
    """Make the app's engine and storage use this database and documents folder."""
    monkeypatch.setenv("REFLEX_DB_URL", database_url)
    monkeypatch.setenv("DOCUMENTS_DIR", str(documents))
    get_settings.cache_clear()
    db.get_engine.cache_clear()


def forget_engine() -> None:
    """Close the app's engine so the next test opens its own copy."""
    db.get_engine().dispose()
    get_settings.cache_clear()
    db.get_engine.cache_clear()
