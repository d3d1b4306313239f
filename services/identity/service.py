"""The identity service's entry points: load with a schema, call one operation, dump."""

from __future__ import annotations

from services.common import observability
from services.common.actor import load_actor
from services.common.clock import Clock
from services.common.db import Database
from services.common.entrypoints import event_handler, rpc
from services.common.schemas import dump, load
from services.common.transactions import handles_event_once, transactional
from services.identity import accounts, authentication, recipients, recovery, usernames
from services.identity.models import Base, User
from services.identity.schemas import (
    AuditPageSchema,
    AuditQuerySchema,
    ChallengeRequestSchema,
    ChallengeSchema,
    ColleagueListSchema,
    ColleagueQuerySchema,
    FirstLoginRequestSchema,
    LoginRequestSchema,
    LoginResultSchema,
    MailRecipientsQuerySchema,
    MailRecipientsSchema,
    NewUserSchema,
    RefreshRequestSchema,
    ReplacementSchema,
    ReservedUsernameSchema,
    ResetCompletionSchema,
    ResetRequestSchema,
    RevocationSchema,
    RightsUpdateSchema,
    TokenKeysSchema,
    UsernameReservationSchema,
    UserPageSchema,
    UserQuerySchema,
    UserUpdateSchema,
    user_document,
)
from services.identity.settings import Settings
from services.identity.tokens import ALGORITHM, AUDIENCE, ISSUER


def user_view(user: User) -> dict:
    return accounts.account_view(user, authentication.grants_of(user))


def dump_user(user: User) -> dict:
    return user_document(user_view(user))


# Logging in and its keys are the gateway's business: no other service acts for a user
# before the user has a token.
GATEWAY = ("gateway",)


