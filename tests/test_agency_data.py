"""Données: records listed, created and edited by hand with the import's checks, and the CSV
export for Excel, which re-imports unchanged; the export route is for agency staff only."""

from __future__ import annotations

import csv
import io

import pytest
from sqlmodel import select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from extranet_app.api.data_routes import routes
from extranet_app.models import AuditEvent, Lease, Tenant
from extranet_app.services import agency_data, auth, data_import
from extranet_app.services.agency_data import RecordInvalid
from extranet_app.services.data_kinds import DataKind
from extranet_app.services.errors import AccessDenied
from extranet_app.settings import get_settings
from tests.factories import PASSWORD, make_tenant, make_user
from tests.import_support import (
    BUILDINGS,
    LEASES,
    LOTS,
    TENANTS,
    csv_bytes,
    person_actor,
    staff_actor,
)


@pytest.fixture
def staff(session):
    return staff_actor(session)


@pytest.fixture
def portfolio(session, staff):
    for kind, rows in (
        (DataKind.TENANTS, TENANTS),
        (DataKind.BUILDINGS, BUILDINGS),
        (DataKind.LOTS, LOTS),
        (DataKind.LEASES, LEASES),
    ):
        report = data_import.import_file(
            session=session, actor=staff, kind=kind, data=csv_bytes(rows), dry_run=False
        )
        assert report.applied


def test_list_shows_a_page_of_records_with_references_to_other_records(session, staff, portfolio):
    page = agency_data.list_records(session=session, actor=staff, kind=DataKind.LEASES)
    assert page.total == 1 and len(page.ids) == 1
    row = page.rows[0]
    assert row.title == "BAIL-1"
    cells = {cell.label: cell.value for cell in row.cells}
    assert cells["Lot"] == "LOT-1"
    assert cells["Locataires"] == "LOC-001, LOC-002"
    assert cells["Loyer"] == "650,00"


def test_search_finds_by_reference_or_name_and_pages(session, staff, portfolio):
    page = agency_data.list_records(
        session=session, actor=staff, kind=DataKind.TENANTS, search="lefèvre"
    )
    assert [row.title for row in page.rows] == ["LOC-001"]
    page = agency_data.list_records(
        session=session, actor=staff, kind=DataKind.TENANTS, page=2, page_size=2
    )
    assert (page.total, page.page_count, len(page.rows)) == (3, 2, 1)


def test_a_record_created_by_hand_is_checked_like_an_imported_row(session, staff, portfolio):
    values = {"external_ref": "LOC-001", "last_name": "", "email": "pas-une-adresse"}
    with pytest.raises(RecordInvalid) as refused:
        agency_data.save_record(
            session=session, actor=staff, kind=DataKind.TENANTS, record_id=None, values=values
        )
    assert refused.value.problems == {"email": "adresse e-mail invalide « pas-une-adresse »"}
    values = {"external_ref": "LOC-001", "last_name": "Neuf", "email": "neuf@example.test"}
    with pytest.raises(RecordInvalid) as refused:
        agency_data.save_record(
            session=session, actor=staff, kind=DataKind.TENANTS, record_id=None, values=values
        )
    assert refused.value.problems == {"external_ref": "référence « LOC-001 » déjà utilisée"}
    values["external_ref"] = "LOC-009"
    record_id = agency_data.save_record(
        session=session, actor=staff, kind=DataKind.TENANTS, record_id=None, values=values
    )
    tenant = session.get(Tenant, record_id)
    assert (tenant.external_ref, tenant.last_name, tenant.email) == (
        "LOC-009",
        "Neuf",
        "neuf@example.test",
    )


def test_editing_a_lease_by_hand_changes_its_rent_and_co_tenants(session, staff, portfolio):
    lease = session.exec(select(Lease)).one()
    texts = agency_data.record_texts(
        session=session, actor=staff, kind=DataKind.LEASES, record_id=lease.id
    )
    assert texts["start_date"] == "01/01/2025" and texts["kind"] == "Habitation vide"
    texts |= {"rent_cents": "700,00", "tenants": "LOC-003", "end_date": "31/12/2024"}
    with pytest.raises(RecordInvalid) as refused:
        agency_data.save_record(
            session=session, actor=staff, kind=DataKind.LEASES, record_id=lease.id, values=texts
        )
    assert refused.value.problems == {
        "end_date": "date antérieure à « Date de début » (01/01/2025)"
    }
    texts["end_date"] = ""
    agency_data.save_record(
        session=session, actor=staff, kind=DataKind.LEASES, record_id=lease.id, values=texts
    )
    texts = agency_data.record_texts(
        session=session, actor=staff, kind=DataKind.LEASES, record_id=lease.id
    )
    assert (texts["rent_cents"], texts["tenants"]) == ("700,00", "LOC-003")
    actions = session.exec(select(AuditEvent.action)).all()
    assert "data.updated" in actions


