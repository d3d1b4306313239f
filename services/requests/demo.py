"""Demo requests (docs/demo.md): information requests in every status between the demo
authorities, made by the demo users (services/identity/demo_roster.py) when demo data is on,
so that a trainee who logs in finds a living action list: drafts, requests waiting for
acceptance, replies partly and fully sent, additional information asked for, closed and
withdrawn requests, with subjects (fictitious people and businesses), structured answers,
comments and reply dates, spread over the last six weeks.

Everything goes through the service's own operations (services.requests.exchange: create,
act, save_reply_draft, add_comment), with inputs loaded by the schemas of the RPC contract,
so each step is checked by the workflow, written to the history and announced by its event,
as if the demo users had clicked through it. The clock of those operations is a timeline
that starts weeks ago and moves on a few hours or days between steps.

**The parties must be known at that time.** The requests service knows authorities, their
coordinator links and request policies from the directory's events, and users from
identity's (services.requests.directory_view), which arrive only once the services run. So
the read model is given the demo authorities the demo users work at, their validating
coordinators' links, the directory's demo request policies and authority settings (from the
directory's own plan of its demo data) and the demo users with their rights, through the same
functions that handle the events, marked as older than anything the directory or identity
publishes (an authority's and a policy's version 0, a link's and a user's time
``PROVISIONAL``): the events, later and at version 1 or more, overwrite them with the same
facts, and a row an event already brought is never touched.

Approval and referral depend on those policies: a request of an authority whose member state
requires a coordinator's approval waits for it (*awaiting approval*; Germany's Services
requests, in the directory's demo data), and a reply is referred to the coordinators only
where the member state enables referral (Bavaria's); allocation happens only at an authority
that works with it (München). Should the directory's demo data change these, those requests
take the other way (sent without approval, left answered, not allocated).

Loaded once, in one transaction: when a request made by a demo user exists, nothing is added.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from services.common.clock import utcnow
from services.common.db import StandaloneDatabase, UnitOfWork
from services.common.schemas import load
from services.identity.demo_roster import DemoAuthority, demo_user, demo_users
from services.identity.demo_roster import roster_authorities as demo_authorities
from services.requests import directory_view, exchange
from services.requests.models import Base, Request
from services.requests.schemas import (
    ActionSchema,
    CommentInputSchema,
    NewRequestSchema,
    ReplyDraftSchema,
)
from services.requests.workflow_state import RequestState, Status

PROVISIONAL = datetime(2000, 1, 1, tzinfo=UTC)
PROVISIONAL_VERSION = 0
VALIDATED = "validated"
SERVICES = "services"
PQ = "professional_qualifications"


# --- the parties, known before the directory's events arrive ---------------------------------


def directory_settings() -> tuple[dict[str, dict], list[dict]]:
    """The demo authorities' settings (by id) and the demo request policies of the
    directory's plan (services/directory/data/demo/request_settings.yaml)."""
    from services.directory import demo as directory_demo  # the directory's plan, as data

    return directory_demo.plan_settings(), directory_demo.plan_policies()


def provisional_authority(authority: DemoAuthority, settings: dict | None) -> dict:
    """What the directory's ``authority_registered`` will say of the authority, at a version
    older than any it publishes."""
    return {
        "authority_id": authority.id,
        "member_state": authority.member_state,
        "region": authority.region,
        "status": VALIDATED,
        "coordinator_kind": authority.coordinator_kind,
        "official_name": authority.official_name,
        "official_language": authority.official_language,
        "titles": authority.titles,
        "languages": list(authority.languages),
        "areas": [
            {"area": area, "workflow": workflow, "roles": ["authority"], "direction": "both"}
            for area, workflow in authority.areas
        ],
        "settings": settings or {},
        "version": PROVISIONAL_VERSION,
    }


