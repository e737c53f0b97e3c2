"""The authorization matrix of issue 8: tests generated from one policy table.

tests/authorization/policy.py says, for each resource and action, which of the ten roles may act
on person A's object. Each (role, resource, action) is checked:
- through the services behind the event handlers, with the role's real login session and ids
  forged as a malicious browser can send them; every way in (tenant, owner and agency space) is
  tried. Anonymous and deactivated sessions, and every space a role cannot enter, stop at the
  handlers' gate (SessionState._session_user), checked with the real cookie;
- through the HTTP routes where one exists (downloads, news images, CSV export, logo);
- for a few event handlers (HANDLER_POLICY), by calling the handler itself with forged
  positions, references and wrongly typed arguments.
A refusal by a service must leave an audit_event row with allowed=False.

The world is built once per module and copied for each case (SQLite file, or a PostgreSQL
database cloned from a template with EXTRANET_TEST_DATABASE=postgresql).
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.testclient import TestClient

from extranet_app import db
from extranet_app.api import (
    agency_routes,
    data_routes,
    document_routes,
    news_routes,
    personal_data_routes,
)
from extranet_app.services import auth
from extranet_app.services.agency_logo import set_logo
from extranet_app.services.auth import SessionUser, Space
from extranet_app.settings import get_settings
from extranet_app.states.session import SessionState
from tests.authorization import probes
from tests.authorization.policy import HANDLER_POLICY, OWNER_SIDE, POLICY, Role, cases
from tests.authorization.probes import refusals
from tests.authorization.world import World, build_world, forget_engine, point_app_at
from tests.conftest import (
    ON_POSTGRESQL,
    _empty_postgres_tables,
    restore_postgres_rows,
    snapshot_postgres_rows,
)
from tests.messaging_support import tiny_png
from tests.states_support import browser_payload, state_tree, substate

NO_SESSION = {Role.ANONYMOUS, Role.DEACTIVATED}


_WORLD_SCHEMA = "authorization_world"


def _build_into(database_url: str, documents: Path) -> World:
    with pytest.MonkeyPatch.context() as monkeypatch:
        point_app_at(database_url, documents, monkeypatch)
        with Session(db.get_engine(), expire_on_commit=False) as session:
            world = build_world(session)
            admin = auth.resolve_session(session=session, token=world.tokens["admin"])
            set_logo(session=session, actor=admin, filename="logo.png", data=tiny_png(40, 40))
        forget_engine()
    return world


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, request) -> Iterator[tuple[str, Path, World]]:
    """The world of tests/authorization/world.py, built once: (database URL, files, World).

    SQLite: a file each test copies. PostgreSQL (EXTRANET_TEST_DATABASE=postgresql): a database
    each test clones with CREATE DATABASE … TEMPLATE.
    """
    folder = tmp_path_factory.mktemp("authorization_world")
    documents = folder / "documents"
    documents.mkdir()
    if not ON_POSTGRESQL:
        path = folder / "world.db"
        shutil.copyfile(request.getfixturevalue("migrated_template"), path)
        url = f"sqlite:///{path}"
        yield url, documents, _build_into(url, documents)
        return
    # The run's database: built once here, then each test gets a copy of these rows (50 ms).
    url = request.getfixturevalue("postgres_test_database")
    _empty_postgres_tables(url)
    world = _build_into(url, documents)
    snapshot_postgres_rows(url, schema=_WORLD_SCHEMA)
    yield url, documents, world


@pytest.fixture
def world(
    built, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[World]:
    """A private copy of the built world, which the app's engine and storage now use.

    (`database_url` is asked for so that the PostgreSQL run keeps these tests; its empty
    database is not used.)"""
    template_url, documents, world = built
    files = tmp_path / "documents"
    shutil.copytree(documents, files)
    with _database_copy(template_url, tmp_path) as url:
        point_app_at(url, files, monkeypatch)
        yield world
        forget_engine()


@contextmanager
def _database_copy(template_url: str, tmp_path: Path) -> Iterator[str]:
    if not ON_POSTGRESQL:
        path = tmp_path / "world.db"
        shutil.copyfile(template_url.removeprefix("sqlite:///"), path)
        yield f"sqlite:///{path}"
        return
    restore_postgres_rows(template_url, schema=_WORLD_SCHEMA)
    yield template_url


def actor_for(session: Session, world: World, role: Role, resource: str) -> SessionUser | None:
    """The user a handler would act for: the role's live session, or the Aperçu of person A."""
    if role is Role.ANONYMOUS:
        return None
    if role is Role.PREVIEW:
        staff = auth.resolve_session(session=session, token=world.tokens["staff"])
        target = "owner_a" if resource in OWNER_SIDE else "tenant_a"
        return auth.preview_as(session=session, staff=staff, target_user_id=world.user_ids[target])
    return auth.resolve_session(session=session, token=world.tokens[role.value])


