"""The document pages' states, called directly as a malicious browser could call them."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import reflex as rx
from sqlmodel import select
from starlette.datastructures import Headers

from extranet_app.db import session_scope
from extranet_app.models import Document, OutboxEmail
from extranet_app.models.documents import DocumentSource
from extranet_app.pages.agency_documents import AgencyDocumentsState
from extranet_app.pages.agency_inbox import AgencyInboxState
from extranet_app.pages.owner_send_documents import OwnerSendDocumentsState
from extranet_app.services import auth
from extranet_app.settings import get_settings
from tests.document_support import PDF, PNG, Building, build_building, stored_files
from tests.factories import PASSWORD
from tests.states_support import browser_payload, state_tree, substate

SECRETS = ("storage_key", "sha256", "lease_id", "tenant_id", "owner_id", "_page_ids", "_targets")


def upload_file(name: str, data: bytes, content_type: str = "") -> rx.UploadFile:
    """A file as Reflex hands it to an upload handler."""
    headers = Headers({"content-type": content_type} if content_type else {})
    return rx.UploadFile(file=io.BytesIO(data), path=Path(name), headers=headers)


def error_toast(event) -> str:
    """The script of an error toast returned by a handler ("" when it is something else)."""
    script = event.args[0][1]._js_expr if event is not None and event.args else ""
    return script if '["error"]' in script else ""


@pytest.fixture
def building(session) -> Building:
    return build_building(session)


def login(email: str) -> str:
    with session_scope() as session:
        return auth.login(session=session, email=email, password=PASSWORD).token


def documents(session) -> list[Document]:
    session.expire_all()
    return list(session.exec(select(Document).order_by(Document.id)).all())


async def agency_state(token: str) -> AgencyDocumentsState:
    state = substate(state_tree(token=token, path="/agence/documents"), AgencyDocumentsState)
    await state.load()
    return state


LEASE_FORM = {"category": "bail", "title": "Avenant n°2", "comment": "", "audience": "locataires"}


async def choose_current_lease(state: AgencyDocumentsState) -> None:
    await state.search_targets({"text": "lemoine"})
    position = next(
        index
        for index, listing in enumerate(state.targets)
        if listing.kind_label == "Bail" and "depuis" in listing.detail
    )
    await state.choose_target(position)


async def test_the_agency_uploads_to_a_chosen_lease_and_lists_it_without_ids(session, building):
    state = await agency_state(login("staff@example.test"))
    await choose_current_lease(state)
    assert [o["value"] for o in state.audience_options] == [
        "locataires",
        "proprietaires",
        "tous",
        "agence",
    ]
    await state.upload([upload_file("avenant.pdf", PDF, "application/pdf")], LEASE_FORM)
    (document,) = documents(session)
    assert (document.title, document.lease_id) == ("Avenant n°2", building.lease.id)
    assert [line.title for line in state.lines] == ["Avenant n°2"]
    assert len(session.exec(select(OutboxEmail)).all()) == 1  # the opted-out co-tenant is not told
    payload = browser_payload(state.parent_state)
    for secret in SECRETS:
        assert secret not in payload
    assert document.storage_key not in payload


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("facture.pdf", b"<html><script>alert(1)</script></html>"),
        ("piege.pdf", PDF + b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
        ("photo.pdf", PNG),
        ("vide.pdf", b""),
    ],
)
async def test_hostile_files_are_refused_and_nothing_is_stored(session, building, name, data):
    state = await agency_state(login("staff@example.test"))
    await choose_current_lease(state)
    good = upload_file("bon.pdf", PDF)
    refusal = await state.upload([good, upload_file(name, data)], LEASE_FORM)
    assert name in error_toast(refusal)
    assert documents(session) == []
    assert stored_files() == []


async def test_a_file_over_the_limit_is_refused(session, building, monkeypatch):
    monkeypatch.setenv("UPLOAD_MAX_BYTES", "2048")
    get_settings.cache_clear()
    state = await agency_state(login("staff@example.test"))
    await choose_current_lease(state)
    refusal = await state.upload([upload_file("gros.pdf", PDF + b"0" * 4096)], LEASE_FORM)
    assert "taille maximale" in error_toast(refusal)
    assert documents(session) == [] and stored_files() == []


async def test_a_forged_form_is_refused(session, building):
    state = await agency_state(login("staff@example.test"))
    await choose_current_lease(state)
    for form in (
        LEASE_FORM | {"audience": "tout le monde"},
        LEASE_FORM | {"category": {"$ne": 1}},
        LEASE_FORM | {"title": "x" * 500},
        "not a form",
    ):
        assert error_toast(await state.upload([upload_file("a.pdf", PDF)], form))
    await state.choose_target(99)
    await state.choose_target("0")
    assert documents(session) == [] and stored_files() == []


@pytest.mark.parametrize("who", ["lemoine@example.test", "bertrand@example.test", None])
async def test_a_tenant_or_owner_session_calling_the_agency_handlers_gets_nothing(
    session, building, who
):
    staff = await agency_state(login("staff@example.test"))
    await choose_current_lease(staff)
    await staff.upload([upload_file("a.pdf", PDF)], LEASE_FORM)
    state = await agency_state(login(who) if who else "forged-token")
    await state.search_targets({"text": "lemoine"})
    assert state.lines == [] and state.targets == []
    # Even with a target and a row already in its backend vars, nothing happens.
    state._chosen_target = ("bail", building.lease.id)
    state._page_ids = [documents(session)[0].id]
    state.deleting = 0
    await state.upload([upload_file("b.pdf", PDF + b"2")], LEASE_FORM)
    await state.confirm_delete()
    assert len(documents(session)) == 1 and len(stored_files()) == 1
    inbox = substate(state_tree(token=login(who) if who else ""), AgencyInboxState)
    await inbox.load()
    await inbox.open_filing(0)
    assert inbox.lines == [] and not inbox.filing_open


async def test_the_agency_deletes_a_row_of_its_list(session, building):
    state = await agency_state(login("staff@example.test"))
    await choose_current_lease(state)
    await state.upload([upload_file("a.pdf", PDF)], LEASE_FORM)
    await state.ask_delete(0)
    assert state.deleting_title == "Avenant n°2"
    await state.confirm_delete()
    assert documents(session) == [] and stored_files() == []
    assert state.lines == []


async def test_filters_and_pages_re_check_their_arguments(session, building):
    state = await agency_state(login("staff@example.test"))
    await state.filter_category({"not": "a category"})
    await state.filter_source("pirate")
    assert (state.category_filter, state.source_filter) == ("toutes", "toutes")
    await state.apply_search({"search": "lemoine"})
    assert state.search == "lemoine" and state.page == 1


async def owner_state(token: str) -> OwnerSendDocumentsState:
    path = "/proprietaire/envoi-documents"
    state = substate(state_tree(token=token, path=path), OwnerSendDocumentsState)
    await state.load()
    return state


async def test_an_owner_sends_a_rib_for_one_of_their_lots(session, building):
    state = await owner_state(login("bertrand@example.test"))
    assert [option["value"] for option in state.lot_options] == ["aucun", "0"]
    assert state.lot_options[1]["label"].endswith("lot A1")
    form = {"category": "rib", "lot": "0", "comment": "Nouveau compte"}
    await state.send([upload_file("rib.pdf", PDF)], form)
    (document,) = documents(session)
    assert document.source == DocumentSource.OWNER and document.lot_id == building.lot.id
    assert [line.status_label for line in state.sent] == ["Reçu par l'agence"]
    for forged in ("1", -1, "-1", {"id": building.neighbour_lot.id}):
        refusal = await state.send([upload_file("rib2.pdf", PDF + b"2")], form | {"lot": forged})
        assert "un de vos lots" in error_toast(refusal)
    assert len(documents(session)) == 1


async def test_the_agency_files_a_received_document_through_the_dialog(session, building):
    owner = await owner_state(login("bertrand@example.test"))
    await owner.send([upload_file("dpe.pdf", PDF)], {"category": "diagnostic", "lot": "0"})
    inbox = substate(state_tree(token=login("staff@example.test")), AgencyInboxState)
    await inbox.load()
    assert [line.title for line in inbox.lines] == ["Diagnostic"]
    await inbox.open_filing(0)
    assert inbox.filing_open and inbox.filing_attachment == "0"  # the lot the owner named
    lease_value = next(o["value"] for o in inbox.filing_attachments if "Bail" in o["label"])
    await inbox.file({"category": "diagnostic", "attachment": lease_value, "audience": "tous"})
    (document,) = documents(session)
    assert document.filed_at is not None and document.lease_id == building.lease.id
    assert inbox.lines == [] and not inbox.filing_open
    payload = browser_payload(inbox.parent_state)
    for secret in SECRETS:
        assert secret not in payload