def remember_parties(
    unit: UnitOfWork, settings: dict[str, dict] | None = None, policies: list[dict] | None = None
) -> None:
    """The demo users' authorities, their coordinators' links, the request policies and the
    demo users themselves (whom an allocation names), in the read model, unless the events of
    the directory and identity brought them already."""
    if settings is None or policies is None:
        settings, policies = directory_settings()
    for authority in demo_authorities():
        data = provisional_authority(authority, settings.get(authority.id))
        directory_view.remember_authority(unit, data, PROVISIONAL)
        if authority.validating_coordinator_id is None:
            continue
        for area, workflow in authority.areas:
            link = {
                "authority_id": authority.id,
                "area": area,
                "workflow": workflow,
                "coordinator_id": authority.validating_coordinator_id,
                "linked": True,
            }
            directory_view.remember_link(unit, link, PROVISIONAL)
    for person in demo_users():
        grants = [{"right": grant.right.value, "area": grant.area} for grant in person.grants]
        user = {"user_id": person.id, "authority_id": person.authority.id, "grants": grants}
        directory_view.remember_user(unit, user, PROVISIONAL)
    for policy in policies:
        directory_view.remember_policy(
            unit,
            {
                "member_state": policy["member_state"],
                "region": policy.get("region"),
                "area": policy["area"],
                "approval_required": bool(policy["approval_required"]),
                "referral_enabled": bool(policy["referral_enabled"]),
                "deleted": False,
                "version": PROVISIONAL_VERSION,
            },
        )


# --- the timeline and the steps of a demo user --------------------------------------------------


class Timeline:
    """The clock of the demo's operations: set to a day in the past, moved on step by step,
    never past the moment the demo is loaded."""

    def __init__(self, now: datetime):
        self.end = now
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def start(self, days_ago: float) -> None:
        self.now = self.end - timedelta(days=days_ago)

    def later(self, hours: float) -> None:
        self.now = min(self.now + timedelta(hours=hours), self.end)

    def day(self, days_from_now: int) -> str:
        return (self.end.date() + timedelta(days=days_from_now)).isoformat()


@dataclass
class Play:
    """The demo users acting on requests, each step a little later than the one before."""

    unit: UnitOfWork
    timeline: Timeline

    def create(self, who: str, **data) -> Request:
        return exchange.create(self.unit, demo_user(who).actor(), load(NewRequestSchema, data))

    def act(self, who: str, row: Request, action: str, hours: float = 3, **data) -> Request:
        self.timeline.later(hours)
        return exchange.act(
            self.unit, demo_user(who).actor(), row.id, exchange.action_named(action),
            load(ActionSchema, {"version": row.version, **data}),
        )  # fmt: skip

    def reply_draft(self, who: str, row: Request, answers: list[dict], hours=20) -> Request:
        self.timeline.later(hours)
        return exchange.save_reply_draft(
            self.unit, demo_user(who).actor(), row.id,
            load(ReplyDraftSchema, {"version": row.version, "answers": answers}),
        )  # fmt: skip

    def comment(self, who: str, row: Request, text: str, hours: float = 2, **data) -> None:
        self.timeline.later(hours)
        person = demo_user(who)
        exchange.add_comment(
            self.unit, person.actor(), row.id,
            load(CommentInputSchema, {"text": text, "language": person.language, **data}),
        )  # fmt: skip

    def state(self, who: str, row: Request) -> RequestState:
        return exchange.load(self.unit.session, demo_user(who).actor(), row.id).state

    def dispatch(self, who: str, row: Request, coordinator: str) -> Request:
        """Send the draft, through its coordinator's approval where that is required."""
        if not self.state(who, row).settings.approval_required:
            return self.act(who, row, "send")
        submitted = self.act(who, row, "submit_for_approval")
        return self.act(coordinator, submitted, "approve", hours=20)


# --- the requests ----------------------------------------------------------------------------

ROMA, BUDAPEST = "it-roma-handler", "hu-budapest-handler"
MUENCHEN, ALLOCATOR = "de-muenchen-handler", "de-muenchen-allocator"
BAYERN_COORDINATOR = "de-bayern-coordinator"


