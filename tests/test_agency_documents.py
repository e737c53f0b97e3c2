"""The agency's documents: uploads, who sees them, who is told, the list and deletion."""

from __future__ import annotations

import hashlib

import pytest
from sqlmodel import Session, select

from extranet_app.db import make_engine
from extranet_app.email.documents import build_document_available_email
from extranet_app.models import AuditEvent, Document, LeaseTenant, OutboxEmail, Ownership
from extranet_app.models.documents import DocumentCategory, DocumentSource
from extranet_app.services.agency_documents import (
    Audience,
    DocumentRejected,
    DocumentTarget,
    TargetKind,
    audiences_for,
    concerned_people,
    delete_document,
    list_agency_documents,
    search_targets,
    upload_documents,
)
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.documents import list_documents
from extranet_app.services.errors import AccessDenied
from extranet_app.services.owner_submissions import send_documents
from extranet_app.services.received_documents import count_unfiled, list_received
from extranet_app.services.storage import path_for
from extranet_app.settings import get_settings
from tests.conftest import migrate_to_head
from tests.document_support import PDF, TODAY, Building, build_building, pdf, png, stored_files
from tests.factories import make_owner, make_tenant, make_user
from tests.test_documents import make_document
from tests.test_email_messages import AGENCY


@pytest.fixture
def building(session) -> Building:
    return build_building(session)


def upload(session, building: Building, target: DocumentTarget, audience: Audience, **fields):
    values = {
        "category": DocumentCategory.LEASE,
        "title": "Avenant",
        "comment": "",
        "files": [pdf()],
    } | fields
    return upload_documents(
        session=session,
        user=building.staff,
        target=target,
        audience=audience.value,
        today=TODAY,
        **values,
    )


def seen_by(session, user: SessionUser, space: Space) -> set[str]:
    rows = list_documents(session=session, user=user, space=space, today=TODAY)
    return {row.title for row in rows}


def lease_of(building: Building) -> DocumentTarget:
    return DocumentTarget(TargetKind.LEASE, building.lease.id)


def test_upload_stores_each_file_privately_with_its_hash(session, building):
    files = [pdf("avenant.pdf"), png("plan.png")]
    outcome = upload(session, building, lease_of(building), Audience.TENANTS, files=files)
    assert outcome.documents == 2
    documents = session.exec(select(Document).order_by(Document.id)).all()
    assert [d.original_filename for d in documents] == ["avenant.pdf", "plan.png"]
    for document, checked in zip(documents, files, strict=True):
        assert document.sha256 == hashlib.sha256(checked.data).hexdigest()
        assert path_for(document.storage_key).read_bytes() == checked.data
        assert document.source == DocumentSource.AGENCY
        assert document.uploaded_by_id == building.staff.user_id
        assert (document.lease_id, document.lot_id) == (building.lease.id, building.lot.id)
    assert len(stored_files()) == 2
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "document.upload")).one()
    assert event.target_type == "lease" and event.target_id == str(building.lease.id)


def test_untitled_files_take_their_name_as_title(session, building):
    upload(
        session, building, lease_of(building), Audience.TENANTS, title="", files=[pdf("EDL.pdf")]
    )
    assert session.exec(select(Document.title)).one() == "EDL"


def test_a_lease_document_for_tenants_is_seen_by_that_lease_only(session, building):
    upload(session, building, lease_of(building), Audience.TENANTS, title="Avenant")
    assert "Avenant" in seen_by(session, building.tenant, Space.TENANT)
    assert "Avenant" in seen_by(session, building.opted_out, Space.TENANT)
    for other in (building.neighbour, building.stranger, building.former):
        assert seen_by(session, other, Space.TENANT) == set()
    assert seen_by(session, building.owner, Space.OWNER) == set()


