"""Documents à fournir: the demo tenant sends an insurance certificate, the agency accepts it in
its own browser, the tenant sees it accepted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fpdf import FPDF
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from extranet_app.db import make_engine
from extranet_app.models import DocumentRequest, DocumentRequestStatus, Tenant
from extranet_app.services.timekeeping import today_in_france
from tests.browser.conftest import EXPECT_TIMEOUT_MS, RunningExtranet, login, open_live
from tests.browser.expectations import path_pattern

pytestmark = pytest.mark.browser

TENANT = "locataire@demo.extranet.fr"


def certificate_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(text="Attestation d'assurance habitation")
    return bytes(pdf.output())


def pending_insurance_title(database_url: str) -> str:
    """The demo tenant's insurance request waiting for a file, read from the test database."""
    engine = make_engine(database_url)
    with Session(engine) as session:
        tenant = session.exec(select(Tenant).where(Tenant.email == TENANT)).one()
        title = session.exec(
            select(DocumentRequest.title).where(
                DocumentRequest.tenant_id == tenant.id,
                DocumentRequest.renews_yearly,
                DocumentRequest.status == DocumentRequestStatus.PENDING,
            )
        ).one()
    engine.dispose()
    return title


def send_certificate(page: Page, title: str) -> None:
    page.locator("#sidebar").get_by_role("link", name="Documents à fournir").click()
    expect(page).to_have_url(path_pattern("/locataire/documents-a-fournir"))
    expect(page.locator("h1")).to_have_text("Documents à fournir")
    card = page.locator(".request-card", has_text=title)
    expect(card.locator(".status-badge")).to_have_text("À fournir")
    card.locator(".open-upload").click()
    card.locator("input[type=file]").set_input_files(
        files=[
            {
                "name": "attestation-mrh.pdf",
                "mimeType": "application/pdf",
                "buffer": certificate_pdf(),
            }
        ]
    )
    expect(card).to_contain_text("attestation-mrh.pdf")
    card.locator("#send-files").click()
    expect(card.locator(".status-badge")).to_have_text("Envoyé")
    expect(card.get_by_role("link", name="Télécharger attestation-mrh.pdf")).to_be_visible()


def accept_as_agency(browser: Browser, extranet: RunningExtranet, title: str) -> None:
    context = browser.new_context(
        base_url=extranet.frontend_url, viewport={"width": 1280, "height": 800}, locale="fr-FR"
    )
    context.set_default_timeout(EXPECT_TIMEOUT_MS)
    agency = context.new_page()
    try:
        login(agency, "agence@demo.extranet.fr")
        open_live(agency, "/agence/demandes")
        row = agency.locator(".request-row", has_text=title)
        row.locator(".open-review").click()
        dialog = agency.locator("#review-dialog")
        expect(dialog.locator(".review-file")).to_contain_text("attestation-mrh.pdf")
        valid_until = today_in_france() + timedelta(days=365)
        dialog.locator("#valid-until").fill(valid_until.isoformat())
        dialog.locator("#accept").click()
        expect(dialog).to_have_count(0)
        expect(agency.locator(".request-row", has_text=title)).to_have_count(0)
    finally:
        context.close()


def test_tenant_sends_insurance_the_agency_accepts_it(
    page: Page, browser: Browser, extranet: RunningExtranet
) -> None:
    title = pending_insurance_title(extranet.database_url)
    login(page, TENANT)
    send_certificate(page, title)
    accept_as_agency(browser, extranet, title)
    page.reload()
    card = page.locator(".request-card", has_text=title)
    expect(card.locator(".status-badge")).to_have_text("Accepté")
    page.locator("#sidebar").get_by_role("link", name="Documents envoyés").click()
    expect(page).to_have_url(path_pattern("/locataire/documents-envoyes"))
    sent = page.locator(".sent-row", has_text="attestation-mrh.pdf").filter(has_text=title)
    expect(sent.locator(".status-badge")).to_have_text("Accepté")


def refused_request(database_url: str) -> tuple[str, str]:
    """Title and reason of the demo tenant's refused request."""
    engine = make_engine(database_url)
    with Session(engine) as session:
        tenant = session.exec(select(Tenant).where(Tenant.email == TENANT)).one()
        request = session.exec(
            select(DocumentRequest).where(
                DocumentRequest.tenant_id == tenant.id,
                DocumentRequest.status == DocumentRequestStatus.REFUSED,
            )
        ).first()
    engine.dispose()
    return request.title, request.refusal_reason


def fits_the_screen(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}])
def test_on_a_phone_requests_and_sent_documents_are_cards(
    page: Page, extranet: RunningExtranet, viewport: dict[str, int]
) -> None:
    title, reason = refused_request(extranet.database_url)
    login(page, TENANT)
    open_live(page, "/locataire/documents-a-fournir")
    card = page.locator(".request-card", has_text=title)
    expect(card.locator(".status-badge")).to_have_text("Refusé")
    expect(card.locator(".refusal-reason")).to_contain_text(reason)
    expect(card.locator(".open-upload")).to_have_text("Envoyer un nouveau document")
    assert fits_the_screen(page)
    open_live(page, "/locataire/documents-envoyes")
    expect(page.locator(".sent-card").first).to_be_visible()
    expect(page.locator(".sent-row").first).to_be_hidden()
    assert fits_the_screen(page)