class IdentityService(observability.ObservableService):
    name = "identity"

    clock = Clock()
    db = Database(Base)
    settings = Settings()

    # --- authentication -------------------------------------------------------------------

    @rpc(callers=GATEWAY)
    @transactional
    def challenge(self, data: dict) -> dict:
        request = load(ChallengeRequestSchema, data)
        result = authentication.start_challenge(self.db, self.settings, request["username"])
        return dump(ChallengeSchema, result)

    @rpc(callers=GATEWAY)
    def login(self, data: dict) -> dict:
        request = load(LoginRequestSchema, data)
        return dump(LoginResultSchema, authentication.login(self.db, self.settings, request))

    @rpc(callers=GATEWAY)
    def complete_first_login(self, data: dict) -> dict:
        request = load(FirstLoginRequestSchema, data)
        result = authentication.complete_first_login(self.db, self.settings, request)
        return dump(LoginResultSchema, result)

    @rpc(callers=GATEWAY)
    def refresh(self, data: dict) -> dict:
        request = load(RefreshRequestSchema, data)
        result = authentication.refresh(self.db, self.settings, request["refresh_token"])
        return dump(LoginResultSchema, result)

    @rpc(callers=GATEWAY)
    @transactional
    def request_password_reset(self, data: dict) -> dict:
        recovery.request_reset(self.db, self.settings, load(ResetRequestSchema, data))
        return {}

    @rpc(callers=GATEWAY)
    @transactional
    def complete_password_reset(self, data: dict) -> dict:
        recovery.complete_reset(self.db, self.settings, load(ResetCompletionSchema, data))
        return {}

    @rpc
    @transactional
    def logout(self, actor: dict) -> dict:
        authentication.logout(self.db, load_actor(actor))
        return {}

    @rpc(callers=GATEWAY)
    def token_keys(self) -> dict:
        keys = self.settings.keys
        return dump(
            TokenKeysSchema,
            {
                "issuer": ISSUER,
                "audience": AUDIENCE,
                "keys": [
                    {"kid": keys.kid, "alg": ALGORITHM, "public_key_pem": keys.public_key_pem}
                ],
            },
        )

    @rpc(callers=GATEWAY)
    def revocations(self) -> list:
        found = authentication.recent_revocations(self.db, self.settings)
        return RevocationSchema(many=True).dump(found)

    # --- users ----------------------------------------------------------------------------

    @rpc
    def me(self, actor: dict) -> dict:
        return user_document(accounts.own_account(self.db, load_actor(actor)))

    @rpc
    @transactional
    def list_users(self, actor: dict, query: dict) -> dict:
        who = load_actor(actor)
        request = load(UserQuerySchema, query)
        users, total = accounts.list_users(
            self.db,
            who,
            request.get("authority_id", who.authority_id),
            request["page"],
            request["page_size"],
        )
        return dump(
            UserPageSchema,
            {
                "items": [user_view(user) for user in users],
                "page": request["page"],
                "page_size": request["page_size"],
                "total": total,
            },
        )

    @rpc
    @transactional
    def get_user(self, actor: dict, user_id: str) -> dict:
        return dump_user(accounts.viewed_user(self.db, load_actor(actor), user_id))

    @rpc
    @transactional
    def colleagues(self, actor: dict, query: dict) -> dict:
        """For an allocator: the request handlers of its authority it may allocate to."""
        request = load(ColleagueQuerySchema, query)
        found = accounts.colleagues(self.db, load_actor(actor), request["right"], request["area"])
        items = [{"user_id": user.id, "full_name": user.full_name} for user in found]
        return dump(ColleagueListSchema, {"items": items})

    @rpc
    @transactional
    def create_user(self, actor: dict, data: dict) -> dict:
        who = load_actor(actor)
        request = load(NewUserSchema, data)
        authority = accounts.authority_view(
            self.db, who, request.get("authority_id", who.authority_id)
        )
        accounts.require_administrator(who, authority)
        temporary = accounts.new_temporary_password(self.db, self.settings)
        user = accounts.create_user(
            self.db, self.settings, who, request, authority, temporary=temporary
        )
        return dump_user(user)

    @rpc
    @transactional
    def update_user(self, actor: dict, user_id: str, data: dict) -> dict:
        request = load(UserUpdateSchema, data)
        return dump_user(accounts.update_user(self.db, load_actor(actor), user_id, request))

    @rpc
    @transactional
    def set_rights(self, actor: dict, user_id: str, data: dict) -> dict:
        request = load(RightsUpdateSchema, data)
        return dump_user(accounts.set_rights(self.db, load_actor(actor), user_id, request))

    @rpc
    @transactional
    def reset_password(self, actor: dict, user_id: str) -> dict:
        who = load_actor(actor)
        temporary = accounts.new_temporary_password(self.db, self.settings)
        user = accounts.reset_password(self.db, who, user_id, temporary)
        return dump_user(user)

    @rpc
    @transactional
    def unblock_user(self, actor: dict, user_id: str) -> dict:
        return dump_user(accounts.unblock_user(self.db, load_actor(actor), user_id))

    @rpc
    @transactional
    def replace_user(self, actor: dict, user_id: str, data: dict) -> dict:
        request = load(ReplacementSchema, data)
        who = load_actor(actor)
        temporary = accounts.new_temporary_password(self.db, self.settings)
        user = accounts.replace_user(self.db, self.settings, who, user_id, request, temporary)
        return dump_user(user)

    @rpc
    @transactional
    def delete_user(self, actor: dict, user_id: str) -> dict:
        accounts.delete_user(self.db, load_actor(actor), user_id)
        return {}

    @rpc(callers=("directory",))
    @transactional
    def reserve_username(self, member_state: str) -> dict:
        """For the directory: the username a self-registration summary shows."""
        request = load(UsernameReservationSchema, {"member_state": member_state})
        username = usernames.reserve_username(self.db, self.settings, request["member_state"])
        return dump(ReservedUsernameSchema, {"username": username})

    @rpc(callers=("notifications",))
    def mail_recipients(self, query: dict) -> dict:
        """For the notifications service: the addresses and languages of the people of some
        authorities who hold a right."""
        request = load(MailRecipientsQuerySchema, query)
        found = recipients.mail_recipients(self.db.session, request)
        return dump(MailRecipientsSchema, {"recipients": found})

    @rpc
    def audit(self, actor: dict, query: dict) -> dict:
        request = load(AuditQuerySchema, query)
        entries, total = accounts.audit_page(self.db, load_actor(actor), request)
        return dump(
            AuditPageSchema,
            {
                "items": entries,
                "page": request["page"],
                "page_size": request["page_size"],
                "total": total,
            },
        )

    # --- the directory's authorities (read model) -----------------------------------------

    @event_handler("directory", "authority_registered")
    @event_handler("directory", "authority_updated")
    @event_handler("directory", "authority_validated")
    @handles_event_once
    def on_authority_changed(self, envelope: dict) -> None:
        data = envelope["data"]
        passwords = accounts.passwords_for_waiting_first_users(self.db, self.settings, data)
        known = accounts.remember_authority(self.db, data, envelope["time"])
        accounts.release_waiting_first_users(self.db, self.settings, known, passwords)

    @event_handler("directory", "first_user_requested")
    @handles_event_once
    def on_first_user_requested(self, envelope: dict) -> None:
        accounts.first_user_requested(self.db, self.settings, envelope["data"], envelope["time"])
