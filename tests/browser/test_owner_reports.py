"""Rapport de gestion and Suivi des locations in a real browser: the demo owner reads the latest
report with its charts and downloads the PDF; the agency publishes a period for every owner."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from extranet_app.db import make_engine
from extranet_app.models import ManagementReport, Owner, ReportKind, User
from tests.browser.conftest import RunningExtranet, login
from tests.browser.expectations import french_euros, normalize_spaces, path_pattern

pytestmark = pytest.mark.browser
OWNER_LOGIN = "proprietaire@demo.extranet.fr"


def latest_report_net(database_url: str) -> str:
    """The net amount of the demo owner's latest period report, as the page must show it."""
    engine = make_engine(database_url)
    newer = aliased(ManagementReport)
    try:
        with Session(engine) as session:
            report = session.exec(
                select(ManagementReport)
                .join(Owner, Owner.id == ManagementReport.owner_id)
                .join(User, User.id == Owner.user_id)
                .outerjoin(newer, newer.replaces_id == ManagementReport.id)
                .where(User.email == OWNER_LOGIN, newer.id.is_(None))
                .where(ManagementReport.kind == ReportKind.PERIOD)
                .order_by(ManagementReport.period_end.desc())
            ).first()
            return french_euros(report.net_cents)
    finally:
        engine.dispose()


def test_owner_reads_the_latest_report_sees_the_chart_and_downloads_the_pdf(
    page: Page, extranet: RunningExtranet
) -> None:
    login(page, OWNER_LOGIN)
    page.locator("#sidebar").get_by_role("link", name="Rapport de gestion").click()
    expect(page).to_have_url(path_pattern("/proprietaire/rapports"))
    expect(page.locator("h1")).to_have_text("Rapport de gestion")
    expect(page.locator("#report-title")).to_contain_text("Rapport de gestion — ")
    expect(page.locator("#report-totals")).to_contain_text("€")
    totals = normalize_spaces(page.locator("#report-totals").inner_text())
    assert latest_report_net(extranet.database_url) in totals
    expect(page.locator("#collections-chart svg.recharts-surface").first).to_be_visible()
    expect(page.locator("#collections-chart .recharts-bar-rectangle").first).to_be_attached()
    link = page.locator("#report-pdf")
    with page.expect_download() as downloaded:
        link.click()
    assert downloaded.value.suggested_filename.startswith("rapport-gestion-")
    with open(downloaded.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    response = page.context.request.get(link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"


def test_owner_follows_each_lot_in_the_rental_tracking(
    page: Page, extranet: RunningExtranet
) -> None:
    login(page, OWNER_LOGIN)
    page.locator("#sidebar").get_by_role("link", name="Suivi des locations").click()
    expect(page).to_have_url(path_pattern("/proprietaire/locations"))
    expect(page.locator("h1")).to_have_text("Suivi des locations")
    table = page.locator("#rentals-table")
    expect(table.get_by_text("Vacant").first).to_be_visible()
    expect(table.get_by_text("Loué").first).to_be_visible()
    expect(table).not_to_contain_text("@")  # tenants by name only, never an e-mail address


def test_agency_publishes_a_period_for_every_owner(page: Page, extranet: RunningExtranet) -> None:
    login(page, "agence@demo.extranet.fr")
    page.locator("#sidebar").get_by_role("link", name="Rapports de gestion").click()
    expect(page).to_have_url(path_pattern("/agence/rapports"))
    expect(page.locator("#period-status")).to_contain_text("propriétaire(s) sur")
    page.locator("#publish-reports").click()
    expect(page.locator("#publication-summary")).to_contain_text(
        "rapport(s) publié(s)", timeout=60_000
    )
    expect(page.locator("#period-status")).not_to_contain_text("0 propriétaire(s) sur")
