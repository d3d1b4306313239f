"""What the requests service's tests of requests share: the network's users, a request to
start from, an action at the version read, and what a refused call said."""

from __future__ import annotations

import pytest
from nameko.exceptions import RemoteError

from services.common.errors import ImiError
from services.requests.bootstrap import publish_shipped_lists, publish_shipped_sets
from tests.requests import network
from tests.requests.network import BUDAPEST, IT_COORDINATOR, ROMA

ROMA_HANDLER = network.handler(ROMA)
BUDAPEST_HANDLER = network.handler(BUDAPEST)
SUBJECT = {"full_name": "Mario Rossi", "date_of_birth": "1980-05-03", "nationality": "IT"}


def load_network(uri: str) -> None:
    """The requests database of these tests: the shipped sets and lists, and the network."""
    publish_shipped_sets(uri)
    publish_shipped_lists(uri)
    network.seed(uri)


def refused(call) -> dict:
    """What a refused call raised: its type and text (an ImiError's code and details)."""
    with pytest.raises((RemoteError, ImiError)) as caught:
        call()
    error = caught.value
    if isinstance(error, RemoteError):
        return {"type": error.exc_type, "text": str(error.value)}
    return {"type": type(error).__name__, "text": f"{error.code} {error.detail} {error.extra}"}


def new_request(proxy, actor=ROMA_HANDLER, **changes) -> dict:
    """A draft of Roma's to Budapest; a change to None leaves that field out."""
    data = {
        "set_key": "services", "questions": ["1.1", "1.4", "2.4", "3.2"],
        "responder_id": BUDAPEST.id, "coordinator_id": IT_COORDINATOR.id, "subject": SUBJECT,
        "description": "Verifica di un prestatore di servizi.", "language": "it",
        **changes,
    }  # fmt: skip
    return proxy.requests.create_request(
        actor, {name: value for name, value in data.items() if value is not None}
    )


def act(proxy, actor, found: dict, action: str, **data) -> dict:
    """Take ``action`` at the version of ``found``: the request as the actor now sees it, or
    the outcome alone when it no longer may (after forwarding it away)."""
    outcome = proxy.requests.act_on_request(
        actor, found["id"], action, {"version": found["version"], **data}
    )
    return outcome["request"] or outcome
