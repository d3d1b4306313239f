"""The directory service's entry points: load with a schema, call one operation, dump."""

from __future__ import annotations

from nameko.events import event_handler

from services.common import observability
from services.common.actor import load_actor
from services.common.clock import Clock
from services.common.db import Database
from services.common.entrypoints import rpc
from services.common.schemas import dump, load
from services.common.transactions import handles_event_once, transactional
from services.directory import authorities
from services.directory.models import Base
from services.directory.schemas import (
    AuthorityListQuerySchema,
    AuthorityPageSchema,
    AuthoritySchema,
    AuthorityUpdateSchema,
    LinksUpdateSchema,
    NewAuthoritySchema,
    RolesUpdateSchema,
    UserEventSchema,
)


class DirectoryService(observability.ObservableService):
    name = "directory"

    clock = Clock()
    db = Database(Base)

    def _authority(self, authority, language: str) -> dict:
        return dump(AuthoritySchema, authorities.view(self.db, authority, language))

    # --- authorities ----------------------------------------------------------------------

    @rpc
    @transactional
    def register_authority(self, actor: dict, data: dict) -> dict:
        who = load_actor(actor)
        authority = authorities.register(self.db, who, load(NewAuthoritySchema, data))
        return self._authority(authority, who.language)

    @rpc
    def get_authority(self, actor: dict, authority_id: str) -> dict:
        who = load_actor(actor)
        return self._authority(authorities.visible(self.db, who, authority_id), who.language)

    @rpc
    @transactional
    def update_authority(self, actor: dict, authority_id: str, data: dict) -> dict:
        who = load_actor(actor)
        request = load(AuthorityUpdateSchema, data)
        return self._authority(
            authorities.update(self.db, who, authority_id, request), who.language
        )

    @rpc
    @transactional
    def set_roles(self, actor: dict, authority_id: str, data: dict) -> dict:
        who = load_actor(actor)
        request = load(RolesUpdateSchema, data)
        authority = authorities.set_roles(self.db, who, authority_id, request)
        return self._authority(authority, who.language)

    @rpc
    @transactional
    def set_links(self, actor: dict, authority_id: str, data: dict) -> dict:
        who = load_actor(actor)
        request = load(LinksUpdateSchema, data)
        authority = authorities.set_links(self.db, who, authority_id, request)
        return self._authority(authority, who.language)

    @rpc
    @transactional
    def validate_authority(self, actor: dict, authority_id: str) -> dict:
        who = load_actor(actor)
        return self._authority(authorities.validate(self.db, who, authority_id), who.language)

    @rpc
    def list_authorities(self, actor: dict, query: dict) -> dict:
        who = load_actor(actor)
        request = load(AuthorityListQuerySchema, query)
        items, total = authorities.coordinated_list(self.db, who, request)
        return dump(
            AuthorityPageSchema,
            {"items": items, "page": request["page"], "page_size": request["page_size"],
             "total": total},
        )  # fmt: skip

    # --- the identity service's users (read model) ----------------------------------------

    @event_handler("identity", "user_created")
    @event_handler("identity", "user_rights_changed")
    @event_handler("identity", "user_replaced")
    @event_handler("identity", "first_login_completed")
    @event_handler("identity", "user_deleted")
    @handles_event_once
    def on_user_changed(self, envelope: dict) -> None:
        event_type = envelope["type"].split(".")[-2]
        authorities.remember_user(self.db, event_type, load(UserEventSchema, envelope["data"]))
