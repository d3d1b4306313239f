"""A request's workflow state (services.requests.workflow_state) as the JSON the ``requests``
table keeps, and back. Sets are stored sorted, so that equal states store equal documents."""

from __future__ import annotations

import datetime
from dataclasses import asdict
from typing import Any

from services.requests.workflow_state import (
    AuthorityFacts,
    Reply,
    ReplyDate,
    ReplyKind,
    RequestState,
    Settings,
    Side,
    Status,
)


def to_document(state: RequestState) -> dict[str, Any]:
    reply_date = state.reply_date
    return {
        "id": state.id,
        "area": state.area,
        "requester": asdict(state.requester),
        "responder": asdict(state.responder) if state.responder else None,
        "status": state.status.value,
        "questions": sorted(state.questions),
        "settings": asdict(state.settings),
        "sent": state.sent,
        "responder_accepted": state.responder_accepted,
        "former_responders": sorted(state.former_responders),
        "allocated_handlers": sorted(state.allocated_handlers),
        "replies": [
            {"kind": reply.kind.value, "questions": sorted(reply.questions)}
            for reply in state.replies
        ],
        "additional_information_questions": sorted(state.additional_information_questions),
        "reply_date": reply_date
        and {
            "date": reply_date.date.isoformat(),
            "proposed_by": reply_date.proposed_by.value,
            "requested": reply_date.requested.isoformat(),
            "agreed": reply_date.agreed,
        },
        "linked_from": state.linked_from,
        "linked_requests": list(state.linked_requests),
        "feedback_from": sorted(state.feedback_from),
    }


def from_document(document: dict[str, Any]) -> RequestState:
    reply_date = document["reply_date"]
    return RequestState(
        id=document["id"],
        area=document["area"],
        requester=AuthorityFacts(**document["requester"]),
        responder=AuthorityFacts(**document["responder"]) if document["responder"] else None,
        status=Status(document["status"]),
        questions=frozenset(document["questions"]),
        settings=Settings(**document["settings"]),
        sent=document["sent"],
        responder_accepted=document["responder_accepted"],
        former_responders=frozenset(document["former_responders"]),
        allocated_handlers=frozenset(document["allocated_handlers"]),
        replies=tuple(
            Reply(ReplyKind(reply["kind"]), frozenset(reply["questions"]))
            for reply in document["replies"]
        ),
        additional_information_questions=frozenset(document["additional_information_questions"]),
        reply_date=reply_date
        and ReplyDate(
            datetime.date.fromisoformat(reply_date["date"]),
            Side(reply_date["proposed_by"]),
            datetime.date.fromisoformat(reply_date["requested"]),
            reply_date["agreed"],
        ),
        linked_from=document["linked_from"],
        linked_requests=tuple(document["linked_requests"]),
        feedback_from=frozenset(document["feedback_from"]),
    )
