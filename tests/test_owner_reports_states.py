"""Rapport de gestion, Suivi des locations and Rapports de gestion states, called directly as a
malicious browser could."""

from __future__ import annotations

import pytest
from sqlmodel import select

from extranet_app.db import session_scope
from extranet_app.models import ManagementReport
from extranet_app.pages.agency_reports import AgencyReportsState
from extranet_app.pages.owner_rentals import OwnerRentalsState
from extranet_app.pages.owner_reports import OwnerReportsState
from extranet_app.services import management_reports as reports
from extranet_app.services.documents import document_reference
from tests.reports_support import MARCH, build_report_world, login_token
from tests.states_support import browser_payload, state_tree, substate

SECRETS = ("_period_ids", "report_id", "mandate_id", "owner_ids", "token_hash", "$2b$")


@pytest.fixture
def world(session):
    world = build_report_world(session)
    reports.publish(session=session, user=world.staff, choice=MARCH)
    world.tokens = {name: login_token(session, email) for name, email in world.emails.items()}
    return world


def _report_ids() -> dict[int, int]:
    with session_scope() as session:
        rows = session.exec(select(ManagementReport)).all()
        return {row.mandate_id: row.id for row in rows}


async def _reports_page(token: str):
    root = state_tree(token=token, path="/proprietaire/rapports")
    state = substate(root, OwnerReportsState)
    await state.load()
    return root, state


def assert_no_secret(root, token: str) -> None:
    payload = browser_payload(root)
    assert token not in payload
    for secret in SECRETS:
        assert secret not in payload


async def test_owner_sees_their_report_with_lines_totals_and_charts(world):
    root, state = await _reports_page(world.tokens["a"])
    assert [listing.period_label for listing in state.periods] == ["mars 2026"]
    assert state.title == "Rapport de gestion — mars 2026"
    assert len(state.lines) == 2 and state.totals[0].net == "944,50\xa0€"
    assert len(state.collections) == 24 and len(state.occupancy) == 24
    assert {"mois", "appele", "encaisse"} <= set(state.collections[-1])
    with session_scope() as session:
        report = session.get(ManagementReport, _report_ids()[world.mandate_a_id])
        assert state.pdf_reference == document_reference(report.document_id)
    assert_no_secret(root, world.tokens["a"])


async def test_another_owner_sees_only_their_own_report(world):
    root, state = await _reports_page(world.tokens["b"])
    assert len(state.periods) == 1 and state.totals[0].net == "387,91\xa0€"
    with session_scope() as session:
        report_a = session.get(ManagementReport, _report_ids()[world.mandate_a_id])
        assert document_reference(report_a.document_id) not in browser_payload(root)
    assert "Martin" not in browser_payload(root)  # nothing of owner A's


@pytest.mark.parametrize("position", [{"id": 1}, "1", "-1", 1, True, None, [0], "9" * 12])
async def test_select_report_refuses_forged_positions(world, position):
    _, state = await _reports_page(world.tokens["b"])
    before = (state.title, state.pdf_reference, state.selected)
    await state.select_report(position)
    assert (state.title, state.pdf_reference, state.selected) == before


async def test_select_report_shows_the_chosen_report(world):
    _, state = await _reports_page(world.tokens["a"])
    state.title = ""
    await state.select_report("0")
    assert state.title == "Rapport de gestion — mars 2026" and state.selected == "0"


@pytest.mark.parametrize("who", ["staff", None])
async def test_reports_give_nothing_to_anyone_but_an_owner(world, who):
    _, state = await _reports_page(world.tokens[who] if who else "forged-token")
    assert state.periods == [] and state.lines == [] and not state.loaded
    await state.select_report("0")
    assert state.lines == []


async def test_rentals_show_the_owners_lots_without_tenant_details(world):
    root = state_tree(token=world.tokens["b"], path="/proprietaire/locations")
    state = substate(root, OwnerRentalsState)
    await state.load()
    assert sorted(row.lot_label.split(" — ")[0] for row in state.rows) == [
        "Appartement L2",
        "Appartement L3",
    ]
    assert_no_secret(root, world.tokens["b"])
    stranger = substate(state_tree(token=world.tokens["staff"]), OwnerRentalsState)
    await stranger.load()
    assert stranger.rows == [] and not stranger.loaded


# --- Agency: batch publication ---------------------------------------------------------------


async def _agency_page(token: str):
    root = state_tree(token=token, path="/agence/rapports")
    state = substate(root, AgencyReportsState)
    await state.load()
    return root, state


async def _run_publish(state: AgencyReportsState):
    # A background handler cannot be called directly; its function runs without a proxy here.
    return await AgencyReportsState.publish.fn(state)


async def test_agency_publishes_a_period_in_the_background_with_progress(world):
    _, state = await _agency_page(world.tokens["staff"])
    assert state.chosen == state.choices[0]["value"]
    await state.choose("2026-03")
    assert (state.mandates, state.published) == (2, 2)  # published by the fixture
    await state.choose("2026-02")
    assert (state.mandates, state.published) == (2, 0)
    await _run_publish(state)
    assert (state.progress_done, state.progress_total, state.running) == (2, 2, False)
    assert state.summary.startswith("2 rapport(s) publié(s)")
    assert state.published == 2
    await _run_publish(state)
    assert "2 déjà à jour" in state.summary  # publishing again duplicates nothing


@pytest.mark.parametrize("key", ["2099-01", "../etc", {"k": 1}, 2026, "2026-13"])
async def test_agency_refuses_periods_it_did_not_offer(world, key):
    _, state = await _agency_page(world.tokens["staff"])
    chosen = state.chosen
    await state.choose(key)
    assert state.chosen == chosen


@pytest.mark.parametrize("who", ["a", None])
async def test_only_staff_can_publish(world, who):
    root = state_tree(token=world.tokens[who] if who else "forged-token")
    state = substate(root, AgencyReportsState)
    state.choices = [{"value": "2026-02", "label": "février 2026"}]
    state.chosen = "2026-02"
    await _run_publish(state)
    assert not state.running and state.summary == ""
    with session_scope() as session:
        assert len(session.exec(select(ManagementReport)).all()) == 2  # the fixture's only