async def gate(token: str, space: Space) -> SessionUser | None:
    """What every event handler of `space` gets from the tab's cookie."""
    state = substate(state_tree(token=token), SessionState)
    return await state._session_user(space)


def _id(case) -> str:
    role, resource, action, allowed = case
    return f"{resource}-{action}-{role.value}-{'allow' if allowed else 'deny'}"


# The logo has no handler: the login page shows it to everyone through its HTTP route only.
HTTP_ONLY = {("agency_logo", "download"), ("personal_data_agency", "download")}
SERVICE_CASES = [case for case in cases() if (case[1], case[2]) not in HTTP_ONLY]


@pytest.mark.parametrize("case", SERVICE_CASES, ids=[_id(c) for c in SERVICE_CASES])
def test_service_and_handlers_follow_the_policy(world: World, case) -> None:
    role, resource, action, allowed = case
    if role in NO_SESSION:
        token = world.tokens.get(role.value, "")
        for tried in (Space.TENANT, Space.OWNER, Space.AGENCY, None):
            assert asyncio.run(gate(token, tried)) is None
        return
    with Session(db.get_engine(), expire_on_commit=False) as session:
        actor = actor_for(session, world, role, resource)
        assert actor is not None
        before = refusals(session)
        ctx = probes.Ctx(session=session, world=world, actor=actor)
        assert probes.SERVICE_PROBES[(resource, action)](ctx) is allowed
        assert ctx.unjournaled == 0, f"{ctx.unjournaled} of {ctx.refused} refusals not journaled"
        if not allowed and action != "list" and ctx.tried:
            # A forged id is a refusal; a list simply shows the user's own rows.
            assert refusals(session) > before, "the refusal is not in the audit journal"
    if role is not Role.PREVIEW:
        # What the services refused in a space the role cannot enter, the handlers' gate
        # refuses first, with the role's real cookie.
        for space in ctx.gated:
            assert asyncio.run(gate(world.tokens[role.value], space)) is None


def test_the_handler_gate_refuses_a_space_the_session_cannot_enter(world: World) -> None:
    for role, space in ((Role.TENANT_A, Space.AGENCY), (Role.OWNER_A, Space.TENANT)):
        assert asyncio.run(gate(world.tokens[role.value], space)) is None


def test_the_handler_gate_journals_a_refused_space(world: World) -> None:
    with Session(db.get_engine()) as session:
        before = refusals(session)
    assert asyncio.run(gate(world.tokens[Role.TENANT_A.value], Space.AGENCY)) is None
    with Session(db.get_engine()) as session:
        assert refusals(session) > before


# --- HTTP routes -------------------------------------------------------------------------------

_SPACES = ("", "?espace=locataire", "?espace=proprietaire")


def _document_paths(reference_of):
    return lambda w: [f"/api/documents/{reference_of(w)}{query}" for query in _SPACES]


HTTP_ROUTES = {
    ("receipts", "download"): _document_paths(lambda w: w.receipt_ref),
    ("invoices", "download"): _document_paths(lambda w: w.invoice_ref),
    ("documents", "download"): _document_paths(lambda w: w.document_a_ref),
    ("mandate_documents", "download"): _document_paths(lambda w: w.mandate_ref),
    ("uploads", "download"): _document_paths(lambda w: w.upload_ref),
    ("news", "download"): lambda w: [f"/api/news/{w.news_ref}/image{query}" for query in _SPACES],
    ("data_screens", "download"): lambda w: ["/api/agence/export/locataires"],
    ("agency_logo", "download"): lambda w: [agency_routes.LOGO_PATH],
    ("personal_data_agency", "download"): lambda w: [
        personal_data_routes.staff_export_path("compte", w.user_ids["tenant_a"])
    ],
}
# The Aperçu runs in the staff member's tab: an HTTP request carries the staff cookie, so the
# preview has no HTTP row of its own (the staff row covers it).
HTTP_CASES = [
    (role, resource, action, role in POLICY[(resource, action)])
    for (resource, action) in HTTP_ROUTES
    for role in Role
    if role is not Role.PREVIEW
]


@pytest.fixture
def client(world) -> TestClient:
    app = Starlette(
        routes=[
            *document_routes.routes,
            *news_routes.routes,
            *data_routes.routes,
            *agency_routes.routes,
            *personal_data_routes.routes,
        ]
    )
    return TestClient(app, base_url="http://localhost:8000")


