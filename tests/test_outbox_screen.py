"""Centre d'envoi screen: its services, and its state called as any browser could call it."""

from __future__ import annotations

import email
import re
from email import policy as email_policy
from pathlib import Path

import pytest
from sqlmodel import Session, select

from extranet_app.db import session_scope
from extranet_app.email.messages import EmailContent
from extranet_app.email.sender import temporary_failure
from extranet_app.models import AgencySettings, AuditEvent, OutboxEmail, OutboxStatus, User
from extranet_app.pages.agency_outbox import OutboxState, sending_summary
from extranet_app.services import auth, outbox
from extranet_app.services.access_codes import MASKED_SHORT_CODE, queue_access_code_emails
from extranet_app.services.auth import SessionUser
from extranet_app.services.errors import AccessDenied
from extranet_app.services.outbox import EmailKind, SendReport, queue_email
from extranet_app.settings import get_settings
from tests.factories import PASSWORD, make_tenant, make_user
from tests.states_support import browser_payload, state_tree, substate

CODE_PATTERN = r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}"


@pytest.fixture
def mail_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str) -> Path:
    """No SMTP configured: the app writes .eml files here."""
    folder = tmp_path / "mail"
    monkeypatch.setenv("SMTP_HOST", "")
    monkeypatch.setenv("MAIL_OUTBOX_DIR", str(folder))
    get_settings.cache_clear()
    return folder


@pytest.fixture
def people(session: Session, mail_dir: Path) -> dict[str, str]:
    """An admin, a plain staff member and a tenant, logged in; returns their tokens."""
    users = {
        "admin": make_user(session, email="direction@agence.test", is_agency=True, is_admin=True),
        "staff": make_user(session, email="gestion@agence.test", is_agency=True),
        "tenant": make_user(session, email="locataire@example.test"),
    }
    make_tenant(session, user=users["tenant"])
    session.add(AgencySettings(id=1, name="Agence Démo Immobilier"))
    session.commit()
    tokens = {}
    for name, user in users.items():
        with session_scope() as scoped:
            tokens[name] = auth.login(session=scoped, email=user.email, password=PASSWORD).token
    return tokens


def _queue(session: Session, count: int, **options) -> list[int]:
    rows = [
        queue_email(
            session=session,
            kind=EmailKind.NOTIFICATION,
            to_address=f"personne{index}@example.test",
            to_name=f"Personne {index}",
            message=EmailContent(f"Sujet {index}", f"Texte {index}", f"<p>Texte {index}</p>"),
            **options,
        )
        for index in range(count)
    ]
    session.commit()
    return [row.id for row in rows]


def _statuses(session: Session) -> list[str]:
    session.expire_all()
    return list(session.exec(select(OutboxEmail.status).order_by(OutboxEmail.id)).all())


def _actor(session: Session, *, admin: bool) -> SessionUser:
    user = make_user(session, is_agency=True, is_admin=admin)
    return SessionUser(user.id, 0, user.email, "", True, admin, (), ())


async def _loaded(token: str) -> tuple[object, OutboxState]:
    root = state_tree(token=token, path="/agence/envois")
    state = substate(root, OutboxState)
    await state.load()
    return root, state


async def _run_background(state: OutboxState, name: str):
    # A background handler cannot be called directly; its function runs without a proxy here.
    return await getattr(OutboxState, name).fn(state)


# --- Services ---------------------------------------------------------------------------------


def test_screen_lines_carry_words_and_paris_times_but_no_id(session):
    staff = _actor(session, admin=False)
    _queue(session, 1)
    screen = outbox.load_screen(session=session, actor=staff)
    line = outbox.to_line(screen.page.rows[0])
    assert (line.status_label, line.kind_label, line.note) == (
        "À envoyer",
        "Notification",
        "À relire avant envoi",
    )
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", line.created)
    assert not hasattr(line, "id")
    assert (screen.awaiting_review, screen.waiting, screen.auto_send) == (1, 1, False)


def test_only_admins_change_the_sending_mode_and_it_is_journaled(session):
    with pytest.raises(AccessDenied):
        outbox.set_auto_send(session=session, actor=_actor(session, admin=False), enabled=True)
    admin = _actor(session, admin=True)
    with pytest.raises(ValueError):
        outbox.set_auto_send(session=session, actor=admin, enabled="yes")  # type: ignore[arg-type]
    assert outbox.set_auto_send(session=session, actor=admin, enabled=True) is True
    assert session.get(AgencySettings, 1).outbox_auto_send is True
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "outbox.auto_send")).one()
    assert (event.actor_user_id, event.detail) == (admin.user_id, '{"auto_send": true}')


