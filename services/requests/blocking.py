"""What a request whose personal data is blocked still shows (DOMAIN.md section 8): once
blocked, the subject's personal data is kept only as proof that the exchange took place, and
no user sees it any more, whatever their view was. Every reader's view is at most the full
view without personal data; its attachments, which may hold personal data, are no longer
listed or served; its subject is not copied nor found by a search by subject; its free texts
are not sent for machine translation, whose masking would need the blocked data.
"""

from __future__ import annotations

from services.common.errors import Conflict
from services.requests.models import Request
from services.requests.visibility import View


def capped(view: View, row: Request) -> View:
    """The view a reader gets of ``row``: ``view``, without personal data once blocked."""
    if row.blocked_at is not None and view == View.FULL:
        return View.FULL_WITHOUT_PERSONAL_DATA
    return view


def refuse_if_blocked(row: Request) -> None:
    """Refuse to process the blocked personal data of ``row`` (copying, translating)."""
    if row.blocked_at is not None:
        raise Conflict(
            "The subject's personal data of this request is blocked: it is kept only as proof "
            "of the exchange, and is no longer shown, copied or translated.",
            "personal_data.blocked",
            {"request_id": row.id, "blocked_at": row.blocked_at.isoformat()},
        )
