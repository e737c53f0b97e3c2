"""The Gestion des accès page state, driven as a (possibly malicious) browser would drive it."""

from __future__ import annotations

import json
import re

import pytest
from sqlmodel import Session, select

from extranet_app.db import session_scope
from extranet_app.models import AuditEvent, OutboxEmail, Tenant, User
from extranet_app.models.base import utcnow
from extranet_app.pages.agency_access import (
    AccessAction,
    AccessProgressState,
    AccessState,
    _enrolment_summary,
)
from extranet_app.services import auth
from extranet_app.services.access_management import EnrolmentResult
from extranet_app.services.security import hash_password
from extranet_app.states.session import SessionState
from tests.factories import PASSWORD, make_lease, make_lot, make_tenant, make_user
from tests.states_support import browser_payload, redirect_path, state_tree, substate

# Ids no other number on the page could be confused with.
TENANT_ID, LOGIN_ID = 734_215, 915_273


def _login(email: str) -> str:
    with session_scope() as session:
        return auth.login(session=session, email=email, password=PASSWORD).token


@pytest.fixture
def world(session: Session) -> dict[str, str]:
    """Staff, an enrolled tenant who can log in, and three tenants not enrolled yet."""
    make_user(session, email="gestion@agence.test", is_agency=True)
    login = User(
        id=LOGIN_ID,
        email="durand@example.test",
        display_name="Camille Durand",
        password_hash=hash_password(PASSWORD),
        activated_at=utcnow(),
    )
    session.add(login)
    session.flush()
    enrolled = Tenant(id=TENANT_ID, first_name="Camille", last_name="Durand", user_id=LOGIN_ID)
    enrolled.email = login.email
    session.add(enrolled)
    make_lease(session, lot=make_lot(session, reference="B7"), tenants=[enrolled])
    for name in ("Aubert", "Blanc"):
        tenant = make_tenant(session, last_name=name)
        tenant.email = f"{name.lower()}@example.test"
    make_tenant(session, last_name="Colin")  # no e-mail address
    session.commit()
    return {"staff": _login("gestion@agence.test"), "tenant": _login("durand@example.test")}


async def _page(token: str) -> AccessState:
    state = substate(state_tree(token=token, path="/agence/acces"), AccessState)
    await state.load()
    return state


def _names(state: AccessState) -> list[str]:
    return [row.name for row in state.rows]


def _position(state: AccessState, name: str) -> int:
    return _names(state).index(name)


def _toast(event) -> tuple[str, str]:
    """The level and French text of a toast returned by a handler."""
    script = event.args[0][1]._js_expr
    level, text = re.search(r'\["(\w+)"\]\(("(?:[^"\\]|\\.)*")', script).groups()
    return level, json.loads(text)


async def _run_job(state: AccessState) -> list:
    """Run the background job as Reflex would (a direct call is refused); return its events."""
    run_job = AccessState.event_handlers["run_job"].fn
    return [event async for event in run_job(state)]


async def _run(state: AccessState, started) -> list:
    """Run the background job a handler started; return its events."""
    assert started is not None and started.fn.__name__ == "run_job"
    return await _run_job(state)


def _database_counts() -> tuple[int, int, int]:
    with session_scope() as session:
        return (
            len(session.exec(select(User)).all()),
            len(session.exec(select(OutboxEmail)).all()),
            len(session.exec(select(Tenant).where(Tenant.user_id.is_not(None))).all()),
        )


# --- What the browser receives ---------------------------------------------------------------


async def test_staff_sees_the_tenants_with_their_status_and_the_counts(world):
    state = await _page(world["staff"])
    assert _names(state) == ["Camille Aubert", "Camille Blanc", "Camille Colin", "Camille Durand"]
    durand = state.rows[_position(state, "Camille Durand")]
    assert (durand.status_label, durand.places.endswith("lot B7")) == ("Activé", True)
    labels = [option.label for option in state.status_options]
    assert labels[0] == "Tous les statuts (4)"
    assert "Non inscrit (3)" in labels and "Sans adresse e-mail (1)" in labels


async def test_the_browser_gets_no_database_id_token_or_hash(world):
    root = state_tree(token=world["staff"], path="/agence/acces")
    state = substate(root, AccessState)
    await state.load()
    await state.toggle_row(_position(state, "Camille Durand"))
    payload = browser_payload(root)
    assert "Camille Durand" in payload and "durand@example.test" in payload
    for secret in (str(TENANT_ID), str(LOGIN_ID), world["staff"], world["tenant"]):
        assert secret not in payload
    for name in ("user_id", "person_id", "_page_person_ids", "_selected_ids", "$2b$", "hash"):
        assert name not in payload


