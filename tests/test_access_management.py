"""Gestion des accès services: statuses, search, pages, enrolment, access codes, deactivation."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from extranet_app.db import make_engine
from extranet_app.models import (
    AuditEvent,
    OutboxEmail,
    OutboxStatus,
    Owner,
    Property,
    Tenant,
    User,
)
from extranet_app.services import access_management as access
from extranet_app.services import auth
from extranet_app.services.access_management import (
    AccessQuery,
    AccessStatus,
    InvalidEmail,
    PersonKind,
    SortKey,
)
from extranet_app.services.auth import SessionUser
from extranet_app.services.errors import AccessDenied
from extranet_app.services.outbox import EmailKind
from tests.conftest import migrate_to_head
from tests.factories import PASSWORD, make_lease, make_lot, make_owner, make_tenant, make_user

TENANTS = PersonKind.TENANT
OWNERS = PersonKind.OWNER


@pytest.fixture
def staff(session: Session) -> SessionUser:
    user = make_user(session, email="gestion@agence.test", is_agency=True)
    session.commit()
    return SessionUser(user.id, 0, user.email, "Gestion", True, False, (), ())


def _tenant(
    session: Session,
    last_name: str,
    *,
    email: str | None = "",
    first_name: str = "Camille",
    company: str = "",
    external_ref: str | None = None,
) -> Tenant:
    tenant = make_tenant(session, last_name=last_name)
    tenant.first_name, tenant.company_name, tenant.external_ref = first_name, company, external_ref
    tenant.email = f"{last_name.lower()}@example.test" if email == "" else email
    session.add(tenant)
    session.commit()
    return tenant


def _listed(session: Session, staff: SessionUser, **query) -> list[str]:
    page = access.list_people(session=session, actor=staff, query=AccessQuery(**query))
    return [row.name for row in page.rows]


def _status_of(session: Session, staff: SessionUser, name: str, kind=TENANTS) -> str:
    page = access.list_people(
        session=session, actor=staff, query=AccessQuery(kind=kind, search=name)
    )
    (row,) = [row for row in page.rows if row.name.endswith(name)]
    return row.status


def _enrol(session: Session, staff: SessionUser, *people, kind=TENANTS) -> access.EnrolmentResult:
    ids = [person.id for person in people]
    return access.enrol_people(session=session, actor=staff, kind=kind, person_ids=ids)


def _transfer(session, staff, *people, resend=False) -> access.TransferResult:
    ids = [person.id for person in people]
    return access.transfer_access_codes(
        session=session, actor=staff, kind=TENANTS, person_ids=ids, resend=resend
    )


def _login_of(session: Session, person: Tenant | Owner) -> User:
    session.refresh(person)
    return session.get(User, person.user_id)


def _actions(session: Session) -> list[str]:
    return [event.action for event in session.exec(select(AuditEvent).order_by(AuditEvent.id))]


# --- Status ----------------------------------------------------------------------------------


def test_status_follows_each_step_from_not_enrolled_to_deactivated(session, staff):
    tenant = _tenant(session, "Durand")
    assert _status_of(session, staff, "Durand") == AccessStatus.NOT_ENROLLED
    _enrol(session, staff, tenant)
    assert _status_of(session, staff, "Durand") == AccessStatus.CODE_TO_SEND
    _transfer(session, staff, tenant)
    assert _status_of(session, staff, "Durand") == AccessStatus.CODE_SENT
    login = _login_of(session, tenant)
    login.activated_at, login.password_hash = datetime.now(UTC), "x"
    session.commit()
    assert _status_of(session, staff, "Durand") == AccessStatus.ACTIVATED
    access.set_logins_active(
        session=session, actor=staff, kind=TENANTS, person_ids=[tenant.id], active=False
    )
    assert _status_of(session, staff, "Durand") == AccessStatus.DEACTIVATED


@pytest.mark.parametrize(
    ("outbox_status", "expected"),
    [
        (OutboxStatus.PENDING, AccessStatus.CODE_SENT),
        (OutboxStatus.SENDING, AccessStatus.CODE_SENT),
        (OutboxStatus.SENT, AccessStatus.CODE_SENT),
        (OutboxStatus.FAILED, AccessStatus.CODE_TO_SEND),
        (OutboxStatus.CANCELLED, AccessStatus.CODE_TO_SEND),
    ],
)
def test_code_is_sent_while_its_email_is_queued_or_sent_but_not_once_failed_or_cancelled(
    session, staff, outbox_status, expected
):
    tenant = _tenant(session, "Durand")
    _enrol(session, staff, tenant)
    _transfer(session, staff, tenant)
    email = session.exec(select(OutboxEmail)).one()
    email.status = outbox_status
    session.commit()
    assert _status_of(session, staff, "Durand") == expected
    filtered = _listed(session, staff, status=expected)
    assert filtered == ["Camille Durand"]


def test_each_status_filter_keeps_only_people_in_that_status(session, staff):
    names = ["Aubert", "Blanc", "Colin", "Dumas", "Estève"]
    people = {name: _tenant(session, name) for name in names}
    _enrol(session, staff, *[people[name] for name in names[1:]])
    _transfer(session, staff, people["Colin"])
    activated = _login_of(session, people["Dumas"])
    activated.activated_at = datetime.now(UTC)
    _login_of(session, people["Estève"]).is_active = False
    session.commit()
    for status, name in zip(AccessStatus, names, strict=True):
        assert _listed(session, staff, status=status) == [f"Camille {name}"], status


def test_a_sent_code_shows_when_it_was_sent_and_when_it_expired(session, staff):
    tenant = _tenant(session, "Durand")
    _enrol(session, staff, tenant)
    _transfer(session, staff, tenant)
    email = session.exec(select(OutboxEmail)).one()
    email.status, email.sent_at = OutboxStatus.SENT, datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    session.commit()
    (row,) = access.list_people(session=session, actor=staff, query=AccessQuery()).rows
    assert row.status_label == "Code envoyé"
    assert row.status_detail == "Envoyé le 02/03/2026 à 10:30 — code expiré"


def test_counts_per_status_and_without_email(session, staff):
    enrolled = _tenant(session, "Aubert")
    _tenant(session, "Blanc")
    _tenant(session, "Colin", email=None)
    _enrol(session, staff, enrolled)
    counts = access.count_statuses(session=session, actor=staff, kind=TENANTS)
    assert counts.by_status[AccessStatus.NOT_ENROLLED] == 2
    assert counts.by_status[AccessStatus.CODE_TO_SEND] == 1
    assert (counts.total, counts.without_email) == (3, 1)
    assert _listed(session, staff, without_email=True) == ["Camille Colin"]


# --- Search, pages, sorting ------------------------------------------------------------------


@pytest.fixture
def searchable(session):
    lot = make_lot(session, reference="B12")
    lot_building = lot.property_id
    durand = _tenant(session, "Durand", external_ref="LOC-0042")
    make_lease(session, lot=lot, tenants=[durand])
    _tenant(session, "Martin", first_name="Hugo", email="hugo.m@exemple.fr")
    _tenant(session, "", first_name="", company="Boulangerie Pâquerette")
    session.commit()
    return lot_building


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("durand", ["Camille Durand"]),  # last name, any case
        ("HUGO", ["Hugo Martin"]),  # first name
        ("boulangerie", ["Boulangerie Pâquerette"]),  # company name
        ("exemple.fr", ["Hugo Martin"]),  # e-mail
        ("loc-0042", ["Camille Durand"]),  # external reference
        ("b12", ["Camille Durand"]),  # lot reference
        ("résidence", ["Camille Durand"]),  # building name (every building has it)
        ("camille b12", ["Camille Durand"]),  # every word must match
        ("hugo b12", []),
        ("%", []),  # wildcards are searched for, not obeyed
    ],
)
def test_search_by_name_email_reference_lot_and_building(
    session, staff, searchable, search, expected
):
    assert _listed(session, staff, search=search) == expected


def test_search_by_one_building_among_several(session, staff, searchable):
    other = _tenant(session, "Petit")
    make_lease(session, lot=make_lot(session, reference="C1"), tenants=[other])
    building = session.get(Property, searchable)
    building.name = "Les Tilleuls"
    session.commit()
    assert _listed(session, staff, search="tilleuls") == ["Camille Durand"]


def test_owners_are_searched_by_their_lots(session, staff):
    owner = make_owner(session)
    make_lot(session, owner=owner, reference="Parking 4")
    make_owner(session, last_name="Leroy")
    session.commit()
    assert _listed(session, staff, kind=OWNERS, search="parking") == ["Paul Martin"]


def test_pages_hold_page_size_rows_and_a_page_past_the_end_shows_the_last(session, staff):
    for index in range(7):
        _tenant(session, f"Nom{index}")
    query = AccessQuery()
    second = access.list_people(session=session, actor=staff, query=query, page=2, page_size=3)
    assert [row.name for row in second.rows] == ["Camille Nom3", "Camille Nom4", "Camille Nom5"]
    assert (second.total, second.page_count) == (7, 3)
    assert [row.position for row in second.rows] == [0, 1, 2]
    beyond = access.list_people(session=session, actor=staff, query=query, page=9, page_size=3)
    assert (beyond.page, [row.name for row in beyond.rows]) == (3, ["Camille Nom6"])


def test_sorting_by_name_email_and_status_both_ways(session, staff):
    b = _tenant(session, "Bernard", email="z@example.test")
    _tenant(session, "Aubert", email="y@example.test")
    _tenant(session, "", first_name="", company="Crèche Arc-en-ciel", email="x@example.test")
    _enrol(session, staff, b)
    assert _listed(session, staff) == ["Camille Aubert", "Camille Bernard", "Crèche Arc-en-ciel"]
    assert _listed(session, staff, descending=True)[0] == "Crèche Arc-en-ciel"
    assert _listed(session, staff, sort=SortKey.EMAIL)[0] == "Crèche Arc-en-ciel"
    assert _listed(session, staff, sort=SortKey.EMAIL, descending=True)[0] == "Camille Bernard"
    by_status = ["Camille Aubert", "Crèche Arc-en-ciel", "Camille Bernard"]
    assert _listed(session, staff, sort=SortKey.STATUS) == by_status
    assert _listed(session, staff, sort=SortKey.STATUS, descending=True)[0] == "Camille Bernard"


def test_sorting_by_status_pages_across_status_groups(session, staff):
    people = [_tenant(session, f"Nom{index}") for index in range(5)]
    _enrol(session, staff, people[0], people[3])
    query = AccessQuery(sort=SortKey.STATUS)
    pages = [
        access.list_people(session=session, actor=staff, query=query, page=page, page_size=2)
        for page in (1, 2, 3)
    ]
    names = [row.name for page in pages for row in page.rows]
    assert names == [f"Camille Nom{i}" for i in (1, 2, 4, 0, 3)]
    assert {page.total for page in pages} == {5}


def test_select_all_matching_returns_every_match_across_pages(session, staff):
    people = [_tenant(session, f"Nom{index}") for index in range(4)]
    _tenant(session, "Autre")
    ids = access.matching_person_ids(session=session, actor=staff, query=AccessQuery(search="nom"))
    assert sorted(ids) == sorted(person.id for person in people)


def test_rows_show_lots_for_tenants_and_lot_counts_for_owners(session, staff):
    tenant = _tenant(session, "Durand")
    make_lease(session, lot=make_lot(session, reference="A3"), tenants=[tenant])
    former = _tenant(session, "Ancien")
    ended = date.today() - timedelta(days=30)
    make_lease(session, lot=make_lot(session, reference="F1"), tenants=[former], end_date=ended)
    owner = make_owner(session)
    make_lot(session, owner=owner, reference="1")
    make_lot(session, owner=owner, reference="2")
    session.commit()
    rows = access.list_people(session=session, actor=staff, query=AccessQuery()).rows
    places = {row.name: row.places for row in rows}
    assert places["Camille Durand"].endswith("— lot A3")
    assert places["Camille Ancien"].endswith("— lot F1 (bail terminé)")
    (owner_row,) = access.list_people(
        session=session, actor=staff, query=AccessQuery(kind=OWNERS)
    ).rows
    assert owner_row.places.startswith("2 lots — Résidence")
    assert owner_row.last_login == "Jamais"


# --- Enrolment -------------------------------------------------------------------------------


def test_enrolment_creates_a_login_without_password_from_the_profile(session, staff):
    tenant = _tenant(session, "Durand", email="  Camille.DURAND@Example.TEST ")
    result = _enrol(session, staff, tenant)
    assert (result.enrolled, result.linked_existing) == (1, 0)
    login = _login_of(session, tenant)
    assert login.email == "camille.durand@example.test"
    assert (login.display_name, login.password_hash, login.is_agency) == (
        "Camille Durand",
        None,
        False,
    )
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "access.enrolled")).one()
    assert (event.actor_user_id, event.target_id) == (staff.user_id, str(login.id))
    assert json.loads(event.detail) == {"tenant_id": tenant.id, "existing_login": False}


def test_enrolling_an_owner_who_is_also_a_tenant_links_the_same_login(session, staff):
    tenant = _tenant(session, "Durand", email="camille@example.test")
    _enrol(session, staff, tenant)
    owner = make_owner(session, last_name="Durand")
    owner.email = "Camille@Example.test"
    session.commit()
    result = _enrol(session, staff, owner, kind=OWNERS)
    assert (result.enrolled, result.linked_existing) == (1, 1)
    assert _login_of(session, owner).id == _login_of(session, tenant).id
    assert len(session.exec(select(User).where(User.is_agency.is_(False))).all()) == 1


def test_enrolling_again_changes_nothing(session, staff):
    tenant = _tenant(session, "Durand")
    _enrol(session, staff, tenant)
    again = _enrol(session, staff, tenant)
    assert (again.enrolled, again.already_enrolled) == (0, 1)
    assert _actions(session).count("access.enrolled") == 1


def test_a_person_without_email_is_refused_until_the_agency_adds_one(session, staff):
    tenant = _tenant(session, "Durand", email=None)
    refused = _enrol(session, staff, tenant)
    assert (refused.enrolled, refused.missing_email) == (0, 1)
    with pytest.raises(InvalidEmail, match="n'est pas une adresse e-mail valable"):
        access.set_person_email(
            session=session, actor=staff, kind=TENANTS, person_id=tenant.id, email="durand@"
        )
    saved = access.set_person_email(
        session=session, actor=staff, kind=TENANTS, person_id=tenant.id, email=" d@example.fr "
    )
    assert saved == "d@example.fr"
    assert _enrol(session, staff, tenant).enrolled == 1
    assert "access.email_added" in _actions(session)


@pytest.mark.parametrize("typed", ["", "   ", "sans-arobase", "a@b", "a b@c.fr", "<a@b.fr>", 42])
def test_invalid_addresses_are_refused_with_a_french_message(session, staff, typed):
    tenant = _tenant(session, "Durand", email=None)
    with pytest.raises(InvalidEmail) as refused:
        access.set_person_email(
            session=session, actor=staff, kind=TENANTS, person_id=tenant.id, email=typed
        )
    assert "adresse e-mail" in str(refused.value)


def test_the_address_of_an_enrolled_person_is_not_changed_here(session, staff):
    tenant = _tenant(session, "Durand")
    _enrol(session, staff, tenant)
    with pytest.raises(InvalidEmail, match="déjà inscrite"):
        access.set_person_email(
            session=session, actor=staff, kind=TENANTS, person_id=tenant.id, email="n@ex.fr"
        )


def test_an_invalid_profile_address_is_not_enrolled(session, staff):
    tenant = _tenant(session, "Durand", email="pas une adresse")
    result = _enrol(session, staff, tenant)
    assert (result.enrolled, result.invalid_email) == (0, 1)


def test_a_profile_never_gets_the_login_of_an_agency_employee(session, staff):
    tenant = _tenant(session, "Durand", email=staff.email.upper())
    result = _enrol(session, staff, tenant)
    assert (result.enrolled, result.staff_address) == (0, 1)
    session.refresh(tenant)
    assert tenant.user_id is None


# --- Access codes ----------------------------------------------------------------------------


def test_transfer_queues_one_access_code_email_for_review(session, staff):
    tenant = _tenant(session, "Durand")
    _enrol(session, staff, tenant)
    assert _transfer(session, staff, tenant).queued == 1
    email = session.exec(select(OutboxEmail)).one()
    assert (email.kind, email.status, email.next_attempt_at) == (
        EmailKind.ACCESS_CODE,
        OutboxStatus.PENDING,
        None,  # waits for the agency's review in the centre d'envoi
    )
    assert email.to_address == "durand@example.test"
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "access_code.queued")).one()
    assert event.actor_user_id == staff.user_id


def test_transfer_leaves_aside_who_has_a_code_waiting_or_sent_and_resend_sends_a_new_one(
    session, staff
):
    tenant = _tenant(session, "Durand")
    _enrol(session, staff, tenant)
    _transfer(session, staff, tenant)
    assert _transfer(session, staff, tenant).already_waiting == 1
    assert _transfer(session, staff, tenant, resend=True).already_waiting == 1
    email = session.exec(select(OutboxEmail)).one()
    email.status, email.sent_at = OutboxStatus.SENT, datetime.now(UTC)
    session.commit()
    assert _transfer(session, staff, tenant).already_sent == 1
    assert _transfer(session, staff, tenant, resend=True).queued == 1
    assert len(session.exec(select(OutboxEmail)).all()) == 2


def test_transfer_skips_people_not_enrolled_activated_or_deactivated(session, staff):
    waiting, activated, disabled = (_tenant(session, name) for name in ("A", "B", "C"))
    alone = _tenant(session, "D")
    _enrol(session, staff, activated, disabled)
    _login_of(session, activated).activated_at = datetime.now(UTC)
    _login_of(session, disabled).is_active = False
    session.commit()
    result = _transfer(session, staff, waiting, activated, disabled, alone, resend=True)
    assert (result.queued, result.not_enrolled, result.activated, result.deactivated) == (
        0,
        2,
        1,
        1,
    )
    assert session.exec(select(OutboxEmail)).all() == []


# --- Deactivation ----------------------------------------------------------------------------


def _logged_in_tenant(session: Session, name: str = "Durand") -> tuple[Tenant, str]:
    user = make_user(session, email=f"{name.lower()}@example.test")
    tenant = make_tenant(session, user=user, last_name=name)
    session.commit()
    token = auth.login(session=session, email=user.email, password=PASSWORD).token
    return tenant, token


def test_deactivation_ends_every_session_and_is_audited(session, staff):
    tenant, token = _logged_in_tenant(session)
    auth.login(session=session, email="durand@example.test", password=PASSWORD)
    result = access.set_logins_active(
        session=session, actor=staff, kind=TENANTS, person_ids=[tenant.id], active=False
    )
    assert (result.changed, result.sessions_ended) == (1, 2)
    assert auth.resolve_session(session=session, token=token) is None
    assert auth.login(session=session, email="durand@example.test", password=PASSWORD) is None
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "access.deactivated")).one()
    assert (event.actor_user_id, json.loads(event.detail)) == (
        staff.user_id,
        {"sessions_ended": 2},
    )


def test_reactivation_lets_the_person_log_in_again(session, staff):
    tenant, _ = _logged_in_tenant(session)
    for active in (False, True):
        access.set_logins_active(
            session=session, actor=staff, kind=TENANTS, person_ids=[tenant.id], active=active
        )
    assert auth.login(session=session, email="durand@example.test", password=PASSWORD)
    assert "access.reactivated" in _actions(session)


def test_deactivation_never_touches_an_agency_login(session, staff):
    colleague = make_user(session, email="colleague@agence.test", is_agency=True)
    tenant = make_tenant(session, user=colleague)
    session.commit()
    result = access.set_logins_active(
        session=session, actor=staff, kind=TENANTS, person_ids=[tenant.id], active=False
    )
    assert (result.changed, result.staff_skipped) == (0, 1)
    session.refresh(colleague)
    assert colleague.is_active


# --- Who may do it ---------------------------------------------------------------------------


CALLS = {
    "list": lambda s, a: access.list_people(session=s, actor=a, query=AccessQuery()),
    "count": lambda s, a: access.count_statuses(session=s, actor=a, kind=TENANTS),
    "all": lambda s, a: access.matching_person_ids(session=s, actor=a, query=AccessQuery()),
    "enrol": lambda s, a: access.enrol_people(session=s, actor=a, kind=TENANTS, person_ids=[1]),
    "email": lambda s, a: access.set_person_email(
        session=s, actor=a, kind=TENANTS, person_id=1, email="a@b.fr"
    ),
    "transfer": lambda s, a: access.transfer_access_codes(
        session=s, actor=a, kind=TENANTS, person_ids=[1]
    ),
    "deactivate": lambda s, a: access.set_logins_active(
        session=s, actor=a, kind=TENANTS, person_ids=[1], active=False
    ),
}


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
def test_everything_is_refused_to_anyone_but_agency_staff(session, call):
    tenant, _ = _logged_in_tenant(session)
    person = SessionUser(tenant.user_id, 0, "durand@example.test", "", False, False, (1,), ())
    with pytest.raises(AccessDenied):
        call(session, person)
    assert session.exec(select(User)).all()[0].email == "durand@example.test"
    assert session.exec(select(OutboxEmail)).all() == []


@pytest.mark.parametrize("forged", [["1"], [1.0], [True], [{"id": 1}]])
def test_ids_that_are_not_plain_integers_are_refused(session, staff, forged):
    with pytest.raises(ValueError, match="Identifiants invalides"):
        access.enrol_people(session=session, actor=staff, kind=TENANTS, person_ids=forged)


def test_results_of_chunks_add_up():
    first = access.EnrolmentResult(enrolled=2, missing_email=1)
    total = access.merge_results(first, access.EnrolmentResult(enrolled=3, already_enrolled=1))
    assert (total.enrolled, total.missing_email, total.left_aside) == (5, 1, 2)


def test_search_sorting_enrolment_and_transfer_on_postgresql(postgres_url):
    migrate_to_head(postgres_url)
    engine = make_engine(postgres_url)
    with Session(engine, expire_on_commit=False) as session:
        staff_user = make_user(session, email="gestion@agence.test", is_agency=True)
        actor = SessionUser(staff_user.id, 0, staff_user.email, "", True, False, (), ())
        durand = _tenant(session, "Durand", email="Camille.Durand@Example.test")
        make_lease(session, lot=make_lot(session, reference="B12"), tenants=[durand])
        _tenant(session, "Aubert")
        _tenant(session, "", first_name="", company="Crèche Arc-en-ciel")
        assert _listed(session, actor, search="DURAND") == ["Camille Durand"]
        assert _listed(session, actor, search="b12") == ["Camille Durand"]
        assert _listed(session, actor)[0] == "Camille Aubert"
        assert _enrol(session, actor, durand).enrolled == 1
        assert _transfer(session, actor, durand).queued == 1
        assert _listed(session, actor, status=AccessStatus.CODE_SENT) == ["Camille Durand"]
        assert _listed(session, actor, sort=SortKey.STATUS)[-1] == "Camille Durand"
    engine.dispose()


def test_the_status_detail_tells_a_failed_sending_then_the_new_code_waiting(session, staff):
    tenant = _tenant(session, "Durand")
    _enrol(session, staff, tenant)
    _transfer(session, staff, tenant)
    session.exec(select(OutboxEmail)).one().status = OutboxStatus.FAILED
    session.commit()
    (row,) = access.list_people(session=session, actor=staff, query=AccessQuery()).rows
    assert (row.status_label, row.status_detail) == (
        "Inscrit – code à envoyer",
        "Dernier envoi en échec : voir le centre d'envoi",
    )
    _transfer(session, staff, tenant)
    (row,) = access.list_people(session=session, actor=staff, query=AccessQuery()).rows
    assert row.status_detail.startswith("Au centre d'envoi depuis le ")
