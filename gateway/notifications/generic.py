"""/api/v1/notification-types, /api/v1/notifications and /api/v1/repositories: generic
notifications (docs/generic-notifications.md). Commission administrators define the types of
each legislative area as data; a type's senders draft, broadcast, modify, withdraw and close
notifications, each step as ``POST /notifications/{id}/actions/{action}`` at the version read;
the authorities concerned read and comment; a repository lists what its type's broadcast
notifications wrote there."""

from __future__ import annotations

from types import MappingProxyType

from marshmallow import fields, validate
from werkzeug.wrappers import Request

from gateway.http import api
from gateway.route import API, Route
from services.notifications.generic import KEY, Action
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

_TYPES = f"{API}/notification-types"
_TYPE = f"{_TYPES}/{{type_key}}"
_ALL = f"{API}/notifications"
_ONE = f"{_ALL}/{{notification_id}}"
_TAG = "notifications"
_KEY = fields.String(validate=validate.Regexp(KEY.pattern))
_TYPE_KEY = MappingProxyType({"type_key": _KEY})
_ACTION = MappingProxyType({"action": fields.String(validate=validate.OneOf(list(Action)))})
_REPOSITORY = MappingProxyType({"repository": _KEY})

ROUTES = (
    Route(
        "list_notification_types", "GET", _TYPES,
        "The generic notification types (latest version of each), of one area if asked", _TAG,
        query=NotificationTypeQuerySchema, response=NotificationTypeListSchema,
        authenticated=True,
    ),
    Route(
        "create_notification_type", "POST", _TYPES,
        "Define a notification type of a legislative area: its fields, who sends, who "
        "receives, the repository it feeds (Commission administrators)", _TAG,
        body=NotificationTypeNewSchema, response=NotificationTypeSchema, statuses=(201,),
        authenticated=True, errors=(403, 409), location=f"{_TYPES}/{{key}}",
    ),
    Route(
        "read_notification_type", "GET", _TYPE, "A notification type's latest version", _TAG,
        response=NotificationTypeSchema, authenticated=True, errors=(404,),
        path_fields=_TYPE_KEY,
    ),
    Route(
        "change_notification_type", "PUT", _TYPE,
        "The type's next version (the notifications written with an earlier one keep it), "
        "at the version read (Commission administrators)", _TAG,
        body=NotificationTypeEditSchema, response=NotificationTypeSchema, authenticated=True,
        errors=(403, 404, 409), path_fields=_TYPE_KEY,
    ),
    Route(
        "list_notifications", "GET", _ALL,
        "My authority's generic notifications: sent, received, or both, a page at a time",
        _TAG, query=NotificationListQuerySchema, response=NotificationListSchema,
        authenticated=True,
    ),
    Route(
        "create_notification", "POST", _ALL,
        "A draft generic notification of a type, its content checked against the type's "
        "fields (the type's senders)", _TAG,
        body=NotificationNewSchema, response=NotificationViewSchema, statuses=(201,),
        authenticated=True, errors=(403, 404, 409), location=f"{_ALL}/{{id}}",
    ),
    Route(
        "read_notification", "GET", _ONE,
        "A generic notification, for its sending and receiving authorities and the "
        "Commission; the actions I may take", _TAG,
        response=NotificationViewSchema, authenticated=True, errors=(404,),
    ),
    Route(
        "act_on_notification", "POST", f"{_ONE}/actions/{{action}}",
        "Take a step of the notification's workflow (edit the draft, broadcast, modify, "
        "comment, withdraw, close) at the version read", _TAG,
        body=NotificationActionSchema, response=NotificationViewSchema, authenticated=True,
        errors=(403, 404, 409), path_fields=_ACTION,
    ),
    Route(
        "list_repository_entries", "GET", f"{API}/repositories/{{repository}}/entries",
        "What broadcast notifications wrote in a repository (authorities taking part in its "
        "area's notifications or repositories, Commission administrators)", _TAG,
        query=RepositoryQuerySchema, response=RepositoryPageSchema, authenticated=True,
        errors=(404,), path_fields=_REPOSITORY,
    ),
)  # fmt: skip


class GenericNotificationsApi:
    """Entry points of GatewayService (which provides ``gate`` and ``notifications``)."""

    @api
    def list_notification_types(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return self.notifications.notification_types(call.actor, call.query)

    @api
    def create_notification_type(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.notifications).create_notification_type(call.actor, call.body)

    @api
    def read_notification_type(self, request: Request, type_key: str) -> dict:
        call = self.gate.admit(request)
        return self.notifications.notification_type(call.actor, type_key)

    @api
    def change_notification_type(self, request: Request, type_key: str) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.notifications).change_notification_type(
            call.actor, type_key, call.body
        )

    @api
    def list_notifications(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return self.notifications.list_notifications(call.actor, call.query)

    @api
    def create_notification(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.notifications).create_notification(call.actor, call.body)

    @api
    def read_notification(self, request: Request, notification_id: str) -> dict:
        call = self.gate.admit(request)
        return self.notifications.notification(call.actor, notification_id)

    @api
    def act_on_notification(self, request: Request, notification_id: str, action: str) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.notifications).act_on_notification(
            call.actor, notification_id, action, call.body
        )

    @api
    def list_repository_entries(self, request: Request, repository: str) -> dict:
        call = self.gate.admit(request)
        return self.notifications.repository_entries(call.actor, repository, call.query)