# --- Refused to anyone but staff -------------------------------------------------------------


@pytest.mark.parametrize("token_of", ["tenant", None])
async def test_a_tenant_or_a_stranger_gets_nothing_and_changes_nothing(world, token_of):
    before = _database_counts()
    token = world[token_of] if token_of else "forged-token"
    state = substate(state_tree(token=token, path="/agence/acces"), AccessState)
    await state.load()
    await state.set_search("durand")
    await state.select_all_matching()
    for action in AccessAction:
        await state.request_action(action.value)
        await state.row_action(0, action.value)
    state._page_person_ids = [TENANT_ID]  # even with a page left over in the tab's state
    state._page_user_ids = [LOGIN_ID]
    await state.toggle_row(0)
    state.editing_position, state.email_draft = 0, "pirate@example.test"
    await state.save_email()
    assert redirect_path(await state.preview(0)) != "/locataire"
    assert await _run_job(state) == []
    assert (state.rows, state.total, state.selected_count, state.busy) == ([], 0, 0, False)
    assert _database_counts() == before


async def test_a_job_left_by_a_staff_session_that_ended_does_nothing(world):
    state = await _page(world["staff"])
    await state.toggle_row(_position(state, "Camille Aubert"))
    started = await state.request_action(AccessAction.ENROL.value)
    with session_scope() as session:
        auth.logout(session=session, token=world["staff"])
    before = _database_counts()
    assert await _run(state, started) == []
    assert _database_counts() == before
    assert state.busy is False


@pytest.mark.parametrize(
    "forged",
    [{"position": 0}, "0", 0.0, True, None, [0], -1, 99],
    ids=["dict", "str", "float", "bool", "none", "list", "negative", "past-the-page"],
)
async def test_positions_of_the_wrong_type_or_range_are_refused(world, forged):
    state = await _page(world["staff"])
    await state.toggle_row(forged)
    await state.start_email_edit(forged)
    assert await state.row_action(forged, AccessAction.ENROL.value) is None
    assert await state.preview(forged) is None
    await state.go_to_page(forged)
    assert (state.selected_count, state.editing_position, state.busy) == (0, -1, False)


@pytest.mark.parametrize("forged", [{"value": "inscrire"}, ["inscrire"], 1, "supprimer"])
async def test_unknown_actions_and_choices_are_refused(world, forged):
    state = await _page(world["staff"])
    await state.toggle_row(0)
    assert await state.request_action(forged) is None
    assert await state.row_action(0, forged) is None
    await state.choose_kind(forged)
    await state.choose_status(forged)
    await state.sort_by(forged)
    assert (state.kind, state.status_filter, state.sort_key) == ("locataires", "tous", "nom")
    assert state.busy is False


@pytest.mark.parametrize("forged", [{"$regex": ".*"}, ["durand"], 1, None])
async def test_a_search_that_is_not_text_is_ignored(world, forged):
    state = await _page(world["staff"])
    await state.set_search(forged)
    assert (state.search, state.total) == ("", 4)


# --- The agency's work -----------------------------------------------------------------------


async def test_enrolling_selected_rows_runs_in_the_background_and_says_what_it_did(world):
    state = await _page(world["staff"])
    for name in ("Camille Aubert", "Camille Colin"):
        await state.toggle_row(_position(state, name))
    assert state.selected_count == 2
    events = await _run(state, await state.request_action(AccessAction.ENROL.value))
    assert _toast(events[-1]) == ("warning", "1 personne inscrite, 1 sans adresse e-mail.")
    progress = substate(state._get_root_state(), AccessProgressState)
    assert (state.busy, state.selected_count, progress.done, progress.percent) == (False, 0, 2, 100)
    statuses = {row.name: row.status_label for row in state.rows}
    assert statuses["Camille Aubert"] == "Inscrit – code à envoyer"
    assert statuses["Camille Colin"] == "Non inscrit"


async def test_the_summary_reads_as_the_agency_expects():
    result = EnrolmentResult(enrolled=152, missing_email=3)
    assert _enrolment_summary(result) == "152 personnes inscrites, 3 sans adresse e-mail"