def test_owners_see_owner_documents_and_not_tenant_only_ones(session, building):
    lot = DocumentTarget(TargetKind.LOT, building.lot.id)
    upload(session, building, lot, Audience.TENANTS, title="Règlement intérieur")
    upload(session, building, lot, Audience.OWNERS, title="Devis toiture")
    assert seen_by(session, building.owner, Space.OWNER) == {"Devis toiture"}
    assert seen_by(session, building.other_owner, Space.OWNER) == set()
    assert seen_by(session, building.tenant, Space.TENANT) == {"Règlement intérieur"}


def test_a_former_tenant_does_not_see_documents_added_after_their_lease(session, building):
    lot = DocumentTarget(TargetKind.LOT, building.lot.id)
    whole = DocumentTarget(TargetKind.BUILDING, building.lot.property_id)
    upload(session, building, lot, Audience.TENANTS, title="DPE 2026")
    upload(session, building, whole, Audience.BOTH, title="Travaux ascenseur")
    assert seen_by(session, building.former, Space.TENANT) == set()
    assert seen_by(session, building.tenant, Space.TENANT) == {"DPE 2026", "Travaux ascenseur"}
    assert seen_by(session, building.neighbour, Space.TENANT) == {"Travaux ascenseur"}
    assert seen_by(session, building.other_owner, Space.OWNER) == {"Travaux ascenseur"}
    assert seen_by(session, building.stranger, Space.TENANT) == set()


def test_a_personal_document_reaches_that_person_only(session, building):
    target = DocumentTarget(TargetKind.TENANT, building.tenant_profile.id)
    upload(session, building, target, Audience.TENANTS, title="Attestation de loyer")
    assert seen_by(session, building.tenant, Space.TENANT) == {"Attestation de loyer"}
    assert seen_by(session, building.opted_out, Space.TENANT) == set()
    assert seen_by(session, building.owner, Space.OWNER) == set()


def test_an_agency_only_document_is_seen_by_nobody_else_and_told_to_nobody(session, building):
    outcome = upload(session, building, lease_of(building), Audience.AGENCY, title="Interne")
    assert outcome.notified == 0
    assert seen_by(session, building.tenant, Space.TENANT) == set()
    assert seen_by(session, building.owner, Space.OWNER) == set()
    assert seen_by(session, building.staff, Space.AGENCY) == {"Interne"}
    assert session.exec(select(OutboxEmail)).all() == []


@pytest.mark.parametrize(
    ("kind", "audience"),
    [
        (TargetKind.TENANT, Audience.OWNERS),
        (TargetKind.TENANT, Audience.BOTH),
        (TargetKind.OWNER, Audience.TENANTS),
    ],
)
def test_an_audience_a_person_document_cannot_reach_is_refused(session, building, kind, audience):
    person = building.tenant_profile if kind == TargetKind.TENANT else building.owner_profile
    with pytest.raises(DocumentRejected):
        upload(session, building, DocumentTarget(kind, person.id), audience)
    assert session.exec(select(Document)).all() == []
    assert stored_files() == []


def test_an_unknown_target_or_category_is_refused_with_nothing_stored(session, building):
    with pytest.raises(DocumentRejected):
        upload(session, building, DocumentTarget(TargetKind.LEASE, 99_999), Audience.TENANTS)
    with pytest.raises(DocumentRejected):  # quittances are made by the extranet, not uploaded
        upload(
            session,
            building,
            lease_of(building),
            Audience.TENANTS,
            category=DocumentCategory.RENT_RECEIPT,
        )
    with pytest.raises(DocumentRejected):
        upload(session, building, lease_of(building), Audience.TENANTS, files=[])
    assert stored_files() == []


def outbox_rows(session) -> list[OutboxEmail]:
    return list(session.exec(select(OutboxEmail).order_by(OutboxEmail.id)).all())


