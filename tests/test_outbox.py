"""The centre d'envoi without SMTP: queuing, review, lists, cancel and retry, claims, .eml files."""

from __future__ import annotations

import email
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from email import policy as email_policy

import pytest
from sqlmodel import Session, select

from extranet_app import db
from extranet_app.email.messages import EmailContent
from extranet_app.email.sender import (
    SENT,
    DeliveryResult,
    FileTransport,
    OutgoingEmail,
    SmtpTransport,
    build_mime_message,
    permanent_failure,
    temporary_failure,
    transport_from_settings,
)
from extranet_app.models import AgencySettings, AuditEvent, OutboxEmail, OutboxStatus
from extranet_app.services import outbox
from extranet_app.services.auth import SessionUser
from extranet_app.services.errors import AccessDenied
from extranet_app.services.outbox import EmailKind, queue_email, send_pending
from extranet_app.settings import get_settings
from tests.factories import make_user

# A minute after the rows are queued (queuing stamps them with the real clock), set anew for
# each test so that a long wait before a test (e.g. other suites running first) changes nothing.
T0 = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=1)


@pytest.fixture(autouse=True)
def _fresh_t0() -> None:
    global T0
    T0 = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=1)


class RecordingTransport:
    """Accepts every message (or answers scripted results) and remembers each batch."""

    def __init__(self, results: Sequence[DeliveryResult] = ()) -> None:
        self.batches: list[list[OutgoingEmail]] = []
        self.scripted = list(results)

    def send_batch(self, messages: Sequence[OutgoingEmail]) -> list[DeliveryResult]:
        self.batches.append(list(messages))
        return [self.scripted.pop(0) if self.scripted else SENT for _ in messages]

    @property
    def sent(self) -> list[OutgoingEmail]:
        return [message for batch in self.batches for message in batch]


class CrashingTransport:
    """A sender process dying while it talks to the server."""

    def send_batch(self, messages: Sequence[OutgoingEmail]) -> list[DeliveryResult]:
        raise RuntimeError("process killed")


def _staff(session: Session) -> SessionUser:
    user = make_user(session, email="gestion@agence.test", is_agency=True)
    return SessionUser(user.id, 0, user.email, "Gestion", True, False, (), ())


def _queue(session: Session, index: int = 0, **options) -> OutboxEmail:
    options.setdefault("kind", EmailKind.NOTIFICATION)
    return queue_email(
        session=session,
        to_address=f"personne{index}@example.test",
        to_name=f"Personne {index}",
        message=EmailContent(f"Sujet {index}", f"Texte {index}", f"<p>Texte {index}</p>"),
        **options,
    )


def _send(transport, *, at: datetime | None = None, **options) -> outbox.SendReport:
    at = at or T0
    return send_pending(
        session_factory=db.session_scope, transport=transport, clock=lambda: at, **options
    )


def test_queued_email_is_part_of_the_callers_transaction(session):
    row = _queue(session)
    session.rollback()
    assert session.exec(select(OutboxEmail)).all() == []
    assert row.id is None


def test_queued_email_has_a_stable_message_id_in_the_sender_domain(session):
    first, second = _queue(session, 1), _queue(session, 2)
    session.commit()
    assert first.message_id != second.message_id
    assert first.message_id.startswith("<") and first.message_id.endswith("@localhost>")


def test_queue_refuses_an_address_that_could_inject_headers(session):
    with pytest.raises(ValueError, match="Adresse e-mail invalide"):
        queue_email(
            session=session,
            kind=EmailKind.NOTIFICATION,
            to_address="a@example.test\r\nBcc: all@example.test",
            to_name="",
            message=EmailContent("S", "T", ""),
        )


def test_emails_awaiting_review_wait_for_the_agency_unless_sending_is_automatic(session):
    held = _queue(session, 1)
    automatic = _queue(session, 2, send_without_review=True)
    session.commit()
    transport = RecordingTransport()
    assert _send(transport).sent == 1
    assert [message.message_id for message in transport.sent] == [automatic.message_id]
    assert _send(transport, include_held=True).sent == 1
    assert transport.sent[-1].message_id == held.message_id


def test_sending_a_selection_sends_only_the_selected_emails(session):
    rows = [_queue(session, index) for index in range(4)]
    session.commit()
    transport = RecordingTransport()
    report = _send(transport, email_ids=[rows[1].id, rows[3].id])
    assert report.sent == 2
    assert {m.message_id for m in transport.sent} == {rows[1].message_id, rows[3].message_id}


