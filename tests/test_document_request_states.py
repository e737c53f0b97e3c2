"""The Documents à fournir states, driven with real uploaded bytes as a browser (or a malicious
client) would send them: positions only, checked files, nothing stored when refused."""

from __future__ import annotations

import dataclasses
import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
import reflex as rx
from sqlmodel import select
from starlette.datastructures import Headers

from extranet_app.db import session_scope
from extranet_app.models import (
    Document,
    DocumentCategory,
    DocumentRequest,
    DocumentRequestStatus,
    OutboxEmail,
)
from extranet_app.pages.agency_requests import AgencyRequestsState
from extranet_app.pages.owner_requests import OwnerRequestsState
from extranet_app.pages.tenant_requests import TenantRequestsState
from extranet_app.pages.tenant_sent_documents import TenantSentDocumentsState
from extranet_app.services import auth
from extranet_app.services.timekeeping import today_in_france
from extranet_app.settings import get_settings
from tests.factories import PASSWORD, make_lease, make_lot, make_owner, make_tenant, make_user
from tests.states_support import browser_payload, state_tree, substate

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def upload(name: str, data: bytes, content_type: str = "application/pdf") -> rx.UploadFile:
    """A file as Reflex hands it to an upload handler (a real file object over the bytes)."""
    return rx.UploadFile(
        file=io.BytesIO(data),
        path=Path(name),
        size=len(data),
        headers=Headers({"content-type": content_type}),
    )


@dataclasses.dataclass(frozen=True)
class UncleanedUpload(rx.UploadFile):
    """An upload whose name reaches the handler as the client wrote it (Reflex strips folders
    from names today; the check must not depend on that)."""

    raw_name: str = ""

    @property
    def name(self) -> str:
        return self.raw_name


def uncleaned(name: str, data: bytes) -> rx.UploadFile:
    return UncleanedUpload(file=io.BytesIO(data), size=len(data), raw_name=name)


@pytest.fixture
def people(session):
    tenant_login = make_user(session, email="camille@example.test")
    tenant = make_tenant(session, user=tenant_login)
    owner_login = make_user(session, email="paul@example.test")
    owner = make_owner(session, user=owner_login)
    lease = make_lease(session, lot=make_lot(session, owner=owner), tenants=[tenant])
    make_user(session, email="agence@example.test", is_agency=True)
    today = today_in_france()
    for title, fields in (
        ("Attestation d'assurance habitation", {"tenant_id": tenant.id, "lease_id": lease.id}),
        ("RIB", {"owner_id": owner.id}),
    ):
        session.add(
            DocumentRequest(
                title=title,
                category=DocumentCategory.INSURANCE,
                due_date=today + timedelta(days=10),
                renews_yearly=title != "RIB",
                **fields,
            )
        )
    session.commit()
    return {
        name: _login(email)
        for name, email in (
            ("tenant", "camille@example.test"),
            ("owner", "paul@example.test"),
            ("staff", "agence@example.test"),
        )
    }


def _login(email: str) -> str:
    with session_scope() as session:
        return auth.login(session=session, email=email, password=PASSWORD).token


async def tenant_state(token: str) -> TenantRequestsState:
    root = state_tree(token=token, path="/locataire/documents-a-fournir")
    state = substate(root, TenantRequestsState)
    await state.load()
    return state


def stored_documents() -> list[Document]:
    with session_scope() as session:
        return list(session.exec(select(Document)).all())


def files_on_disk() -> list[Path]:
    root = get_settings().documents_dir
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def request_status(title: str) -> str:
    with session_scope() as session:
        statement = select(DocumentRequest).where(DocumentRequest.title == title)
        return session.exec(statement).one().status


async def test_tenant_sees_cards_without_ids_and_sends_a_certificate(people):
    state = await tenant_state(people["tenant"])
    assert [card.title for card in state.cards] == ["Attestation d'assurance habitation"]
    payload = browser_payload(state.parent_state)
    for secret in (people["tenant"], '"request_id"', "tenant_id", "storage_key", "_request_ids"):
        assert secret not in payload
    await state.choose(0)
    assert state.chosen == 0
    await state.submit([upload("attestation.pdf", PDF_BYTES)])
    assert state.upload_error == "" and state.chosen == -1
    assert state.cards[0].status_label == "Envoyé"
    assert [file.filename for file in state.cards[0].files] == ["attestation.pdf"]
    assert re.fullmatch(r"[0-9A-Za-z_-]{20,}", state.cards[0].files[0].reference)
    assert request_status("Attestation d'assurance habitation") == DocumentRequestStatus.SUBMITTED
    [document] = stored_documents()
    assert files_on_disk()[0].read_bytes() == PDF_BYTES and document.sha256


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([("page.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>")], "n'est pas"),
        ([("ok.pdf", PDF_BYTES), ("page.pdf", b"<html>trap</html>")], "n'est pas"),
        ([("photo.png", PDF_BYTES)], "extension"),
        ([("a..pdf", PDF_BYTES)], "caractères interdits"),
        ([], "au moins un fichier"),
    ],
)
async def test_a_refused_file_gets_a_french_message_and_nothing_is_stored(people, files, message):
    state = await tenant_state(people["tenant"])
    await state.choose(0)
    await state.submit([upload(name, data) for name, data in files])
    assert message in state.upload_error
    assert stored_documents() == [] and files_on_disk() == []
    assert request_status("Attestation d'assurance habitation") == DocumentRequestStatus.PENDING