def _authority(username: str) -> str:
    return demo_user(username).authority.id


def closed(play: Play) -> None:
    """Roma asks Budapest about a Hungarian building firm; answered, closed, with feedback."""
    play.timeline.start(40)
    draft = play.create(
        ROMA, set_key="services", questions=["1.1", "1.4", "2.1", "2.4", "3.2", "4.1"],
        responder_id=_authority(BUDAPEST),
        subject={"full_name": "Kovács Péter", "business_name": "Kovács Építő Kft.",
                 "date_of_birth": "1975-03-14", "nationality": "HU",
                 "address": "Váci út 112, 1133 Budapest",
                 "identity_numbers": [{"kind": "cégjegyzékszám", "value": "01-09-123456"}]},
        description="Impresa edile ungherese che offre lavori di ristrutturazione a Roma: "
        "verifica dello stabilimento e della copertura assicurativa.", language="it",
    )  # fmt: skip
    sent = play.act(ROMA, draft, "send")
    accepted = play.act(BUDAPEST, sent, "accept", hours=26)
    play.comment(BUDAPEST, accepted, "A cégjegyzék adatait ellenőrizzük, a válasz a héten várható.")
    drafted = play.reply_draft(BUDAPEST, accepted, [
        {"question": "1.1", "value": True},
        {"question": "1.4", "value": "private_limited_company"},
        {"question": "2.1", "value": True},
        {"question": "2.4", "value": "Lakásfelújítás, burkolás és festés.", "language": "hu"},
        {"question": "3.2", "value": ["none_known"]},
        {"question": "4.1", "cannot_provide": "not_held",
         "text": "A felelősségbiztosítást hivatalunk nem tartja nyilván.", "language": "hu"},
    ], hours=50)  # fmt: skip
    answered = play.act(BUDAPEST, drafted, "send_full_reply")
    closing = play.act(ROMA, answered, "close", hours=30)
    play.act(ROMA, closing, "give_feedback", hours=1,
             feedback="Risposta rapida e completa, grazie.", rating=5, language="it")  # fmt: skip


def withdrawn(play: Play) -> None:
    """Roma asks Budapest about a doctor; Budapest is not competent, Roma withdraws."""
    play.timeline.start(33)
    draft = play.create(
        ROMA, set_key="professional_qualifications", pq_type="general",
        questions=["1.1", "2.1", "4.1"], responder_id=_authority(BUDAPEST),
        subject={"full_name": "Horváth László", "date_of_birth": "1970-11-02",
                 "place_of_birth": "Szeged", "nationality": "HU"},
        description="Medico che chiede l'iscrizione all'Albo: verifica del diploma.",
        language="it",
    )  # fmt: skip
    sent = play.act(ROMA, draft, "send")
    play.comment(BUDAPEST, sent, "Hivatalunk nem illetékes: orvosok ügyében kérjük, forduljon "
                 "a Magyar Orvosi Kamarához.", hours=30)  # fmt: skip
    play.act(ROMA, sent, "withdraw", hours=5, language="it",
             reason="L'autorità non è competente; la richiesta sarà inviata "
             "all'Ordine dei medici ungherese.")  # fmt: skip


