"""The menu of a logged-in user: only the pages their rights open (DOMAIN.md section 1)."""

from __future__ import annotations

from dataclasses import dataclass

REQUEST_RIGHTS = frozenset({"request_handler", "allocator", "basic_user"})
# the rights DOMAIN.md gives coordinators' and the Commission's users (the statistics service
# decides by the authority's place; a coordinator's basic user reaches /dashboard directly)
DASHBOARD_RIGHTS = frozenset({"data_administrator", "commission_administrator"})
TRANSLATOR_RIGHTS = frozenset({"commission_translator"})


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
    MenuItem("/dashboard", "web.dashboard.menu", DASHBOARD_RIGHTS),
    MenuItem("/translations", "web.translator.menu", TRANSLATOR_RIGHTS),
)


def menu_for(rights: frozenset[str], path: str) -> list[MenuItem]:
    return [
        MenuItem(item.path, item.label, item.rights, item.path == path)
        for item in MENU
        if item.rights is None or item.rights & rights
    ]