@pytest.mark.parametrize("case", HTTP_CASES, ids=[_id(c) for c in HTTP_CASES])
def test_http_routes_follow_the_policy(world: World, client: TestClient, case) -> None:
    role, resource, action, allowed = case
    token = world.tokens.get(role.value, "")
    cookies = {get_settings().session_cookie_name: token} if token else {}
    with Session(db.get_engine()) as session:
        before = refusals(session)
    statuses = []
    for path in HTTP_ROUTES[(resource, action)](world):
        client.cookies.clear()
        response = client.get(path, cookies=cookies)
        statuses.append(response.status_code)
        if response.status_code != 200:
            # The same 404 whatever the reason: nothing tells a forger what exists.
            assert response.status_code == 404
            assert "attachment" not in response.headers.get("content-disposition", "")
    assert (200 in statuses) is allowed, statuses
    if not allowed and role not in NO_SESSION:
        with Session(db.get_engine()) as session:
            assert refusals(session) > before, "the refusal is not in the audit journal"


def test_the_matrix_counts_its_cases() -> None:
    roles = len(Role)
    assert len(SERVICE_CASES) == roles * (len(POLICY) - len(HTTP_ONLY))
    assert len(HTTP_CASES) == (roles - 1) * len(HTTP_ROUTES)
    assert set(probes.SERVICE_PROBES) == set(POLICY) - HTTP_ONLY
    assert len(HANDLER_CASES) == roles * len(HANDLER_POLICY)
    total = len(SERVICE_CASES) + len(HTTP_CASES) + len(HANDLER_CASES)
    print(
        f"authorization matrix: {len(SERVICE_CASES)} service cases, {len(HTTP_CASES)} HTTP "
        f"cases, {len(HANDLER_CASES)} forged-argument handler cases, {total} in all"
    )


# --- Event handlers called with forged arguments -----------------------------------------------

# Positions a page never offered and values of the wrong type, as a malicious browser sends them.
FORGED_POSITIONS = (0, 1, 2, -1, 10**9, "0", {"id": 1}, [0], None, 1.5)


async def _news_open(root, state_class, world: World) -> list:
    state = substate(root, state_class)
    await state.open_item(world.news_ref)
    await state.open_item({"reference": world.news_ref})
    return []


async def _thread_open(root, state_class, world: World) -> list:
    state = substate(root, state_class)
    await state.load()
    for position in FORGED_POSITIONS:
        await state.open_thread(position)
    return []


async def _receipt_download(root, state_class, world: World) -> list:
    state = substate(root, state_class)
    await state.load()
    return [await state.download(position) for position in FORGED_POSITIONS]


async def _outbox_preview(root, state_class, world: World) -> list:
    state = substate(root, state_class)
    await state.load()
    for position in FORGED_POSITIONS:
        await state.open_preview(position)
    return []


def _handlers():
    from extranet_app.pages.agency_outbox import OutboxState
    from extranet_app.pages.owner_news import OwnerNewsState
    from extranet_app.pages.tenant_messages import TenantMessagesState
    from extranet_app.pages.tenant_news import TenantNewsState
    from extranet_app.pages.tenant_receipts import TenantReceiptsState

    # name -> (state, drive, what only an allowed role may receive, whose space the Aperçu opens)
    return {
        "tenant_news.open_item": (TenantNewsState, _news_open, "Ascenseur", "tenant_a"),
        "owner_news.open_item": (OwnerNewsState, _news_open, "Ascenseur", "tenant_a"),
        "tenant_messages.open_thread": (
            TenantMessagesState,
            _thread_open,
            "Bonjour, une fuite.",
            "tenant_a",
        ),
        "tenant_receipts.download": (
            TenantReceiptsState,
            _receipt_download,
            "RECEIPT_REF",
            "tenant_a",
        ),
        "agency_outbox.open_preview": (OutboxState, _outbox_preview, "Vos codes d", "tenant_a"),
    }


HANDLER_CASES = [
    (role, name, role in allowed) for name, allowed in HANDLER_POLICY.items() for role in Role
]


@pytest.mark.parametrize(
    "case",
    HANDLER_CASES,
    ids=[f"{n}-{r.value}-{'allow' if a else 'deny'}" for r, n, a in HANDLER_CASES],
)
async def test_event_handlers_with_forged_arguments_follow_the_policy(world: World, case) -> None:
    role, name, allowed = case
    state_class, drive, marker, previewed = _handlers()[name]
    token = world.tokens.get("staff" if role is Role.PREVIEW else role.value, "")
    root = state_tree(token=token)
    if role is Role.PREVIEW:
        # The Aperçu of person A in this tab, as SessionState._begin_preview leaves it.
        substate(root, state_class)._preview_user_id = world.user_ids[previewed]
    events = await drive(root, state_class, world)
    marker = world.receipt_ref if marker == "RECEIPT_REF" else marker
    received = browser_payload(root) + " ".join(str(event) for event in events if event)
    assert (marker in received) is allowed
