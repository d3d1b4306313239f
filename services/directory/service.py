"""The directory service's entry points: load with a schema, call one operation, dump."""

from __future__ import annotations

from services.common import observability
from services.common.actor import load_actor
from services.common.clock import Clock
from services.common.db import Database
from services.common.entrypoints import event_handler, rpc
from services.common.envelope import event_name
from services.common.rpc import RpcClient
from services.common.schemas import dump, load
from services.common.transactions import handles_event_once, transactional
from services.directory import (
    authorities,
    authority_views,
    coordinated,
    invitations,
    known_users,
    registers,
    request_policies,
    search,
    syndication,
    terms,
    titles,
)
from services.directory.models import Base
from services.directory.schemas.authorities import (
    AuthorityListQuerySchema,
    AuthorityPageSchema,
    AuthoritySchema,
    AuthorityUpdateSchema,
    LinksUpdateSchema,
    NewAuthoritySchema,
    RolesUpdateSchema,
    SettingsUpdateSchema,
    VersionSchema,
)
from services.directory.schemas.invitations import (
    InvitationBatchResultSchema,
    InvitationBatchSchema,
    InvitationCheckSchema,
    InvitationListQuerySchema,
    InvitationPageSchema,
    InvitationReleaseResultSchema,
    InvitationReleaseSchema,
    InvitationResubmissionSchema,
    InvitationSchema,
    SelfRegistrationSchema,
    SelfRegistrationSummarySchema,
)
from services.directory.schemas.public import (
    PublicAuthorityPageSchema,
    PublicAuthoritySchema,
    PublicLanguageQuerySchema,
    PublicQuerySchema,
    PublicRegisterPageSchema,
)
from services.directory.schemas.registers import (
    NewRegisterSchema,
    RegisterPageSchema,
    RegisterQuerySchema,
    RegisterSchema,
    RegisterTranslationSchema,
    RegisterUpdateSchema,
    TranslationLanguageSchema,
)
from services.directory.schemas.request_policies import (
    RequestPolicyDeleteQuerySchema,
    RequestPolicyListSchema,
    RequestPolicyPutSchema,
    RequestPolicyQuerySchema,
    RequestPolicySchema,
)
from services.directory.schemas.search import SearchPageSchema, SearchQuerySchema
from services.directory.schemas.terms import (
    AreaWorkflowSchema,
    NewTermSchema,
    TermDetailSchema,
    TermListQuerySchema,
    TermListSchema,
    TermRefSchema,
    TermUpdateSchema,
)


