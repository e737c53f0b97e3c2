"""Gestion des accès, "Données personnelles": the agency exports a person's data and (admins)
anonymises a former tenant, driven as a (possibly malicious) browser would drive the state."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from extranet_app.api.personal_data_routes import STAFF_EXPORT_PREFIX
from extranet_app.db import session_scope
from extranet_app.models import AuditEvent, Document, DocumentCategory, DocumentSource, Tenant
from extranet_app.pages.agency_access import AccessState
from extranet_app.services import auth
from extranet_app.services.personal_data import PLACEHOLDER_NAME, AnonymisationResult
from extranet_app.services.security import opaque_reference
from extranet_app.services.timekeeping import today_in_france
from extranet_app.states.personal_data_actions import (
    ADMINS_ONLY,
    DURING_PREVIEW,
    STILL_UNDER_CONTRACT,
    UNKNOWN_PERSON,
    PersonalDataStep,
    anonymisation_summary,
)
from tests.factories import PASSWORD, make_lease, make_lot, make_tenant, make_user
from tests.states_support import browser_payload, state_tree, substate
from tests.test_personal_data import add_document, unzip

FORMER, CURRENT = "Camille Ancien", "Camille Présent"


def _login(email: str) -> str:
    with session_scope() as session:
        return auth.login(session=session, email=email, password=PASSWORD).token


@pytest.fixture
def world(session: Session) -> dict[str, object]:
    """An admin and a staff member; a former tenant (lease ended, a login, an identity card)
    and a tenant whose lease is current."""
    make_user(session, email="admin@agence.test", is_agency=True, is_admin=True)
    make_user(session, email="gestion@agence.test", is_agency=True)
    today = today_in_france()
    former_login = make_user(session, email="ancien@example.test")
    former = make_tenant(session, user=former_login, last_name="Ancien")
    make_lease(
        session,
        lot=make_lot(session, reference="A1"),
        tenants=[former],
        start_date=today - timedelta(days=800),
        end_date=today - timedelta(days=40),
    )
    add_document(
        session,
        title="Carte d'identité",
        category=DocumentCategory.IDENTITY,
        source=DocumentSource.TENANT,
        tenant_id=former.id,
        uploaded_by_id=former_login.id,
    )
    current = make_tenant(session, last_name="Présent")
    make_lease(session, lot=make_lot(session, reference="B2"), tenants=[current])
    session.commit()
    return {
        "admin": _login("admin@agence.test"),
        "staff": _login("gestion@agence.test"),
        "former": _login("ancien@example.test"),
        "former_id": former.id,
        "current_id": current.id,
    }


async def _page(token: str) -> AccessState:
    state = substate(state_tree(token=token, path="/agence/acces"), AccessState)
    await state.load()
    return state


async def _open(state: AccessState, name: str) -> None:
    await state.open_personal_data([row.name for row in state.rows].index(name))


def _toast_text(event) -> str:
    script = event.args[0][1]._js_expr
    return json.loads(re.search(r'\]\(("(?:[^"\\]|\\.)*")', script).group(1))


def _download(path: str, token: str):
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from extranet_app.api.personal_data_routes import routes
    from extranet_app.settings import get_settings

    client = TestClient(Starlette(routes=routes), base_url="http://localhost:8000")
    return client.get(path, cookies={get_settings().session_cookie_name: token})


def _last_names() -> list[str]:
    with session_scope() as session:
        return sorted(session.exec(select(Tenant.last_name)).all())


def _refusals() -> list[AuditEvent]:
    with session_scope() as session:
        query = select(AuditEvent).where(AuditEvent.action == "personal_data.anonymise.denied")
        return list(session.exec(query))


# --- Export ----------------------------------------------------------------------------------


async def test_staff_get_the_persons_zip_through_an_opaque_path(world):
    root = state_tree(token=world["staff"], path="/agence/acces")
    state = substate(root, AccessState)
    await state.load()
    await _open(state, FORMER)
    assert state.personal_data_step == PersonalDataStep.CHOICE.value
    assert state.personal_data_name == FORMER
    path = state.personal_data_export_path
    assert path.startswith(f"{STAFF_EXPORT_PREFIX}locataire/")
    payload = browser_payload(root)
    assert path in payload

    response = _download(path, world["staff"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    data, _files = unzip(response.content)
    assert data["profils_locataire"][0]["last_name"] == "Ancien"
    assert _download(path, world["former"]).status_code == 404  # the person's own cookie: no


async def test_the_anonymise_button_is_offered_to_admins_only(world):
    staff, admin = await _page(world["staff"]), await _page(world["admin"])
    await _open(staff, FORMER)
    await _open(admin, FORMER)
    assert (staff.personal_data_can_anonymise, admin.personal_data_can_anonymise) == (False, True)


# --- Anonymisation ---------------------------------------------------------------------------


async def test_non_admin_staff_cannot_anonymise_and_the_refusal_is_journaled(world):
    state = await _page(world["staff"])
    await _open(state, FORMER)
    state.ask_anonymisation()  # the button is hidden, but the handler can still be called
    toast = await state.anonymise(state.personal_data_reference)
    assert _toast_text(toast) == ADMINS_ONLY == state.personal_data_message
    assert state.personal_data_succeeded is False
    assert "Ancien" in _last_names()
    assert len(_refusals()) == 1


async def test_admin_anonymises_a_former_tenant_and_the_row_shows_the_placeholder(world):
    state = await _page(world["admin"])
    await _open(state, FORMER)
    state.ask_anonymisation()
    assert state.personal_data_step == PersonalDataStep.CONFIRMATION.value
    assert _toast_text(await state.anonymise(state.personal_data_reference)) == (
        "Personne anonymisée."
    )
    assert state.personal_data_succeeded is True
    assert state.personal_data_message.startswith(
        "Anonymisation faite : 1 fiche anonymisée, 1 pièce d'identité supprimée"
    )
    names = [row.name for row in state.rows]
    assert PLACEHOLDER_NAME in names and FORMER not in names
    assert state.rows[names.index(PLACEHOLDER_NAME)].status_label == "Désactivé"
    with session_scope() as session:
        assert auth.resolve_session(session=session, token=world["former"]) is None
        identity = select(Document).where(Document.category == DocumentCategory.IDENTITY)
        assert session.exec(identity).all() == []
    # A second click on the same confirmation does nothing more.
    assert await state.anonymise(state.personal_data_reference) is None


async def test_a_current_lease_gets_a_french_refusal(world):
    state = await _page(world["admin"])
    await _open(state, CURRENT)
    state.ask_anonymisation()
    assert _toast_text(await state.anonymise(state.personal_data_reference)) == (
        STILL_UNDER_CONTRACT
    )
    assert state.personal_data_message == STILL_UNDER_CONTRACT
    assert "Présent" in _last_names()


@pytest.mark.parametrize(
    "forge",
    [
        lambda world, state: state.personal_data_export_path.rsplit("/", 1)[1],  # download key
        lambda world, state: opaque_reference("tenant", world["former_id"]),
        lambda world, state: state.personal_data_reference[:-1] + "0",
        lambda world, state: world["former_id"],
        lambda world, state: {"tenant_id": world["former_id"]},
    ],
    ids=["export-reference", "other-kind", "altered", "raw-id", "dict"],
)
async def test_a_forged_reference_is_refused_and_journaled(world, forge):
    state = await _page(world["admin"])
    await _open(state, FORMER)
    state.ask_anonymisation()
    forged = forge(world, state)
    assert _toast_text(await state.anonymise(forged)) == UNKNOWN_PERSON
    assert "Ancien" in _last_names()
    assert len(_refusals()) == 1


async def test_a_tab_in_an_apercu_cannot_anonymise(world):
    state = await _page(world["admin"])
    await _open(state, FORMER)
    state.ask_anonymisation()
    state._preview_user_id = 1  # as SessionState._begin_preview leaves the tab
    assert _toast_text(await state.anonymise(state.personal_data_reference)) == DURING_PREVIEW
    assert "Ancien" in _last_names()


async def test_anonymise_without_the_warning_shown_does_nothing(world):
    state = await _page(world["admin"])
    await _open(state, FORMER)
    assert await state.anonymise(state.personal_data_reference) is None  # step "choix"
    assert "Ancien" in _last_names()


@pytest.mark.parametrize("token_of", ["former", None])
async def test_a_tenant_or_a_stranger_gets_no_path_and_anonymises_nobody(world, token_of):
    admin = await _page(world["admin"])
    await _open(admin, FORMER)
    reference = admin.personal_data_reference
    token = world[token_of] if token_of else "forged-token"
    state = substate(state_tree(token=token, path="/agence/acces"), AccessState)
    state._page_person_ids = [world["former_id"]]  # even with a page left in the tab's state
    state.rows = admin.rows[:1]
    await state.open_personal_data(0)
    assert (state.personal_data_step, state.personal_data_export_path) == ("", "")
    state.personal_data_step = PersonalDataStep.CONFIRMATION.value
    await state.anonymise(reference)
    assert "Ancien" in _last_names()


async def test_the_browser_gets_no_database_id(world):
    root = state_tree(token=world["admin"], path="/agence/acces")
    state = substate(root, AccessState)
    await state.load()
    await _open(state, FORMER)
    payload = browser_payload(root)
    assert FORMER in payload
    for secret in ("tenant_id", "person_id", '"former_id"', world["admin"]):
        assert secret not in payload


@pytest.mark.parametrize(
    ("result", "start"),
    [
        (
            AnonymisationResult(1, 0, 0, 0),
            "Anonymisation faite : 1 fiche anonymisée, aucune pièce d'identité à supprimer.",
        ),
        (
            AnonymisationResult(2, 2, 14, 3),
            "Anonymisation faite : 2 fiches anonymisées, 2 pièces d'identité supprimées, "
            "14 documents conservés, 3 sessions fermées.",
        ),
    ],
)
def test_the_summary_reads_as_the_agency_expects(result, start):
    assert anonymisation_summary(result).startswith(start)
