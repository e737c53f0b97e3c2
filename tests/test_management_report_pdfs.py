"""The report PDFs say what the figures say, and go only to their owner through the one route."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader
from sqlmodel import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from extranet_app.api.document_routes import routes
from extranet_app.models import Document, ManagementReport, OwnerExpense
from extranet_app.models.base import utcnow
from extranet_app.services import management_reports as reports
from extranet_app.services.documents import document_reference
from extranet_app.services.report_periods import year_period
from extranet_app.services.storage import read_bytes
from extranet_app.settings import get_settings
from tests.reports_support import MARCH, build_report_world, login_token


@pytest.fixture
def world(session):
    return build_report_world(session)


def pdf_text(data: bytes) -> str:
    """The text of every page, spaces normalised (French numbers use narrow spaces)."""
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"[ \u00a0\u202f]+", " ", text)


def _published_pdf(session, mandate_id: int, version: int = 1) -> bytes:
    report = session.exec(
        select(ManagementReport).where(
            ManagementReport.mandate_id == mandate_id, ManagementReport.version == version
        )
    ).one()
    return read_bytes(session.get(Document, report.document_id).storage_key)


def test_the_report_pdf_shows_lots_totals_fees_and_the_transfer(session, world):
    reports.publish(session=session, user=world.staff, choice=MARCH)
    text = pdf_text(_published_pdf(session, world.mandate_a_id))
    assert "Compte rendu de gestion — mars 2026" in text
    assert "du 01/03/2026 au 31/03/2026" in text
    assert "Appartement L1" in text and "Appartement L2" in text
    assert "50 %" in text  # A's share of L2
    assert "1 155,01 €" in text  # received, in total
    assert "72,55 €" in text and "7,00 %" in text  # fees excl. VAT and the mandate's rate
    assert "14,51 €" in text and "20,00 %" in text  # VAT on the fees
    assert "944,50 €" in text  # net
    assert "le 10 du mois qui suit la période, soit le 10/04/2026" in text
    assert "Impayés" in text and "125,01 €" in text  # A's half of the 250,01 owed


def test_a_corrected_report_says_which_version_it_replaces(session, world):
    reports.publish(session=session, user=world.staff, choice=MARCH)
    session.add(
        OwnerExpense(
            lot_id=world.lot1.id, spent_on=date(2026, 3, 30), label="Serrure", amount_cents=5_000
        )
    )
    session.commit()
    reports.publish(session=session, user=world.staff, choice=MARCH)
    text = pdf_text(_published_pdf(session, world.mandate_a_id, version=2))
    assert "2 — corrige et remplace la version 1" in text
    assert "894,50 €" in text


def test_the_yearly_summary_helps_with_the_revenus_fonciers(session, world):
    rows = reports.stage_reports(
        session=session,
        user=world.staff,
        period=year_period(2026),
        mandate_ids=[world.mandate_a_id],
        now=utcnow(),
    )
    session.commit()
    assert rows.published == 1
    report = session.exec(select(ManagementReport)).one()
    text = pdf_text(read_bytes(session.get(Document, report.document_id).storage_key))
    assert "Récapitulatif annuel 2026" in text
    assert "Loyers bruts encaissés" in text and "ligne 211" in text
    assert "1 036,37 €" in text  # rents received by A in the year
    assert "87,06 €" in text  # fees incl. VAT: 72,55 + 14,51
    assert "123,45 €" in text  # the invoice paid for A


# --- The download route --------------------------------------------------------------------------


@pytest.fixture
def client(database_url):
    return TestClient(Starlette(routes=routes), base_url="http://localhost:8000")


def _download(client, reference: str, token: str | None):
    cookies = {get_settings().session_cookie_name: token} if token else {}
    client.cookies.clear()
    return client.get(f"/api/documents/{reference}?espace=proprietaire", cookies=cookies)


def test_only_the_reports_owner_downloads_it(client, session, world):
    reports.publish(session=session, user=world.staff, choice=MARCH)
    report = session.exec(
        select(ManagementReport).where(ManagementReport.mandate_id == world.mandate_a_id)
    ).one()
    reference = document_reference(report.document_id)
    mine = _download(client, reference, login_token(session, world.emails["a"]))
    assert mine.status_code == 200
    assert mine.headers["content-type"] == "application/pdf"
    assert mine.content.startswith(b"%PDF")
    assert _download(client, reference, login_token(session, world.emails["b"])).status_code == 404
    assert _download(client, reference, None).status_code == 404