def test_a_batch_uses_one_transport_call_per_batch_size(session):
    for index in range(25):
        _queue(session, index, send_without_review=True)
    session.commit()
    transport = RecordingTransport()
    report = _send(transport, batch_size=10)
    assert [len(batch) for batch in transport.batches] == [10, 10, 5]
    assert (report.sent, report.batches, report.claimed) == (25, 3, 25)


def test_backoff_doubles_and_is_capped():
    policy = outbox.RetryPolicy(first_delay=timedelta(minutes=1), max_delay=timedelta(minutes=10))
    delays = [policy.delay_after(attempts) for attempts in range(1, 7)]
    assert delays == [timedelta(minutes=m) for m in (1, 2, 4, 8, 10, 10)]


def test_temporary_failure_schedules_a_retry_and_permanent_failure_fails(session):
    retried, failed = _queue(session, 1, send_without_review=True), _queue(session, 2)
    failed.next_attempt_at = retried.next_attempt_at
    session.commit()
    transport = RecordingTransport(
        [temporary_failure("451 4.3.0 Try later"), permanent_failure("550 5.1.1 Unknown")]
    )
    report = _send(transport)
    assert (report.retry_scheduled, report.failed) == (1, 1)
    session.refresh(retried)
    session.refresh(failed)
    assert (retried.status, retried.next_attempt_at) == (
        OutboxStatus.PENDING,
        T0 + timedelta(minutes=1),
    )
    assert (failed.status, failed.last_error) == (OutboxStatus.FAILED, "550 5.1.1 Unknown")


def test_a_row_left_sending_by_a_crashed_sender_is_taken_over_after_the_timeout(session):
    row = _queue(session, send_without_review=True)
    session.commit()
    with pytest.raises(RuntimeError):
        _send(CrashingTransport(), worker_id="crashed")
    session.refresh(row)
    assert (row.status, row.attempts) == (OutboxStatus.SENDING, 1)
    assert row.claimed_by.startswith("crashed:")

    transport = RecordingTransport()
    assert _send(transport, at=T0 + timedelta(minutes=9)).claimed == 0
    assert _send(transport, at=T0 + timedelta(minutes=11)).sent == 1
    session.refresh(row)
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 2)


def test_only_emails_of_the_requested_kinds_are_sent(session):
    _queue(session, 1, send_without_review=True)
    reset = _queue(session, 2, kind=EmailKind.PASSWORD_RESET, send_without_review=True)
    reset.user_id = make_user(session, email="personne2@example.test").id
    session.commit()
    transport = RecordingTransport()
    assert _send(transport, kinds=[EmailKind.NOTIFICATION]).sent == 1
    assert _send(transport, kinds=[]).claimed == 0


def test_list_filters_searches_and_pages(session):
    staff = _staff(session)
    for index in range(7):
        _queue(session, index)
    session.commit()
    outbox.cancel(session=session, actor=staff, email_ids=[1, 2])
    page = outbox.list_outbox(session=session, actor=staff, status="a_envoyer", page_size=3)
    assert (page.total, page.page_count, len(page.rows)) == (5, 2, 3)
    assert [row.id for row in page.rows] == [7, 6, 5]  # newest first
    assert page.rows[0].status_label == "À envoyer" and page.rows[0].awaiting_review
    found = outbox.list_outbox(session=session, actor=staff, search="PERSONNE4")
    assert [row.to_address for row in found.rows] == ["personne4@example.test"]
    assert outbox.list_outbox(session=session, actor=staff, search="100%").total == 0


def test_counts_per_status_include_empty_statuses(session):
    staff = _staff(session)
    for index in range(3):
        _queue(session, index)
    session.commit()
    outbox.cancel(session=session, actor=staff, email_ids=[1])
    counts = outbox.count_by_status(session=session, actor=staff)
    assert counts[OutboxStatus.PENDING] == 2
    assert counts[OutboxStatus.CANCELLED] == 1
    assert counts[OutboxStatus.SENT] == 0
    assert outbox.count_awaiting_review(session=session, actor=staff) == 2


def test_preview_shows_the_exact_message(session):
    staff = _staff(session)
    row = _queue(session, 3)
    session.commit()
    preview = outbox.get_preview(session=session, actor=staff, email_id=row.id)
    assert (preview.body_text, preview.body_html) == ("Texte 3", "<p>Texte 3</p>")
    assert preview.row.subject == "Sujet 3"
    assert outbox.get_preview(session=session, actor=staff, email_id=999) is None


