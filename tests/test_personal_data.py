"""GDPR: a person's export, their anonymisation, and the retention of identity documents."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta

import pyotp
import pytest
from sqlmodel import Session, select

from extranet_app.cli import main
from extranet_app.models import (
    AuditEvent,
    Document,
    DocumentCategory,
    DocumentRequest,
    DocumentSource,
    Lease,
    Message,
    NewsItem,
    NewsRead,
    OutboxEmail,
    OutboxStatus,
    Payment,
    RecoveryCode,
    RentCall,
    Tenant,
    Thread,
    User,
)
from extranet_app.models.base import utcnow
from extranet_app.services import access_management, auth, two_factor
from extranet_app.services.auth import SessionUser
from extranet_app.services.errors import AccessDenied
from extranet_app.services.personal_data import (
    PLACEHOLDER_NAME,
    StillUnderContract,
    anonymise_person,
    export_own_data,
    export_person_data,
    purge_identity_documents,
)
from extranet_app.services.storage import path_for, store_bytes
from tests.billing_support import add_call, pay
from tests.factories import PASSWORD, make_lease, make_lot, make_owner, make_tenant, make_user
from tests.test_documents import as_session_user

TODAY = date(2026, 11, 27)


def add_document(
    session: Session,
    *,
    title: str,
    category: str = DocumentCategory.OTHER,
    days_old: int = 0,
    **links: object,
) -> Document:
    data = f"%PDF-1.4 {title}".encode()
    stored = store_bytes(data=data, extension="pdf")
    document = Document(
        title=title,
        category=category,
        source=links.pop("source", DocumentSource.AGENCY),
        storage_key=stored.storage_key,
        original_filename=f"{title}.pdf",
        mime_type="application/pdf",
        size_bytes=stored.size_bytes,
        sha256=stored.sha256,
        created_at=utcnow() - timedelta(days=days_old),
        **links,
    )
    session.add(document)
    session.flush()
    return document


@dataclass
class People:
    staff: SessionUser
    admin: SessionUser
    tenant: SessionUser
    tenant_user: User
    tenant_profile: Tenant
    neighbour: SessionUser
    lease: Lease
    quittance: Document
    identity: Document
    neighbour_document: Document


def build_people(session: Session, *, lease_ends: date | None = None) -> People:
    """A tenant with a ledger, documents, a conversation and a news read; a neighbour."""
    staff = make_user(session, email="staff@example.test", is_agency=True)
    admin = make_user(session, email="admin@example.test", is_agency=True, is_admin=True)
    user = make_user(session, email="camille@example.test")
    tenant = make_tenant(session, user=user, last_name="Durand")
    tenant.phone, tenant.address_line1, tenant.city = "06 12 34 56 78", "3 rue Neuve", "Lyon"
    owner = make_owner(session)
    lot = make_lot(session, owner=owner)
    lease = make_lease(session, lot=lot, tenants=[tenant], end_date=lease_ends)
    call = add_call(session, lease=lease, start=date(2026, 9, 1))
    pay(session, call=call, paid_on=date(2026, 9, 4), amount_cents=call.total_cents)
    add_call(session, lease=lease, start=date(2026, 10, 1))
    quittance = add_document(
        session,
        title="Quittance septembre 2026",
        category=DocumentCategory.RENT_RECEIPT,
        source=DocumentSource.GENERATED,
        lease_id=lease.id,
        tenant_id=tenant.id,
        visible_to_tenants=True,
    )
    identity = add_document(
        session,
        title="Carte d'identité",
        category=DocumentCategory.IDENTITY,
        source=DocumentSource.TENANT,
        tenant_id=tenant.id,
        uploaded_by_id=user.id,
    )
    hidden = add_document(session, title="Note interne agence", tenant_id=tenant.id)
    assert not hidden.visible_to_tenants
    neighbour_user = make_user(session, email="voisin@example.test")
    neighbour = make_tenant(session, user=neighbour_user, last_name="Voisin")
    make_lease(session, lot=make_lot(session), tenants=[neighbour])
    neighbour_document = add_document(
        session, title="Bail du voisin", tenant_id=neighbour.id, visible_to_tenants=True
    )
    thread = Thread(
        person_user_id=user.id, person_role="tenant", subject="Fuite", created_by_id=user.id
    )
    session.add(thread)
    session.flush()
    session.add_all(
        [
            Message(thread_id=thread.id, author_id=user.id, body="Une fuite sous l'évier."),
            Message(thread_id=thread.id, author_id=staff.id, body="Plombier lundi."),
            Message(
                thread_id=thread.id,
                author_id=staff.id,
                body="Note : locataire difficile",
                is_internal_note=True,
            ),
        ]
    )
    session.add(
        DocumentRequest(tenant_id=tenant.id, category=DocumentCategory.INSURANCE, title="Assurance")
    )
    news = NewsItem(title="Travaux d'ascenseur", body="…", publish_at=utcnow())
    session.add(news)
    session.flush()
    session.add(NewsRead(news_id=news.id, user_id=user.id))
    session.add(
        OutboxEmail(
            kind="document_notification",
            to_address=user.email,
            to_name="Camille Durand",
            subject="Nouveau document",
            body_text="Bonjour Camille Durand",
            message_id="<gdpr-test-1@example.test>",
            status=OutboxStatus.PENDING,
            user_id=user.id,
        )
    )
    session.commit()
    return People(
        staff=as_session_user(staff),
        admin=as_session_user(admin),
        tenant=as_session_user(user, tenants=[tenant]),
        tenant_user=user,
        tenant_profile=tenant,
        neighbour=as_session_user(neighbour_user, tenants=[neighbour]),
        lease=lease,
        quittance=quittance,
        identity=identity,
        neighbour_document=neighbour_document,
    )


def unzip(data: bytes) -> tuple[dict, dict[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    return json.loads(files.pop("donnees.json")), files


def test_own_export_holds_profile_ledger_documents_messages_news_and_logins(
    session: Session,
) -> None:
    people = build_people(session)
    assert auth.login(session=session, email="camille@example.test", password=PASSWORD)

    export = export_own_data(session=session, user=people.tenant)
    data, files = unzip(export.data)

    assert data["compte"]["email"] == "camille@example.test"
    assert data["profils_locataire"][0]["last_name"] == "Durand"
    assert data["profils_locataire"][0]["phone"] == "06 12 34 56 78"
    assert len(data["baux"]) == 1
    assert [call["total_cents"] for call in data["echeances"]] == [73_000, 73_000]
    assert [payment["amount_cents"] for payment in data["paiements"]] == [73_000]
    titles = {document["title"] for document in data["documents"]}
    assert titles == {"Quittance septembre 2026", "Carte d'identité"}
    assert [request["title"] for request in data["documents_a_fournir"]] == ["Assurance"]
    (conversation,) = data["messagerie"]
    assert [m["texte"] for m in conversation["messages"]] == [
        "Une fuite sous l'évier.",
        "Plombier lundi.",
    ]
    assert [read["titre"] for read in data["actualites_lues"]] == ["Travaux d'ascenseur"]
    assert [login["action"] for login in data["connexions"]] == ["login.success"]
    # Each listed document's file is in the zip, byte for byte.
    for entry in data["documents"]:
        assert hashlib.sha256(files[entry["fichier"]]).hexdigest() == entry["sha256"]
    assert export.file_count == len(files) == 2


def test_own_export_never_holds_secrets_internal_notes_or_other_peoples_data(
    session: Session,
) -> None:
    people = build_people(session)
    people.tenant_user.totp_secret = "JBSWY3DPEHPK3PXP"
    session.commit()
    export = export_own_data(session=session, user=people.tenant)
    text = json.dumps(unzip(export.data)[0], ensure_ascii=False)
    assert people.tenant_user.password_hash not in text
    assert "JBSWY3DPEHPK3PXP" not in text
    assert "locataire difficile" not in text
    assert "Note interne agence" not in text
    assert "Voisin" not in text and "voisin@example.test" not in text
    assert unzip(export.data)[0]["compte"]["double_authentification"] is True


def test_own_export_is_audited(session: Session) -> None:
    people = build_people(session)
    export_own_data(session=session, user=people.tenant)
    event = session.exec(
        select(AuditEvent).where(AuditEvent.action == "personal_data.export")
    ).one()
    assert event.actor_user_id == people.tenant.user_id
    assert json.loads(event.detail)["via"] == "espace"


def test_staff_export_of_a_tenant_equals_the_tenants_own_export(session: Session) -> None:
    people = build_people(session)
    own, _ = unzip(export_own_data(session=session, user=people.tenant).data)
    staff, _ = unzip(
        export_person_data(
            session=session, actor=people.staff, tenant_id=people.tenant_profile.id
        ).data
    )
    own.pop("export"), staff.pop("export")
    assert staff == own


def test_staff_can_export_a_tenant_without_login(session: Session) -> None:
    staff = as_session_user(make_user(session, is_agency=True))
    tenant = make_tenant(session, last_name="SansCompte")
    lease = make_lease(session, lot=make_lot(session), tenants=[tenant])
    add_call(session, lease=lease, start=date(2026, 9, 1))
    session.commit()
    data, _ = unzip(export_person_data(session=session, actor=staff, tenant_id=tenant.id).data)
    assert data["compte"] is None
    assert data["profils_locataire"][0]["last_name"] == "SansCompte"
    assert len(data["echeances"]) == 1


@pytest.mark.parametrize("who", ["tenant", "neighbour"])
def test_a_tenant_cannot_use_the_agency_export_and_the_refusal_is_audited(
    session: Session, who: str
) -> None:
    people = build_people(session)
    with pytest.raises(AccessDenied):
        export_person_data(
            session=session, actor=getattr(people, who), tenant_id=people.tenant_profile.id
        )
    refusal = session.exec(
        select(AuditEvent).where(AuditEvent.action == "personal_data.export.denied")
    ).one()
    assert refusal.allowed is False


def test_staff_cannot_export_agency_staff_through_the_person_export(session: Session) -> None:
    people = build_people(session)
    with pytest.raises(AccessDenied):
        export_person_data(session=session, actor=people.staff, user_id=people.admin.user_id)


def test_anonymisation_keeps_ledger_and_quittances_but_not_identity(session: Session) -> None:
    people = build_people(session, lease_ends=date(2026, 10, 31))
    calls_before = [(c.id, c.total_cents) for c in session.exec(select(RentCall))]
    payments_before = [(p.id, p.amount_cents) for p in session.exec(select(Payment))]
    identity_file = path_for(people.identity.storage_key)

    result = anonymise_person(
        session=session, actor=people.admin, user_id=people.tenant.user_id, today=TODAY
    )

    session.expire_all()
    tenant = session.get(Tenant, people.tenant_profile.id)
    assert (tenant.last_name, tenant.first_name, tenant.email) == (PLACEHOLDER_NAME, "", None)
    assert (tenant.phone, tenant.address_line1, tenant.city) == ("", "", "")
    user = session.get(User, people.tenant.user_id)
    assert user.is_active is False and user.password_hash is None
    assert "camille" not in user.email
    assert [(c.id, c.total_cents) for c in session.exec(select(RentCall))] == calls_before
    assert [(p.id, p.amount_cents) for p in session.exec(select(Payment))] == payments_before
    assert session.get(Document, people.quittance.id) is not None
    assert path_for(people.quittance.storage_key).exists()
    assert session.get(Document, people.identity.id) is None
    assert not identity_file.exists()
    assert result.identity_documents_deleted == 1
    email = session.exec(select(OutboxEmail)).one()
    assert email.status == OutboxStatus.CANCELLED
    assert "camille" not in email.to_address and "Durand" not in email.body_text


def test_anonymised_person_can_no_longer_log_in(session: Session) -> None:
    people = build_people(session, lease_ends=date(2026, 10, 31))
    anonymise_person(
        session=session, actor=people.admin, user_id=people.tenant.user_id, today=TODAY
    )
    assert auth.login(session=session, email="camille@example.test", password=PASSWORD) is None


def test_anonymisation_forgets_the_second_factor(session: Session) -> None:
    people = build_people(session, lease_ends=date(2026, 10, 31))
    enrolment = two_factor.new_enrolment(email="camille@example.test", issuer="Agence")
    two_factor.enable(
        session=session,
        user_id=people.tenant.user_id,
        secret=enrolment.secret,
        code=pyotp.TOTP(enrolment.secret).now(),
    )
    anonymise_person(
        session=session, actor=people.admin, user_id=people.tenant.user_id, today=TODAY
    )
    session.expire_all()
    user = session.get(User, people.tenant.user_id)
    assert (user.totp_secret, user.totp_enabled_at, user.totp_last_step) == (None, None, None)
    assert session.exec(select(RecoveryCode)).all() == []


def test_anonymisation_is_refused_while_a_lease_is_current(session: Session) -> None:
    people = build_people(session, lease_ends=None)
    with pytest.raises(StillUnderContract):
        anonymise_person(
            session=session, actor=people.admin, user_id=people.tenant.user_id, today=TODAY
        )
    session.expire_all()
    assert session.get(Tenant, people.tenant_profile.id).last_name == "Durand"


def test_anonymisation_needs_an_agency_admin(session: Session) -> None:
    people = build_people(session, lease_ends=date(2026, 10, 31))
    for actor in (people.staff, people.neighbour):
        with pytest.raises(AccessDenied):
            anonymise_person(
                session=session, actor=actor, user_id=people.tenant.user_id, today=TODAY
            )
    session.expire_all()
    assert session.get(Tenant, people.tenant_profile.id).last_name == "Durand"
    refusals = session.exec(
        select(AuditEvent).where(AuditEvent.action == "personal_data.anonymise.denied")
    ).all()
    assert len(refusals) == 2


def test_purge_deletes_only_identity_documents_older_than_the_retention(
    session: Session,
) -> None:
    tenant = make_tenant(session)
    old_identity = add_document(
        session,
        title="CNI 2024",
        category=DocumentCategory.IDENTITY,
        tenant_id=tenant.id,
        days_old=400,
    )
    recent_identity = add_document(
        session,
        title="CNI 2026",
        category=DocumentCategory.IDENTITY,
        tenant_id=tenant.id,
        days_old=10,
    )
    old_lease = add_document(
        session,
        title="Bail 2024",
        category=DocumentCategory.LEASE,
        tenant_id=tenant.id,
        days_old=400,
    )
    session.commit()
    old_file = path_for(old_identity.storage_key)

    assert purge_identity_documents(session=session, retention_days=365) == 1

    session.expire_all()
    assert session.get(Document, old_identity.id) is None
    assert not old_file.exists()
    assert session.get(Document, recent_identity.id) is not None
    assert session.get(Document, old_lease.id) is not None
    assert path_for(recent_identity.storage_key).exists()


def test_purge_command_uses_the_retention_setting(
    session: Session, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from extranet_app.settings import get_settings

    tenant = make_tenant(session)
    add_document(
        session, title="CNI", category=DocumentCategory.IDENTITY, tenant_id=tenant.id, days_old=40
    )
    session.commit()
    monkeypatch.setenv("IDENTITY_DOCUMENT_RETENTION_DAYS", "60")
    get_settings.cache_clear()
    assert main(["purge-identity-documents"]) == 0
    assert capsys.readouterr().out.strip().endswith(": 0")
    monkeypatch.setenv("IDENTITY_DOCUMENT_RETENTION_DAYS", "30")
    get_settings.cache_clear()
    assert main(["purge-identity-documents"]) == 0
    assert "30 jours supprimées : 1" in capsys.readouterr().out
    assert session.exec(select(Document)).all() == []


# --- the download routes --------------------------------------------------------------------


def _get(path: str, token: str | None = None):
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from extranet_app.api.personal_data_routes import routes
    from extranet_app.settings import get_settings

    client = TestClient(Starlette(routes=routes), base_url="http://localhost:8000")
    cookies = {get_settings().session_cookie_name: token} if token else {}
    return client.get(path, cookies=cookies)


def _token(session: Session, email: str) -> str:
    opened = auth.login(session=session, email=email, password=PASSWORD)
    assert opened is not None
    return opened.token


def test_own_export_route_sends_the_logged_in_persons_zip(session: Session) -> None:
    build_people(session)
    response = _get("/api/mes-donnees", _token(session, "camille@example.test"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert unzip(response.content)[0]["compte"]["email"] == "camille@example.test"
    assert _get("/api/mes-donnees").status_code == 404


def test_staff_export_route_serves_staff_and_the_same_404_to_anyone_else(
    session: Session,
) -> None:
    from extranet_app.api.personal_data_routes import staff_export_path

    people = build_people(session)
    path = staff_export_path("locataire", people.tenant_profile.id)
    staff = _get(path, _token(session, "staff@example.test"))
    assert staff.status_code == 200
    assert unzip(staff.content)[0]["profils_locataire"][0]["last_name"] == "Durand"

    assert _get(path, _token(session, "voisin@example.test")).status_code == 404
    assert _get(path).status_code == 404
    forged = f"/api/agence/donnees-personnelles/locataire/{people.tenant_profile.id}"
    assert _get(forged, _token(session, "staff@example.test")).status_code == 404
    refusal = session.exec(
        select(AuditEvent).where(AuditEvent.action == "personal_data.export.denied")
    ).one()
    assert refusal.actor_user_id == people.neighbour.user_id


def test_owner_export_holds_lots_mandate_reports_and_report_pdfs_of_that_owner_only(
    session: Session,
) -> None:
    from extranet_app.services import management_reports
    from tests.reports_support import MARCH, build_report_world

    world = build_report_world(session)
    management_reports.publish(session=session, user=world.staff, choice=MARCH)

    export = export_own_data(session=session, user=world.owner_a)
    data, files = unzip(export.data)

    assert [lot["lot"] for lot in data["lots_proprietaire"]] == ["L1", "L2"]
    assert len(data["mandats"]) == 1
    (report,) = data["rapports_de_gestion"]
    assert report["period_start"] == "2026-03-01"
    assert [d["category"] for d in data["documents"]] == [DocumentCategory.MANAGEMENT_REPORT]
    assert len(files) == 1
    assert "Bernard" not in json.dumps(data, ensure_ascii=False)


def test_an_anonymised_profile_cannot_be_given_a_new_login(session: Session) -> None:
    people = build_people(session, lease_ends=date(2026, 10, 31))
    former = make_tenant(session, last_name="Ancien")
    make_lease(
        session,
        lot=make_lot(session, reference="Z9"),
        tenants=[former],
        end_date=date(2026, 10, 31),
    )
    session.commit()
    anonymise_person(session=session, actor=people.admin, tenant_id=former.id, today=TODAY)
    kind = access_management.PersonKind.TENANT
    with pytest.raises(access_management.InvalidEmail, match="anonymisée"):
        access_management.set_person_email(
            session=session, actor=people.staff, kind=kind, person_id=former.id, email="x@y.fr"
        )
    former.email = "contourne@example.test"  # even written behind the screen's back
    session.commit()
    result = access_management.enrol_people(
        session=session, actor=people.staff, kind=kind, person_ids=[former.id]
    )
    assert result.enrolled == 0
    assert session.get(Tenant, former.id).user_id is None