def additional_information_requested(play: Play) -> None:
    """Roma asks Budapest about a caterer; answered, Roma asks for more on one question."""
    play.timeline.start(26)
    draft = play.create(
        ROMA, set_key="services", questions=["1.1", "1.3", "2.4", "2.5", "3.1"],
        responder_id=_authority(BUDAPEST),
        subject={"full_name": "Tóth Anna", "business_name": "Tóth Vendéglátó Bt.",
                 "nationality": "HU", "address": "Király utca 8, 1061 Budapest"},
        description="Servizio di catering per eventi a Roma offerto da un'impresa ungherese.",
        language="it",
    )  # fmt: skip
    sent = play.act(ROMA, draft, "send")
    accepted = play.act(BUDAPEST, sent, "accept", hours=20)
    drafted = play.reply_draft(BUDAPEST, accepted, [
        {"question": "1.1", "value": True},
        {"question": "1.3", "value": False,
         "text": "A bejegyzett székhely: Király utca 8, 1061 Budapest.", "language": "hu"},
        {"question": "2.4", "value": "Rendezvényi étkeztetés.", "language": "hu"},
        {"question": "2.5", "value": ["catering"]},
        {"question": "3.1", "value": True},
    ], hours=70)  # fmt: skip
    answered = play.act(BUDAPEST, drafted, "send_full_reply")
    play.act(ROMA, answered, "request_additional_information", hours=40, questions=["2.4"],
             justification="Potete indicare se l'impresa fornisce servizi di catering anche "
             "all'estero e con quale autorizzazione?", language="it")  # fmt: skip


def answered(play: Play) -> None:
    """Budapest asks Roma about an Italian architect; reply date agreed, fully answered."""
    play.timeline.start(19)
    draft = play.create(
        BUDAPEST, set_key="professional_qualifications", pq_type="temporary_provision",
        questions=["1.1", "1.2", "1.3", "2.1", "4.1", "4.2", "5.1", "5.3"],
        responder_id=_authority(ROMA),
        subject={"full_name": "Francesca Romano", "date_of_birth": "1984-09-22",
                 "place_of_birth": "Napoli", "nationality": "IT"},
        description="Olasz építész bejelentése ideiglenes szolgáltatásnyújtásról Budapesten.",
        language="hu",
    )  # fmt: skip
    proposed = play.act(BUDAPEST, draft, "propose_reply_date", hours=1, date=play.timeline.day(-5))
    sent = play.act(BUDAPEST, proposed, "send")
    accepted = play.act(ROMA, sent, "accept", hours=22)
    agreed = play.act(ROMA, accepted, "agree_reply_date", hours=1)
    play.comment(ROMA, agreed, "Il certificato di iscrizione all'Albo può essere inviato su "
                 "richiesta.", question="4.2")  # fmt: skip
    drafted = play.reply_draft(ROMA, agreed, [
        {"question": "1.1", "value": True},
        {"question": "1.2", "value": True},
        {"question": "1.3", "value": "Laurea magistrale in Architettura (LM-4), Università "
         "degli Studi di Napoli Federico II.", "language": "it"},
        {"question": "2.1", "value": True},
        {"question": "4.1", "value": True},
        {"question": "4.2", "value": "registered_without_restrictions"},
        {"question": "5.1", "value": True},
        {"question": "5.3", "value": True},
    ], hours=60)  # fmt: skip
    play.act(ROMA, drafted, "send_full_reply")


def partially_answered(play: Play) -> None:
    """Roma asks Budapest about a physiotherapist; the first answers went out, the rest wait."""
    play.timeline.start(12)
    draft = play.create(
        ROMA, set_key="professional_qualifications", pq_type="permanent_establishment",
        questions=["1.1", "1.2", "1.3", "1.4", "2.1", "4.2"], responder_id=_authority(BUDAPEST),
        subject={"full_name": "Szabó Eszter", "date_of_birth": "1988-01-30",
                 "place_of_birth": "Debrecen", "nationality": "HU"},
        description="Riconoscimento della qualifica di fisioterapista per lo stabilimento a "
        "Roma.", language="it",
    )  # fmt: skip
    sent = play.act(ROMA, draft, "send")
    accepted = play.act(BUDAPEST, sent, "accept", hours=28)
    drafted = play.reply_draft(BUDAPEST, accepted, [
        {"question": "1.1", "value": True},
        {"question": "1.2", "value": True},
        {"question": "1.3", "value": "Gyógytornász (BSc), Debreceni Egyetem.", "language": "hu"},
        {"question": "1.4", "value": "2011-06-24"},
    ], hours=45)  # fmt: skip
    partial = play.act(BUDAPEST, drafted, "send_partial_reply")
    play.comment(BUDAPEST, partial, "A kamarai nyilvántartás adatait jövő héten küldjük.",
                 hours=1)  # fmt: skip