def test_cancel_and_retry_change_only_rows_in_the_right_status(session):
    staff = _staff(session)
    pending, failed = _queue(session, 1), _queue(session, 2)
    failed.status, failed.attempts, failed.last_error = OutboxStatus.FAILED, 8, "550 refusé"
    session.commit()
    assert (
        outbox.retry(session=session, actor=staff, email_ids=[pending.id, failed.id], now=T0) == 1
    )
    session.refresh(failed)
    assert (failed.status, failed.attempts, failed.next_attempt_at) == (OutboxStatus.PENDING, 0, T0)
    assert outbox.cancel(session=session, actor=staff, email_ids=[pending.id, failed.id]) == 2
    actions = session.exec(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["outbox.retry", "outbox.cancel"]
    assert _send(RecordingTransport(), include_held=True).claimed == 0


def test_outbox_screens_are_for_agency_staff_only(session):
    user = make_user(session)
    tenant = SessionUser(user.id, 0, user.email, "", False, False, (1,), ())
    with pytest.raises(AccessDenied):
        outbox.list_outbox(session=session, actor=tenant)
    with pytest.raises(AccessDenied):
        outbox.cancel(session=session, actor=tenant, email_ids=[1])


def test_ids_from_the_browser_must_be_integers(session):
    staff = _staff(session)
    with pytest.raises(ValueError):
        outbox.cancel(session=session, actor=staff, email_ids=["1 OR 1=1"])
    with pytest.raises(ValueError):
        outbox.retry(session=session, actor=staff, email_ids=[{"id": 1}])


def test_eml_backend_writes_readable_files_and_marks_sent(session, tmp_path):
    row = queue_email(
        session=session,
        kind=EmailKind.NOTIFICATION,
        to_address="camille@example.test",
        to_name="Camille Durand",
        message=EmailContent("Quittance de février", "Votre quittance est prête.", "<p>Prête</p>"),
        send_without_review=True,
    )
    session.commit()
    transport = FileTransport(tmp_path / "mail-outbox", mail_from="extranet@agence.test")
    assert _send(transport).sent == 1
    files = list((tmp_path / "mail-outbox").glob("*.eml"))
    assert len(files) == 1
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=email_policy.default)
    assert parsed["Message-ID"] == row.message_id
    assert parsed["Subject"] == "Quittance de février"
    assert parsed["To"] == "Camille Durand <camille@example.test>"
    assert parsed.get_body(("plain",)).get_content().strip() == "Votre quittance est prête."
    assert parsed.get_body(("html",)).get_content().strip() == "<p>Prête</p>"
    session.refresh(row)
    assert row.status == OutboxStatus.SENT


def test_eml_backend_overwrites_the_file_of_a_resent_message(tmp_path):
    transport = FileTransport(tmp_path, mail_from="extranet@agence.test")
    message = OutgoingEmail("<abc@agence.test>", "a@example.test", "", "Sujet", "Texte", "")
    transport.send_batch([message])
    transport.send_batch([message])
    assert [path.name for path in tmp_path.iterdir()] == ["abc.eml"]


def test_background_sender_waits_for_review_unless_the_agency_chose_automatic_sending(session):
    held = _queue(session, 1)
    session.add(AgencySettings(id=1, name="Agence Démo Immobilier", outbox_auto_send=False))
    session.commit()
    transport = RecordingTransport()
    assert (
        outbox.send_due_emails(session_factory=db.session_scope, transport=transport).claimed == 0
    )
    settings_row = session.get(AgencySettings, 1)
    settings_row.outbox_auto_send = True
    session.commit()
    assert outbox.send_due_emails(session_factory=db.session_scope, transport=transport).sent == 1
    assert transport.sent[0].message_id == held.message_id
    assert transport.sent[0].from_name == "Agence Démo Immobilier"


def test_without_smtp_host_messages_go_to_eml_files(monkeypatch):
    monkeypatch.setenv("SMTP_HOST", "")
    get_settings.cache_clear()
    assert isinstance(transport_from_settings(), FileTransport)
    monkeypatch.setenv("SMTP_HOST", "smtp.agence.test")
    get_settings.cache_clear()
    assert isinstance(transport_from_settings(), SmtpTransport)
    get_settings.cache_clear()


def test_line_breaks_in_names_cannot_add_headers():
    message = OutgoingEmail(
        "<abc@agence.test>",
        "a@example.test",
        "Camille\r\nBcc: tout-le-monde@example.test",
        "Sujet\nX-Injected: oui",
        "Texte",
        "",
    )
    data = build_mime_message(message, mail_from="extranet@agence.test").as_bytes()
    parsed = email.message_from_bytes(data, policy=email_policy.default)
    assert parsed["Bcc"] is None and parsed["X-Injected"] is None
    assert "tout-le-monde" in parsed["To"]
