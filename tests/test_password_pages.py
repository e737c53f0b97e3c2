"""Activation and password pages, driven as the browser drives them (no browser)."""

import pytest
from sqlmodel import select

from extranet_app.models import OutboxEmail
from extranet_app.pages.activation import ActivationState
from extranet_app.pages.password_reset import ForgotPasswordState, NewPasswordState
from extranet_app.services import access_codes
from extranet_app.states.password_choice import refusal_message
from tests.factories import make_tenant, make_user
from tests.states_support import browser_payload, state_tree, substate


@pytest.fixture
def enrolled(session):
    user = make_user(session, email="camille@example.test", password=None, display_name="Camille")
    make_tenant(session, user=user)
    code = access_codes.issue_access_code(session=session, user=user)
    session.commit()
    return code


async def test_activation_link_shows_whose_account_it_is(enrolled):
    root = state_tree(path="/activation", query=f"jeton={enrolled.token}")
    state = substate(root, ActivationState)
    await state.on_load()
    assert state.link_is_valid
    assert (state.holder_name, state.holder_email) == ("Camille", "camille@example.test")
    assert state.error == ""
    assert enrolled.short_code not in browser_payload(root)


async def test_unknown_link_explains_and_offers_no_form(database_url):
    state = substate(state_tree(path="/activation", query="jeton=forged"), ActivationState)
    await state.on_load()
    assert not state.link_is_valid
    assert "demandez un nouveau code à votre agence" in state.error


async def test_refusal_in_the_address_is_explained_in_french(enrolled):
    query = f"jeton={enrolled.token}&erreur=trop-court"
    state = substate(state_tree(path="/activation", query=query), ActivationState)
    await state.on_load()
    assert state.error.startswith("Le mot de passe doit contenir au moins 12 caractères")
    assert state.link_is_valid


def test_unknown_refusal_code_gets_a_generic_message():
    purpose = access_codes.CodePurpose.ACTIVATION
    assert (
        refusal_message("<script>", purpose)
        == "Le mot de passe n'a pas pu être enregistré. Réessayez."
    )
    assert "identiques" in refusal_message("confirmation", purpose)


async def test_forgot_password_answers_the_same_for_unknown_and_known_addresses(session):
    user = make_user(session, email="paul@example.test")
    make_tenant(session, user=user)
    session.commit()
    answers = []
    for email in ("paul@example.test", "nobody@example.test"):
        state = substate(state_tree(path="/mot-de-passe-oublie"), ForgotPasswordState)
        await state.request_link({"email": email})
        answers.append(state.confirmation)
    assert answers[0] == answers[1] != ""
    queued = session.exec(select(OutboxEmail.to_address)).all()
    assert queued == ["paul@example.test"]


async def test_forgot_password_refuses_forged_arguments(database_url):
    state = substate(state_tree(), ForgotPasswordState)
    for forged in (["paul@example.test"], {"email": {"$ne": ""}}, None):
        await state.request_link(forged)
        assert state.confirmation == ""


async def test_new_password_page_checks_the_reset_link(session):
    user = make_user(session, email="paul@example.test")
    link = access_codes.issue_password_reset_token(session=session, user=user)
    session.commit()
    state = substate(state_tree(query=f"jeton={link.token}"), NewPasswordState)
    await state.on_load()
    assert state.link_is_valid and state.holder_email == "paul@example.test"
    activation_code_as_reset = substate(state_tree(query="jeton=nope"), NewPasswordState)
    await activation_code_as_reset.on_load()
    assert not activation_code_as_reset.link_is_valid