def test_screen_services_refuse_anyone_but_staff(session):
    tenant = SessionUser(1, 0, "t@example.test", "", False, False, (1,), ())
    with pytest.raises(AccessDenied):
        outbox.load_screen(session=session, actor=tenant)
    with pytest.raises(AccessDenied):
        outbox.waiting_ids(session=session, actor=tenant)
    with pytest.raises(AccessDenied):
        outbox.send_chosen(
            session_factory=session_scope, actor=tenant, email_ids=[1], transport=None
        )


def test_waiting_ids_keep_only_rows_to_send(session):
    staff = _actor(session, admin=False)
    first, second, third = _queue(session, 3)
    outbox.cancel(session=session, actor=staff, email_ids=[second])
    assert outbox.waiting_ids(session=session, actor=staff) == [first, third]
    assert outbox.waiting_ids(session=session, actor=staff, email_ids=[second, third]) == [third]
    with pytest.raises(ValueError):
        outbox.waiting_ids(session=session, actor=staff, email_ids=["1"])


def test_summary_says_sent_postponed_and_failed_in_french():
    report = SendReport(claimed=4, sent=2, retry_scheduled=1, failed=1)
    assert sending_summary(report, 5) == (
        "2 envoyé(s) · 1 reporté(s) · 1 en échec · 1 déjà pris en charge par ailleurs"
    )


# --- State: staff ---------------------------------------------------------------------------


async def test_staff_list_reaches_the_browser_without_ids_or_secrets(session, people):
    _queue(session, 3)
    root, state = await _loaded(people["staff"])
    assert [line.to_name for line in state.lines] == ["Personne 2", "Personne 1", "Personne 0"]
    assert state.counts["a_envoyer"] == 3
    payload = browser_payload(root)
    assert "personne2@example.test" in payload
    for secret in (people["staff"], '"id"', "page_ids", "user_id", "token_hash", "$2b$"):
        assert secret not in payload


async def test_selection_is_by_position_in_the_page(session, people):
    ids = _queue(session, 3)
    _, state = await _loaded(people["staff"])
    state.toggle_row(0, True)  # the newest row
    await state.cancel_selected()
    assert _statuses(session) == ["a_envoyer", "a_envoyer", "annule"]
    assert state.selected == [False, False, False]  # the list was reloaded, selection cleared
    assert len(ids) == 3


async def test_forged_arguments_change_nothing(session, people):
    _queue(session, 2)
    _, state = await _loaded(people["staff"])
    for position, chosen in ((True, True), ("0", True), ({"id": 1}, True), (7, True), (0, "on")):
        state.toggle_row(position, chosen)
    state.toggle_page("yes")
    assert state.selected == [False, False]
    await state.open_preview("0")
    await state.open_preview(5)
    assert state.preview is None
    await state.filter_status({"$ne": ""})
    await state.filter_kind("'; DROP TABLE outbox_email; --")
    await state.apply_search("not a form")
    await state.choose_mode(True)
    assert (state.status_filter, state.kind_filter, state.search) == ("tous", "tous", "")
    assert session.get(AgencySettings, 1).outbox_auto_send is False


async def test_preview_shows_the_exact_message_but_never_the_access_code_sent(
    session, people, mail_dir
):
    staff = auth.resolve_session(session=session, token=people["staff"])
    tenant = session.exec(select(User).where(User.email == "locataire@example.test")).one()
    queue_access_code_emails(session=session, actor=staff, user_ids=[tenant.id])
    session.commit()
    root, state = await _loaded(people["staff"])
    state.toggle_row(0, True)
    await _run_background(state, "send_selected")
    sent = email.message_from_bytes(
        next(mail_dir.glob("*.eml")).read_bytes(), policy=email_policy.default
    )
    code = re.search(CODE_PATTERN, sent.get_body(("plain",)).get_content())[0]
    await state.open_preview(0)
    assert state.preview_open
    assert (state.preview.to_address, state.preview.status_label) == (
        "locataire@example.test",
        "Envoyé",
    )
    assert MASKED_SHORT_CODE in state.preview.text  # what the agency reviews: the masked code
    payload = browser_payload(root)
    assert code not in payload
    assert code.replace("-", "") not in payload


