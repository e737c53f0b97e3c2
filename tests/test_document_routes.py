"""The download route: the file to whom may see it, the same 404 to everyone else."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from extranet_app.api.document_routes import content_disposition, routes
from extranet_app.services import auth
from extranet_app.services.documents import document_reference
from extranet_app.settings import get_settings
from tests.factories import PASSWORD, make_lease, make_lot, make_owner, make_tenant, make_user
from tests.test_documents import make_document

PDF = b"%PDF-1.4 contenu du mandat"


@pytest.fixture
def client(database_url):
    return TestClient(Starlette(routes=routes), base_url="http://localhost:8000")


@pytest.fixture
def people(session):
    owner_user = make_user(session, email="paul@example.test")
    owner = make_owner(session, user=owner_user)
    tenant_user = make_user(session, email="camille@example.test")
    tenant = make_tenant(session, user=tenant_user)
    other_user = make_user(session, email="autre@example.test")
    other = make_tenant(session, user=other_user, last_name="Autre")
    lot = make_lot(session, owner=owner)
    lease = make_lease(session, lot=lot, tenants=[tenant], start_date=date(2024, 1, 1))
    make_lease(session, lot=make_lot(session, reference="Z9"), tenants=[other])
    mandate = make_document(
        session,
        title="Mandat de gestion",
        data=PDF,
        owner_id=owner.id,
        visible_to_tenants=False,
    )
    mandate.original_filename = "Mandat de gestion – Élodie Dupré.pdf"
    lease_doc = make_document(session, title="Bail", lease_id=lease.id)
    session.commit()
    return {
        "mandate": document_reference(mandate.id),
        "lease": document_reference(lease_doc.id),
        "mandate_id": mandate.id,
    }


def _token(session, email: str) -> str:
    opened = auth.login(session=session, email=email, password=PASSWORD)
    assert opened is not None
    return opened.token


def _get(client, reference: str, token: str | None = None, query: str = ""):
    cookies = {get_settings().session_cookie_name: token} if token else {}
    client.cookies.clear()
    return client.get(f"/api/documents/{reference}{query}", cookies=cookies)


def test_owner_downloads_their_mandate_with_safe_headers(client, session, people):
    response = _get(client, people["mandate"], _token(session, "paul@example.test"))
    assert response.status_code == 200
    assert response.content == PDF
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''" + quote("Mandat de gestion – Élodie Dupré.pdf") in disposition


def test_tenant_downloads_their_lease_in_the_tenant_space(client, session, people):
    token = _token(session, "camille@example.test")
    response = _get(client, people["lease"], token, "?espace=locataire")
    assert response.status_code == 200


def test_another_tenant_gets_404_for_a_document_of_someone_else(client, session, people):
    token = _token(session, "autre@example.test")
    for reference in (people["lease"], people["mandate"], str(people["mandate_id"]), "x" * 32):
        response = _get(client, reference, token)
        assert response.status_code == 404
        assert "content-disposition" not in response.headers


def test_tenant_cannot_download_the_owners_mandate(client, session, people):
    token = _token(session, "camille@example.test")
    assert _get(client, people["mandate"], token).status_code == 404


def test_without_a_cookie_the_answer_is_the_same_404(client, people):
    response = _get(client, people["mandate"])
    assert response.status_code == 404
    assert response.text == "Document introuvable."
    assert _get(client, people["lease"], "not-a-session").status_code == 404


def test_logged_out_session_no_longer_downloads(client, session, people):
    token = _token(session, "paul@example.test")
    auth.logout(session=session, token=token)
    assert _get(client, people["mandate"], token).status_code == 404


def test_agency_staff_download_any_document(client, session, people):
    make_user(session, email="agent@example.test", is_agency=True)
    session.commit()
    token = _token(session, "agent@example.test")
    assert _get(client, people["lease"], token, "?espace=locataire").status_code == 200


def test_content_disposition_keeps_accents_and_an_ascii_fallback():
    header = content_disposition('État des lieux "entrée".pdf')
    assert header == (
        'attachment; filename="_tat des lieux entr_e.pdf"; '
        "filename*=UTF-8''%C3%89tat%20des%20lieux%20entr%C3%A9e.pdf"
    )
