"""Journal page state, called as any browser could call it: admins only, nothing secret sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from extranet_app.db import session_scope
from extranet_app.models import AuditEvent
from extranet_app.pages.agency_journal import JournalState, parse_filters
from extranet_app.services import auth
from extranet_app.services.journal import JournalFilter
from tests.factories import PASSWORD, make_tenant, make_user
from tests.states_support import browser_payload, redirect_path, state_tree, substate


@pytest.fixture
def tokens(session: Session) -> dict[str, str]:
    """An admin, a plain staff member and a tenant, logged in (which journals three logins)."""
    users = {
        "admin": make_user(session, email="direction@agence.test", is_agency=True, is_admin=True),
        "staff": make_user(session, email="gestion@agence.test", is_agency=True),
        "tenant": make_user(session, email="locataire@example.test"),
    }
    make_tenant(session, user=users["tenant"])
    session.commit()
    result = {}
    for name, user in users.items():
        with session_scope() as scoped:
            result[name] = auth.login(session=scoped, email=user.email, password=PASSWORD).token
    return result


async def _loaded(token: str):
    root = state_tree(token=token, path="/agence/journal")
    state = substate(root, JournalState)
    return root, state, await state.load()


async def test_admin_sees_the_journal_without_ids_or_secrets(tokens):
    root, state, event = await _loaded(tokens["admin"])
    assert event is None
    assert [row.action for row in state.rows] == ["login.success"] * 3
    assert state.count_label == "3 événement(s)"
    payload = browser_payload(root)
    assert "gestion@agence.test" in payload
    for secret in (*tokens.values(), '"id"', "_newest_id", "_oldest_id", "token_hash", "$2b$"):
        assert secret not in payload


@pytest.mark.parametrize(("who", "landing"), [("staff", "/agence"), ("tenant", "/agence")])
async def test_anyone_but_an_admin_is_sent_away_with_nothing(tokens, who, landing):
    root, state, event = await _loaded(tokens[who])
    assert redirect_path(event) == landing
    state._newest_id, state.has_newer = 10**6, True  # even with a tampered tab state
    state._oldest_id, state.has_older = 10**6, True
    await state.older_page()
    await state.newer_page()
    await state.first_page()
    await state.apply_filters({"action": "toutes", "actor": "", "from": "", "to": ""})
    await state.clear_filters()
    assert state.rows == []
    assert "direction@agence.test" not in browser_payload(root)


async def test_filters_from_the_form_apply_and_clear(tokens, session):
    session.add(AuditEvent(action="login.failure", allowed=False, detail='{"email": "x@y.test"}'))
    session.commit()
    _, state, _ = await _loaded(tokens["admin"])
    await state.apply_filters(
        {"action": "toutes", "actor": "", "from": "", "to": "", "denied": "on"}
    )
    assert [row.target for row in state.rows] == ["Adresse saisie : x@y.test"]
    assert state.denied_only is True
    version = state.form_version
    await state.clear_filters()
    assert (len(state.rows), state.denied_only, state.form_version) == (4, False, version + 1)


@pytest.mark.parametrize(
    "form",
    [
        "action=login.success",
        {"action": {"$ne": ""}},
        {"action": "not.an.action"},
        {"actor": ["a", "b"]},
        {"from": "2026-13-45"},
        {"to": 20260301},
    ],
)
async def test_forged_filter_forms_are_refused(tokens, form):
    _, state, _ = await _loaded(tokens["admin"])
    assert parse_filters(form) is None
    await state.apply_filters(form)
    assert state._filters == JournalFilter()
    assert len(state.rows) == 3


async def test_pages_move_older_and_back(tokens, session):
    start = datetime.now(UTC) - timedelta(days=1)
    session.add_all(
        AuditEvent(action="logout", created_at=start + timedelta(seconds=i)) for i in range(57)
    )
    session.commit()
    _, state, _ = await _loaded(tokens["admin"])  # 60 events: 50, then 10
    assert (len(state.rows), state.has_newer, state.has_older) == (50, False, True)
    await state.older_page()
    assert (len(state.rows), state.page_number, state.has_older) == (10, 2, False)
    await state.newer_page()
    assert (len(state.rows), state.page_number, state.has_newer) == (50, 1, False)