async def test_sending_the_selection_goes_through_the_transport_and_is_journaled(
    session, people, mail_dir
):
    _queue(session, 3)
    _, state = await _loaded(people["staff"])
    state.toggle_row(0, True)
    state.toggle_row(2, True)
    event = await _run_background(state, "send_selected")
    assert _statuses(session) == ["envoye", "a_envoyer", "envoye"]
    assert len(list(mail_dir.glob("*.eml"))) == 2
    assert state.summary == "2 envoyé(s) · 0 reporté(s) · 0 en échec"
    assert (state.sending, state.progress_done, state.progress_total) == (False, 2, 2)
    assert event is not None
    journaled = session.exec(select(AuditEvent).where(AuditEvent.action == "outbox.send")).one()
    assert '"sent": 2' in journaled.detail


async def test_send_all_waiting_sends_in_batches_with_progress(
    session, people, mail_dir, monkeypatch
):
    from extranet_app.pages import agency_outbox

    monkeypatch.setattr(agency_outbox, "SEND_BATCH_SIZE", 2)
    progress: list[int] = []
    original = agency_outbox._send_chunk

    def spying_chunk(user, ids):
        progress.append(len(ids))
        return original(user, ids)

    monkeypatch.setattr(agency_outbox, "_send_chunk", spying_chunk)
    _queue(session, 5)
    _, state = await _loaded(people["staff"])
    await _run_background(state, "send_all_waiting")
    assert progress == [2, 2, 1]
    assert set(_statuses(session)) == {"envoye"}
    assert state.waiting == 0


async def test_a_failing_server_is_reported_as_postponed(session, people, monkeypatch):
    from extranet_app.pages import agency_outbox

    class DownTransport:
        def send_batch(self, messages):
            return [temporary_failure("451 Réessayez plus tard") for _ in messages]

    monkeypatch.setattr(agency_outbox, "transport_from_settings", DownTransport)
    _queue(session, 1)
    _, state = await _loaded(people["staff"])
    await _run_background(state, "send_all_waiting")
    assert state.summary == "0 envoyé(s) · 1 reporté(s) · 0 en échec"
    assert "Nouvelle tentative le" in state.lines[0].note


async def test_retry_puts_failed_rows_back_to_send(session, people):
    ids = _queue(session, 2)
    failed = session.get(OutboxEmail, ids[0])
    failed.status, failed.last_error = OutboxStatus.FAILED, "550 Boîte inconnue"
    session.commit()
    _, state = await _loaded(people["staff"])
    assert state.lines[1].error == "550 Boîte inconnue"
    state.toggle_page(True)
    await state.retry_selected()
    assert _statuses(session) == ["a_envoyer", "a_envoyer"]


async def test_admin_changes_the_mode_plain_staff_cannot(session, people):
    _, staff_state = await _loaded(people["staff"])
    assert staff_state.can_change_mode is False
    await staff_state.choose_mode("auto")
    session.expire_all()
    assert session.get(AgencySettings, 1).outbox_auto_send is False
    _, admin_state = await _loaded(people["admin"])
    await admin_state.choose_mode("auto")
    assert admin_state.auto_send is True
    session.expire_all()
    assert session.get(AgencySettings, 1).outbox_auto_send is True


# --- State: anyone else -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["tenant", "nobody"])
async def test_a_tenant_or_a_stranger_gets_nothing_and_changes_nothing(session, people, who):
    _queue(session, 2)
    token = people.get(who, "forged-token")
    root, state = await _loaded(token)
    assert state.lines == []
    state._page_ids = [1, 2]  # even if the tab's backend state were tampered with
    state.selected = [True, True]
    await state.cancel_selected()
    await state.retry_selected()
    await state.open_preview(0)
    await state.choose_mode("auto")
    await _run_background(state, "send_selected")
    await _run_background(state, "send_all_waiting")
    assert _statuses(session) == ["a_envoyer", "a_envoyer"]
    assert state.preview is None
    assert session.get(AgencySettings, 1).outbox_auto_send is False
    assert "personne" not in browser_payload(root)
