"""A real SMTP server for the tests (aiosmtpd on a loopback port) that keeps what it accepted
and can be told to answer as a busy or refusing server does, to take its time over each
message, or be stopped and started again on the same port as a mail server that goes down."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import threading
import time
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from aiosmtpd.controller import Controller

from services.notifications.devmail import read_messages
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


class DevMailServer:
    """The development mail server of ``./deploy/run`` (services/notifications/devmail.py), in
    its own process, keeping what it receives in a Maildir folder: what a new user reads. Its
    asyncio loop runs in that process, so a test process that drives a browser with
    Playwright's synchronous API (which refuses to share a thread with a running loop) can
    read the mail too."""

    def __init__(self, folder: Path) -> None:
        self.host, self.port = "127.0.0.1", free_port()
        self.folder = folder
        self._process: subprocess.Popen | None = None

    def start(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "services.notifications.devmail", "serve", "--host",
             self.host, "--port", str(self.port), "--maildir", str(self.folder)],
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection((self.host, self.port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline or self._process.poll() is not None:
                    raise RuntimeError("the development mail server did not start") from None
                time.sleep(0.1)

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
            self._process = None

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in read_messages(self.folder) if message["To"] == address]

    def settings(self) -> dict:
        return {"SMTP_HOST": self.host, "SMTP_PORT": self.port}
