"""The directory's and user management's pages build some catalogue keys from values (a right,
a status, an outcome, a workflow): each exists for every value."""

from __future__ import annotations

from gateway.web.authority_pages import DIRECTIONS
from gateway.web.authority_pages import DONE as AUTHORITY_DONE
from gateway.web.coordinated_pages import LISTS
from gateway.web.directory_pages import (
    COMPETENCES,
    INVITATION_STATUSES,
    REJECTIONS,
    ROLES,
    WORKFLOWS,
    area_codes,
)
from gateway.web.texts import Texts
from gateway.web.user_pages import DONE, RIGHT_NAMES


def test_every_key_the_pages_build_from_a_value_is_in_the_catalogue():
    """The keys the templates build (a right, a status, an outcome) exist for every value."""
    texts = Texts("en")
    built = [
        *(f"web.users.right.{right}" for right in RIGHT_NAMES),
        *(f"web.users.status.{status}" for status in ("pending_first_login", "active", "blocked")),
        *(f"web.users.done.{done}" for done in DONE),
        *(f"web.directory.change.done.{done}" for done in AUTHORITY_DONE),
        *(f"web.directory.direction.{direction}" for direction in DIRECTIONS),
        *(f"web.directory.competence.{kind}" for kind in COMPETENCES),
        *(f"web.directory.coordinated.which.{which}" for which in LISTS),
        *(f"web.directory.invite.status.{status}" for status in INVITATION_STATUSES),
        *(f"invitation.{reason}" for reason in REJECTIONS),
        *(f"directory.workflow.{workflow}" for workflow in WORKFLOWS),
        *(f"directory.role.{role}" for role in ROLES),
        *(f"directory.legislative_area.{area}" for area in area_codes()),
    ]
    assert [key for key in built if not texts.has(key)] == []
