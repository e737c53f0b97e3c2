"""The only code that talks SMTP (through `emails`), or writes .eml files if none is configured."""

from __future__ import annotations

import base64
import os
import re
import smtplib
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formataddr, formatdate
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Protocol, runtime_checkable

from emails.backend.response import SMTPResponse
from emails.backend.smtp import SMTPBackend

from extranet_app.settings import Settings, get_settings

_MAX_ERROR_LENGTH = 2000
_FILE_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
# smtplib sends bytes as they are, so lines must already end with CRLF (RFC 5321).
SMTP_POLICY = compat32.clone(linesep="\r\n")


@dataclass(frozen=True)
class OutgoingEmail:
    """One message as it leaves the extranet; `message_id` is the same on every attempt."""

    message_id: str
    to_address: str
    to_name: str
    subject: str
    text: str
    html: str
    from_name: str = ""
    reply_to: str = ""


class Delivery(StrEnum):
    """How one delivery attempt ended."""

    SENT = "sent"
    TEMPORARY_FAILURE = "temporary_failure"  # 4xx, refused or lost connection: try again later
    PERMANENT_FAILURE = "permanent_failure"  # 5xx: the same message would be refused again


@dataclass(frozen=True)
class DeliveryResult:
    """What happened to one message, with the server's own words when it failed."""

    outcome: Delivery
    error: str = ""
    # The connection is unusable (refused, lost, 421): later messages of the batch are not tried.
    connection_lost: bool = False

    @property
    def sent(self) -> bool:
        return self.outcome is Delivery.SENT


SENT = DeliveryResult(Delivery.SENT)


def temporary_failure(error: str, *, connection_lost: bool = False) -> DeliveryResult:
    """A failure worth retrying later."""
    return DeliveryResult(Delivery.TEMPORARY_FAILURE, error[:_MAX_ERROR_LENGTH], connection_lost)


def permanent_failure(error: str) -> DeliveryResult:
    """A failure that retrying would only repeat."""
    return DeliveryResult(Delivery.PERMANENT_FAILURE, error[:_MAX_ERROR_LENGTH])


class Transport(Protocol):
    """Sends a batch of messages over one connection; one result per message, in order."""

    def send_batch(self, messages: Sequence[OutgoingEmail]) -> list[DeliveryResult]: ...


@runtime_checkable
class StreamingTransport(Protocol):
    """A transport that yields each message's result as soon as the server has answered."""

    def send_each(self, messages: Sequence[OutgoingEmail]) -> Iterator[DeliveryResult]: ...


def deliveries(transport: Transport, messages: Sequence[OutgoingEmail]) -> Iterator[DeliveryResult]:
    """One result per message, each as early as the transport can tell it."""
    if isinstance(transport, StreamingTransport):
        yield from transport.send_each(messages)
    else:
        yield from transport.send_batch(messages)


def _one_line(text: str) -> str:
    # A line break in a header would let a value add headers of its own.
    return " ".join(text.splitlines())


def _refuse_line_breaks(message: OutgoingEmail) -> None:
    # Addresses and the Message-ID go into headers as they are (names go through _one_line).
    for address in (message.to_address, message.reply_to, message.message_id):
        if "\r" in address or "\n" in address:
            raise ValueError(f"Retour à la ligne dans un en-tête : {address!r}")


def build_mime_message(message: OutgoingEmail, *, mail_from: str) -> MIMEMultipart:
    """The MIME message (plain text and HTML alternatives) as an object; the transports write
    its bytes with the faster `message_bytes`."""
    _refuse_line_breaks(message)
    # The standard library builds the same MIME as emails.Message in two thirds of the time
    # (no empty mixed/related wrappers, headers encoded once), which the sending throughput
    # needs; `emails` still runs the SMTP side: the shared connection and the responses.
    mime = MIMEMultipart("alternative", boundary=_new_boundary(), policy=SMTP_POLICY)
    mime["Date"] = formatdate(usegmt=True)
    mime["Message-ID"] = message.message_id
    mime["From"] = formataddr((_one_line(message.from_name), mail_from))
    mime["To"] = formataddr((_one_line(message.to_name), message.to_address))
    if message.reply_to:
        mime["Reply-To"] = message.reply_to
    mime["Subject"] = Header(_one_line(message.subject), "utf-8")
    # RFC 3834: tells autoresponders (holiday replies) not to answer a robot.
    mime["Auto-Submitted"] = "auto-generated"
    mime.attach(MIMEText(message.text, "plain", "utf-8", policy=SMTP_POLICY))
    if message.html:
        mime.attach(MIMEText(message.html, "html", "utf-8", policy=SMTP_POLICY))
    return mime


def _new_boundary() -> str:
    # Left unset, the standard library compiles a new regular expression for every boundary
    # it draws; 128 random bits cannot occur in the text.
    return f"=_extranet_{uuid.uuid4().hex}"


