"""The notifications service's entry points: the other services' events become emails, which
timers address and deliver; the delivery log is read by the Commission's administrators."""

from __future__ import annotations

from services.common import observability
from services.common.actor import load_actor
from services.common.batches import batch_event_handler, handles_events_once
from services.common.clock import Clock
from services.common.db import Database
from services.common.entrypoints import event_handler, rpc
from services.common.envelope import event_name
from services.common.errors import ImiError
from services.common.rpc import RpcClient
from services.common.schemas import dump, load
from services.common.transactions import handles_event_once, transactional
from services.notifications import (
    addressing,
    alert_store,
    alerts,
    delivery,
    digest,
    directory_view,
    generic,
    generic_store,
    inbox,
    intake,
    mail_log,
    reminders,
    retention,
    webhook_delivery,
    webhooks,
)
from services.notifications.alert_schemas import (
    AlertActionSchema,
    AlertListQuerySchema,
    AlertListSchema,
    AlertSettingInputSchema,
    AlertSettingListSchema,
    AlertSettingSchema,
    AlertViewSchema,
    LateAlertQuerySchema,
)
from services.notifications.domain import Audience
from services.notifications.generic_schemas import (
    NotificationActionSchema,
    NotificationListQuerySchema,
    NotificationListSchema,
    NotificationNewSchema,
    NotificationTypeEditSchema,
    NotificationTypeListSchema,
    NotificationTypeNewSchema,
    NotificationTypeQuerySchema,
    NotificationTypeSchema,
    NotificationViewSchema,
    RepositoryPageSchema,
    RepositoryQuerySchema,
)
from services.notifications.models import Base
from services.notifications.rendering import MissingTemplate, TextsCache, render
from services.notifications.schemas import (
    InboxPageSchema,
    InboxQuerySchema,
    MailLogPageSchema,
    MailLogQuerySchema,
    VersionSchema,
    WebhookDeliveryListSchema,
    WebhookDeliverySchema,
    WebhookSubscriptionChangeSchema,
    WebhookSubscriptionListSchema,
    WebhookSubscriptionNewSchema,
    WebhookSubscriptionSchema,
    WebhookSubscriptionWithSecretSchema,
)
from services.notifications.settings import Settings
from services.notifications.timers import (
    ADDRESSING,
    DELIVERY,
    DELIVERY_WORKERS,
    MailWake,
    mail_timer,
)
from services.notifications.webhook_intake import (
    public_event_handler,
    public_name,
    published_form,
)