def test_one_email_per_batch_to_the_people_concerned_only(session, building):
    files = [pdf("a.pdf", "1"), pdf("b.pdf", "2"), png("c.png")]
    outcome = upload(
        session, building, lease_of(building), Audience.BOTH, title="Secret", files=files
    )
    rows = outbox_rows(session)
    assert outcome.notified == 2
    assert {row.user_id for row in rows} == {
        building.users["tenant"].id,
        building.users["owner"].id,
    }
    by_user = {row.user_id: row for row in rows}
    tenant_mail = by_user[building.users["tenant"].id]
    owner_mail = by_user[building.users["owner"].id]
    assert tenant_mail.subject.startswith("De nouveaux documents sont disponibles")
    assert "http://localhost:3000/locataire/documents" in tenant_mail.body_text
    assert "http://localhost:3000/proprietaire/documents" in owner_mail.body_text
    for row in rows:
        assert row.kind == "notification" and row.next_attempt_at is None  # waits for review
        assert "Secret" not in row.body_text and "a.pdf" not in row.body_html
        assert "3 nouveaux documents" in row.body_text


def test_a_single_document_has_the_singular_subject(session, building):
    upload(session, building, lease_of(building), Audience.TENANTS)
    (row,) = outbox_rows(session)
    assert row.subject.startswith("Un nouveau document est disponible dans votre espace")


def test_a_lot_notice_goes_to_its_current_tenants_not_the_former_one(session, building):
    upload(session, building, DocumentTarget(TargetKind.LOT, building.lot.id), Audience.TENANTS)
    assert [row.user_id for row in outbox_rows(session)] == [building.users["tenant"].id]


def test_a_building_notice_reaches_every_current_tenant_and_owner_of_it(session, building):
    whole = DocumentTarget(TargetKind.BUILDING, building.lot.property_id)
    upload(session, building, whole, Audience.BOTH)
    expected = {building.users[name].id for name in ("tenant", "neighbour", "owner", "other_owner")}
    assert {row.user_id for row in outbox_rows(session)} == expected


def test_a_person_both_tenant_and_owner_of_the_lease_gets_one_email(session, building):
    user = make_user(session, email="mixte@example.test")
    as_owner = make_owner(session, user=user, last_name="Mixte")
    as_tenant = make_tenant(session, user=user, last_name="Mixte")
    session.add(Ownership(owner_id=as_owner.id, lot_id=building.lot.id))
    session.add(LeaseTenant(lease_id=building.lease.id, tenant_id=as_tenant.id))
    session.commit()
    upload(session, building, lease_of(building), Audience.BOTH)
    mixed = [row for row in outbox_rows(session) if row.user_id == user.id]
    assert len(mixed) == 1 and "/locataire/documents" in mixed[0].body_text


def test_a_failure_after_storing_leaves_neither_file_nor_row(session, building):
    # An address the outbox refuses makes the batch fail after the files were written.
    building.users["tenant"].email = "lemoine<@example.test"
    session.commit()
    with pytest.raises(ValueError, match="Adresse e-mail invalide"):
        upload(session, building, lease_of(building), Audience.TENANTS, files=[pdf(), png()])
    assert stored_files() == []
    assert session.exec(select(Document)).all() == []
    assert outbox_rows(session) == []
    assert (
        session.exec(select(AuditEvent).where(AuditEvent.action == "document.upload")).all() == []
    )


def test_search_finds_leases_lots_buildings_and_people(session, building):
    matches = search_targets(session=session, user=building.staff, text="lemoine")
    kinds = [(m.target.kind, m.target.target_id) for m in matches]
    assert (TargetKind.LEASE, building.lease.id) in kinds
    assert (TargetKind.TENANT, building.tenant_profile.id) in kinds
    assert (TargetKind.LEASE, building.old_lease.id) not in kinds
    by_building = search_targets(session=session, user=building.staff, text="A2")
    assert (TargetKind.LOT, building.neighbour_lot.id) in [
        (m.target.kind, m.target.target_id) for m in by_building
    ]
    assert search_targets(session=session, user=building.staff, text="%") == []