@pytest.mark.parametrize("name", ["../../etc/attestation.pdf", "..\\bail.pdf", "bail\x00.pdf"])
async def test_a_name_that_tries_to_be_a_path_is_refused_and_nothing_is_stored(people, name):
    state = await tenant_state(people["tenant"])
    await state.choose(0)
    await state.submit([upload("ok.pdf", PDF_BYTES), uncleaned(name, PDF_BYTES)])
    assert "caractères interdits" in state.upload_error
    assert stored_documents() == [] and files_on_disk() == []
    assert request_status("Attestation d'assurance habitation") == DocumentRequestStatus.PENDING


async def test_a_file_over_the_size_limit_is_refused(people, monkeypatch):
    monkeypatch.setenv("UPLOAD_MAX_BYTES", "2048")
    get_settings.cache_clear()
    state = await tenant_state(people["tenant"])
    await state.choose(0)
    await state.submit([upload("gros.pdf", PDF_BYTES + b"0" * 2048)])
    assert "dépasse la taille maximale de 2 Ko" in state.upload_error
    assert stored_documents() == [] and files_on_disk() == []


@pytest.mark.parametrize("position", [-1, 1, 99, "0", {"id": 1}, True, None])
async def test_forged_positions_open_nothing(people, position):
    state = await tenant_state(people["tenant"])
    await state.choose(position)
    assert state.chosen == -1
    await state.submit([upload("attestation.pdf", PDF_BYTES)])
    assert stored_documents() == []


async def test_another_person_or_space_cannot_send_through_these_handlers(people):
    for token in (people["owner"], people["staff"], "forged-token"):
        state = await tenant_state(token)
        assert state.cards == []
        state.chosen = 0  # as if the browser had forged it
        await state.submit([upload("attestation.pdf", PDF_BYTES)])
    owner_root = state_tree(token=people["tenant"], path="/proprietaire/documents-a-fournir")
    owner_state = substate(owner_root, OwnerRequestsState)
    await owner_state.load()
    assert owner_state.cards == []
    assert stored_documents() == []


async def test_owner_answers_their_own_request(people):
    root = state_tree(token=people["owner"], path="/proprietaire/documents-a-fournir")
    state = substate(root, OwnerRequestsState)
    await state.load()
    assert [card.title for card in state.cards] == ["RIB"]
    await state.choose(0)
    await state.submit([upload("rib.pdf", PDF_BYTES)])
    assert state.cards[0].status == "envoye"


async def test_agency_accepts_and_the_tenant_sees_it_accepted_in_both_lists(people):
    tenant = await tenant_state(people["tenant"])
    await tenant.choose(0)
    await tenant.submit([upload("attestation.pdf", PDF_BYTES)])
    agency_root = state_tree(token=people["staff"], path="/agence/demandes")
    agency = substate(agency_root, AgencyRequestsState)
    await agency.load()
    assert [row.title for row in agency.rows] == ["Attestation d'assurance habitation"]
    assert agency.counts["envoye"] == 1
    assert "request_id" not in browser_payload(agency_root)
    await agency.open_review(0)
    assert agency.review_open and agency.review.needs_valid_until
    assert [file.filename for file in agency.review.files] == ["attestation.pdf"]
    await agency.accept({})  # the end date is required for an insurance certificate
    assert "date de fin" in agency.review_error
    end = (today_in_france() + timedelta(days=365)).isoformat()
    await agency.accept({"valid_until": end})
    assert not agency.review_open and agency.rows == []
    await tenant.load()
    assert tenant.cards[0].status_label == "Accepté"
    assert tenant.cards[0].valid_until == date.fromisoformat(end).strftime("%d/%m/%Y")
    sent_root = state_tree(token=people["tenant"], path="/locataire/documents-envoyes")
    sent = substate(sent_root, TenantSentDocumentsState)
    await sent.load()
    shown = [(d.filename, d.status_label) for d in sent.documents]
    assert shown == [("attestation.pdf", "Accepté")]
    with session_scope() as session:
        [email] = session.exec(select(OutboxEmail)).all()
    assert email.to_address == "camille@example.test"


async def test_agency_handlers_do_nothing_for_a_tenant(people):
    tenant = await tenant_state(people["tenant"])
    await tenant.choose(0)
    await tenant.submit([upload("attestation.pdf", PDF_BYTES)])
    root = state_tree(token=people["tenant"], path="/agence/demandes")
    agency = substate(root, AgencyRequestsState)
    await agency.load()
    assert agency.rows == []
    agency._review_id = 1  # even with a forged backend var, the session decides
    await agency.refuse({"reason": "Je me refuse moi-même"})
    await agency.search_targets({"target": "durand"})
    assert agency.targets == []
    assert request_status("Attestation d'assurance habitation") == DocumentRequestStatus.SUBMITTED


async def test_agency_creates_a_request_for_a_person_found_by_search(people):
    root = state_tree(token=people["staff"], path="/agence/demandes")
    agency = substate(root, AgencyRequestsState)
    await agency.load()
    await agency.search_targets({"target": "martin"})
    assert [choice.kind_label for choice in agency.targets] == ["Propriétaire"]
    await agency.create({"title": "Diagnostic", "category": "diagnostic"})
    assert "Choisissez" in agency.create_error
    await agency.choose_target(0)
    due = (today_in_france() + timedelta(days=20)).isoformat()
    form = {"title": "Diagnostic électricité", "category": "diagnostic", "due_date": due}
    await agency.create(form)
    assert agency.create_error == "" and agency.status_filter == "a_fournir"
    assert "Diagnostic électricité" in [row.title for row in agency.rows]
