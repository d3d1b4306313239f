"""Handing emails to the configured mail server over SMTP (the standard library's smtplib,
green under nameko's eventlet).

One connection serves a whole run of deliveries. Each message gets its own answer: accepted
(the server took responsibility for it), deferred (a 4yz reply, a refused or broken
connection: try again later) or rejected (a 5yz reply: the server will never take it).
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage

from services.notifications.domain import Outcome, is_permanent
from services.notifications.settings import MailSettings

DETAIL_LENGTH = 500


@dataclass(frozen=True)
class Answer:
    """One attempt's outcome; ``retry_after`` replaces the backoff for a delay that is not the
    mail server's (the catalogue unreachable for a moment)."""

    outcome: Outcome
    smtp_code: int | None
    detail: str
    retry_after: timedelta | None = None


class SmtpSession:
    """One conversation with the mail server, opened at the first message and kept for the
    next ones; a broken connection is opened again once for the next message."""

    def __init__(self, settings: MailSettings):
        self.settings = settings
        self._client: smtplib.SMTP | None = None

    def send(self, message: EmailMessage) -> Answer:
        try:
            client = self._connected()
            refused = client.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            code, reason = next(iter(exc.recipients.values()))
            return _answer(code, reason)
        except smtplib.SMTPResponseException as exc:
            self.close()
            return _answer(exc.smtp_code, exc.smtp_error)
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            return Answer(Outcome.DEFERRED, None, _short(f"{type(exc).__name__}: {exc}"))
        if refused:
            code, reason = next(iter(refused.values()))
            return _answer(code, reason)
        return Answer(Outcome.ACCEPTED, 250, "accepted")

    def _connected(self) -> smtplib.SMTP:
        if self._client is None:
            settings = self.settings
            client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.timeout)
            try:
                if settings.starttls:
                    client.starttls(context=ssl.create_default_context())
                if settings.smtp_user:
                    client.login(settings.smtp_user, settings.smtp_password)
            except Exception:
                _quietly_close(client)
                raise
            self._client = client
        return self._client

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            _quietly_close(client)


def _quietly_close(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except (OSError, smtplib.SMTPException):
        client.close()


def _answer(code: int, reason: bytes | str) -> Answer:
    text = reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
    outcome = Outcome.REJECTED if is_permanent(code) else Outcome.DEFERRED
    return Answer(outcome, code, _short(f"{code} {text}"))


def _short(text: str) -> str:
    return text[:DETAIL_LENGTH]