def test_the_agency_list_filters_and_pages_in_the_database(session, building):
    for number in range(3):
        upload(session, building, lease_of(building), Audience.TENANTS, title=f"Bail {number}")
    upload(
        session,
        building,
        DocumentTarget(TargetKind.OWNER, building.owner_profile.id),
        Audience.OWNERS,
        category=DocumentCategory.MANDATE,
        title="Mandat",
    )
    make_document(session, title="Quittance", source=DocumentSource.GENERATED)
    session.commit()
    staff = building.staff
    first = list_agency_documents(session=session, user=staff, page_size=2)
    assert (first.total, first.page_count, len(first.entries)) == (5, 3, 2)
    last = list_agency_documents(session=session, user=staff, page=9, page_size=2)
    assert last.page == 3 and len(last.entries) == 1
    mandate = list_agency_documents(session=session, user=staff, category=DocumentCategory.MANDATE)
    assert [e.line.title for e in mandate.entries] == ["Mandat"]
    assert mandate.entries[0].line.attached_to == "Propriétaire M. Paul Bertrand"
    generated = list_agency_documents(session=session, user=staff, source=DocumentSource.GENERATED)
    assert [(e.line.title, e.line.can_delete) for e in generated.entries] == [("Quittance", False)]
    by_tenant = list_agency_documents(session=session, user=staff, search="lemoine")
    assert {e.line.title for e in by_tenant.entries} == {"Bail 0", "Bail 1", "Bail 2"}
    by_owner = list_agency_documents(session=session, user=staff, search="bertrand")
    assert {e.line.title for e in by_owner.entries} == {"Mandat"}


def test_deleting_removes_the_row_and_the_file_and_is_journaled(session, building):
    upload(session, building, lease_of(building), Audience.TENANTS, title="Erreur")
    document = session.exec(select(Document)).one()
    path = path_for(document.storage_key)
    assert (
        delete_document(session=session, user=building.staff, document_id=document.id) == "Erreur"
    )
    assert session.exec(select(Document)).all() == []
    assert not path.exists()
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "document.delete")).one()
    assert event.allowed and event.target_id == str(document.id)


@pytest.mark.parametrize(
    "fields",
    [
        {"source": DocumentSource.GENERATED},
        {"category": DocumentCategory.RENT_RECEIPT},
        {"category": DocumentCategory.MANAGEMENT_REPORT},
    ],
)
def test_generated_documents_can_never_be_deleted(session, building, fields):
    document = make_document(session, title="Quittance", data=PDF, **fields)
    session.commit()
    with pytest.raises(DocumentRejected, match="jamais"):
        delete_document(session=session, user=building.staff, document_id=document.id)
    assert path_for(document.storage_key).exists()
    assert session.get(Document, document.id) is not None
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "document.delete")).one()
    assert not event.allowed


def test_a_tenant_or_owner_calling_the_agency_services_gets_nothing(session, building):
    make_document(session, title="Bail", lease_id=building.lease.id)
    session.commit()
    document_id = session.exec(select(Document.id)).one()
    for person in (building.tenant, building.owner):
        with pytest.raises(AccessDenied):
            search_targets(session=session, user=person, text="lemoine")
        with pytest.raises(AccessDenied):
            list_agency_documents(session=session, user=person)
        with pytest.raises(AccessDenied):
            delete_document(session=session, user=person, document_id=document_id)
        with pytest.raises(AccessDenied):
            upload_documents(
                session=session,
                user=person,
                target=lease_of(building),
                category="bail",
                title="x",
                comment="",
                audience="locataires",
                files=[pdf()],
            )
    assert len(session.exec(select(Document)).all()) == 1
    assert len(stored_files()) == 1


def test_a_document_already_deleted_is_not_found(session, building):
    upload(session, building, lease_of(building), Audience.TENANTS)
    document = session.exec(select(Document)).one()
    delete_document(session=session, user=building.staff, document_id=document.id)
    with pytest.raises(DocumentRejected, match="introuvable"):
        delete_document(session=session, user=building.staff, document_id=document.id)
    with pytest.raises(DocumentRejected, match="introuvable"):
        delete_document(session=session, user=building.staff, document_id={"id": 1})


