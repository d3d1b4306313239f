"""The notifications service's settings (deploy/config.yaml, block ``NOTIFICATIONS``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from nameko.extensions import DependencyProvider

from services.common.config import SWITCHED_OFF
from services.notifications.domain import SENDING_LEASE, WEBHOOK_LEASE

CONFIG_KEY = "NOTIFICATIONS"


@dataclass(frozen=True)
class MailSettings:
    """Where emails go and what their links point at."""

    public_url: str = "http://localhost:8000"
    sender: str = "IMI <no-reply@imi.localhost>"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    starttls: bool = False
    smtp_user: str = ""
    smtp_password: str = ""
    timeout: float = 10.0
    # how many messages a delivery worker claims at a time (a run's workers share the due
    # ones: services/notifications/timers.py), and how often a run starts
    batch: int = 25
    delivery_seconds: float = 1.0
    # the hour (UTC) of the coordinators' daily digest
    digest_hour: int = 6
    # webhooks to http:// on this machine (development and tests); https:// only otherwise
    webhook_loopback_http: bool = False
    # how long a replica may hold an email or a webhook delivery it is sending, or a mailing
    # it is addressing, before another takes it (a replica killed mid-send): far longer than
    # one SMTP or HTTP exchange, or one addressing run, lasts
    sending_lease: timedelta = SENDING_LEASE
    webhook_lease: timedelta = WEBHOOK_LEASE
    # how long the mail log and the webhook deliveries made are kept (retention.py)
    mail_log: timedelta = timedelta(days=90)
    webhook_log: timedelta = timedelta(days=30)

    def link(self, path: str) -> str:
        return self.public_url.rstrip("/") + path


def mail_settings(config: dict) -> MailSettings:
    section = config.get(CONFIG_KEY) or {}
    defaults = MailSettings()
    return MailSettings(
        public_url=str(section.get("PUBLIC_URL") or defaults.public_url),
        sender=str(section.get("MAIL_FROM") or defaults.sender),
        smtp_host=str(section.get("SMTP_HOST") or defaults.smtp_host),
        smtp_port=int(section.get("SMTP_PORT") or defaults.smtp_port),
        starttls=_switch(section.get("SMTP_STARTTLS"), defaults.starttls),
        smtp_user=str(section.get("SMTP_USER") or ""),
        smtp_password=str(section.get("SMTP_PASSWORD") or ""),
        timeout=float(section.get("SMTP_TIMEOUT") or defaults.timeout),
        batch=int(section.get("DELIVERY_BATCH") or defaults.batch),
        delivery_seconds=float(section.get("DELIVERY_SECONDS") or defaults.delivery_seconds),
        digest_hour=int(section.get("DIGEST_HOUR") or defaults.digest_hour),
        webhook_loopback_http=_switch(section.get("WEBHOOK_LOOPBACK_HTTP"), False),
        sending_lease=_seconds(section.get("SENDING_LEASE_SECONDS"), defaults.sending_lease),
        webhook_lease=_seconds(section.get("WEBHOOK_LEASE_SECONDS"), defaults.webhook_lease),
        mail_log=_days(section.get("MAIL_LOG_DAYS"), defaults.mail_log),
        webhook_log=_days(section.get("WEBHOOK_LOG_DAYS"), defaults.webhook_log),
    )


def _seconds(value, default: timedelta) -> timedelta:
    return default if value is None or str(value).strip() == "" else timedelta(seconds=float(value))


def _days(value, default: timedelta) -> timedelta:
    return default if value is None or str(value).strip() == "" else timedelta(days=float(value))


def _switch(value, default: bool) -> bool:
    if value is None or str(value).strip() == "":
        return default
    return str(value).strip().lower() not in SWITCHED_OFF


class Settings(DependencyProvider):
    """Declare as ``settings = Settings()``: the mail settings of the container's config."""

    def setup(self) -> None:
        self.settings = mail_settings(self.container.config)

    def get_dependency(self, worker_ctx) -> MailSettings:
        return self.settings
