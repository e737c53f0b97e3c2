"""A real SMTP server (aiosmtpd) on a loopback port, for the outbox and browser tests."""

from __future__ import annotations

import email
import socket
import threading
from collections import Counter
from email.message import Message

from aiosmtpd.controller import Controller

from extranet_app.email.sender import SmtpTransport


class RecordingHandler:
    """An SMTP server's behaviour: record accepted messages, or answer what the test says."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.lock = threading.Lock()
        self.rcpt_replies: dict[str, list[str]] = {}  # next answers to RCPT TO, per address
        self.refuse_everything_with: str | None = None  # e.g. "421 …" to simulate a shutdown
        self.fail_after: int | None = None  # accept this many messages, then refuse everything

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_everything_with:
            return self.refuse_everything_with
        scripted = self.rcpt_replies.get(address)
        if scripted:
            return scripted.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_everything_with:
            return self.refuse_everything_with
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content))
            if self.fail_after is not None and len(self.messages) >= self.fail_after:
                self.refuse_everything_with = "421 4.3.2 Service shutting down"
        return "250 Message accepted"

    def message_ids(self) -> Counter[str]:
        with self.lock:
            return Counter(message["Message-ID"] for message in self.messages)


class SmtpServer:
    """A real SMTP server on a loopback port that can be stopped and started again."""

    def __init__(self) -> None:
        self.handler = RecordingHandler()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._controller: Controller | None = None

    def start(self) -> None:
        if self._controller is not None:
            return
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def transport(self) -> SmtpTransport:
        return SmtpTransport(
            host="127.0.0.1", port=self.port, mail_from="extranet@agence.test", timeout=5
        )