def accepted(play: Play) -> None:
    """Budapest asks Roma about an Italian restaurant; Roma accepted and drafts its reply."""
    play.timeline.start(7)
    draft = play.create(
        BUDAPEST, set_key="services", questions=["1.1", "1.2", "1.4", "2.3", "3.1", "3.2"],
        responder_id=_authority(ROMA),
        subject={"full_name": "Luigi Esposito", "business_name": "Ristorante Da Luigi S.n.c.",
                 "nationality": "IT", "address": "Via dei Serpenti 45, 00184 Roma"},
        description="Olasz étteremüzemeltető budapesti fióktelepének ellenőrzése.",
        language="hu",
    )  # fmt: skip
    sent = play.act(BUDAPEST, draft, "send")
    taken = play.act(ROMA, sent, "accept", hours=20)
    play.comment(ROMA, taken, "Stiamo verificando i dati presso il Registro delle imprese.")
    play.reply_draft(ROMA, taken, [
        {"question": "1.1", "value": True},
        {"question": "1.4", "value": "partnership"},
    ], hours=24)  # fmt: skip


def sent(play: Play) -> None:
    """Roma asks Budapest about a Hungarian firm and proposes a reply date; not accepted yet."""
    play.timeline.start(4)
    draft = play.create(
        ROMA, set_key="services", questions=["1.1", "2.1", "2.2", "2.3", "4.1"],
        responder_id=_authority(BUDAPEST),
        subject={"full_name": "Nagy Gábor", "business_name": "Nagy és Társa Kft.",
                 "nationality": "HU", "address": "Piac utca 20, 4025 Debrecen"},
        description="Impresa di installazione di impianti solari attiva a Roma.", language="it",
    )  # fmt: skip
    proposed = play.act(ROMA, draft, "propose_reply_date", hours=1, date=play.timeline.day(12))
    play.act(ROMA, proposed, "send")


def draft(play: Play) -> None:
    """Roma's handler started a request to Budapest yesterday and has not sent it."""
    play.timeline.start(1)
    play.create(
        ROMA, set_key="services", questions=["1.1", "1.2", "1.5"],
        responder_id=_authority(BUDAPEST),
        subject={"full_name": "Varga István", "business_name": "Varga Festő Kft.",
                 "nationality": "HU"},
        description="Verifica della data di iscrizione nel registro delle imprese.",
        language="it",
    )  # fmt: skip


def allocated(play: Play) -> None:
    """Roma asks München about a Bavarian firm; München's allocator gives it to its handler
    where München works with allocation."""
    play.timeline.start(6)
    draft = play.create(
        ROMA, set_key="services", questions=["1.1", "1.4", "2.1", "4.1"],
        responder_id=_authority(MUENCHEN),
        subject={"full_name": "Hans Gruber", "business_name": "Gruber Bau GmbH",
                 "nationality": "DE", "address": "Leopoldstraße 12, 80802 München"},
        description="Impresa edile bavarese con un cantiere a Roma.", language="it",
    )  # fmt: skip
    sent = play.act(ROMA, draft, "send")
    responder = play.state(ROMA, sent).responder
    if responder is not None and responder.uses_allocation:
        play.act(ALLOCATOR, sent, "allocate", hours=18, handlers=[demo_user(MUENCHEN).id])