def test_forged_values_and_unknown_records_are_refused(session, staff, portfolio):
    with pytest.raises(RecordInvalid):
        agency_data.save_record(
            session=session,
            actor=staff,
            kind=DataKind.TENANTS,
            record_id=None,
            values={"external_ref": {"$": 1}, "last_name": "X"},
        )
    with pytest.raises(AccessDenied):
        agency_data.save_record(
            session=session,
            actor=staff,
            kind=DataKind.TENANTS,
            record_id=999_999,
            values={"external_ref": "X", "last_name": "X"},
        )
    with pytest.raises(AccessDenied):
        agency_data.list_records(session=session, actor=staff, kind=DataKind.PAYMENTS)


def test_data_screens_are_for_agency_staff_only(session, portfolio):
    tenant = person_actor(session)
    with pytest.raises(AccessDenied):
        agency_data.list_records(session=session, actor=tenant, kind=DataKind.TENANTS)
    with pytest.raises(AccessDenied):
        agency_data.export_csv(session=session, actor=tenant, kind=DataKind.TENANTS)
    with pytest.raises(AccessDenied):
        agency_data.save_record(
            session=session,
            actor=tenant,
            kind=DataKind.TENANTS,
            record_id=None,
            values={"external_ref": "X", "last_name": "X"},
        )


def _rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel reads the accents
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8")), delimiter=";"))


def test_export_is_a_csv_for_excel_that_reimports_unchanged(session, staff, portfolio):
    for kind, expected in ((DataKind.TENANTS, 3), (DataKind.LOTS, 2), (DataKind.LEASES, 1)):
        data = agency_data.export_csv(session=session, actor=staff, kind=kind)
        rows = _rows(data)
        assert len(rows) == expected + 1
        report = data_import.import_file(
            session=session, actor=staff, kind=kind, data=data, dry_run=True
        )
        assert report.ok and report.summary == f"0 créé, 0 modifié, {expected} inchangé" + (
            "s" if expected > 1 else ""
        )
    rows = _rows(agency_data.export_csv(session=session, actor=staff, kind=DataKind.TENANTS))
    assert rows[0][:3] == ["Référence", "Civilité", "Nom"]
    assert rows[1][:4] == ["LOC-001", "Mme", "Lefèvre", "Hélène"]


def test_export_quotes_cells_a_spreadsheet_would_run_as_formulas(session, staff):
    values = {"external_ref": "LOC-X", "last_name": '=HYPERLINK("http://x")'}
    agency_data.save_record(
        session=session, actor=staff, kind=DataKind.TENANTS, record_id=None, values=values
    )
    data = agency_data.export_csv(session=session, actor=staff, kind=DataKind.TENANTS)
    assert _rows(data)[1][2] == '\'=HYPERLINK("http://x")'
    report = data_import.import_file(
        session=session, actor=staff, kind=DataKind.TENANTS, data=data, dry_run=True
    )
    assert report.summary == "0 créé, 0 modifié, 1 inchangé"


@pytest.fixture
def client(database_url):
    return TestClient(Starlette(routes=routes), base_url="http://localhost:8000")


def _cookie(session, email: str) -> dict[str, str]:
    token = auth.login(session=session, email=email, password=PASSWORD).token
    return {get_settings().session_cookie_name: token}


def test_export_route_serves_staff_and_answers_404_to_anyone_else(session, client):
    make_user(session, email="agence@example.test", is_agency=True)
    tenant_user = make_user(session, email="locataire@example.test")
    make_tenant(session, user=tenant_user)
    session.commit()
    client.cookies.update(_cookie(session, "agence@example.test"))
    response = client.get("/api/agence/export/locataires")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["content-disposition"]
    assert _rows(response.content)[1][2] == "Durand"
    assert client.get("/api/agence/export/paiements").status_code == 404
    client.cookies.clear()
    assert client.get("/api/agence/export/locataires").status_code == 404
    client.cookies.update(_cookie(session, "locataire@example.test"))
    refused = client.get("/api/agence/export/locataires")
    assert refused.status_code == 404 and "Durand" not in refused.text
    denied = session.exec(select(AuditEvent).where(AuditEvent.action == "data.export_denied")).one()
    assert denied.allowed is False
