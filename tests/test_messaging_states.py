"""The Messagerie pages' states, called directly as a malicious browser could call them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from extranet_app.db import session_scope
from extranet_app.models import AuthSession, Thread
from extranet_app.pages.agency_messages import AgencyMessagesState
from extranet_app.pages.owner_messages import OwnerMessagesState
from extranet_app.pages.tenant_messages import TenantMessagesState
from extranet_app.services import auth
from extranet_app.services.auth import Space
from extranet_app.states.messaging_live import (
    UnreadBadgeState,
    badge_text,
    poll_activity,
    space_of,
)
from extranet_app.states.session import SessionState
from tests.factories import PASSWORD
from tests.messaging_support import make_world
from tests.states_support import browser_payload, state_tree, substate


@pytest.fixture
def world(session):
    return make_world(session)


def _token(email: str) -> str:
    with session_scope() as session:
        return auth.login(session=session, email=email, password=PASSWORD).token


@pytest.fixture
def tokens(world):
    return {
        "tenant": _token(world.tenant_user.email),
        "other": _token(world.other_user.email),
        "owner": _token(world.owner_user.email),
        "staff": _token(world.staff_user.email),
    }


async def _tenant_page(token: str, path: str = "/locataire/messages"):
    root = state_tree(token=token, path=path)
    state = substate(root, TenantMessagesState)
    await state.load()
    return root, state


async def _write_as_tenant(state, subject: str, text: str) -> None:
    await state.start_new()
    state.set_new_category("intervention")
    state.set_new_place("0")
    await state.send_new([], subject, text)


async def test_tenant_writes_then_the_agency_answers_and_notes_stay_internal(tokens, world):
    _, tenant = await _tenant_page(tokens["tenant"])
    assert tenant.can_write and tenant.place_labels[0].endswith("lot A1")
    await _write_as_tenant(tenant, "Fuite d'eau", "Ça goutte sous l'évier")
    assert tenant.error == "" and tenant.view == "conversation"
    assert [line.subject for line in tenant.threads] == ["Fuite d'eau"]

    agency_root = state_tree(token=tokens["staff"], path="/agence/messages")
    agency = substate(agency_root, AgencyMessagesState)
    await agency.load()
    assert [line.unread for line in agency.lines] == [True]
    await agency.open_thread(0)
    agency.set_mode("note")
    await agency.send([], "Prévenir le propriétaire avant devis")
    agency.set_mode("reponse")
    await agency.send([], "Le plombier passe demain.")
    assert [line.is_note for line in agency.messages] == [False, True, False]

    await tenant.open_thread(0)
    texts = [line.segments[0].text for line in tenant.messages]
    assert texts == ["Ça goutte sous l'évier", "Le plombier passe demain."]
    await tenant.send_reply([], "Merci !")
    assert tenant.messages[-1].segments[0].text == "Merci !"


async def test_payload_has_no_ids_and_shows_script_as_text(tokens, world):
    root, tenant = await _tenant_page(tokens["tenant"])
    await _write_as_tenant(tenant, "<b>Objet</b>", '<script>alert("x")</script>')
    payload = browser_payload(root)
    assert tokens["tenant"] not in payload
    for secret in ("thread_id", "user_id", "lease_id", "storage_key", '"_ids"', "_open_id"):
        assert secret not in payload
    assert tenant.messages[0].segments[0].text == '<script>alert("x")</script>'
    assert tenant.messages[0].segments[0].href == ""


async def test_forged_positions_and_arguments_open_nothing(tokens, world):
    _, tenant = await _tenant_page(tokens["tenant"])
    await _write_as_tenant(tenant, "Question", "Bonjour")
    _, other = await _tenant_page(tokens["other"])
    for forged in (0, -1, 5, "0", {"id": 1}, True):
        await other.open_thread(forged)
        assert other.messages == [] and other.view == "liste"
    await other.send_reply([], "Je m'invite")
    with session_scope() as session:
        thread = session.exec(select(Thread)).one()
        assert thread.agency_unread  # only the tenant's own message
    other.set_new_place("0")  # the other tenant's only lease, not the first tenant's
    assert other.new_place == "0" and other.place_labels[0].endswith("lot Z9")


async def test_agency_handlers_refuse_a_tenant(tokens, world):
    _, tenant = await _tenant_page(tokens["tenant"])
    await _write_as_tenant(tenant, "Question", "Bonjour")
    intruder = substate(state_tree(token=tokens["tenant"]), AgencyMessagesState)
    await intruder.load()
    await intruder.open_thread(0)
    await intruder.find_people("Durand")
    assert intruder.lines == [] and intruder.messages == [] and intruder.recipients == []


async def test_owner_page_shows_owner_threads_only(tokens, world):
    _, tenant = await _tenant_page(tokens["tenant"])
    await _write_as_tenant(tenant, "Question de locataire", "Bonjour")
    owner = substate(state_tree(token=tokens["owner"]), OwnerMessagesState)
    await owner.load()
    assert owner.threads == [] and owner.place_labels[0].endswith("lot A1")
    tenant_on_owner_page = substate(state_tree(token=tokens["tenant"]), OwnerMessagesState)
    await tenant_on_owner_page.load()
    assert tenant_on_owner_page.threads == [] and not tenant_on_owner_page.loaded


async def test_preview_reads_but_cannot_send(tokens, world):
    _, tenant = await _tenant_page(tokens["tenant"])
    await _write_as_tenant(tenant, "Question", "Bonjour")
    root = state_tree(token=tokens["staff"], path="/locataire/messages")
    substate(root, SessionState)._preview_user_id = world.tenant_user.id
    preview = substate(root, TenantMessagesState)
    await preview.load()
    assert not preview.can_write and [line.subject for line in preview.threads] == ["Question"]
    await preview.open_thread(0)
    await preview.send_reply([], "Envoyé par l'agence à la place du locataire")
    assert "lecture seule" in preview.error
    assert len(preview.messages) == 1


async def test_agency_cannot_pick_a_person_without_login(tokens, world, session):
    from tests.factories import make_tenant

    newcomer = make_tenant(session, last_name="Nouveau")
    newcomer.email = "nouveau@example.test"
    session.commit()
    agency = substate(state_tree(token=tokens["staff"]), AgencyMessagesState)
    await agency.load()
    await agency.start_new()
    await agency.find_people("nouveau")
    assert [line.enrolled for line in agency.recipients] == [False]
    await agency.choose_recipient(0)
    assert agency.chosen == -1
    await agency.send_new([], "Bonjour", "Bonjour")
    assert agency.error == "Choisissez le destinataire."


def test_polls_do_not_keep_an_idle_session_alive(tokens, world):
    with session_scope() as session:
        login = session.exec(select(AuthSession).order_by(AuthSession.id)).first()
        login.last_seen_at -= timedelta(minutes=10)  # an event would move it to now
        session.commit()
        before = login.last_seen_at
    activity = poll_activity(tokens["tenant"], None, Space.TENANT)
    assert activity is not None and activity.unread == 0
    assert poll_activity(tokens["tenant"], None, Space.AGENCY) is None
    assert poll_activity("forged", None, Space.TENANT) is None
    with session_scope() as session:
        after = session.exec(select(AuthSession.last_seen_at).order_by(AuthSession.id)).first()
    assert after == before


def test_badge_helpers():
    assert [badge_text(n) for n in (0, 3, 120)] == ["", "3", "99+"]
    assert space_of("/proprietaire/messages") == Space.OWNER
    assert space_of("/agence") == Space.AGENCY and space_of("/connexion") is None
    assert UnreadBadgeState.get_name()


async def test_agency_writes_first_to_a_person_then_to_a_building(tokens, world):
    agency = substate(state_tree(token=tokens["staff"]), AgencyMessagesState)
    await agency.load()
    await agency.start_new()
    await agency.find_people("durand")
    assert [(line.name, line.enrolled) for line in agency.recipients] == [
        ("Mme Camille Durand", True)
    ]
    await agency.choose_recipient(0)
    assert agency.chosen_name == "Mme Camille Durand (Locataire)" and agency.new_place == "0"
    agency.set_new_category("documents")
    await agency.send_new([], "Attestation d'assurance", "Merci de nous l'envoyer.")
    assert agency.error == "" and agency.view == "conversation"
    assert agency.header.subject == "Attestation d'assurance"

    await agency.start_new()
    agency.set_target("immeuble")
    building = agency.building_labels.index(world.building_name)
    await agency.set_new_building(str(building))
    assert agency.audience_text == "1 locataire inscrit recevra ce message."
    agency.set_new_category("intervention")
    await agency.send_new([], "Coupure d'eau", "Jeudi de 9 h à 12 h.")
    assert agency.error == ""
    _, tenant = await _tenant_page(tokens["tenant"])
    assert [line.subject for line in tenant.threads] == ["Coupure d'eau", "Attestation d'assurance"]
    assert all(line.unread for line in tenant.threads)


async def test_messagerie_turned_off_by_the_agency_shows_and_polls_nothing(tokens, world, session):
    from extranet_app.models import SectionSetting

    _, tenant = await _tenant_page(tokens["tenant"])
    await _write_as_tenant(tenant, "Question", "Bonjour")
    session.add(SectionSetting(space="locataire", section="messagerie", enabled=False))
    session.commit()
    _, hidden = await _tenant_page(tokens["tenant"])
    assert hidden.threads == [] and not hidden.loaded
    assert poll_activity(tokens["tenant"], None, Space.TENANT) is None
    owner = substate(state_tree(token=tokens["owner"]), OwnerMessagesState)
    await owner.load()
    assert owner.loaded  # still on for owners
