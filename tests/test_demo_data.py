"""The demo agency: built once per module, then checked like a user of each space would."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from extranet_app import db
from extranet_app.db import make_engine
from extranet_app.demo import DemoSummary, build_demo_data, summarize
from extranet_app.demo.catalog import (
    AGENCY_LOGIN,
    DEMO_PASSWORD,
    MIXED_LOGIN,
    OWNER_LOGIN,
    TENANT_LOGIN,
)
from extranet_app.demo.world import add_months, month_end
from extranet_app.models import (
    AgencySettings,
    Document,
    DocumentRequest,
    DocumentRequestStatus,
    Lease,
    LeaseTenant,
    Message,
    NewsAudience,
    NewsItem,
    Owner,
    Ownership,
    Payment,
    PaymentAllocation,
    RentCall,
    RentCallLine,
    Tenant,
    Thread,
    User,
)
from extranet_app.services.security import verify_password
from extranet_app.services.storage import path_for
from extranet_app.services.uploads import sniff_type
from extranet_app.settings import PROJECT_ROOT, get_settings
from tests.conftest import migrate_to_head

TODAY = date(2026, 3, 18)


@dataclass(frozen=True)
class DemoDatabase:
    url: str
    engine: Engine
    documents_dir: Path
    summary: DemoSummary


def _copy_template(template: Path, folder: Path) -> str:
    path = folder / "extranet.db"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def demo(
    migrated_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DemoDatabase]:
    """One demo build shared by the module's tests (it takes a few seconds)."""
    folder = tmp_path_factory.mktemp("demo")
    url = _copy_template(migrated_template, folder)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REFLEX_DB_URL", url)
        patch.setenv("DOCUMENTS_DIR", str(folder / "documents"))
        get_settings.cache_clear()
        db.get_engine.cache_clear()
        engine = make_engine(url)
        with Session(engine, expire_on_commit=False) as session:
            summary = build_demo_data(session=session, today=TODAY)
        yield DemoDatabase(url, engine, folder / "documents", summary)
        engine.dispose()
    get_settings.cache_clear()
    db.get_engine.cache_clear()


@pytest.fixture
def session(demo: DemoDatabase) -> Iterator[Session]:
    with Session(demo.engine) as session:
        yield session


def _cli_env(url: str, documents_dir: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "SECRET_KEY"}
    env.update(
        REFLEX_DB_URL=url, DOCUMENTS_DIR=str(documents_dir), EXTRANET_ENV="test", BCRYPT_ROUNDS="4"
    )
    return env | extra


