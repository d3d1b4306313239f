"""Webhook subscriptions of outside systems (docs/subscriptions.md), for the Commission's
administrators: create (the signing secret is shown once), read, change, rotate the secret,
delete, and the dead letters to inspect, re-drive or discard."""

from __future__ import annotations

from werkzeug.wrappers import Request

from gateway.http import api
from gateway.route import API, Route
from services.notifications.schemas import (
    VersionSchema,
    WebhookDeliveryListSchema,
    WebhookDeliverySchema,
    WebhookSubscriptionChangeSchema,
    WebhookSubscriptionListSchema,
    WebhookSubscriptionNewSchema,
    WebhookSubscriptionSchema,
    WebhookSubscriptionWithSecretSchema,
)

_ALL = f"{API}/webhook-subscriptions"
_ONE = f"{_ALL}/{{subscription_id}}"
_DEAD = f"{_ONE}/dead-letters/{{delivery_id}}"
_TAG = "subscriptions"
_ADMIN_ERRORS = (403, 404)

ROUTES = (
    Route(
        "list_webhook_subscriptions", "GET", _ALL,
        "The webhook subscriptions, with their deliveries counted per status", _TAG,
        response=WebhookSubscriptionListSchema, authenticated=True, errors=(403,),
    ),
    Route(
        "create_webhook_subscription", "POST", _ALL,
        "Subscribe an outside system's HTTPS endpoint to public events; the answer holds the "
        "signing secret, shown this once (Standard Webhooks signatures)", _TAG,
        body=WebhookSubscriptionNewSchema, response=WebhookSubscriptionWithSecretSchema,
        statuses=(201,), authenticated=True, errors=(403,),
    ),
    Route(
        "read_webhook_subscription", "GET", _ONE, "One webhook subscription", _TAG,
        response=WebhookSubscriptionSchema, authenticated=True, errors=_ADMIN_ERRORS,
    ),
    Route(
        "change_webhook_subscription", "PATCH", _ONE,
        "Change a subscription's name, endpoint, events or whether it is active", _TAG,
        body=WebhookSubscriptionChangeSchema, response=WebhookSubscriptionSchema,
        authenticated=True, errors=(*_ADMIN_ERRORS, 409),
    ),
    Route(
        "rotate_webhook_secret", "POST", f"{_ONE}/secret",
        "A new signing secret, shown this once; the old one signs nothing more", _TAG,
        body=VersionSchema, response=WebhookSubscriptionWithSecretSchema, authenticated=True,
        errors=(*_ADMIN_ERRORS, 409),
    ),
    Route(
        "delete_webhook_subscription", "DELETE", _ONE,
        "End a subscription and forget its deliveries", _TAG,
        statuses=(204,), authenticated=True, errors=_ADMIN_ERRORS,
    ),
    Route(
        "list_webhook_dead_letters", "GET", f"{_ONE}/dead-letters",
        "Deliveries the endpoint did not take within a day; each holds back the later events "
        "of its subject", _TAG,
        response=WebhookDeliveryListSchema, authenticated=True, errors=_ADMIN_ERRORS,
    ),
    Route(
        "redrive_webhook_delivery", "POST", f"{_DEAD}/redrive",
        "Offer a dead delivery again now", _TAG,
        response=WebhookDeliverySchema, authenticated=True, errors=(*_ADMIN_ERRORS, 409),
    ),
    Route(
        "discard_webhook_delivery", "POST", f"{_DEAD}/discard",
        "Give a dead delivery up; the later events of its subject go on", _TAG,
        response=WebhookDeliverySchema, authenticated=True, errors=(*_ADMIN_ERRORS, 409),
    ),
)  # fmt: skip


class WebhooksApi:
    """Entry points of GatewayService (which provides ``gate`` and ``notifications``)."""

    @api
    def list_webhook_subscriptions(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return self.notifications.webhook_subscriptions(call.actor)

    @api
    def create_webhook_subscription(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.notifications).create_webhook_subscription(call.actor, call.body)

    @api
    def read_webhook_subscription(self, request: Request, subscription_id: str) -> dict:
        call = self.gate.admit(request)
        return self.notifications.webhook_subscription(call.actor, subscription_id)

    @api
    def change_webhook_subscription(self, request: Request, subscription_id: str) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.notifications).change_webhook_subscription(
            call.actor, subscription_id, call.body
        )

    @api
    def rotate_webhook_secret(self, request: Request, subscription_id: str) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.notifications).rotate_webhook_secret(
            call.actor, subscription_id, call.body
        )

    @api
    def delete_webhook_subscription(self, request: Request, subscription_id: str) -> None:
        call = self.gate.admit(request)
        return call.rpc(self.notifications).delete_webhook_subscription(call.actor, subscription_id)

    @api
    def list_webhook_dead_letters(self, request: Request, subscription_id: str) -> dict:
        call = self.gate.admit(request)
        return self.notifications.webhook_dead_letters(call.actor, subscription_id)

    @api
    def redrive_webhook_delivery(
        self, request: Request, subscription_id: str, delivery_id: str
    ) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.notifications).redrive_webhook_delivery(
            call.actor, subscription_id, delivery_id
        )

    @api
    def discard_webhook_delivery(
        self, request: Request, subscription_id: str, delivery_id: str
    ) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.notifications).discard_webhook_delivery(
            call.actor, subscription_id, delivery_id
        )