def message_bytes(message: OutgoingEmail, *, mail_from: str) -> bytes:
    """The message as it goes on the wire: byte for byte what
    `build_mime_message(...).as_bytes()` writes, twenty times faster.

    The standard library's generator folds every header of every part again through `Header`,
    about a millisecond a message: as much as all the database work of the outbox, which the
    sending throughput cannot afford. Here the fixed headers are written as they are, only
    those that can be long or non-ASCII go through `Header` (compat32's own folding), and the
    sender and subject, the same for a whole batch, are encoded once. A test holds the two
    builders equal (tests/test_email_wire.py)."""
    return _wire_bytes(message, mail_from, _new_boundary(), formatdate(usegmt=True))


_CRLF = "\r\n"
_MAX_LINE_LENGTH = 78  # compat32's folding width (RFC 5322 "SHOULD")


def _wire_bytes(message: OutgoingEmail, mail_from: str, boundary: str, date: str) -> bytes:
    """message_bytes with its boundary and date chosen (the test compares both builders)."""
    _refuse_line_breaks(message)
    headers = [
        # Too long for one line: compat32 folds it after the semicolon (the boundary's length
        # never changes).
        f'Content-Type: multipart/alternative;\r\n boundary="{boundary}"\r\n',
        "MIME-Version: 1.0\r\n",
        _folded("Date", date),
        _folded("Message-ID", message.message_id),
        _from_line(message.from_name, mail_from),
        _folded("To", formataddr((_one_line(message.to_name), message.to_address))),
    ]
    if message.reply_to:
        headers.append(_folded("Reply-To", message.reply_to))
    headers.append(_subject_line(message.subject))
    headers.append("Auto-Submitted: auto-generated\r\n\r\n")
    parts = [_utf8_part("plain", message.text)]
    if message.html:
        parts.append(_utf8_part("html", message.html))
    delimiter = f"--{boundary}\r\n"
    body = f"{delimiter}{f'{_CRLF}{delimiter}'.join(parts)}\r\n--{boundary}--\r\n"
    return "".join(headers).encode("ascii") + body.encode("ascii")


# A batch's messages share their sender and, mostly, their subject: encoding them (RFC 2047) is
# the dearest part of the headers, so each one is encoded once and remembered.
@lru_cache(maxsize=256)
def _from_line(from_name: str, mail_from: str) -> str:
    return _folded("From", formataddr((_one_line(from_name), mail_from)))


@lru_cache(maxsize=256)
def _subject_line(subject: str) -> str:
    encoded = Header(_one_line(subject), "utf-8").encode(linesep=_CRLF, maxlinelen=_MAX_LINE_LENGTH)
    return f"Subject: {encoded}\r\n"


def _folded(name: str, value: str) -> str:
    """One header line as compat32 writes it: as it is when short and ASCII, else folded."""
    if value.isascii() and len(name) + 2 + len(value) <= _MAX_LINE_LENGTH:
        return f"{name}: {value}\r\n"
    folded = Header(value, header_name=name).encode(linesep=_CRLF, maxlinelen=_MAX_LINE_LENGTH)
    return f"{name}: {folded}\r\n"


def _utf8_part(subtype: str, text: str) -> str:
    """A text part as MIMEText(text, subtype, "utf-8") writes it: base64 in 76-column lines."""
    encoded = base64.encodebytes(text.encode("utf-8")).decode("ascii").replace("\n", _CRLF)
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\nMIME-Version: 1.0\r\n'
        f"Content-Transfer-Encoding: base64\r\n\r\n{encoded}"
    )


@dataclass(frozen=True)
class _WireMessage:
    """Ready bytes, in the shape `emails` sends (it calls `as_bytes()`)."""

    data: bytes

    def as_bytes(self) -> bytes:
        return self.data


