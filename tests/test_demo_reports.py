"""The demo owner's Rapport de gestion: published reports (one corrected), last year's summary,
expenses with their invoices; what the demo owner sees of them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlmodel import Session, select

from extranet_app import db
from extranet_app.db import make_engine
from extranet_app.demo import build_demo_data
from extranet_app.demo.catalog import OWNER_LOGIN
from extranet_app.models import Document, ManagementReport, Owner, OwnerExpense, User
from extranet_app.services import auth
from extranet_app.services.owner_reports import list_owner_reports
from extranet_app.settings import get_settings
from tests.test_demo_data import _copy_template

TODAY = date(2026, 3, 18)


@pytest.fixture(scope="module")
def demo_session(migrated_template, tmp_path_factory) -> Iterator[Session]:
    folder = tmp_path_factory.mktemp("demo-reports")
    url = _copy_template(migrated_template, folder)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REFLEX_DB_URL", url)
        patch.setenv("DOCUMENTS_DIR", str(folder / "documents"))
        get_settings.cache_clear()
        db.get_engine.cache_clear()
        engine = make_engine(url)
        with Session(engine, expire_on_commit=False) as session:
            build_demo_data(session=session, today=TODAY)
            yield session
        engine.dispose()
    get_settings.cache_clear()
    db.get_engine.cache_clear()


def _demo_owner(session: Session) -> Owner:
    return session.exec(select(Owner).where(Owner.email == OWNER_LOGIN)).one()


def test_demo_owner_has_past_reports_a_correction_and_last_years_summary(demo_session):
    owner = _demo_owner(demo_session)
    reports = demo_session.exec(
        select(ManagementReport).where(ManagementReport.owner_id == owner.id)
    ).all()
    periods = [report for report in reports if report.kind == "periode"]
    assert len({report.period_start for report in periods}) >= 2
    assert all(
        report.period_end < TODAY and report.published_at.date() <= TODAY for report in reports
    )
    corrections = [report for report in periods if report.version == 2]
    assert len(corrections) == 1 and corrections[0].replaces_id is not None
    (summary,) = [report for report in reports if report.kind == "annuel"]
    assert summary.period_start == date(2025, 1, 1)
    for report in reports:
        document = demo_session.get(Document, report.document_id)
        assert document.owner_id == owner.id and document.visible_to_owners


def test_demo_expenses_carry_their_invoice_which_tenants_never_see(demo_session):
    expenses = demo_session.exec(select(OwnerExpense)).all()
    invoices = [
        demo_session.get(Document, e.invoice_document_id)
        for e in expenses
        if e.invoice_document_id is not None
    ]
    assert len(expenses) >= 3 and invoices
    assert all(not invoice.visible_to_tenants and invoice.visible_to_owners for invoice in invoices)
    assert all(invoice.category == "facture" and invoice.lot_id for invoice in invoices)


def test_demo_owner_lists_the_latest_versions(demo_session):
    user = demo_session.exec(select(User).where(User.email == OWNER_LOGIN)).one()
    viewer = auth._session_user(session=demo_session, user=user, session_id=0)
    listed = list_owner_reports(session=demo_session, user=viewer)
    labels = [entry.listing.period_label for entry in listed]
    assert len(labels) == len(set(labels))  # the corrected period appears once
    assert any(entry.listing.version_note for entry in listed)
    assert any(entry.listing.is_yearly for entry in listed)