def _targets(building: Building) -> dict[TargetKind, DocumentTarget]:
    ids = {
        TargetKind.LEASE: building.lease.id,
        TargetKind.LOT: building.lot.id,
        TargetKind.BUILDING: building.lot.property_id,
        TargetKind.TENANT: building.tenant_profile.id,
        TargetKind.OWNER: building.owner_profile.id,
    }
    return {kind: DocumentTarget(kind, target_id) for kind, target_id in ids.items()}


@pytest.mark.parametrize("kind", list(TargetKind))
def test_the_people_told_are_exactly_those_who_can_open_it(session, building, kind):
    """The e-mail rule and the Porte-documents rule agree, for every target and audience."""
    people = {
        "tenant": (building.tenant, Space.TENANT),
        "opted_out": (building.opted_out, Space.TENANT),
        "former": (building.former, Space.TENANT),
        "neighbour": (building.neighbour, Space.TENANT),
        "stranger": (building.stranger, Space.TENANT),
        "owner": (building.owner, Space.OWNER),
        "other_owner": (building.other_owner, Space.OWNER),
    }
    for audience in audiences_for(kind):
        title = f"{kind.value}-{audience.value}"
        upload(session, building, _targets(building)[kind], audience, title=title)
        seeing = {
            building.users[name].id
            for name, (user, space) in people.items()
            if title in seen_by(session, user, space)
        }
        told = concerned_people(
            session=session, target=_targets(building)[kind], audience=audience, today=TODAY
        )
        assert {recipient.user_id for recipient in told} == seeing - {
            building.users["opted_out"].id
        }, title


def test_uploads_notices_search_and_inbox_work_on_postgresql(postgres_url, tmp_path, monkeypatch):
    monkeypatch.setenv("DOCUMENTS_DIR", str(tmp_path / "documents"))
    get_settings.cache_clear()
    migrate_to_head(postgres_url)
    engine = make_engine(postgres_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            building = build_building(session)
            whole = DocumentTarget(TargetKind.BUILDING, building.lot.property_id)
            assert upload(session, building, whole, Audience.BOTH, title="Ravalement").notified == 4
            assert seen_by(session, building.former, Space.TENANT) == set()
            assert "Ravalement" in seen_by(session, building.neighbour, Space.TENANT)
            found = search_targets(session=session, user=building.staff, text="LEMOINE")
            assert (TargetKind.LEASE, building.lease.id) in [
                (m.target.kind, m.target.target_id) for m in found
            ]
            staff = building.staff
            by_building = list_agency_documents(session=session, user=staff, search="résidence")
            assert [e.line.title for e in by_building.entries] == ["Ravalement"]
            # A building's document is not a neighbour's personal paper.
            assert list_agency_documents(session=session, user=staff, search="voisin").total == 0
            send_documents(
                session=session,
                user=building.owner,
                lot_id=building.lot.id,
                category="rib",
                comment="",
                files=[pdf()],
            )
            assert count_unfiled(session=session, user=building.staff) == 1
            (entry,) = list_received(session=session, user=building.staff).entries
            delete_document(session=session, user=building.staff, document_id=entry.document_id)
            assert count_unfiled(session=session, user=building.staff) == 0
    finally:
        engine.dispose()
        get_settings.cache_clear()


def test_the_notice_names_the_kinds_links_the_folder_and_escapes_names():
    email = build_document_available_email(
        agency=AGENCY,
        to_name="<b>Camille</b>",
        count=2,
        categories=["Bail", "Bail"],
        folder_url="https://extranet.agence.test/locataire/documents",
    )
    assert email.subject == "De nouveaux documents sont disponibles dans votre espace"
    assert "2 nouveaux documents dans votre Porte-documents (Bail)" in email.text
    assert 'href="https://extranet.agence.test/locataire/documents"' in email.html
    assert "&lt;b&gt;Camille&lt;/b&gt;" in email.html and "<b>Camille" not in email.html