class DirectoryService(observability.ObservableService):
    name = "directory"

    clock = Clock()
    db = Database(Base)
    identity = RpcClient("identity")
    invitation_policy = invitations.Policy()

    def _authority(self, authority, language: str) -> dict:
        return dump(AuthoritySchema, authority_views.view(self.db, authority, language))

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
    def set_settings(self, actor: dict, authority_id: str, data: dict) -> dict:
        who = load_actor(actor)
        request = load(SettingsUpdateSchema, data)
        authority = authorities.set_settings(self.db, who, authority_id, request)
        return self._authority(authority, who.language)

    @rpc
    @transactional
    def validate_authority(self, actor: dict, authority_id: str) -> dict:
        who = load_actor(actor)
        return self._authority(authorities.validate(self.db, who, authority_id), who.language)

    @rpc
    @transactional
    def confirm_authority_data(self, actor: dict, authority_id: str, data: dict) -> dict:
        who = load_actor(actor)
        version = load(VersionSchema, data)["version"]
        authority = authorities.confirm_data(self.db, who, authority_id, version)
        return self._authority(authority, who.language)

    @rpc
    def list_authorities(self, actor: dict, query: dict) -> dict:
        who = load_actor(actor)
        request = load(AuthorityListQuerySchema, query)
        items, total, per_state = coordinated.coordinated_list(self.db, who, request)
        return dump(
            AuthorityPageSchema,
            {"items": items, "page": request["page"], "page_size": request["page_size"],
             "total": total, "per_member_state": per_state},
        )  # fmt: skip

    # --- request policies -----------------------------------------------------------------

    @rpc
    def list_request_policies(self, actor: dict, query: dict) -> dict:
        load_actor(actor)
        rows = request_policies.listing(self.db, load(RequestPolicyQuerySchema, query))
        return dump(RequestPolicyListSchema, {"items": [request_policies.view(r) for r in rows]})

    @rpc
    @transactional
    def put_request_policy(self, actor: dict, data: dict) -> dict:
        who = load_actor(actor)
        row = request_policies.put(self.db, who, load(RequestPolicyPutSchema, data))
        return dump(RequestPolicySchema, request_policies.view(row))

    @rpc
    @transactional
    def delete_request_policy(self, actor: dict, policy_id: str, query: dict) -> None:
        who = load_actor(actor)
        version = load(RequestPolicyDeleteQuerySchema, query)["version"]
        request_policies.delete(self.db, who, policy_id, version)

    # --- registers and syndication --------------------------------------------------------

    def _register(self, register, language: str) -> dict:
        return dump(RegisterSchema, registers.view(self.db, register, language))

    @staticmethod
    def _page(schema, request: dict, items: list, total: int) -> dict:
        return dump(schema, {"items": items, "page": request["page"],
                             "page_size": request["page_size"], "total": total})  # fmt: skip

    @rpc
    @transactional
    def create_register(self, actor: dict, data: dict) -> dict:
        who = load_actor(actor)
        register = registers.create(self.db, who, load(NewRegisterSchema, data))
        return self._register(register, who.language)

    @rpc
    def get_register(self, actor: dict, register_id: str) -> dict:
        who = load_actor(actor)
        return self._register(registers.find(self.db, register_id), who.language)

    @rpc
    @transactional
    def update_register(self, actor: dict, register_id: str, data: dict) -> dict:
        who = load_actor(actor)
        request = load(RegisterUpdateSchema, data)
        return self._register(registers.update(self.db, who, register_id, request), who.language)

    @rpc
    @transactional
    def translate_register(self, actor: dict, register_id: str, language: str, data: dict) -> dict:
        who = load_actor(actor)
        request = load(RegisterTranslationSchema, data)
        language = load(TranslationLanguageSchema, {"language": language})["language"]
        register = registers.translate(self.db, who, register_id, language, request)
        return self._register(register, who.language)

    @rpc
    @transactional
    def delete_register(self, actor: dict, register_id: str) -> None:
        registers.delete(self.db, load_actor(actor), register_id)

    @rpc
    def search_registers(self, actor: dict, query: dict) -> dict:
        who = load_actor(actor)
        request = load(RegisterQuerySchema, query)
        found, total = registers.search(self.db, request)
        items = [registers.view(self.db, register, who.language) for register in found]
        return self._page(RegisterPageSchema, request, items, total)

    @rpc
    def public_authorities(self, query: dict) -> dict:
        request = load(PublicQuerySchema, query)
        items, total = syndication.authority_page(self.db, request)
        return self._page(PublicAuthorityPageSchema, request, items, total)

    @rpc
    def public_authority(self, authority_id: str, query: dict) -> dict:
        request = load(PublicLanguageQuerySchema, query)
        found = syndication.authority(self.db, authority_id, request.get("language"))
        return dump(PublicAuthoritySchema, found)

    @rpc
    def public_registers(self, query: dict) -> dict:
        request = load(PublicQuerySchema, query)
        items, total = syndication.register_page(self.db, request)
        return self._page(PublicRegisterPageSchema, request, items, total)

    # --- search ---------------------------------------------------------------------------

    @rpc
    def search_authorities(self, actor: dict, query: dict) -> dict:
        who = load_actor(actor)
        return dump(SearchPageSchema, search.search(self.db, who, load(SearchQuerySchema, query)))

    # --- invitations and self-registration -------------------------------------------------

    @rpc
    @transactional
    def invite(self, actor: dict, data: dict) -> dict:
        who = load_actor(actor)
        request = load(InvitationBatchSchema, data)
        result = invitations.invite(self.db, who, self.invitation_policy, request)
        return dump(InvitationBatchResultSchema, result)

    @rpc
    def list_invitations(self, actor: dict, query: dict) -> dict:
        request = load(InvitationListQuerySchema, query)
        items, total = invitations.listed(self.db, load_actor(actor), request)
        return self._page(InvitationPageSchema, request, items, total)

    @rpc
    @transactional
    def resubmit_invitation(self, actor: dict, invitation_id: str, data: dict) -> dict:
        who = load_actor(actor)
        request = load(InvitationResubmissionSchema, data)
        invitation = invitations.resubmit(
            self.db, who, self.invitation_policy, invitation_id, request
        )
        return dump(InvitationSchema, invitations.view(invitation))

    @rpc
    @transactional
    def release_invitations(self, actor: dict, data: dict) -> dict:
        who = load_actor(actor)
        request = load(InvitationReleaseSchema, data)
        result = invitations.release(self.db, who, self.invitation_policy, request)
        return dump(InvitationReleaseResultSchema, result)

    @rpc
    def check_registration_code(self, code: str) -> dict:
        return dump(InvitationCheckSchema, invitations.check_code(self.db, code))

    @rpc
    @transactional
    def self_register(self, data: dict) -> dict:
        request = load(SelfRegistrationSchema, data)
        summary = invitations.self_register(self.db, self.identity, request)
        return dump(SelfRegistrationSummarySchema, summary)

    @invitations.sweep_timer()
    @transactional
    def sweep_invitations(self) -> None:
        """Reminders before expiry, then expiry; safe with several replicas."""
        invitations.sweep(self.db, self.invitation_policy)

    # --- reference lists ------------------------------------------------------------------

    @rpc
    def list_terms(self, actor: dict, query: dict) -> dict:
        who = load_actor(actor)
        return dump(TermListSchema, terms.listing(self.db, who, load(TermListQuerySchema, query)))

    @rpc
    @transactional
    def add_term(self, actor: dict, kind: str, data: dict) -> dict:
        who = load_actor(actor)
        kind = load(TermRefSchema, {"kind": kind})["kind"]
        term = terms.add(self.db, who, kind, load(NewTermSchema, data))
        return dump(TermDetailSchema, terms.detail(self.db, term, who.language))

    @rpc
    @transactional
    def update_term(self, actor: dict, kind: str, code: str, data: dict) -> dict:
        who = load_actor(actor)
        ref = load(TermRefSchema, {"kind": kind, "code": code})
        request = load(TermUpdateSchema, data)
        term = terms.update(self.db, who, ref["kind"], ref["code"], request)
        return dump(TermDetailSchema, terms.detail(self.db, term, who.language))

    @rpc
    @transactional
    def set_area_workflow(self, actor: dict, area: str, workflow: str, active: bool) -> dict:
        who = load_actor(actor)
        request = load(AreaWorkflowSchema, {"area": area, "workflow": workflow, "active": active})
        term = terms.set_area_workflow(self.db, who, request)
        return dump(TermDetailSchema, terms.detail(self.db, term, who.language))

    # --- machine-translated titles ---------------------------------------------------------

    @event_handler("translation", "informal_titles_translated")
    @handles_event_once
    def on_informal_titles_translated(self, envelope: dict) -> None:
        """Machine titles for the languages without a person's title (services/directory/
        titles.py); the search document follows in the same transaction."""
        titles.machine_titles(self.db, envelope["data"])

    # --- the identity service's users (read model) ----------------------------------------

    @event_handler("identity", "user_created")
    @event_handler("identity", "user_rights_changed")
    @event_handler("identity", "user_replaced")
    @event_handler("identity", "first_login_completed")
    @event_handler("identity", "user_deleted")
    @handles_event_once
    def on_user_changed(self, envelope: dict) -> None:
        event_type = event_name(envelope)
        known_users.remember_user(self.db, event_type, envelope["data"], envelope["time"])
