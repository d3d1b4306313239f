"""A real SMTP server for the tests (aiosmtpd on a loopback port) that keeps what it accepted
and can be told to answer as a busy or refusing server does, to take its time over each
message, or be stopped and started again on the same port as a mail server that goes down."""

from __future__ import annotations

import asyncio
import threading
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from aiosmtpd.controller import Controller

from tests.conftest import free_port


class Recorder:
    """The aiosmtpd handler: answers with ``reply`` (``250 OK`` by default) and keeps every
    message it accepted."""

    def __init__(self) -> None:
        self.reply = "250 OK"
        self.delay = 0.0  # seconds each message takes, as a busy server's do
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.reply.startswith("250"):
            message = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
            with self._lock:
                self.messages.append(message)
        return self.reply


class SmtpServer:
    def __init__(self) -> None:
        self.host, self.port = "127.0.0.1", free_port()
        self.recorder = Recorder()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.recorder, hostname=self.host, port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        return list(self.recorder.messages)

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if message["To"] == address]

    def settings(self) -> dict:
        """The NOTIFICATIONS block of a configuration that sends here."""
        return {"SMTP_HOST": self.host, "SMTP_PORT": self.port}
