"""Mon compte's handlers, called directly as a malicious browser could call them."""

import pyotp
import pytest

from extranet_app.db import session_scope
from extranet_app.models import User
from extranet_app.services import auth
from extranet_app.states.account import AccountState
from tests.factories import PASSWORD, make_tenant, make_user
from tests.states_support import browser_payload, redirect_path, state_tree, substate


def _login(email: str) -> str:
    with session_scope() as session:
        return auth.login(session=session, email=email, password=PASSWORD).token


@pytest.fixture
def tokens(session):
    """Two tenants, each logged in twice (a laptop and a phone)."""
    for email in ("camille@example.test", "other@example.test"):
        make_tenant(session, user=make_user(session, email=email))
    session.commit()
    return {
        "camille": [_login("camille@example.test") for _ in range(2)],
        "other": [_login("other@example.test")],
    }


async def _loaded(token: str, query: str = "") -> AccountState:
    state = substate(state_tree(token=token, path="/compte", query=query), AccountState)
    await state.load()
    return state


async def test_without_a_session_the_page_goes_to_login(tokens):
    state = substate(state_tree(path="/compte"), AccountState)
    assert redirect_path(await state.load()) == "/connexion"
    assert await substate(state_tree(path="/compte"), AccountState).end_other_sessions() is not None


async def test_load_lists_own_sessions_with_references_not_ids(tokens):
    root = state_tree(token=tokens["camille"][1], path="/compte")
    state = substate(root, AccountState)
    await state.load()
    assert [row["current"] for row in state.sessions] == [True, False]
    assert state.back_path == "/locataire"
    payload = browser_payload(root)
    assert "Appareil inconnu" in payload  # the sessions are in it…
    assert tokens["camille"][1] not in payload  # …but no token, no id, no secret
    assert "_enrol_secret" not in payload
    keys = {"reference", "device", "ip", "started", "last_seen", "current"}
    assert all(set(row) == keys for row in state.sessions)
    assert all(len(row["reference"]) == 32 for row in state.sessions)


async def test_a_forged_reference_ends_nothing(tokens):
    state = await _loaded(tokens["camille"][0])
    await state.end_session("0" * 32)
    await state.end_session(12)
    with session_scope() as session:
        for token in tokens["camille"] + tokens["other"]:
            assert auth.resolve_session(session=session, token=token) is not None


async def test_ending_the_other_session(tokens):
    state = await _loaded(tokens["camille"][0])
    other = next(row["reference"] for row in state.sessions if not row["current"])
    await state.end_session(other)
    assert len(state.sessions) == 1
    with session_scope() as session:
        assert auth.resolve_session(session=session, token=tokens["camille"][1]) is None
        assert auth.resolve_session(session=session, token=tokens["camille"][0]) is not None


async def test_password_outcome_comes_from_the_query(tokens):
    state = await _loaded(tokens["camille"][0], query="erreur=trop-court")
    assert "12 caractères" in state.password_error
    state = await _loaded(tokens["camille"][0], query="erreur=<script>")
    assert state.password_error == ""


async def test_enrolment_keeps_the_secret_server_side_until_confirmed(tokens):
    root = state_tree(token=tokens["camille"][0], path="/compte")
    state = substate(root, AccountState)
    await state.load()
    await state.start_enrolment()
    secret = state._enrol_secret
    assert secret and state.enrol_qr.startswith("data:image/svg+xml")
    await state.confirm_enrolment({"code": "000000", "current_password": PASSWORD})
    assert state.enrol_error and not state.two_factor_enabled
    await state.confirm_enrolment({"code": pyotp.TOTP(secret).now(), "current_password": "x"})
    assert state.enrol_error == "Mot de passe actuel incorrect." and not state.two_factor_enabled
    await state.confirm_enrolment({"code": pyotp.TOTP(secret).now(), "current_password": PASSWORD})
    assert state.two_factor_enabled and len(state.recovery_codes) == 10
    assert state._enrol_secret == ""
    with session_scope() as session:
        stored = session.exec(
            User.__table__.select().where(User.email == "camille@example.test")
        ).first()
        assert stored.totp_enabled_at is not None


async def test_notifications_switch(tokens):
    state = await _loaded(tokens["camille"][0])
    assert state.email_notifications
    await state.set_email_notifications(False)
    reloaded = await _loaded(tokens["camille"][0])
    assert not reloaded.email_notifications
    await state.set_email_notifications("yes")  # not a boolean: refused
    assert not (await _loaded(tokens["camille"][0])).email_notifications


async def test_staff_without_the_required_second_factor_are_sent_to_their_account(session):
    from extranet_app.services.agency import settings_row

    settings_row(session=session).staff_two_factor_required = True
    make_user(session, email="staff@example.test", is_agency=True, is_admin=True)
    session.commit()
    token = _login("staff@example.test")
    guard = substate(state_tree(token=token, path="/agence"), AccountState)
    assert redirect_path(await guard.enter_agency_space()) == "/compte"
    state = await _loaded(token)
    assert state.second_factor_due and state.back_path == ""
    await state.start_enrolment()
    code = pyotp.TOTP(state._enrol_secret).now()
    await state.confirm_enrolment({"code": code, "current_password": PASSWORD})
    assert not state.second_factor_due and state.back_path == "/agence"
    assert redirect_path(await guard.enter_agency_space()) is None
