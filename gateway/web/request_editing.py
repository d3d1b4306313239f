"""The "someone is working on it" marker of a request, set and cleared by the pages
(DOMAIN.md section 4, concurrent editing: a user who opens a request a colleague works on is
told who and since when).

The forms that change a request are on its page (and the draft's edit form), opened without a
round trip, so showing them to a user who may act is what marks the user as working on it
(the requests service's ``start_editing``, which answers the colleagues working on it too). A
finished step clears the mark (``stop_editing``), as does the page's "I am no longer working on
it". A user who leaves without either keeps it until the service lets it lapse:
``EDITING_TIMEOUT`` (services/requests/exchange.py, ten minutes) after the page last showed
them the forms.

Each call is one RPC of its own; the gateway holds nothing between them.
"""

from __future__ import annotations

import contextlib

from services.common.errors import Forbidden, ImiError
from services.common.errors import NotFound as Missing


def start_editing(requests, actor: dict, shown: dict) -> tuple[bool, list[dict]]:
    """Mark the actor as working on the request when its view offers them a change; answer
    whether it did and the colleagues working on it (from the view when it did not)."""
    if not shown.get("actions"):
        return False, shown.get("being_edited_by") or []
    try:
        others = requests.start_editing(actor, shown["id"])["others"]
    except (Forbidden, Missing):  # the service decided otherwise since the view was read
        return False, shown.get("being_edited_by") or []
    return True, others


def stop_editing(requests, actor: dict, request_id: str) -> None:
    """Clear the actor's mark once a step is done. The step succeeded: a failure here (the
    request forwarded out of the reader's sight, the service busy) is not the user's
    concern, and the mark lapses by itself."""
    with contextlib.suppress(ImiError):
        requests.stop_editing(actor, request_id)