def awaiting_approval(play: Play) -> None:
    """München asks Roma about an Italian firm: waits for Bavaria's approval where Germany
    requires it, else goes out."""
    play.timeline.start(2)
    draft = play.create(
        MUENCHEN, set_key="services", questions=["1.1", "2.1", "3.1"],
        responder_id=_authority(ROMA),
        subject={"full_name": "Marco Ricci", "business_name": "Ricci Impianti S.r.l.",
                 "nationality": "IT", "address": "Via Tiburtina 210, 00159 Roma"},
        description="Italienischer Installationsbetrieb mit Aufträgen in München.",
        language="de",
    )  # fmt: skip
    if play.state(MUENCHEN, draft).settings.approval_required:
        play.act(MUENCHEN, draft, "submit_for_approval")
    else:
        play.act(MUENCHEN, draft, "send")


def referred(play: Play) -> None:
    """München asks Roma about an Italian travel agency, disagrees with the reply and refers
    it to the coordinators where Germany's policy enables referral, else leaves it answered."""
    play.timeline.start(16)
    draft = play.create(
        MUENCHEN, set_key="services", questions=["2.1", "2.2", "2.3"],
        responder_id=_authority(ROMA),
        subject={"full_name": "Chiara De Luca", "business_name": "Viaggi De Luca S.r.l.",
                 "nationality": "IT", "address": "Via Nazionale 51, 00184 Roma"},
        description="Italienisches Reisebüro, das in Bayern Pauschalreisen anbietet.",
        language="de",
    )  # fmt: skip
    sent = play.dispatch(MUENCHEN, draft, BAYERN_COORDINATOR)
    taken = play.act(ROMA, sent, "accept", hours=30)
    drafted = play.reply_draft(ROMA, taken, [
        {"question": "2.1", "value": True},
        {"question": "2.2", "value": False},
        {"question": "2.3", "cannot_provide": "not_competent",
         "text": "Le agenzie di viaggio sono autorizzate dalla Regione Lazio.", "language": "it"},
    ], hours=48)  # fmt: skip
    reply = play.act(ROMA, drafted, "send_full_reply")
    if play.state(MUENCHEN, reply).settings.referral_enabled:
        play.act(MUENCHEN, reply, "refer", hours=40, language="de",
                 reason="Nach unserer Kenntnis ist für Reiseveranstalter eine Genehmigung "
                 "erforderlich; wir bitten die Koordinatoren um ihre Einschätzung.")  # fmt: skip


SCENARIOS: tuple[Callable[[Play], None], ...] = (
    closed,
    withdrawn,
    additional_information_requested,
    answered,
    referred,
    partially_answered,
    accepted,
    allocated,
    sent,
    awaiting_approval,
    draft,
)
# The statuses the demo always shows; awaiting approval and referred where the policies allow.
ALWAYS = frozenset(Status) - {Status.AWAITING_APPROVAL, Status.REFERRED}


# --- loading -----------------------------------------------------------------------------------


def made_by_demo_users(unit: UnitOfWork) -> int:
    """How many requests the demo users made."""
    ids = [person.id for person in demo_users()]
    return unit.session.scalar(
        select(func.count()).select_from(Request).where(Request.created_by.in_(ids))
    )


def add_demo_requests(unit: UnitOfWork, timeline: Timeline, settings=None, policies=None) -> int:
    """The parties in the read model, then the demo requests unless a demo user made a
    request already; how many were added."""
    remember_parties(unit, settings, policies)
    if made_by_demo_users(unit):
        return 0
    play = Play(unit, timeline)
    for scenario in SCENARIOS:
        scenario(play)
    return made_by_demo_users(unit)


def load_demo_requests(uri: str, clock=utcnow, settings=None, policies=None) -> int:
    """Load the demo requests into the requests database at ``uri``, in one transaction;
    how many requests were added. ``settings`` and ``policies`` stand for the directory's
    (tests)."""
    timeline = Timeline(clock())
    database = StandaloneDatabase(Base, "requests", uri, timeline)
    unit = database.unit_of_work()
    try:
        added = add_demo_requests(unit, timeline, settings, policies)
        unit.commit()
        return added
    finally:
        unit.close()
        database.dispose()
