"""Session checks in the states, called directly as a malicious browser could call them."""

import pytest

from extranet_app.components.shell import PhoneMenuState
from extranet_app.db import session_scope
from extranet_app.email.messages import EmailContent
from extranet_app.pages.agency_home import AgencyHomeState
from extranet_app.pages.index import IndexState
from extranet_app.pages.owner_home import OwnerHomeState
from extranet_app.pages.tenant_home import TenantHomeState
from extranet_app.services import auth
from extranet_app.services.outbox import EmailKind, queue_email
from extranet_app.states.session import LoginState, SessionState, SpaceChoiceState
from tests.factories import PASSWORD, make_lease, make_lot, make_owner, make_tenant, make_user
from tests.states_support import browser_payload, redirect_path, state_tree, substate


@pytest.fixture
def people(session):
    """A tenant with a lease, that lot's owner, a staff member; returns their login tokens."""
    tenant_user = make_user(session, email="tenant@example.test", display_name="Camille Durand")
    owner_user = make_user(session, email="owner@example.test", display_name="Paul Martin")
    staff_user = make_user(session, email="staff@example.test", is_agency=True)
    tenant = make_tenant(session, user=tenant_user)
    owner = make_owner(session, user=owner_user)
    lot = make_lot(session, owner=owner, reference="B7")
    make_lease(session, lot=lot, tenants=[tenant], rent_cents=123_456)
    session.commit()
    return {
        name: _login(user.email)
        for name, user in (("tenant", tenant_user), ("owner", owner_user), ("staff", staff_user))
    }


def _login(email: str) -> str:
    with session_scope() as session:
        return auth.login(session=session, email=email, password=PASSWORD).token


async def test_tenant_home_loads_own_lease_and_sends_no_secret(people, session):
    root = state_tree(token=people["tenant"], path="/locataire")
    state = substate(root, TenantHomeState)
    await state.load()
    assert [lease.lot_label.endswith("lot B7") for lease in state.leases] == [True]
    payload = browser_payload(root)
    assert "1\u202f234,56\xa0€" in payload
    assert people["tenant"] not in payload
    for secret in ("password_hash", "token_hash", "user_id", "tenant_ids", "$2b$"):
        assert secret not in payload


@pytest.mark.parametrize("token_owner", ["owner", "staff", None])
async def test_tenant_home_gives_nothing_to_anyone_but_a_tenant(people, token_owner):
    root = state_tree(token=people[token_owner] if token_owner else "forged-token")
    state = substate(root, TenantHomeState)
    await state.load()
    assert state.leases == []


async def test_owner_home_lists_own_lots_only_for_the_owner(people):
    owner_state = substate(state_tree(token=people["owner"]), OwnerHomeState)
    await owner_state.load()
    assert [lot.status for lot in owner_state.lots] == ["Loué"]
    tenant_state = substate(state_tree(token=people["tenant"]), OwnerHomeState)
    await tenant_state.load()
    assert tenant_state.lots == []


async def test_agency_counts_are_for_staff_only(people):
    staff_state = substate(state_tree(token=people["staff"]), AgencyHomeState)
    await staff_state.load()
    assert staff_state.counts.lots == 1
    tenant_state = substate(state_tree(token=people["tenant"]), AgencyHomeState)
    await tenant_state.load()
    assert tenant_state.counts is None


async def test_guard_sends_another_role_to_its_own_space(people):
    state = substate(state_tree(token=people["tenant"], path="/agence"), SessionState)
    assert redirect_path(await state.enter_agency_space()) == "/locataire"


async def test_guard_sends_anonymous_visitor_to_login_and_forgets_the_tab(people):
    root = state_tree(token="", path="/locataire")
    state = substate(root, SessionState)
    state.user_name = "Someone from before"
    assert redirect_path(await state.enter_tenant_space()) == "/connexion"
    assert state.user_name == ""


async def test_guard_shows_header_of_the_logged_in_user(people):
    state = substate(state_tree(token=people["tenant"]), SessionState)
    assert await state.enter_tenant_space() is None
    assert state.user_name == "Camille Durand"
    assert state.space_label == "Espace locataire"
    assert state.other_space_path == ""


async def test_revoked_session_no_longer_opens_anything(people):
    with session_scope() as session:
        auth.logout(session=session, token=people["tenant"])
    state = substate(state_tree(token=people["tenant"]), TenantHomeState)
    await state.load()
    assert state.leases == []


async def test_logout_empties_every_var_of_the_tab(people):
    root = state_tree(token=people["tenant"])
    home = substate(root, TenantHomeState)
    await home.enter_tenant_space()
    await home.load()
    await substate(root, SessionState).logout()
    assert home.leases == []
    assert home.user_name == ""


async def test_login_page_shows_the_error_of_a_refused_attempt(database_url):
    state = substate(state_tree(path="/connexion", query="erreur=identifiants"), LoginState)
    assert await state.on_load() is None
    assert state.error == "Adresse e-mail ou mot de passe incorrect."


async def test_login_page_sends_a_logged_in_user_to_their_space(people):
    state = substate(state_tree(token=people["owner"], path="/connexion"), LoginState)
    assert redirect_path(await state.on_load()) == "/proprietaire"


async def test_index_routes_by_session(people):
    assert redirect_path(await substate(state_tree(), IndexState).route()) == "/connexion"
    staff = substate(state_tree(token=people["staff"]), IndexState)
    assert redirect_path(await staff.route()) == "/agence"


async def test_space_choice_lists_both_spaces_of_a_mixed_user(session):
    user = make_user(session, email="both@example.test")
    make_tenant(session, user=user)
    make_owner(session, user=user)
    session.commit()
    state = substate(state_tree(token=_login(user.email)), SpaceChoiceState)
    await state.on_load()
    assert [choice["path"] for choice in state.choices] == ["/locataire", "/proprietaire"]


def test_phone_menu_ignores_arguments_of_the_wrong_type():
    state = substate(state_tree(), PhoneMenuState)
    state.set_open({"forged": True})
    assert state.is_open is False
    state.set_open(True)
    assert state.is_open is True


async def test_admin_links_are_shown_to_agency_admins_only(session):
    admin = make_user(session, email="admin@example.test", is_agency=True, is_admin=True)
    staff = make_user(session, email="staff2@example.test", is_agency=True)
    session.commit()
    for user, expected in ((admin, True), (staff, False)):
        state = substate(state_tree(token=_login(user.email)), SessionState)
        await state.enter_agency_space()
        assert state.is_admin is expected


async def test_agency_home_counts_the_emails_waiting_for_review(people, session):
    message = EmailContent(subject="Avis", text="Bonjour", html="<p>Bonjour</p>")
    for address in ("a@example.test", "b@example.test"):
        queue_email(
            session=session,
            kind=EmailKind.NOTIFICATION,
            to_address=address,
            to_name="",
            message=message,
        )
    session.commit()
    state = substate(state_tree(token=people["staff"]), AgencyHomeState)
    await state.load()
    assert (state.to_do.emails_to_review, state.to_do.emails_failed) == (2, 0)
    assert (state.to_do.documents_to_check, state.to_do.documents_to_file) == (0, 0)
