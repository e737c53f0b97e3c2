"""Documents à fournir and Documents envoyés: who sees which request, sending files, the agency's
review with its e-mails, the yearly renewal and requests to a whole building."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from extranet_app.models import (
    AuditEvent,
    Document,
    DocumentCategory,
    DocumentRequest,
    DocumentRequestStatus,
    DocumentSource,
    OutboxEmail,
)
from extranet_app.services.auth import SessionUser, Space
from extranet_app.services.document_requests import (
    RequestError,
    count_to_provide,
    list_requests,
    list_sent_documents,
    submit_files,
)
from extranet_app.services.documents import (
    document_reference,
    documents_for_owner,
    documents_for_tenant,
    downloadable_document,
)
from extranet_app.services.errors import AccessDenied
from extranet_app.services.request_review import (
    RequestForm,
    RequestTarget,
    TargetKind,
    accept_request,
    count_requests_to_review,
    create_requests,
    list_agency_requests,
    refuse_request,
    renew_expiring_requests,
    renewal_title,
    review_request,
    search_targets,
)
from extranet_app.services.storage import path_for
from extranet_app.services.uploads import CheckedFile, check_upload
from extranet_app.settings import get_settings
from tests.factories import make_lease, make_lot, make_owner, make_tenant, make_user
from tests.test_documents import as_session_user

TODAY = date(2026, 11, 27)
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def pdf(name: str = "attestation.pdf") -> CheckedFile:
    return check_upload(filename=name, data=PDF_BYTES, declared_type="application/pdf")


def make_request(session: Session, **fields) -> DocumentRequest:
    fields.setdefault("title", "Attestation d'assurance habitation 2026")
    fields.setdefault("category", DocumentCategory.INSURANCE)
    fields.setdefault("due_date", TODAY + timedelta(days=15))
    request = DocumentRequest(**fields)
    session.add(request)
    session.flush()
    return request


@pytest.fixture
def world(session):
    """Two buildings: Camille (with a co-tenant) and a neighbour in the first, a stranger in the
    second, a former tenant, their owner Paul, and the agency."""
    people = {}
    for name in ("camille", "cotenant", "neighbour", "stranger", "former"):
        user = make_user(session, email=f"{name}@example.test", display_name=name)
        people[name] = (user, make_tenant(session, user=user, last_name=name.capitalize()))
    owner_login = make_user(session, email="paul@example.test")
    owner = make_owner(session, user=owner_login)
    other_owner_login = make_user(session, email="autre@example.test")
    other_owner = make_owner(session, user=other_owner_login, last_name="Autre")
    lot = make_lot(session, owner=owner, reference="A1")
    neighbour_lot = make_lot(session, owner=other_owner, reference="A2")
    neighbour_lot.property_id = lot.property_id
    far_lot = make_lot(session, owner=other_owner, reference="Z9")
    lease = make_lease(session, lot=lot, tenants=[people["camille"][1], people["cotenant"][1]])
    make_lease(session, lot=neighbour_lot, tenants=[people["neighbour"][1]])
    make_lease(session, lot=far_lot, tenants=[people["stranger"][1]])
    make_lease(
        session,
        lot=neighbour_lot,
        tenants=[people["former"][1]],
        start_date=date(2019, 1, 1),
        end_date=date(2023, 12, 31),
    )
    staff = make_user(session, email="agence@example.test", is_agency=True)
    session.commit()
    world = {
        name: as_session_user(user, tenants=[tenant]) for name, (user, tenant) in people.items()
    }
    world |= {f"{name}_tenant": tenant for name, (_, tenant) in people.items()}
    world |= {
        "paul": as_session_user(owner_login, owners=[owner]),
        "autre": as_session_user(other_owner_login, owners=[other_owner]),
        "owner": owner,
        "lot": lot,
        "lease": lease,
        "building_id": lot.property_id,
        "staff": as_session_user(staff),
    }
    return world


def titles(page) -> set[str]:
    return {listing.card.title for listing in page.listings}


def submit(session, world, who: str, request: DocumentRequest, *files: CheckedFile, space=None):
    return submit_files(
        session=session,
        user=world[who],
        space=space or Space.TENANT,
        request_id=request.id,
        files=list(files) or [pdf()],
        today=TODAY,
    )


def test_tenant_lists_own_requests_and_those_of_a_lease_they_hold(session, world):
    make_request(session, title="Pour Camille", tenant_id=world["camille_tenant"].id)
    make_request(session, title="Pour le bail", lease_id=world["lease"].id)
    make_request(session, title="Pour le colocataire", tenant_id=world["cotenant_tenant"].id)
    make_request(session, title="Pour un inconnu", tenant_id=world["stranger_tenant"].id)
    make_request(session, title="Pour Paul", owner_id=world["owner"].id)
    session.commit()
    page = list_requests(session=session, user=world["camille"], space=Space.TENANT, today=TODAY)
    assert titles(page) == {"Pour Camille", "Pour le bail"}
    assert page.total == 2
    cotenant = list_requests(
        session=session, user=world["cotenant"], space=Space.TENANT, today=TODAY
    )
    assert titles(cotenant) == {"Pour le bail", "Pour le colocataire"}
    as_tenant = list_requests(session=session, user=world["paul"], space=Space.TENANT, today=TODAY)
    assert as_tenant.listings == [] and as_tenant.total == 0


def test_owner_sees_requests_to_them_and_to_their_lots_never_tenants_ones(session, world):
    make_request(session, title="RIB", owner_id=world["owner"].id)
    make_request(session, title="PNO du lot", lot_id=world["lot"].id)
    make_request(session, title="Assurance locataire", lease_id=world["lease"].id)
    make_request(session, title="RIB voisin", owner_id=world["autre"].owner_ids[0])
    session.commit()
    page = list_requests(session=session, user=world["paul"], space=Space.OWNER, today=TODAY)
    assert titles(page) == {"RIB", "PNO du lot"}
    assert (
        count_to_provide(session=session, user=world["paul"], space=Space.OWNER, today=TODAY) == 2
    )


def test_pending_request_past_its_due_date_shows_expired_and_still_accepts_a_late_file(
    session, world
):
    request = make_request(
        session, tenant_id=world["camille_tenant"].id, due_date=TODAY - timedelta(days=1)
    )
    session.commit()
    [listing] = list_requests(
        session=session, user=world["camille"], space=Space.TENANT, today=TODAY
    ).listings
    assert (listing.card.status, listing.card.status_label) == ("expire", "Expiré")
    assert listing.card.overdue and listing.card.can_submit
    submit(session, world, "camille", request)
    assert session.get(DocumentRequest, request.id).status == DocumentRequestStatus.SUBMITTED


def test_sending_files_stores_them_privately_and_marks_the_request_sent(session, world):
    request = make_request(
        session, tenant_id=world["camille_tenant"].id, lease_id=world["lease"].id
    )
    session.commit()
    stored = submit(session, world, "camille", request, pdf("recto.pdf"), pdf("verso.pdf"))
    assert stored == 2
    session.refresh(request)
    assert request.status == DocumentRequestStatus.SUBMITTED and request.submitted_at
    documents = session.exec(select(Document)).all()
    assert {d.original_filename for d in documents} == {"recto.pdf", "verso.pdf"}
    for document in documents:
        assert document.document_request_id == request.id
        assert document.source == DocumentSource.TENANT
        assert document.tenant_id == world["camille_tenant"].id
        assert document.lease_id == world["lease"].id
        assert path_for(document.storage_key).read_bytes() == PDF_BYTES
        assert "recto" not in document.storage_key
    events = session.exec(select(AuditEvent.action)).all()
    assert "document_request.submitted" in events
    # The agency sees it in its list to check: no e-mail per file.
    assert session.exec(select(OutboxEmail)).all() == []
    [listing] = list_requests(
        session=session, user=world["camille"], space=Space.TENANT, today=TODAY
    ).listings
    assert listing.card.status_label == "Envoyé" and not listing.card.can_submit
    assert [f.filename for f in listing.card.files] == ["recto.pdf", "verso.pdf"]


@pytest.mark.parametrize("guess", ["other", "missing", "text", "dict"])
def test_sending_to_a_request_that_is_not_yours_is_refused_and_audited(session, world, guess):
    other = make_request(session, tenant_id=world["stranger_tenant"].id)
    session.commit()
    request_id = {"other": other.id, "missing": other.id + 100, "text": str(other.id)}.get(
        guess, {"id": other.id}
    )
    with pytest.raises(AccessDenied):
        submit_files(
            session=session,
            user=world["camille"],
            space=Space.TENANT,
            request_id=request_id,
            files=[pdf()],
            today=TODAY,
        )
    assert session.exec(select(Document)).all() == []
    refused = session.exec(select(AuditEvent).where(AuditEvent.allowed.is_(False))).one()
    assert refused.action == "document_request.submit"
    assert session.get(DocumentRequest, other.id).status == DocumentRequestStatus.PENDING


def test_an_owner_cannot_answer_a_tenants_request_from_the_owner_space(session, world):
    request = make_request(session, lease_id=world["lease"].id)
    session.commit()
    with pytest.raises(AccessDenied):
        submit(session, world, "paul", request, space=Space.OWNER)


def test_the_agency_preview_cannot_send_anything(session, world):
    request = make_request(session, tenant_id=world["camille_tenant"].id)
    session.commit()
    previewed = SessionUser(**{**world["camille"].__dict__, "previewed_by_user_id": 1})
    with pytest.raises(AccessDenied):
        submit_files(
            session=session,
            user=previewed,
            space=Space.TENANT,
            request_id=request.id,
            files=[pdf()],
            today=TODAY,
        )
    assert session.exec(select(Document)).all() == []


def _documents_folder_files() -> list:
    root = get_settings().documents_dir
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_a_request_under_review_cannot_get_more_files_and_nothing_is_left_behind(session, world):
    request = make_request(session, tenant_id=world["camille_tenant"].id)
    session.commit()
    submit(session, world, "camille", request)
    before = sorted(_documents_folder_files())
    with pytest.raises(RequestError):
        submit(session, world, "camille", request, pdf("encore.pdf"))
    assert sorted(_documents_folder_files()) == before
    assert session.exec(select(Document.original_filename)).all() == ["attestation.pdf"]


def test_a_failure_after_the_files_were_written_removes_them(session, world, monkeypatch):
    request = make_request(session, tenant_id=world["camille_tenant"].id)
    session.commit()
    from extranet_app.services import document_requests

    def concurrent_sending(session, request_id, now):
        raise RequestError("Ce document vient déjà d'être envoyé.")

    monkeypatch.setattr(document_requests, "_mark_submitted", concurrent_sending)
    with pytest.raises(RequestError):
        submit(session, world, "camille", request, pdf("un.pdf"), pdf("deux.pdf"))
    assert _documents_folder_files() == []
    assert session.exec(select(Document)).all() == []
    assert session.get(DocumentRequest, request.id).status == DocumentRequestStatus.PENDING


def test_sent_documents_are_downloadable_by_their_sender_only_and_not_in_the_folder(session, world):
    request = make_request(session, lease_id=world["lease"].id)
    session.commit()
    submit(session, world, "camille", request)
    page = list_sent_documents(
        session=session, user=world["camille"], space=Space.TENANT, today=TODAY
    )
    [sent] = page.documents
    assert (sent.title, sent.status_label, page.total) == (request.title, "Envoyé", 1)
    for who, space, found in (
        ("camille", Space.TENANT, True),
        ("cotenant", Space.TENANT, False),
        ("stranger", Space.TENANT, False),
        ("paul", Space.OWNER, False),
    ):
        download = downloadable_document(
            session=session, user=world[who], space=space, reference=sent.reference, today=TODAY
        )
        assert (download is not None) is found, who
    # The Porte-documents holds what the agency shares; what one sent is in Documents envoyés.
    assert documents_for_tenant(session=session, user=world["camille"], today=TODAY) == []
    assert documents_for_owner(session=session, user=world["paul"], today=TODAY) == []


def test_accepting_notifies_the_person_by_e_mail_with_the_certificates_end(session, world):
    request = make_request(session, tenant_id=world["camille_tenant"].id, renews_yearly=True)
    session.commit()
    submit(session, world, "camille", request)
    with pytest.raises(RequestError, match="date de fin"):
        accept_request(session=session, actor=world["staff"], request_id=request.id, today=TODAY)
    end = date(2027, 11, 30)
    accept_request(
        session=session, actor=world["staff"], request_id=request.id, today=TODAY, valid_until=end
    )
    session.refresh(request)
    assert request.status == DocumentRequestStatus.ACCEPTED and request.valid_until == end
    [email] = session.exec(select(OutboxEmail)).all()
    assert email.to_address == "camille@example.test"
    assert "accepté" in email.subject and "30/11/2027" in email.body_text
    assert "/locataire/documents-a-fournir" in email.body_text
    assert email.next_attempt_at is not None  # goes without a second review
    [sent] = list_sent_documents(
        session=session, user=world["camille"], space=Space.TENANT, today=TODAY
    ).documents
    assert sent.status_label == "Accepté"
    with pytest.raises(RequestError):  # already decided
        refuse_request(session=session, actor=world["staff"], request_id=request.id, reason="Non")


def test_refusing_needs_a_reason_which_the_person_sees_and_reads_in_the_e_mail(session, world):
    request = make_request(session, tenant_id=world["camille_tenant"].id)
    session.commit()
    submit(session, world, "camille", request, pdf("ancien.pdf"))
    with pytest.raises(RequestError, match="motif"):
        refuse_request(session=session, actor=world["staff"], request_id=request.id, reason="  ")
    reason = "L'attestation est au nom d'une autre personne."
    refuse_request(session=session, actor=world["staff"], request_id=request.id, reason=reason)
    [email] = session.exec(select(OutboxEmail)).all()
    assert "refusé" in email.subject and reason in email.body_text
    [listing] = list_requests(
        session=session, user=world["camille"], space=Space.TENANT, today=TODAY
    ).listings
    assert listing.card.status_label == "Refusé" and listing.card.refusal_reason == reason
    assert listing.card.can_submit
    # Sending again: the new file is under review, the refused one stays listed as refused.
    submit(session, world, "camille", request, pdf("nouveau.pdf"))
    sent = list_sent_documents(
        session=session, user=world["camille"], space=Space.TENANT, today=TODAY
    ).documents
    assert {(d.filename, d.status_label) for d in sent} == {
        ("nouveau.pdf", "Envoyé"),
        ("ancien.pdf", "Refusé"),
    }
    [listing] = list_requests(
        session=session, user=world["camille"], space=Space.TENANT, today=TODAY
    ).listings
    assert [f.filename for f in listing.card.files] == ["nouveau.pdf"]


def test_no_e_mail_for_a_person_who_turned_notifications_off(session, world):
    from extranet_app.models import User

    camille = session.get(User, world["camille"].user_id)
    camille.email_notifications = False
    request = make_request(session, tenant_id=world["camille_tenant"].id)
    session.commit()
    submit(session, world, "camille", request)
    refuse_request(session=session, actor=world["staff"], request_id=request.id, reason="Illisible")
    assert session.exec(select(OutboxEmail)).all() == []
    assert session.get(DocumentRequest, request.id).status == DocumentRequestStatus.REFUSED


def test_only_staff_review_and_create(session, world):
    request = make_request(session, tenant_id=world["camille_tenant"].id)
    session.commit()
    submit(session, world, "camille", request)
    with pytest.raises(AccessDenied):
        accept_request(session=session, actor=world["camille"], request_id=request.id, today=TODAY)
    with pytest.raises(AccessDenied):
        list_agency_requests(session=session, actor=world["paul"], today=TODAY)
    with pytest.raises(AccessDenied):
        count_requests_to_review(session=session, actor=world["camille"])
    with pytest.raises(AccessDenied):
        create_requests(
            session=session,
            actor=world["camille"],
            target=RequestTarget(TargetKind.TENANT, world["stranger_tenant"].id),
            form=_form(),
            today=TODAY,
        )


def _form(**changes) -> RequestForm:
    values = {
        "category": DocumentCategory.INSURANCE,
        "title": "Attestation d'assurance habitation 2027",
        "description": "Chaque année.",
        "due_date": TODAY + timedelta(days=30),
        "renews_yearly": True,
    } | changes
    return RequestForm(**values)


def test_a_building_request_goes_to_each_current_tenant_in_one_batch(session, world):
    created = create_requests(
        session=session,
        actor=world["staff"],
        target=RequestTarget(TargetKind.BUILDING, world["building_id"]),
        form=_form(),
        today=TODAY,
    )
    requests = session.exec(select(DocumentRequest)).all()
    current = {world[name + "_tenant"].id for name in ("camille", "cotenant", "neighbour")}
    assert created == 3 and {r.tenant_id for r in requests} == current
    assert all(r.lease_id is not None and r.renews_yearly for r in requests)
    emails = session.exec(select(OutboxEmail.to_address)).all()
    assert sorted(emails) == [
        "camille@example.test",
        "cotenant@example.test",
        "neighbour@example.test",
    ]
    [event] = session.exec(
        select(AuditEvent).where(AuditEvent.action == "document_request.created")
    ).all()
    assert '"requests": 3' in event.detail


def test_a_request_to_one_owner_found_by_search(session, world):
    [match] = [
        m
        for m in search_targets(session=session, actor=world["staff"], text="martin", today=TODAY)
        if m.choice.kind_label == "Propriétaire"
    ]
    assert match.choice.detail == "1 lot"
    create_requests(
        session=session,
        actor=world["staff"],
        target=match.target,
        form=_form(category=DocumentCategory.OTHER, title="RIB", renews_yearly=False),
        today=TODAY,
    )
    page = list_requests(session=session, user=world["paul"], space=Space.OWNER, today=TODAY)
    assert titles(page) == {"RIB"}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "  "}, "titre"),
        ({"category": "quittance"}, "type"),
        ({"due_date": TODAY - timedelta(days=1)}, "date limite"),
        ({"due_date": None}, "date limite"),
    ],
)
def test_a_request_form_with_a_mistake_is_refused(session, world, changes, message):
    with pytest.raises(RequestError, match=message):
        create_requests(
            session=session,
            actor=world["staff"],
            target=RequestTarget(TargetKind.TENANT, world["camille_tenant"].id),
            form=_form(**changes),
            today=TODAY,
        )
    assert session.exec(select(DocumentRequest)).all() == []


def _accepted_insurance(session, world, *, valid_until: date, **fields) -> DocumentRequest:
    fields.setdefault("tenant_id", world["camille_tenant"].id)
    fields.setdefault("lease_id", world["lease"].id)
    return make_request(
        session,
        title="Attestation d'assurance habitation 2025",
        status=DocumentRequestStatus.ACCEPTED,
        renews_yearly=True,
        valid_until=valid_until,
        **fields,
    )


def test_insurance_comes_back_thirty_days_before_its_end_once(session, world):
    old = _accepted_insurance(session, world, valid_until=TODAY + timedelta(days=30))
    _accepted_insurance(session, world, valid_until=TODAY + timedelta(days=31), lease_id=None)
    session.commit()
    assert renew_expiring_requests(session=session, today=TODAY) == 1
    assert renew_expiring_requests(session=session, today=TODAY) == 0
    assert renew_expiring_requests(session=session, today=TODAY + timedelta(days=1)) == 1
    assert renew_expiring_requests(session=session, today=TODAY + timedelta(days=1)) == 0
    renewal = session.exec(
        select(DocumentRequest)
        .where(DocumentRequest.lease_id == old.lease_id)
        .where(DocumentRequest.id > old.id)
    ).one()
    assert renewal.status == DocumentRequestStatus.PENDING and renewal.renews_yearly
    assert renewal.due_date == old.valid_until
    assert renewal.title == "Attestation d'assurance habitation 2026"
    assert renewal.tenant_id == old.tenant_id
    emails = session.exec(select(OutboxEmail)).all()
    assert len(emails) == 2 and "Documents à fournir" in emails[0].body_text


def test_no_renewal_for_a_tenant_who_left_or_one_asked_again_by_hand(session, world):
    from extranet_app.models import LeaseTenant

    former_lease = session.exec(
        select(LeaseTenant.lease_id).where(LeaseTenant.tenant_id == world["former_tenant"].id)
    ).one()
    _accepted_insurance(
        session,
        world,
        valid_until=TODAY + timedelta(days=5),
        tenant_id=world["former_tenant"].id,
        lease_id=former_lease,
    )
    _accepted_insurance(session, world, valid_until=TODAY + timedelta(days=5))
    make_request(session, tenant_id=world["camille_tenant"].id, lease_id=world["lease"].id)
    session.commit()
    assert renew_expiring_requests(session=session, today=TODAY) == 0


def test_renewal_title_replaces_the_year():
    assert renewal_title("Attestation d'assurance 2025", date(2026, 7, 1)) == (
        "Attestation d'assurance 2026"
    )
    assert renewal_title("Assurance 2025-2026", date(2026, 7, 1)) == "Assurance 2026"
    assert renewal_title("Assurance PNO", date(2026, 7, 1)) == "Assurance PNO 2026"


def test_agency_list_shows_what_to_check_first_with_search_and_pages(session, world):
    for name in ("camille", "neighbour", "stranger"):
        request = make_request(session, title=f"Pièce {name}", tenant_id=world[f"{name}_tenant"].id)
        session.commit()
        submit(session, world, name, request)
    make_request(session, title="En attente", tenant_id=world["camille_tenant"].id)
    session.commit()
    staff = world["staff"]
    page = list_agency_requests(session=session, actor=staff, today=TODAY, page_size=2)
    assert (page.total, page.page_count, len(page.listings)) == (3, 2, 2)
    assert page.listings[0].row.title == "Pièce camille"  # the oldest sending first
    assert page.counts["envoye"] == 3 and page.counts["a_fournir"] == 1
    second = list_agency_requests(session=session, actor=staff, today=TODAY, page=2, page_size=2)
    assert [listing.row.title for listing in second.listings] == ["Pièce stranger"]
    found = list_agency_requests(session=session, actor=staff, today=TODAY, search="Stranger")
    assert [listing.row.person for listing in found.listings] == ["Mme Camille Stranger"]
    pending = list_agency_requests(session=session, actor=staff, today=TODAY, status="a_fournir")
    assert [listing.row.title for listing in pending.listings] == ["En attente"]
    assert count_requests_to_review(session=session, actor=staff) == 3
    review = review_request(
        session=session, actor=staff, request_id=page.listings[0].request_id, today=TODAY
    )
    assert review.can_review and review.needs_valid_until
    assert review.place == ""  # a request to the person, without a lease
    [file] = review.files
    document = session.exec(
        select(Document).where(Document.document_request_id == page.listings[0].request_id)
    ).one()
    assert file.reference == document_reference(document.id)


def test_renewal_list_and_counts_on_postgresql(postgres_url, tmp_path, monkeypatch):
    from extranet_app.db import make_engine
    from tests.conftest import migrate_to_head

    monkeypatch.setenv("DOCUMENTS_DIR", str(tmp_path / "documents"))
    get_settings.cache_clear()
    migrate_to_head(postgres_url)
    engine = make_engine(postgres_url)
    with Session(engine, expire_on_commit=False) as session:
        user = make_user(session, email="camille@example.test")
        tenant = make_tenant(session, user=user)
        lease = make_lease(session, lot=make_lot(session), tenants=[tenant])
        staff = as_session_user(make_user(session, is_agency=True))
        old = make_request(
            session,
            tenant_id=tenant.id,
            lease_id=lease.id,
            status=DocumentRequestStatus.ACCEPTED,
            renews_yearly=True,
            valid_until=TODAY + timedelta(days=10),
        )
        session.commit()
        assert renew_expiring_requests(session=session, today=TODAY) == 1
        assert renew_expiring_requests(session=session, today=TODAY) == 0
        camille = as_session_user(user, tenants=[tenant])
        [listing] = [
            item
            for item in list_requests(
                session=session, user=camille, space=Space.TENANT, today=TODAY
            ).listings
            if item.request_id != old.id
        ]
        submit_files(
            session=session,
            user=camille,
            space=Space.TENANT,
            request_id=listing.request_id,
            files=[pdf()],
            today=TODAY,
        )
        page = list_agency_requests(session=session, actor=staff, today=TODAY, search="durand")
        assert [item.request_id for item in page.listings] == [listing.request_id]
        assert page.counts["envoye"] == 1 and page.counts["accepte"] == 1
    engine.dispose()
    get_settings.cache_clear()


def test_the_renew_requests_command_renews_once(session, world, capsys):
    from extranet_app.cli import main

    _accepted_insurance(session, world, valid_until=TODAY + timedelta(days=20))
    session.commit()
    assert main(["renew-requests", "--today", TODAY.isoformat()]) == 0
    assert main(["renew-requests", "--today", TODAY.isoformat()]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "Documents à fournir renouvelés : 1",
        "Documents à fournir renouvelés : 0",
    ]


def test_requests_to_act_on_come_first_then_decided_ones_newest_first(session, world):
    tenant_id = world["camille_tenant"].id
    accepted = {"status": DocumentRequestStatus.ACCEPTED, "tenant_id": tenant_id}
    make_request(session, title="Acceptée ancienne", **accepted)
    make_request(session, title="Acceptée récente", **accepted)
    make_request(
        session, title="Envoyée", status=DocumentRequestStatus.SUBMITTED, tenant_id=tenant_id
    )
    make_request(
        session, title="Plus tard", tenant_id=tenant_id, due_date=TODAY + timedelta(days=40)
    )
    make_request(session, title="Bientôt", tenant_id=tenant_id, due_date=TODAY + timedelta(days=3))
    session.commit()
    page = list_requests(session=session, user=world["camille"], space=Space.TENANT, today=TODAY)
    assert [listing.card.title for listing in page.listings] == [
        "Bientôt",
        "Plus tard",
        "Envoyée",
        "Acceptée récente",
        "Acceptée ancienne",
    ]
    second = list_requests(
        session=session, user=world["camille"], space=Space.TENANT, today=TODAY, page=2, page_size=2
    )
    assert [listing.card.title for listing in second.listings] == ["Envoyée", "Acceptée récente"]
    assert second.page_count == 3


def test_request_e_mails_escape_what_people_typed_in_the_html_part(session):
    from extranet_app.email.requests import build_request_refused_email
    from extranet_app.services.agency import get_agency_identity

    email = build_request_refused_email(
        agency=get_agency_identity(session=session),
        to_name="Camille <Durand>",
        title="RIB",
        reason="<script>alert(1)</script> illisible",
        due_date=date(2026, 12, 4),
        link_url="https://extranet.example/locataire/documents-a-fournir",
    )
    assert "<script>" not in email.html and "&lt;script&gt;" in email.html
    assert "<script>alert(1)</script> illisible" in email.text
    assert "04/12/2026" in email.text and email.subject.startswith("Document refusé : RIB")