def _run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603  (our own command, fixed arguments)
        [sys.executable, "-m", "extranet_app.cli", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


@pytest.fixture(scope="module")
def cli_built(
    demo: DemoDatabase, migrated_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, dict[str, str], subprocess.CompletedProcess[str]]:
    """A second build, by the command line in another process, on a fresh database."""
    folder = tmp_path_factory.mktemp("cli")
    url = _copy_template(migrated_template, folder)
    env = _cli_env(url, folder / "documents")
    result = _run_cli(env, "demo", "--if-empty", "--today", TODAY.isoformat())
    return url, env, result


def _summary_of(url: str) -> DemoSummary:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return summarize(session=session)
    finally:
        engine.dispose()


def _user(session: Session, email: str) -> User:
    return session.exec(select(User).where(User.email == email)).one()


def _paid_per_call(session: Session, lease_ids: list[int]) -> dict[int, int]:
    rows = session.exec(
        select(PaymentAllocation.rent_call_id, func.sum(PaymentAllocation.amount_cents))
        .join(RentCall, RentCall.id == PaymentAllocation.rent_call_id)
        .where(RentCall.lease_id.in_(lease_ids))
        .group_by(PaymentAllocation.rent_call_id)
    ).all()
    return dict(rows)


def test_demo_build_is_deterministic_across_processes(demo: DemoDatabase, cli_built) -> None:
    url, _, result = cli_built
    assert result.returncode == 0, result.stderr
    assert "Données de démonstration créées" in result.stdout
    assert _summary_of(url) == demo.summary


def test_demo_has_the_expected_size(demo: DemoDatabase) -> None:
    summary = demo.summary
    assert (summary.owners, summary.tenants, summary.properties, summary.lots) == (40, 150, 15, 120)
    assert 100 <= summary.leases <= 130
    assert 40 <= summary.documents <= 100
    assert summary.paid_cents < summary.called_cents  # a few tenants are in arrears


def test_cli_demo_if_empty_does_nothing_on_a_populated_database(cli_built) -> None:
    url, env, _ = cli_built
    before = _summary_of(url)
    result = _run_cli(env, "demo", "--if-empty")
    assert result.returncode == 0, result.stderr
    assert "déjà des comptes" in result.stdout
    assert _summary_of(url) == before


def test_cli_demo_without_if_empty_refuses_a_populated_database(cli_built) -> None:
    _, env, _ = cli_built
    result = _run_cli(env, "demo")
    assert result.returncode == 2
    assert "pas vide" in result.stderr


def test_cli_demo_refuses_in_production(migrated_template: Path, tmp_path: Path) -> None:
    url = _copy_template(migrated_template, tmp_path)
    env = _cli_env(
        url,
        tmp_path / "documents",
        EXTRANET_ENV="production",
        SECRET_KEY="x" * 48,
        SMTP_HOST="smtp.example.com",
    )
    result = _run_cli(env, "demo")
    assert result.returncode == 2
    assert "production" in result.stderr
    assert _summary_of(url).users == 0


def test_agency_settings_row_has_the_agency_identity(session: Session) -> None:
    agency = session.get(AgencySettings, 1)
    assert agency is not None
    assert agency.city == "Lyon" and agency.siret and agency.phone
    assert agency.professional_card.startswith("CPI ")
    assert agency.iban.startswith("FR76") and agency.bic


@pytest.mark.parametrize(
    ("email", "is_agency", "is_admin"),
    [
        (AGENCY_LOGIN, True, True),
        ("claire.martin@demo.extranet.fr", True, False),
        ("julien.moreau@demo.extranet.fr", True, False),
        (TENANT_LOGIN, False, False),
        (OWNER_LOGIN, False, False),
        (MIXED_LOGIN, False, False),
    ],
)
def test_demo_login_opens_with_the_demo_password(
    session: Session, email: str, is_agency: bool, is_admin: bool
) -> None:
    user = _user(session, email)
    assert verify_password(DEMO_PASSWORD, user.password_hash or "")
    assert (user.is_agency, user.is_admin) == (is_agency, is_admin)
    assert user.is_active and user.activated_at is not None and user.display_name


def test_demo_tenant_has_unpaid_and_paid_periods(session: Session) -> None:
    tenant = session.exec(select(Tenant).where(Tenant.email == TENANT_LOGIN)).one()
    assert tenant.user_id == _user(session, TENANT_LOGIN).id
    assert tenant.receipts_by_email_consent_at is not None
    lease_ids = session.exec(
        select(LeaseTenant.lease_id).where(LeaseTenant.tenant_id == tenant.id)
    ).all()
    calls = session.exec(select(RentCall).where(RentCall.lease_id.in_(lease_ids))).all()
    paid = _paid_per_call(session, list(lease_ids))
    due = [call for call in calls if call.due_date <= TODAY]
    assert any(paid.get(call.id, 0) == 0 for call in due)
    assert any(0 < paid.get(call.id, 0) < call.total_cents for call in due)
    assert sum(paid.get(call.id, 0) == call.total_cents for call in due) >= 12


def test_demo_tenant_has_a_current_lease_with_a_co_tenant(session: Session) -> None:
    tenant = session.exec(select(Tenant).where(Tenant.email == TENANT_LOGIN)).one()
    leases = session.exec(
        select(Lease).join(LeaseTenant).where(LeaseTenant.tenant_id == tenant.id)
    ).all()
    assert leases and all(lease.end_date is None for lease in leases)
    co_tenants = session.exec(
        select(LeaseTenant).where(LeaseTenant.lease_id.in_([lease.id for lease in leases]))
    ).all()
    assert len(co_tenants) > len(leases)


def test_demo_owner_has_three_lots_one_of_them_vacant(session: Session) -> None:
    owner = session.exec(select(Owner).where(Owner.email == OWNER_LOGIN)).one()
    assert owner.user_id == _user(session, OWNER_LOGIN).id
    lot_ids = session.exec(select(Ownership.lot_id).where(Ownership.owner_id == owner.id)).all()
    assert len(lot_ids) >= 3
    let = session.exec(
        select(Lease.lot_id).where(Lease.lot_id.in_(lot_ids), Lease.end_date.is_(None))
    ).all()
    assert len(set(lot_ids) - set(let)) == 1
    months = session.exec(
        select(func.count(func.distinct(RentCall.period_start)))
        .join(Lease, Lease.id == RentCall.lease_id)
        .where(Lease.lot_id.in_(lot_ids))
    ).one()
    assert months == 24


def test_mixed_login_is_both_a_tenant_and_an_owner(session: Session) -> None:
    user = _user(session, MIXED_LOGIN)
    assert session.exec(select(Tenant).where(Tenant.user_id == user.id)).one()
    owner = session.exec(select(Owner).where(Owner.user_id == user.id)).one()
    assert session.exec(select(Ownership).where(Ownership.owner_id == owner.id)).first()


def test_most_people_are_not_enrolled_and_a_few_have_no_email(session: Session) -> None:
    for model in (Tenant, Owner):
        people = session.exec(select(model)).all()
        enrolled = [person for person in people if person.user_id is not None]
        assert 1 <= len(enrolled) <= len(people) // 5
        assert any(person.email is None for person in people)
        assert all(
            person.email is None or person.email == person.email.lower() for person in people
        )


def test_allocations_never_exceed_a_rent_call_or_a_payment(session: Session) -> None:
    by_call: dict[int, int] = defaultdict(int)
    by_payment: dict[int, int] = defaultdict(int)
    for allocation in session.exec(select(PaymentAllocation)).all():
        by_call[allocation.rent_call_id] += allocation.amount_cents
        by_payment[allocation.payment_id] += allocation.amount_cents
    calls = {call.id: call for call in session.exec(select(RentCall)).all()}
    payments = {payment.id: payment for payment in session.exec(select(Payment)).all()}
    assert all(amount <= calls[call_id].total_cents for call_id, amount in by_call.items())
    assert all(amount == payments[pid].amount_cents for pid, amount in by_payment.items())
    assert set(by_payment) == set(payments)  # every payment is fully allocated


def test_payments_settle_the_oldest_rent_calls_first(session: Session) -> None:
    paid: dict[int, int] = defaultdict(int)
    for call_id, amount in session.exec(
        select(PaymentAllocation.rent_call_id, PaymentAllocation.amount_cents)
    ).all():
        paid[call_id] += amount
    open_seen: dict[int, bool] = defaultdict(bool)
    for call in session.exec(select(RentCall).order_by(RentCall.lease_id, RentCall.period_start)):
        if open_seen[call.lease_id]:
            assert paid[call.id] == 0, f"rent call {call.id} paid after an open one"
        open_seen[call.lease_id] |= paid[call.id] < call.total_cents


def test_rent_calls_cover_24_months_ending_with_the_current_month(session: Session) -> None:
    first, last = add_months(TODAY, -23), add_months(TODAY, 0)
    periods = session.exec(select(RentCall.period_start).distinct()).all()
    assert min(periods) == first and max(periods) == last and len(periods) == 24
    lines: dict[int, int] = defaultdict(int)
    for line in session.exec(select(RentCallLine)).all():
        lines[line.rent_call_id] += line.amount_cents
    assert lines  # a few charges reconciliations
    leases = {lease.id: lease for lease in session.exec(select(Lease)).all()}
    for call in session.exec(select(RentCall)).all():
        assert call.period_end == month_end(call.period_start)
        assert call.due_date == call.period_start.replace(day=leases[call.lease_id].due_day)
        assert call.total_cents == call.rent_cents + call.charges_cents + lines[call.id]


def test_every_document_file_exists_and_is_a_pdf_or_a_message_photo(
    demo: DemoDatabase, session: Session
) -> None:
    assert get_settings().documents_dir == demo.documents_dir
    documents = session.exec(select(Document)).all()
    for document in documents:
        data = path_for(document.storage_key).read_bytes()
        assert sniff_type(data) == document.mime_type
        assert len(data) == document.size_bytes
        assert hashlib.sha256(data).hexdigest() == document.sha256
        assert document.mime_type == "application/pdf" or document.message_id is not None
    assert any(document.message_id is not None for document in documents)
    assert len({document.storage_key for document in documents}) == len(documents)


def test_documents_are_attached_and_visible_sensibly(session: Session) -> None:
    for document in session.exec(select(Document)).all():
        links = (document.tenant_id, document.owner_id, document.lease_id, document.lot_id)
        assert any(link is not None for link in (*links, document.property_id))
        if document.owner_id is not None:  # mandates are the owner's business only
            assert not document.visible_to_tenants


def test_demo_tenant_and_owner_have_documents_to_provide(session: Session) -> None:
    tenant = session.exec(select(Tenant).where(Tenant.email == TENANT_LOGIN)).one()
    owner = session.exec(select(Owner).where(Owner.email == OWNER_LOGIN)).one()
    requests = session.exec(
        select(DocumentRequest).where(DocumentRequest.tenant_id == tenant.id)
    ).all()
    statuses = {request.status for request in requests}
    assert {DocumentRequestStatus.PENDING, DocumentRequestStatus.ACCEPTED} <= statuses
    refused = [r for r in requests if r.status == DocumentRequestStatus.REFUSED]
    assert refused and refused[0].refusal_reason
    pending = [r for r in requests if r.status == DocumentRequestStatus.PENDING]
    assert pending[0].due_date is not None and pending[0].due_date > TODAY
    owner_requests = session.exec(
        select(DocumentRequest).where(DocumentRequest.owner_id == owner.id)
    ).all()
    assert [r.status for r in owner_requests] == [DocumentRequestStatus.PENDING]


def test_news_reach_every_audience_with_one_pinned_item(session: Session) -> None:
    news = session.exec(select(NewsItem)).all()
    assert {item.audience for item in news} == set(NewsAudience)
    assert sum(item.pinned for item in news) == 1
    building_news = [item for item in news if item.audience == NewsAudience.PROPERTY]
    assert all(item.property_id is not None for item in building_news)
    assert all("<script" not in item.body for item in news)


def test_demo_people_have_conversations_with_the_agency(session: Session) -> None:
    for email, role in ((TENANT_LOGIN, "tenant"), (OWNER_LOGIN, "owner")):
        user = _user(session, email)
        threads = session.exec(select(Thread).where(Thread.person_user_id == user.id)).all()
        assert threads and all(thread.person_role == role for thread in threads)
        authors = set(
            session.exec(
                select(Message.author_id).where(Message.thread_id.in_([t.id for t in threads]))
            ).all()
        )
        assert user.id in authors and len(authors) >= 2  # the person and agency staff
    tenant_threads = session.exec(
        select(Thread).where(Thread.person_user_id == _user(session, TENANT_LOGIN).id)
    ).all()
    assert any(thread.category == "intervention" for thread in tenant_threads)


def test_demo_builds_the_same_agency_on_postgresql(
    demo: DemoDatabase, postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrate_to_head(postgres_url)
    monkeypatch.setenv("DOCUMENTS_DIR", str(tmp_path / "documents"))
    get_settings.cache_clear()
    engine = make_engine(postgres_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            assert build_demo_data(session=session, today=TODAY) == demo.summary
    finally:
        engine.dispose()
        monkeypatch.undo()
        get_settings.cache_clear()


def test_cli_demo_explains_an_unmigrated_database(tmp_path: Path) -> None:
    env = _cli_env(f"sqlite:///{tmp_path / 'empty.db'}", tmp_path / "documents")
    result = _run_cli(env, "demo", "--if-empty")
    assert result.returncode == 2
    assert "reflex db migrate" in result.stderr


def test_demo_tenants_insurance_was_renewed_before_its_end(session: Session) -> None:
    from extranet_app.services.request_review import renew_expiring_requests

    tenant = session.exec(select(Tenant).where(Tenant.email == TENANT_LOGIN)).one()
    insurance = session.exec(
        select(DocumentRequest)
        .where(DocumentRequest.tenant_id == tenant.id, DocumentRequest.renews_yearly)
        .order_by(DocumentRequest.id)
    ).all()
    statuses = [request.status for request in insurance]
    assert statuses == [DocumentRequestStatus.ACCEPTED, DocumentRequestStatus.PENDING]
    assert insurance[0].valid_until is not None and insurance[0].valid_until > TODAY
    # This year's request already asks for the next certificate: nothing more to renew.
    assert renew_expiring_requests(session=session, today=TODAY) == 0