async def test_a_person_without_email_gets_one_right_there_and_can_then_be_enrolled(world):
    state = await _page(world["staff"])
    colin = _position(state, "Camille Colin")
    events = await _run(state, await state.row_action(colin, AccessAction.ENROL.value))
    level, text = _toast(events[-1])
    assert level == "warning" and text.startswith("Inscription impossible : cette personne n'a")
    assert state.editing_position == colin  # the address editor is open on that row
    state.set_email_draft("colin@")
    await state.save_email()
    assert state.email_error == "« colin@ » n'est pas une adresse e-mail valable."
    state.set_email_draft("colin@example.test")
    assert _toast(await state.save_email())[0] == "success"
    events = await _run(state, await state.row_action(colin, AccessAction.ENROL.value))
    assert _toast(events[-1]) == ("success", "1 personne inscrite.")


async def test_select_all_matching_acts_on_every_page_after_confirmation(world, session):
    for index in range(60):
        make_tenant(session, last_name=f"Zola{index:02d}").email = f"z{index}@example.test"
    session.commit()
    state = await _page(world["staff"])
    await state.set_search("zola")
    assert (state.total, len(state.rows)) == (60, 50)
    await state.select_all_matching()
    assert (state.all_matching, state.selected_count) == (True, 60)
    assert await state.request_action(AccessAction.ENROL.value) is None
    assert state.confirm_text == "Inscrire 60 personnes ?"
    events = await _run(state, await state.confirm())
    assert _toast(events[-1]) == ("success", "60 personnes inscrites.")
    events = await _run(state, await state.row_action(0, AccessAction.SEND_CODES.value))
    assert _toast(events[-1]) == ("success", "1 code d'accès transféré au centre d'envoi.")


async def test_deactivation_asks_first_then_ends_the_persons_sessions(world):
    state = await _page(world["staff"])
    durand = _position(state, "Camille Durand")
    assert await state.row_action(durand, AccessAction.DEACTIVATE.value) is None
    assert state.confirm_text.startswith("Désactiver l'accès de Camille Durand ?")
    state.cancel_confirmation()
    assert state.confirm_text == ""
    await state.row_action(durand, AccessAction.DEACTIVATE.value)
    events = await _run(state, await state.confirm())
    assert _toast(events[-1]) == ("success", "1 compte désactivé (1 session fermée).")
    with session_scope() as session:
        assert auth.resolve_session(session=session, token=world["tenant"]) is None
        actions = session.exec(select(AuditEvent.action)).all()
    assert "access.deactivated" in actions


async def test_preview_opens_the_enrolled_persons_space_read_only(world):
    root = state_tree(token=world["staff"], path="/agence/acces")
    state = substate(root, AccessState)
    await state.load()
    assert redirect_path(await state.preview(_position(state, "Camille Durand"))) == "/locataire"
    assert substate(root, SessionState).preview_name == "Camille Durand"
    level, _ = _toast(await state.preview(_position(state, "Camille Aubert")))
    assert level == "warning"


async def test_a_second_action_waits_for_the_first(world):
    state = await _page(world["staff"])
    await state.toggle_row(0)
    await state.request_action(AccessAction.ENROL.value)
    level, text = _toast(await state.request_action(AccessAction.ENROL.value))
    assert (level, text) == ("warning", "Une action est déjà en cours.")


async def test_only_an_admin_resets_a_tenants_lost_second_factor(world, session) -> None:
    make_user(session, email="admin@agence.test", is_agency=True, is_admin=True)
    login = session.get(User, LOGIN_ID)
    login.totp_enabled_at, login.totp_secret = utcnow(), "scellé"
    session.commit()
    staff = await _page(world["staff"])
    row = next(row for row in staff.rows if row.name == "Camille Durand")
    assert row.two_factor
    level, _ = _toast(await staff.reset_two_factor(row.position))
    assert level == "error"
    session.expire_all()
    assert session.get(User, LOGIN_ID).totp_enabled_at is not None
    admin = await _page(_login("admin@agence.test"))
    level, text = _toast(await admin.reset_two_factor(_position(admin, "Camille Durand")))
    assert level == "success" and "réinitialisée" in text
    session.expire_all()
    assert session.get(User, LOGIN_ID).totp_enabled_at is None
    assert not next(row for row in admin.rows if row.name == "Camille Durand").two_factor
    # The tenant's own session ended with it.
    with session_scope() as check:
        assert auth.resolve_session(session=check, token=world["tenant"]) is None
    assert await admin.reset_two_factor(99) is not None  # a position the page never offered