class NotificationsService(observability.ObservableService):
    name = "notifications"

    clock = Clock()
    db = Database(Base)
    mail_wake = MailWake()
    settings = Settings()
    texts = TextsCache()
    poster = webhook_delivery.Posting()
    identity = RpcClient("identity")
    directory = RpcClient("directory")
    translation = RpcClient("translation")

    # --- the delivery log ---------------------------------------------------------------

    @rpc
    def mail_log(self, actor: dict, query: dict) -> dict:
        request = load(MailLogQuerySchema, query)
        items, total = mail_log.mail_log(self.db, load_actor(actor), request)
        return dump(
            MailLogPageSchema,
            {"items": items, "page": request["page"], "page_size": request["page_size"],
             "total": total},
        )  # fmt: skip

    # --- alerts (docs/alerts.md) -----------------------------------------------------------

    @rpc
    def create_alert(self, actor: dict, kind: str, data: dict) -> dict:
        """A new draft alert of ``kind`` (services, professional_qualifications, derogation)
        by an alert handler; the draft in the author's view."""
        who = load_actor(actor)
        return self._alert_view(who, self._create_alert(who, kind, data))

    @transactional
    def _create_alert(self, who, kind: str, data: dict) -> str:
        return alert_store.create(self.db, who, alerts.kind_named(kind), data).id

    @rpc
    def alert(self, actor: dict, alert_id: str) -> dict:
        return self._alert_view(load_actor(actor), alert_id)

    @rpc
    def act_on_alert(self, actor: dict, alert_id: str, action: str, data: dict) -> dict:
        """One step of the alert's workflow at the version read; the alert after it."""
        who = load_actor(actor)
        return self._alert_view(who, self._act_on_alert(who, alert_id, action, data))

    @transactional
    def _act_on_alert(self, who, alert_id: str, action: str, data: dict) -> str:
        step = alerts.action_named(action)
        return alert_store.act(self.db, who, alert_id, step, load(AlertActionSchema, data)).id

    @rpc
    def list_alerts(self, actor: dict, query: dict) -> dict:
        request = load(AlertListQuerySchema, query)
        found = alert_store.listing(self.db.session, load_actor(actor), request, self.db.now())
        return dump(AlertListSchema, found)

    @rpc
    def late_alerts(self, actor: dict, query: dict) -> dict:
        request = load(LateAlertQuerySchema, query)
        found = alert_store.late(self.db.session, load_actor(actor), request, self.db.now())
        return dump(AlertListSchema, found)

    @rpc
    def alert_settings(self, actor: dict) -> dict:
        load_actor(actor)
        return dump(AlertSettingListSchema, {"items": alert_store.settings(self.db.session)})

    @rpc
    @transactional
    def change_alert_setting(self, actor: dict, member_state: str, data: dict) -> dict:
        request = load(AlertSettingInputSchema, data)
        changed = alert_store.set_setting(self.db, load_actor(actor), member_state, request)
        return dump(AlertSettingSchema, changed)

    def _alert_view(self, who, alert_id: str) -> dict:
        return dump(AlertViewSchema, alert_store.view(self.db.session, who, alert_id,
                                                      self.db.now()))  # fmt: skip

    # --- generic notifications (docs/generic-notifications.md) ---------------------------

    @rpc
    def notification_types(self, actor: dict, query: dict) -> dict:
        load_actor(actor)
        request = load(NotificationTypeQuerySchema, query)
        found = generic_store.types(self.db.session, request.get("area"))
        return dump(NotificationTypeListSchema, {"items": found})

    @rpc
    def notification_type(self, actor: dict, type_key: str) -> dict:
        load_actor(actor)
        return dump(NotificationTypeSchema, generic_store.read_type(self.db.session, type_key))

    @rpc
    @transactional
    def create_notification_type(self, actor: dict, data: dict) -> dict:
        request = load(NotificationTypeNewSchema, data)
        made = generic_store.define_type(self.db, load_actor(actor), None, request)
        return dump(NotificationTypeSchema, made)

    @rpc
    @transactional
    def change_notification_type(self, actor: dict, type_key: str, data: dict) -> dict:
        request = load(NotificationTypeEditSchema, data)
        made = generic_store.define_type(self.db, load_actor(actor), type_key, request)
        return dump(NotificationTypeSchema, made)

    @rpc
    def create_notification(self, actor: dict, data: dict) -> dict:
        """A new draft generic notification of a type, by one of its senders."""
        who = load_actor(actor)
        return self._notification_view(who, self._create_notification(who, data))

    @transactional
    def _create_notification(self, who, data: dict) -> str:
        return generic_store.create(self.db, who, load(NotificationNewSchema, data)).id

    @rpc
    def notification(self, actor: dict, notification_id: str) -> dict:
        return self._notification_view(load_actor(actor), notification_id)

    @rpc
    def act_on_notification(
        self, actor: dict, notification_id: str, action: str, data: dict
    ) -> dict:
        """One step of the notification's workflow at the version read; it after the step."""
        who = load_actor(actor)
        return self._notification_view(
            who, self._act_on_notification(who, notification_id, action, data)
        )

    @transactional
    def _act_on_notification(self, who, notification_id: str, action: str, data: dict) -> str:
        step = generic.action_named(action)
        request = load(NotificationActionSchema, data)
        return generic_store.act(self.db, who, notification_id, step, request).id

    @rpc
    def list_notifications(self, actor: dict, query: dict) -> dict:
        request = load(NotificationListQuerySchema, query)
        found = generic_store.listing(self.db.session, load_actor(actor), request)
        return dump(NotificationListSchema, found)

    @rpc
    def repository_entries(self, actor: dict, repository: str, query: dict) -> dict:
        request = load(RepositoryQuerySchema, query)
        found = generic_store.repository_entries(
            self.db.session, load_actor(actor), repository, request
        )
        return dump(RepositoryPageSchema, found)

    def _notification_view(self, who, notification_id: str) -> dict:
        return dump(
            NotificationViewSchema, generic_store.view(self.db.session, who, notification_id)
        )

    # --- webhook subscriptions (docs/subscriptions.md) ------------------------------------

    @rpc
    @transactional
    def create_webhook_subscription(self, actor: dict, data: dict) -> dict:
        request = load(WebhookSubscriptionNewSchema, data)
        created = webhooks.create(
            self.db, load_actor(actor), request, self.settings.webhook_loopback_http
        )
        return dump(WebhookSubscriptionWithSecretSchema, created)

    @rpc
    def webhook_subscriptions(self, actor: dict) -> dict:
        items = webhooks.listing(self.db, load_actor(actor))
        return dump(WebhookSubscriptionListSchema, {"items": items})

    @rpc
    def webhook_subscription(self, actor: dict, subscription_id: str) -> dict:
        found = webhooks.read(self.db, load_actor(actor), subscription_id)
        return dump(WebhookSubscriptionSchema, found)

    @rpc
    @transactional
    def change_webhook_subscription(self, actor: dict, subscription_id: str, data: dict) -> dict:
        request = load(WebhookSubscriptionChangeSchema, data)
        changed = webhooks.update(
            self.db, load_actor(actor), subscription_id, request,
            self.settings.webhook_loopback_http,
        )  # fmt: skip
        return dump(WebhookSubscriptionSchema, changed)

    @rpc
    @transactional
    def rotate_webhook_secret(self, actor: dict, subscription_id: str, data: dict) -> dict:
        version = load(VersionSchema, data)["version"]
        rotated = webhooks.rotate_secret(self.db, load_actor(actor), subscription_id, version)
        return dump(WebhookSubscriptionWithSecretSchema, rotated)

    @rpc
    @transactional
    def delete_webhook_subscription(self, actor: dict, subscription_id: str) -> None:
        webhooks.delete(self.db, load_actor(actor), subscription_id)

    @rpc
    def webhook_dead_letters(self, actor: dict, subscription_id: str) -> dict:
        items = webhooks.dead_letters(self.db, load_actor(actor), subscription_id)
        return dump(WebhookDeliveryListSchema, {"items": items})

    @rpc
    @transactional
    def redrive_webhook_delivery(self, actor: dict, subscription_id: str, delivery_id: str):
        found = webhooks.redrive(self.db, load_actor(actor), subscription_id, delivery_id)
        return dump(WebhookDeliverySchema, found)

    @rpc
    @transactional
    def discard_webhook_delivery(self, actor: dict, subscription_id: str, delivery_id: str):
        found = webhooks.discard(self.db, load_actor(actor), subscription_id, delivery_id)
        return dump(WebhookDeliverySchema, found)

    @mail_timer("WEBHOOK_SECONDS", 1.0)
    def deliver_webhooks(self) -> None:
        batch, lease = webhook_delivery.BATCH, self.settings.webhook_lease
        while webhook_delivery.deliver_due(self.db, self.poster, batch, lease) == batch:
            pass

    # --- each user's inbox of notifications --------------------------------------------------

    @rpc
    def inbox(self, actor: dict, query: dict) -> dict:
        who = load_actor(actor)
        request = load(InboxQuerySchema, query)
        texts = self.texts(self._catalogue)

        def title(item) -> str:
            try:
                subject, _body = render(
                    texts, self.settings, template=item.template, language=who.language,
                    params=item.params, titles=self._title,
                )  # fmt: skip
            except (MissingTemplate, ImiError):
                return item.template
            return subject

        return dump(InboxPageSchema, inbox.page(self.db, who, request, title))

    @rpc
    @transactional
    def mark_inbox_read(self, actor: dict, item_id: str | None) -> dict:
        """One notification read, or (``item_id`` None) all of them."""
        return {"marked": inbox.mark_read(self.db, load_actor(actor), item_id)}

    # --- addressing and delivering ---------------------------------------------------------

    @mail_timer(ADDRESSING, 1.0)
    def address_mail(self) -> None:
        book = addressing.AddressBook(
            people=self._people, mailbox=addressing.mailbox_or_none(self._mailbox)
        )
        lease = self.settings.sending_lease
        while addressing.address_due_jobs(self.db, book, lease=lease) == addressing.BATCH:
            pass

    @mail_timer(DELIVERY, 1.0, workers=DELIVERY_WORKERS)
    def deliver_mail(self) -> None:
        post = delivery.Post(
            settings=self.settings, texts=self.texts(self._catalogue), titles=self._title
        )
        while delivery.deliver_due(self.db, post) == self.settings.batch:
            pass

    @mail_timer("REMINDER_SECONDS", 3600.0)
    def remind_unacknowledged_alerts(self) -> None:
        while reminders.remind_unacknowledged(self.db) == reminders.BATCH:
            self.db.commit()
        self.db.commit()

    @mail_timer("LOG_PURGE_SECONDS", 600.0)
    def purge_logs(self) -> None:
        retention.purge(self.db, self.settings.mail_log, self.settings.webhook_log)

    @mail_timer("DIGEST_SECONDS", 300.0)
    def send_digests(self) -> None:
        while digest.send_digests(self.db, self.settings.digest_hour) == digest.BATCH:
            self.db.commit()
        self.db.commit()

    def _people(self, audience: Audience) -> list[dict]:
        query = {"authority_ids": list(audience.authority_ids), "right": audience.right.value,
                 "area": audience.area}  # fmt: skip
        self.db.release_connection()  # not held while identity answers
        return self.identity.mail_recipients(query)["recipients"]

    def _mailbox(self, authority_id: str) -> dict:
        self.db.release_connection()  # not held while the directory answers
        return self.directory.public_authority(authority_id, {})

    def _catalogue(self, language: str, namespaces: list[str]) -> dict[str, dict]:
        query = {"language": language, "namespaces": namespaces}
        self.db.release_connection()  # not held while the translation service answers
        return self.translation.service_texts(query)["texts"]

    def _title(self, authority_id: str, language: str) -> str:
        found = directory_view.title(self.db.session, authority_id, language)
        if found is not None:
            return found
        self.db.release_connection()  # not held while the directory answers
        try:
            public = self.directory.public_authority(authority_id, {"language": language})
        except ImiError:
            return authority_id
        return public["titles"].get(language) or public["official_name"]

    # --- what the other services tell -----------------------------------------------------

    @event_handler("identity", "temporary_password_issued")
    @handles_event_once
    def on_temporary_password(self, envelope: dict) -> None:
        intake.temporary_password(self.db, envelope)

    @event_handler("identity", "password_reset_requested")
    @handles_event_once
    def on_password_reset_requested(self, envelope: dict) -> None:
        intake.password_reset(self.db, self.settings, envelope)

    @event_handler("directory", "invitation_created")
    @handles_event_once
    def on_invitation_created(self, envelope: dict) -> None:
        intake.invitation(self.db, envelope)

    @event_handler("directory", "invitation_expiring")
    @handles_event_once
    def on_invitation_expiring(self, envelope: dict) -> None:
        intake.invitation_reminder(self.db, envelope)

    @event_handler("directory", "authority_registered")
    @event_handler("directory", "authority_updated")
    @event_handler("directory", "authority_validated")
    @event_handler("directory", "authority_activated")
    @handles_event_once
    def on_authority_changed(self, envelope: dict) -> None:
        directory_view.remember_authority(self.db, envelope["data"])
        if event_name(envelope) == "authority_validated":
            intake.authority_validated(self.db, envelope)

    @event_handler("directory", "coordinator_linked")
    @handles_event_once
    def on_coordinator_linked(self, envelope: dict) -> None:
        directory_view.remember_link(self.db, envelope["data"], envelope["time"])

    @batch_event_handler("requests", "request_sent")
    @batch_event_handler("requests", "request_approved")
    @batch_event_handler("requests", "request_forwarded")
    @batch_event_handler("requests", "request_submitted_for_approval")
    @batch_event_handler("requests", "request_accepted")
    @batch_event_handler("requests", "request_split")
    @batch_event_handler("requests", "reply_sent")
    @batch_event_handler("requests", "additional_information_requested")
    @batch_event_handler("requests", "additional_information_declined")
    @batch_event_handler("requests", "additional_information_provided")
    @batch_event_handler("requests", "request_closed")
    @batch_event_handler("requests", "request_referred")
    @batch_event_handler("requests", "referral_opinion_given")
    @batch_event_handler("requests", "request_withdrawn")
    @batch_event_handler("requests", "comment_added")
    @batch_event_handler("requests", "attachment_added")
    @handles_events_once
    def on_request_event(self, envelopes: list[dict]) -> None:
        """The emails of a batch of request events (services/common/batches.py), queued in one
        transaction."""
        intake.request_events(self.db, envelopes)

    @event_handler("requests", "request_escalated")
    @handles_event_once
    def on_request_escalated(self, envelope: dict) -> None:
        data = envelope["data"]
        kind = digest.ESCALATION_KINDS[data["reason"]]
        digest.note(self.db, envelope, kind, data["coordinators"])

    @event_handler("requests", "request_inactive_reported")
    @handles_event_once
    def on_request_inactive(self, envelope: dict) -> None:
        digest.note(self.db, envelope, "requests_inactive", envelope["data"]["coordinators"])

    @public_event_handler()
    @handles_events_once
    def on_public_event(self, envelopes: list[dict]) -> None:
        """A batch of public events (services/common/batches.py) queued for the webhook
        subscriptions in one transaction."""
        webhook_delivery.accept_many(
            self.db, [(published_form(envelope), public_name(envelope)) for envelope in envelopes]
        )
