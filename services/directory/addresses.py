"""An address is never at once an authority's functional email and a live invitation's.

An invitation asks someone to register an authority; one sent to the address of an authority
that exists would make a second one. So a batch refuses an authority's address
(``duplicated_email``), and an authority that takes an address (registered by a coordinator,
self-registered, or given it in an edit) ends the live invitations to it: they become ``used``,
with its id. The rule spans two tables, so no unique index can hold it: both sides lock the
address (services/common/locks.py) before they look at the other table, and of an invitation
and a registration racing for one address the second sees what the first wrote
(docs/directory-invitations.md, "Rules").
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import update

from services.common.db import UnitOfWork
from services.common.locks import lock_names
from services.directory.domain import LIVE_INVITATIONS, InvitationStatus, normalise_email
from services.directory.models import Authority, Invitation

ADDRESSES = "directory.address"


def lock_addresses(unit: UnitOfWork, emails: Iterable[str]) -> None:
    """Hold each address (compared without case and surrounding spaces) until the commit."""
    lock_names(unit.session, ADDRESSES, {normalise_email(email) for email in emails})


def take_address(unit: UnitOfWork, authority: Authority, by: str | None) -> None:
    """The authority has its address now: the live invitations to it are used by it."""
    email = normalise_email(authority.email)
    lock_addresses(unit, [email])
    unit.session.execute(
        update(Invitation)
        .where(
            Invitation.email == email,
            Invitation.status.in_([status.value for status in LIVE_INVITATIONS]),
        )
        .values(status=InvitationStatus.USED.value, authority_id=authority.id,
                updated_at=unit.now(), updated_by=by, version=Invitation.version + 1)
    )  # fmt: skip
