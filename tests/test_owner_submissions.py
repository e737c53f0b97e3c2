"""Envoi de documents (owners) and the agency's inbox of received documents, with filing."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pytest
from sqlmodel import select

from extranet_app.models import AuditEvent, Document, DocumentRequest
from extranet_app.models.documents import DocumentCategory, DocumentSource
from extranet_app.services.agency_documents import DocumentRejected
from extranet_app.services.auth import Space
from extranet_app.services.documents import list_documents
from extranet_app.services.errors import AccessDenied
from extranet_app.services.owner_submissions import (
    owner_lots,
    recent_sent_documents,
    send_documents,
)
from extranet_app.services.received_documents import (
    AttachmentKind,
    InboxFilter,
    count_unfiled,
    file_document,
    filing_form,
    list_received,
)
from extranet_app.services.storage import store_bytes
from tests.document_support import TODAY, Building, build_building, pdf, png, stored_files


@pytest.fixture
def building(session) -> Building:
    return build_building(session)


def send(session, building: Building, lot_id, **fields) -> int:
    values = {"category": DocumentCategory.BANK_DETAILS, "comment": "Nouveau compte"} | fields
    values.setdefault("files", [pdf("rib.pdf")])
    return send_documents(session=session, user=building.owner, lot_id=lot_id, **values)


def events(session, action: str) -> list[AuditEvent]:
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def test_an_owner_sends_documents_for_their_lot(session, building):
    files = [pdf("diagnostic.pdf"), png("photo.png")]
    count = send(session, building, building.lot.id, category="diagnostic", files=files)
    assert count == 2
    documents = session.exec(select(Document).order_by(Document.id)).all()
    for document, checked in zip(documents, files, strict=True):
        assert document.source == DocumentSource.OWNER
        assert document.owner_id == building.owner_profile.id
        assert document.lot_id == building.lot.id
        assert document.document_request_id is None and document.filed_at is None
        assert not document.visible_to_tenants and not document.visible_to_owners
        assert document.sha256 == hashlib.sha256(checked.data).hexdigest()
        assert document.comment == "Nouveau compte"
    assert [d.title for d in documents] == ["Diagnostic – diagnostic", "Diagnostic – photo"]
    assert len(events(session, "owner_submission.sent")) == 1
    sent = recent_sent_documents(session=session, user=building.owner)
    assert {line.status_label for line in sent} == {"Reçu par l'agence"}
    assert sent[0].lot_label.endswith("lot A1")


def test_an_owner_may_send_without_naming_a_lot(session, building):
    send(session, building, None)
    document = session.exec(select(Document)).one()
    assert (document.title, document.lot_id) == ("RIB", None)
    assert document.owner_id == building.owner_profile.id


def test_an_owner_sending_for_a_lot_not_theirs_is_refused_and_journaled(session, building):
    with pytest.raises(AccessDenied):
        send(session, building, building.neighbour_lot.id)
    with pytest.raises(AccessDenied):
        send(session, building, "1")
    assert session.exec(select(Document)).all() == []
    assert stored_files() == []
    refused = events(session, "owner_submission.refused")
    assert [(e.allowed, e.target_id) for e in refused] == [
        (False, str(building.neighbour_lot.id)),
        (False, ""),
    ]


def test_the_form_offers_only_the_owners_own_lots(session, building):
    lots = owner_lots(session=session, user=building.owner)
    assert [lot.lot_id for lot in lots] == [building.lot.id]


def test_a_preview_of_the_owners_space_sends_nothing(session, building):
    preview = replace(building.owner, previewed_by_user_id=building.staff.user_id)
    with pytest.raises(AccessDenied):
        send_documents(
            session=session,
            user=preview,
            lot_id=building.lot.id,
            category="rib",
            comment="",
            files=[pdf()],
        )
    assert stored_files() == []


def test_a_tenant_cannot_use_the_owner_sending(session, building):
    with pytest.raises(AccessDenied):
        send_documents(
            session=session,
            user=building.tenant,
            lot_id=None,
            category="rib",
            comment="",
            files=[pdf()],
        )


def test_a_bad_category_or_no_file_is_refused(session, building):
    with pytest.raises(DocumentRejected):
        send(session, building, building.lot.id, category="quittance")
    with pytest.raises(DocumentRejected):
        send(session, building, building.lot.id, files=[])
    assert stored_files() == []


def _tenant_spontaneous(session, building: Building) -> Document:
    stored = store_bytes(data=b"%PDF-1.4 tenant", extension="pdf")
    document = Document(
        tenant_id=building.tenant_profile.id,
        source=DocumentSource.TENANT,
        title="Photo du dégât des eaux",
        storage_key=stored.storage_key,
        original_filename="degat.pdf",
        mime_type="application/pdf",
        size_bytes=stored.size_bytes,
        sha256=stored.sha256,
    )
    session.add(document)
    session.commit()
    return document


def _requested(session, building: Building) -> Document:
    request = DocumentRequest(tenant_id=building.tenant_profile.id, title="Assurance")
    session.add(request)
    session.flush()
    stored = store_bytes(data=b"%PDF-1.4 request", extension="pdf")
    document = Document(
        tenant_id=building.tenant_profile.id,
        document_request_id=request.id,
        source=DocumentSource.TENANT,
        title="Attestation",
        storage_key=stored.storage_key,
        original_filename="assurance.pdf",
        mime_type="application/pdf",
        size_bytes=stored.size_bytes,
        sha256=stored.sha256,
    )
    session.add(document)
    session.commit()
    return document


def test_the_inbox_lists_spontaneous_sends_to_file_first(session, building):
    send(session, building, building.lot.id)
    tenant_document = _tenant_spontaneous(session, building)
    _requested(session, building)  # answered a request: reviewed in Documents à fournir
    staff = building.staff
    assert count_unfiled(session=session, user=staff) == 2
    first = session.exec(select(Document).where(Document.source == DocumentSource.OWNER)).one()
    file_document(
        session=session,
        user=staff,
        document_id=first.id,
        category="rib",
        attachment=None,
        audience="agence",
    )
    assert count_unfiled(session=session, user=staff) == 1
    everything = list_received(session=session, user=staff, status=InboxFilter.ALL)
    assert [entry.document_id for entry in everything.entries] == [tenant_document.id, first.id]
    assert [entry.line.filed for entry in everything.entries] == [False, True]
    assert everything.entries[1].line.sender == "Propriétaire M. Paul Bertrand"
    to_file = list_received(session=session, user=staff)
    assert [entry.document_id for entry in to_file.entries] == [tenant_document.id]


def test_filing_attaches_to_a_lease_and_shares_with_its_tenants(session, building):
    send(session, building, building.lot.id, category="autre")
    document = session.exec(select(Document)).one()
    form = filing_form(session=session, user=building.staff, document_id=document.id)
    lease_option = next(o for o in form.options if o.kind == AttachmentKind.LEASE)
    assert {(o.kind, o.target_id) for o in form.options} >= {
        (AttachmentKind.LOT, building.lot.id),
        (AttachmentKind.LEASE, building.lease.id),
    }
    file_document(
        session=session,
        user=building.staff,
        document_id=document.id,
        category="diagnostic",
        attachment=(lease_option.kind.value, lease_option.target_id),
        audience="locataires",
    )
    session.refresh(document)
    assert document.filed_at is not None and document.category == "diagnostic"
    assert (document.lease_id, document.lot_id) == (building.lease.id, building.lot.id)
    assert (document.visible_to_tenants, document.visible_to_owners) == (True, False)
    seen = list_documents(session=session, user=building.tenant, space=Space.TENANT, today=TODAY)
    assert [row.title for row in seen] == ["Autre"]
    for other in (building.neighbour, building.former):
        assert list_documents(session=session, user=other, space=Space.TENANT, today=TODAY) == []
    (event,) = events(session, "document.filed")
    assert event.target_id == str(document.id)


def test_filing_refuses_what_the_rule_could_not_give(session, building):
    send(session, building, building.lot.id)
    document = session.exec(select(Document)).one()
    staff = building.staff
    with pytest.raises(DocumentRejected, match="bail"):  # the owner's file names the owner
        file_document(
            session=session,
            user=staff,
            document_id=document.id,
            category="rib",
            attachment=("lot", building.lot.id),
            audience="locataires",
        )
    with pytest.raises(DocumentRejected, match="expéditeur"):  # another owner's lot
        file_document(
            session=session,
            user=staff,
            document_id=document.id,
            category="rib",
            attachment=("lot", building.neighbour_lot.id),
            audience="proprietaires",
        )
    tenant_document = _tenant_spontaneous(session, building)
    with pytest.raises(DocumentRejected):  # a tenant's own document never reaches owners
        file_document(
            session=session,
            user=staff,
            document_id=tenant_document.id,
            category="photo",
            attachment=None,
            audience="proprietaires",
        )
    session.refresh(document)
    assert document.filed_at is None and tenant_document.filed_at is None


def test_documents_outside_the_inbox_cannot_be_filed(session, building):
    requested = _requested(session, building)
    with pytest.raises(DocumentRejected, match="introuvable"):
        file_document(
            session=session,
            user=building.staff,
            document_id=requested.id,
            category="assurance",
            attachment=None,
            audience="locataires",
        )


def test_only_staff_reads_or_files_the_inbox(session, building):
    send(session, building, building.lot.id)
    document = session.exec(select(Document)).one()
    for person in (building.tenant, building.owner):
        with pytest.raises(AccessDenied):
            count_unfiled(session=session, user=person)
        with pytest.raises(AccessDenied):
            list_received(session=session, user=person)
        with pytest.raises(AccessDenied):
            file_document(
                session=session,
                user=person,
                document_id=document.id,
                category="rib",
                attachment=None,
                audience="proprietaires",
            )
    session.refresh(document)
    assert document.filed_at is None