class SmtpTransport:
    """Real SMTP through the `emails` library: one connection (SMTPBackend) per batch."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        mail_from: str,
        user: str = "",
        password: str = "",
        tls: bool = False,
        ssl: bool = False,
        timeout: float = 10.0,
    ) -> None:
        if tls and ssl:  # STARTTLS upgrades a plain connection; SSL starts encrypted
            raise ValueError("SMTP_TLS et SMTP_SSL ne peuvent pas être activés ensemble.")
        self.host = host
        self.port = port
        self.mail_from = mail_from
        self._options = {
            "host": host,
            "port": port,
            "ssl": ssl,
            "tls": tls,
            "user": user or None,
            "password": password or None,
            "timeout": timeout,
            "fail_silently": True,
        }

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpTransport:
        """The transport described by the SMTP_* settings."""
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            mail_from=settings.mail_from,
            user=settings.smtp_user,
            password=settings.smtp_password,
            tls=settings.smtp_tls,
            ssl=settings.smtp_ssl,
        )

    def send_batch(self, messages: Sequence[OutgoingEmail]) -> list[DeliveryResult]:
        """Send every message over one connection, stopping early if the server is unreachable."""
        return list(self.send_each(messages))

    def send_each(self, messages: Sequence[OutgoingEmail]) -> Iterator[DeliveryResult]:
        """Like send_batch, yielding each result as soon as the server has answered."""
        lost: DeliveryResult | None = None
        with SMTPBackend(**self._options) as backend:
            for message in messages:
                if lost is None:
                    result = self._deliver(backend, message)
                    lost = result if result.connection_lost else None
                    yield result
                else:
                    yield temporary_failure(f"Non tenté : {lost.error}")

    def _deliver(self, backend: SMTPBackend, message: OutgoingEmail) -> DeliveryResult:
        try:
            data = _WireMessage(message_bytes(message, mail_from=self.mail_from))
            response = backend.sendmail(
                from_addr=self.mail_from, to_addrs=[message.to_address], msg=data
            )
        except (smtplib.SMTPException, OSError) as exc:
            # `emails` reports most failures in the response, but a failing DATA command or a
            # connection lost mid-message is raised by smtplib.
            return self._from_exception(exc)
        except ValueError as exc:  # a malformed address or header: this message can never leave
            return permanent_failure(f"Message invalide : {exc}")
        if response.success:
            return SENT
        return self._from_response(response)

    def _from_response(self, response: SMTPResponse) -> DeliveryResult:
        code = response.status_code
        if code is None:  # no SMTP answer at all: refused, timed out, TLS or login failure
            return self._unreachable(response.error)
        text = (response.status_text or b"").decode("utf-8", "replace")
        return _classify(code, f"{code} {text} (commande {(response.last_command or '').upper()})")

    def _from_exception(self, exc: Exception) -> DeliveryResult:
        if isinstance(exc, smtplib.SMTPResponseException):
            text = exc.smtp_error.decode("utf-8", "replace")
            if isinstance(exc, smtplib.SMTPAuthenticationError):
                return self._unreachable(exc)
            return _classify(exc.smtp_code, f"{exc.smtp_code} {text}")
        return self._unreachable(exc)

    def _unreachable(self, exc: BaseException | None) -> DeliveryResult:
        detail = (getattr(exc, "strerror", None) or str(exc) or type(exc).__name__) if exc else ""
        # Not the message's fault (server down, wrong password, TLS): retry once it is fixed.
        return temporary_failure(
            f"Serveur SMTP injoignable ({self.host}:{self.port}) : {detail or 'pas de réponse'}",
            connection_lost=True,
        )


def _classify(code: int, error: str) -> DeliveryResult:
    if code == 421:  # "service not available, closing transmission channel"
        return temporary_failure(error, connection_lost=True)
    if 400 <= code < 500:
        return temporary_failure(error)
    return permanent_failure(error)


class FileTransport:
    """Writes each message as a .eml file (no SMTP configured): open them with any mail client."""

    def __init__(self, directory: Path, *, mail_from: str) -> None:
        self.directory = directory
        self.mail_from = mail_from

    def send_batch(self, messages: Sequence[OutgoingEmail]) -> list[DeliveryResult]:
        """Write every message; a resent message overwrites its own file (same Message-ID)."""
        return [self._write(message) for message in messages]

    def path_for(self, message: OutgoingEmail) -> Path:
        """The file of a message, named after its Message-ID."""
        local_part = message.message_id.strip("<>").split("@", 1)[0]
        return self.directory / f"{_FILE_NAME_UNSAFE.sub('_', local_part)}.eml"

    def _write(self, message: OutgoingEmail) -> DeliveryResult:
        try:
            data = message_bytes(message, mail_from=self.mail_from)
            self.directory.mkdir(parents=True, exist_ok=True)
            target = self.path_for(message)
            # Write then rename, so a reader never sees half a message.
            partial = target.with_suffix(".part")
            partial.write_bytes(data)
            os.replace(partial, target)
        except OSError as exc:
            return temporary_failure(f"Écriture impossible dans {self.directory} : {exc}")
        except ValueError as exc:
            return permanent_failure(f"Message invalide : {exc}")
        return SENT


def smtp_configured(settings: Settings) -> bool:
    """Whether a real SMTP server is configured (an empty SMTP_HOST means: write .eml files)."""
    return bool(settings.smtp_host.strip())


def transport_from_settings(settings: Settings | None = None) -> Transport:
    """SMTP when SMTP_HOST is set, otherwise .eml files in MAIL_OUTBOX_DIR."""
    settings = settings or get_settings()
    if smtp_configured(settings):
        return SmtpTransport.from_settings(settings)
    return FileTransport(settings.mail_outbox_dir, mail_from=settings.mail_from)
