"""The menu of a logged-in user: only the pages their rights open (DOMAIN.md section 1)."""

from __future__ import annotations

from dataclasses import dataclass

REQUEST_RIGHTS = frozenset({"request_handler", "allocator", "basic_user"})
USER_ADMINISTRATION_RIGHTS = frozenset({"local_data_administrator", "data_administrator"})
COORDINATION_RIGHTS = frozenset({"data_administrator", "commission_administrator"})


@dataclass(frozen=True)
class MenuItem:
    path: str
    label: str  # a catalogue key
    rights: frozenset[str] | None = None  # any of them opens it; None: every user
    current: bool = False


MENU = (
    MenuItem("/", "web.menu.home"),
    MenuItem("/requests", "web.menu.requests", REQUEST_RIGHTS),
    MenuItem("/inbox", "web.menu.inbox"),
    MenuItem("/directory", "web.directory.menu"),
    MenuItem("/users", "web.users.menu", USER_ADMINISTRATION_RIGHTS),
    MenuItem("/directory/invitations", "web.directory.invite.menu", COORDINATION_RIGHTS),
)


def menu_for(rights: frozenset[str], path: str) -> list[MenuItem]:
    return [
        MenuItem(item.path, item.label, item.rights, item.path == path)
        for item in MENU
        if item.rights is None or item.rights & rights
    ]
