"""The Porte-documents rule: who sees which document, in the list and for download."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from extranet_app.models import AuditEvent, Document, ManagementMandate, Owner, Tenant, User
from extranet_app.models.documents import DocumentCategory
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.documents import (
    document_reference,
    documents_for_owner,
    documents_for_tenant,
    downloadable_document,
    format_size,
    list_documents,
)
from extranet_app.services.storage import store_bytes
from tests.factories import make_lease, make_lot, make_owner, make_tenant, make_user

TODAY = date(2026, 11, 27)


def make_document(session: Session, *, title: str, data: bytes = b"%PDF-1.4 test", **links):
    stored = store_bytes(data=data, extension="pdf")
    links.setdefault("visible_to_tenants", True)
    links.setdefault("visible_to_owners", True)
    document = Document(
        title=title,
        storage_key=stored.storage_key,
        original_filename=f"{title}.pdf",
        mime_type="application/pdf",
        size_bytes=stored.size_bytes,
        sha256=stored.sha256,
        **links,
    )
    session.add(document)
    session.flush()
    return document


def as_session_user(user: User, *, tenants=(), owners=()) -> SessionUser:
    return SessionUser(
        user_id=user.id,
        session_id=1,
        email=user.email,
        display_name=user.email,
        is_agency=user.is_agency,
        is_admin=user.is_admin,
        tenant_ids=tuple(t.id for t in tenants),
        owner_ids=tuple(o.id for o in owners),
    )


def tenant_user(session: Session) -> tuple[SessionUser, Tenant]:
    user = make_user(session)
    tenant = make_tenant(session, user=user)
    return as_session_user(user, tenants=[tenant]), tenant


def owner_user(session: Session) -> tuple[SessionUser, Owner]:
    user = make_user(session)
    owner = make_owner(session, user=user)
    return as_session_user(user, owners=[owner]), owner


def titles(rows) -> set[str]:
    return {row.title for row in rows}


@pytest.fixture
def world(session):
    """A building with a lot: a former tenant, the current tenant, their owner, and papers."""
    owner, owner_profile = owner_user(session)
    former, former_profile = tenant_user(session)
    current, current_profile = tenant_user(session)
    stranger, stranger_profile = tenant_user(session)
    lot = make_lot(session, owner=owner_profile)
    other_lot = make_lot(session, reference="B2")
    old = make_lease(
        session,
        lot=lot,
        tenants=[former_profile],
        start_date=date(2020, 1, 1),
        end_date=date(2023, 12, 31),
    )
    new = make_lease(session, lot=lot, tenants=[current_profile], start_date=date(2024, 1, 1))
    make_lease(session, lot=other_lot, tenants=[stranger_profile])
    mandate = ManagementMandate(owner_id=owner_profile.id, number="M1", start_date=date(2024, 1, 1))
    session.add(mandate)
    session.flush()
    make_document(session, title="Bail ancien", lease_id=old.id)
    make_document(session, title="Bail actuel", lease_id=new.id, category=DocumentCategory.LEASE)
    make_document(session, title="Sortie ancien", lease_id=old.id, lot_id=lot.id)
    make_document(session, title="Règlement", property_id=lot.property_id)
    make_document(session, title="DPE", lot_id=lot.id, category=DocumentCategory.DIAGNOSTIC)
    make_document(session, title="Identité", tenant_id=current_profile.id, visible_to_owners=True)
    make_document(session, title="Attestation", lease_id=new.id, visible_to_owners=False)
    make_document(session, title="Mandat", owner_id=owner_profile.id, visible_to_tenants=False)
    make_document(
        session, title="Interne", lot_id=lot.id, visible_to_tenants=False, visible_to_owners=False
    )
    make_document(session, title="Sans lien")  # linked to nothing: the agency only
    make_document(session, title="DPE voisin", lot_id=other_lot.id)
    session.commit()
    return {"owner": owner, "former": former, "current": current, "stranger": stranger}


def test_tenant_sees_own_lease_building_and_personal_documents(session, world):
    rows = documents_for_tenant(session=session, user=world["current"], today=TODAY)
    assert titles(rows) == {"Bail actuel", "Règlement", "DPE", "Identité", "Attestation"}


def test_former_tenant_does_not_see_the_new_tenants_lease_documents(session, world):
    rows = documents_for_tenant(session=session, user=world["former"], today=TODAY)
    assert titles(rows) == {"Bail ancien", "Sortie ancien"}


def test_new_tenant_does_not_see_the_former_tenants_papers_linked_to_the_lot(session, world):
    rows = documents_for_tenant(session=session, user=world["current"], today=TODAY)
    assert "Sortie ancien" not in titles(rows)
    assert "Bail ancien" not in titles(rows)


def test_tenant_does_not_see_another_tenants_documents(session, world):
    rows = documents_for_tenant(session=session, user=world["stranger"], today=TODAY)
    assert titles(rows) == {"DPE voisin"}


def test_owner_sees_lot_lease_and_mandate_documents_but_no_personal_ones(session, world):
    rows = documents_for_owner(session=session, user=world["owner"], today=TODAY)
    assert titles(rows) == {
        "Bail ancien",
        "Bail actuel",
        "Sortie ancien",
        "Règlement",
        "DPE",
        "Mandat",
    }


def test_agency_sees_every_document(session, world):
    staff = as_session_user(make_user(session, is_agency=True))
    rows = list_documents(session=session, user=staff, space=Space.AGENCY, today=TODAY)
    assert len(rows) == session.exec(select(Document)).all().__len__()


def test_tenant_without_profile_sees_nothing(session, world):
    nobody = as_session_user(make_user(session))
    assert documents_for_tenant(session=session, user=nobody, today=TODAY) == []
    assert documents_for_owner(session=session, user=nobody, today=TODAY) == []


def test_filter_by_category_and_search_by_title(session, world):
    user = world["current"]
    by_category = documents_for_tenant(
        session=session, user=user, today=TODAY, category=DocumentCategory.DIAGNOSTIC
    )
    assert titles(by_category) == {"DPE"}
    found = documents_for_tenant(session=session, user=user, today=TODAY, search="règle")
    assert titles(found) == {"Règlement"}
    assert documents_for_tenant(session=session, user=user, today=TODAY, search="%") == []


def test_rows_carry_an_opaque_reference_and_french_formats(session, world):
    row = next(
        r
        for r in documents_for_tenant(session=session, user=world["current"], today=TODAY)
        if r.title == "Bail actuel"
    )
    document = session.exec(select(Document).where(Document.title == "Bail actuel")).one()
    assert row.reference == document_reference(document.id)
    assert str(document.id) != row.reference and len(row.reference) == 32
    assert row.category_label == "Bail"
    assert row.date.count("/") == 2


def test_format_size_in_french():
    assert format_size(500) == "500 octets"
    assert format_size(245 * 1024) == "245 Ko"
    assert format_size(1_258_291) == "1,2 Mo"


def _reference(session, title: str) -> str:
    document = session.exec(select(Document).where(Document.title == title)).one()
    return document_reference(document.id)


def test_download_follows_the_same_rule_and_is_audited(session, world):
    reference = _reference(session, "Bail actuel")
    allowed = downloadable_document(
        session=session,
        user=world["current"],
        space=Space.TENANT,
        reference=reference,
        today=TODAY,
    )
    assert allowed is not None and allowed.path.read_bytes() == b"%PDF-1.4 test"
    assert allowed.filename == "Bail actuel.pdf" and allowed.mime_type == "application/pdf"
    refused = downloadable_document(
        session=session,
        user=world["former"],
        space=Space.TENANT,
        reference=reference,
        today=TODAY,
    )
    assert refused is None
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "document.download")).all()
    assert [event.allowed for event in events] == [True, False]


def test_download_in_the_wrong_space_is_refused(session, world):
    reference = _reference(session, "Attestation")
    assert (
        downloadable_document(
            session=session,
            user=world["current"],
            space=Space.OWNER,
            reference=reference,
            today=TODAY,
        )
        is None
    )


def test_agency_may_download_any_document(session, world):
    staff = as_session_user(make_user(session, is_agency=True))
    reference = _reference(session, "Interne")
    found = downloadable_document(
        session=session, user=staff, space=Space.AGENCY, reference=reference, today=TODAY
    )
    assert found is not None


def test_forged_reference_is_refused(session, world):
    assert (
        downloadable_document(
            session=session, user=world["current"], space=Space.TENANT, reference="1", today=TODAY
        )
        is None
    )
